import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, permissionsOf } from './permissions';
import { authorize, can } from './guard';
import type { Actor } from '@/lib/access/actor';

const actor = (role: keyof typeof ROLE_PERMISSIONS): Actor => ({ type: 'user', id: 'u', label: 'u', tenantId: null, role, permissions: permissionsOf(role) });

describe('role → permission map', () => {
  it('gives the owner every permission', () => {
    expect([...permissionsOf('OWNER')].sort()).toEqual([...PERMISSIONS].filter((p) => p !== 'audit:write').sort());
  });
  it('lets auditors read and export but change nothing', () => {
    const writes = [...permissionsOf('AUDITOR')].filter((p) => !p.endsWith(':read'));
    expect(writes).toEqual(['audit:export']);
  });
  it('keeps tenant viewers read-only', () => {
    expect([...permissionsOf('TENANT_VIEWER')].every((p) => p.endsWith(':read'))).toBe(true);
  });
  it('reserves users, settings and signing keys for the owner', () => {
    for (const role of ['ADMIN', 'AUDITOR', 'TENANT_VIEWER'] as const) {
      expect(can(actor(role), 'settings:write')).toBe(false);
    }
    expect(can(actor('ADMIN'), 'users:write')).toBe(false);
    expect(can(actor('OWNER'), 'settings:write')).toBe(true);
  });
  it('lets tenant admins manage their deployments and keys, not tenants or contracts', () => {
    const a = actor('TENANT_ADMIN');
    expect(can(a, 'deployments:write') && can(a, 'keys:write')).toBe(true);
    expect(can(a, 'tenants:write') || can(a, 'contracts:write') || can(a, 'audit:export')).toBe(false);
  });
  it('authorize throws a forbidden AppError naming the permission', () => {
    expect(() => authorize(actor('TENANT_VIEWER'), 'tenants:write')).toThrow(expect.objectContaining({ code: 'forbidden', status: 403 }));
    expect(() => authorize(actor('ADMIN'), 'tenants:write')).not.toThrow();
  });
});

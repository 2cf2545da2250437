import type { Role } from '@/lib/generated/prisma/enums';

// The one role → permission map. Server guards enforce it; the UI may read it to hide controls.
export const PERMISSIONS = [
  'tenants:read',
  'tenants:write',
  'deployments:read',
  'deployments:write',
  'models:read',
  'models:write',
  'contracts:read',
  'contracts:write',
  'entitlements:read',
  'keys:read',
  'keys:write',
  'audit:read',
  'audit:export',
  'audit:write',
  'users:read',
  'users:write',
  'approvals:read',
  'approvals:decide',
  'settings:read',
  'settings:write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = [
  'tenants:read',
  'deployments:read',
  'models:read',
  'contracts:read',
  'entitlements:read',
  'keys:read',
  'audit:read',
  'users:read',
  'approvals:read',
  'settings:read',
];

const ADMIN: Permission[] = [...READ_ALL, 'tenants:write', 'deployments:write', 'models:write', 'contracts:write', 'keys:write', 'audit:export', 'approvals:decide'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // OWNER: everything, including users, roles, signing keys and retention.
  OWNER: [...ADMIN, 'users:write', 'settings:write'],
  ADMIN,
  // AUDITOR: reads everything in scope and exports audit logs; changes nothing.
  AUDITOR: [...READ_ALL, 'audit:export'],
  TENANT_ADMIN: [
    'tenants:read',
    'deployments:read',
    'deployments:write',
    'models:read',
    'contracts:read',
    'entitlements:read',
    'keys:read',
    'keys:write',
    'audit:read',
    'users:read',
    'users:write',
  ],
  // Key metadata (never a secret) is part of "their own tenant": viewers see the list, change nothing.
  TENANT_VIEWER: ['tenants:read', 'deployments:read', 'models:read', 'contracts:read', 'entitlements:read', 'keys:read'],
};

/** Roles that only make sense on the platform (membership without a tenant). */
export const PLATFORM_ONLY_ROLES: readonly Role[] = ['OWNER', 'ADMIN'];
/** Roles that only make sense within one tenant. */
export const TENANT_ONLY_ROLES: readonly Role[] = ['TENANT_ADMIN', 'TENANT_VIEWER'];

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

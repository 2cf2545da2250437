import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { PERMISSIONS } from '@/lib/authz/permissions';
import type { Ctx } from './actor';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * The operator on the server (CLI, start-up, seeding): whoever holds the database credentials.
 * Platform scope with every permission, labelled with the OS user, and audited like anyone else.
 */
export function systemCtx(purpose?: string): Ctx {
  const label = `system:${osUser()}`;
  return {
    actor: { type: 'system', id: label, label, tenantId: null, role: null, permissions: new Set(PERMISSIONS) },
    request: { ip: null, userAgent: purpose ? `charter-cli (${purpose})` : 'charter-cli', requestId: randomUUID() },
  };
}

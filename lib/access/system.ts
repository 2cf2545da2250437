import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { PERMISSIONS } from '@/lib/access/permissions';
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

/**
 * Charter itself doing what falls due (contracts and approval requests expiring by date), in the
 * maintenance round or when a user's write is what first needs it persisted. No permissions — it
 * acts only through the task's own code — and request metadata of its own: a user's IP, user agent
 * or request id on such an event would attribute Charter's work to them, in a chain they may not
 * even belong to.
 */
export function charterCtx(task: 'contract-expiry' | 'approval-expiry'): Ctx {
  const label = `charter (${task.replace('-', ' ')})`;
  return {
    actor: { type: 'system', id: `charter:${task}`, label, tenantId: null, role: null, permissions: new Set() },
    request: { ip: null, userAgent: label, requestId: randomUUID() },
  };
}

import { headers } from 'next/headers';
import { z } from 'zod';
import type { Ctx } from '@/lib/auth/actor';
import { getSessionActor } from '@/lib/auth/session';
import { authorize } from '@/lib/authz/guard';
import type { Permission } from '@/lib/authz/permissions';
import { AppError, type Problem, toAppError, toProblem } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { recordAccessDenied } from '@/lib/services/audit';
import { requestMetaFrom } from './request-meta';

export type ActionResult<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/**
 * FormData → plain object for zod: repeated keys (and keys ending in "[]") become arrays, empty
 * optional fields become undefined. Checkbox-style booleans arrive as "on".
 */
export function formDataToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$ACTION')) continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    const name = key.endsWith('[]') ? key.slice(0, -2) : key;
    if (key.endsWith('[]') || values.length > 1) out[name] = values.filter((v) => v !== '');
    else out[name] = values[0] === '' ? undefined : values[0];
  }
  return out;
}

/**
 * The one wrapper for server actions: the same actor, guard, schema and error mapping as route().
 * Returns a result object instead of throwing, so forms can show field errors.
 */
export function action<S extends z.ZodType, R>(
  options: { schema: S; permission: Permission },
  fn: (ctx: Ctx, input: z.infer<S>) => Promise<R>,
): (input: z.input<S> | FormData) => Promise<ActionResult<R>> {
  return async (raw) => {
    const request = requestMetaFrom(await headers());
    let ctx: Ctx | undefined;
    try {
      const actor = await getSessionActor();
      if (!actor) throw new AppError('unauthenticated', 'Your session has ended. Sign in again.');
      ctx = { actor, request };
      authorize(actor, options.permission);
      const input = options.schema.parse(raw instanceof FormData ? formDataToObject(raw) : raw);
      return { ok: true, data: await fn(ctx, input) };
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'forbidden' && ctx) {
        await recordAccessDenied(ctx, { permission: options.permission, reason: appError.message });
      }
      if (appError.code === 'internal') {
        logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), requestId: request.requestId }, 'action failed');
      }
      return { ok: false, problem: toProblem(appError, request.requestId) };
    }
  };
}

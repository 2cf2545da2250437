import { headers } from 'next/headers';
import type { z } from 'zod';
import type { Ctx } from '@/lib/access/actor';
import { getSessionActor } from '@/lib/http/session';
import { authorize } from '@/lib/access/guard';
import type { Permission } from '@/lib/access/permissions';
import { AppError, type Problem, notFound, toAppError, toProblem } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { isUuid } from '@/lib/core/schema';
import { recordAccessDenied } from '@/lib/modules/audit-trail/search';
import { type FormState, formDataToObject } from './form-state';
import { requestMetaFrom } from './request-meta';

export type ActionResult<T> = { ok: true; data: T } | { ok: false; problem: Problem };

type ActionOptions<S extends z.ZodType> = {
  schema: S;
  /** What the action needs; with several, each of them. */
  permission: Permission | readonly Permission[];
};

/** The actor, the guard, the schema and the error mapping that every server action shares with route(). */
async function perform<S extends z.ZodType, R>(options: ActionOptions<S>, raw: unknown, fn: (ctx: Ctx, input: z.output<S>) => Promise<R>): Promise<ActionResult<R>> {
  const request = requestMetaFrom(await headers());
  let ctx: Ctx | undefined;
  try {
    const actor = await getSessionActor();
    if (!actor) throw new AppError('unauthenticated', 'Your session has ended. Sign in again.');
    ctx = { actor, request };
    for (const permission of [options.permission].flat()) authorize(actor, permission);
    const input = options.schema.parse(raw);
    return { ok: true, data: await fn(ctx, input) };
  } catch (err) {
    const appError = toAppError(err);
    if (appError.code === 'forbidden' && ctx) {
      const permission = typeof appError.extra?.permission === 'string' ? appError.extra.permission : String(options.permission);
      await recordAccessDenied(ctx, { permission, reason: appError.message });
    }
    if (appError.code === 'internal') {
      logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), requestId: request.requestId }, 'action failed');
    }
    return { ok: false, problem: toProblem(appError, request.requestId) };
  }
}

/**
 * A server action that is not a form of fields (a button that downloads a file, a file's content):
 * made once, at module level, and called with its input — whatever arrived, the schema decides —
 * and any arguments the caller has already checked. Returns a result object instead of throwing.
 */
export function action<S extends z.ZodType, R, A extends unknown[] = []>(
  options: ActionOptions<S>,
  fn: (ctx: Ctx, input: z.output<S>, ...args: A) => Promise<R>,
): (input: unknown, ...args: A) => Promise<ActionResult<R>> {
  return (input, ...args) => perform(options, input, (ctx, parsed) => fn(ctx, parsed, ...args));
}

/** A bound argument of a form action (`action.bind(null, tenant.id)`): what it names, and how it is checked (a UUID unless said otherwise). */
export type BoundArg = string | { what: string; schema: z.ZodType<string> };

type BoundValues<B extends readonly BoundArg[]> = { [K in keyof B]: string };

/** What a form shows after a success: a message and, for forms that show a result, its data. */
export type FormReply<D> = { message?: string; data?: D };

/**
 * The one way to write a form's server action, made once at module level:
 *
 *     export const createTenantAction = formAction({ schema: createTenantInput, permission: 'tenants:write' },
 *       (ctx, input) => createTenant(ctx, input),
 *       (tenant) => redirect(`/tenants/${tenant.slug}`));
 *
 * It parses the FormData with the schema (the same one the form runs before sending), runs the
 * service call through the actor, guard and error mapping, and answers the form: on a refusal the
 * problem and the values sent (re-keyed fields keep them), on success what `reply` returns. `reply`
 * runs outside the error mapping, so it may redirect() and revalidatePath(). Bound arguments (ids
 * from the page) come first; one that does not parse is simply not found.
 */
export function formAction<S extends z.ZodType, R, D = never, const B extends readonly BoundArg[] = []>(
  options: ActionOptions<S> & { bound?: B },
  fn: (ctx: Ctx, input: z.output<S>, ...bound: BoundValues<B>) => Promise<R>,
  reply: (result: R, ...bound: BoundValues<B>) => FormReply<D> | Promise<FormReply<D>>,
): (...args: [...BoundValues<B>, FormState<D>, FormData]) => Promise<FormState<D>> {
  const specs: readonly BoundArg[] = options.bound ?? [];
  return async (...args) => {
    const bound = args.slice(0, specs.length) as unknown as BoundValues<B>;
    const [prev, form] = args.slice(specs.length) as [FormState<D>, FormData];
    const answer = (extra: Omit<FormState<D>, 'nonce'>): FormState<D> => ({ nonce: prev.nonce + 1, ...extra });
    for (const [i, spec] of specs.entries()) {
      const value: unknown = bound[i];
      const ok = typeof spec === 'string' ? isUuid(value) : spec.schema.safeParse(value).success;
      if (!ok) return answer({ problem: toProblem(notFound(typeof spec === 'string' ? spec : spec.what)) });
    }
    const values = formDataToObject(form);
    const result = await perform(options, values, (ctx, input) => fn(ctx, input, ...bound));
    if (!result.ok) return answer({ problem: result.problem, values });
    return answer(await reply(result.data, ...bound));
  };
}

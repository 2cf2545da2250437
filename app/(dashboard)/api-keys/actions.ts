'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { CreateApiKeyState, RotateApiKeyState } from '@/components/api-keys/state';
import type { FormState } from '@/components/ui/form-state';
import { notFound, toProblem } from '@/lib/errors';
import { action, formDataToObject } from '@/lib/http/action';
import { createApiKeyInput, revokeApiKeyInput, rotateApiKeyInput } from '@/lib/schemas/api-key';
import { uuid } from '@/lib/schemas/common';
import { approvalReason } from '@/lib/schemas/approval';
import { createApiKey, requestPlatformApiKey, revokeApiKey, rotateApiKey } from '@/lib/services/api-keys';

const platformKeyRequest = createApiKeyInput.and(z.object({ reason: approvalReason }));

// Thin adapters over lib/services/api-keys. The full key exists only in the service's return value
// and in the action result sent back to the browser that asked for it: never in a URL, a cookie, the
// echoed form values, or a log line.

/** The tenant of a tenant actor comes from their membership, never from the form. */
const create = action({ schema: createApiKeyInput, permission: 'keys:write' }, (ctx, input) =>
  createApiKey(ctx, ctx.actor.tenantId ? { ...input, tenantId: ctx.actor.tenantId } : input),
);

function linesOf(text: unknown): string[] {
  return typeof text === 'string'
    ? text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
}

export async function createApiKeyAction(prev: CreateApiKeyState, form: FormData): Promise<CreateApiKeyState> {
  const values = formDataToObject(form);
  values.scopes ??= [];
  const cidrs = linesOf(values.allowedCidrs);
  const input = {
    name: values.name,
    // "platform" is the select's choice for a platform key; nothing chosen stays missing.
    tenantId: values.tenantId === 'platform' ? null : values.tenantId,
    deploymentId: values.deploymentId ?? null,
    scopes: values.scopes,
    expiresInDays: values.expiresInDays,
    allowedCidrs: cidrs,
  };
  // Name the offending line: "allowedCidrs.2" alone would not tell the user which one.
  const refused = (problem: NonNullable<CreateApiKeyState['problem']>): CreateApiKeyState => {
    const errors = problem.errors?.map((e) => {
      const m = /^allowedCidrs\.(\d+)$/.exec(e.path);
      return m ? { ...e, message: `“${cidrs[Number(m[1])]}” ${e.message}` } : e;
    });
    return { nonce: prev.nonce + 1, problem: { ...problem, ...(errors ? { errors } : {}) }, values };
  };
  if (values.tenantId === 'platform') {
    // Four-eyes: a platform key is requested here and collected by the requester once approved.
    const request = action({ schema: platformKeyRequest, permission: 'keys:write' }, (ctx, parsed) => requestPlatformApiKey(ctx, parsed));
    const requested = await request({ ...input, tenantId: null, reason: values.reason } as z.input<typeof platformKeyRequest>);
    if (!requested.ok) return refused(requested.problem);
    revalidatePath('/approvals');
    return { nonce: prev.nonce + 1, requested: { approvalId: requested.data.id } };
  }
  const result = await create(input as z.input<typeof createApiKeyInput>);
  if (!result.ok) return refused(result.problem);
  revalidatePath('/api-keys');
  return { nonce: prev.nonce + 1, created: result.data };
}

/** The key id arrives from the browser; a malformed one is simply not found. */
function keyIdOf(form: FormData): string | null {
  const id = form.get('keyId');
  return typeof id === 'string' && uuid.safeParse(id).success ? id : null;
}

export async function rotateApiKeyAction(prev: RotateApiKeyState, form: FormData): Promise<RotateApiKeyState> {
  const id = keyIdOf(form);
  if (!id) return { nonce: prev.nonce + 1, problem: toProblem(notFound('API key')) };
  const values = formDataToObject(form);
  const rotate = action({ schema: rotateApiKeyInput, permission: 'keys:write' }, (ctx, input) => rotateApiKey(ctx, id, input));
  const result = await rotate({ overlapHours: values.overlapHours as string | undefined });
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/api-keys');
  return { nonce: prev.nonce + 1, rotated: result.data };
}

export async function revokeApiKeyAction(prev: FormState, form: FormData): Promise<FormState> {
  const id = keyIdOf(form);
  if (!id) return { nonce: prev.nonce + 1, problem: toProblem(notFound('API key')) };
  const reason = form.get('reason');
  const values = { reason: typeof reason === 'string' ? reason : '' };
  const revoke = action({ schema: revokeApiKeyInput, permission: 'keys:write' }, (ctx, input) => revokeApiKey(ctx, id, input.reason));
  const result = await revoke(values);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/api-keys');
  return { nonce: prev.nonce + 1, message: `Revoked ${result.data.prefix}… (${result.data.name}). Requests with it are refused from now on.` };
}

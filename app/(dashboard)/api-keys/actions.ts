'use server';

import { revalidatePath } from 'next/cache';
import { formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import {
  type ApiKeyCreation,
  PLATFORM_KEY,
  type RotatedApiKey,
  createApiKeyForm,
  requestPlatformApiKeyForm,
  revokeApiKeyForm,
  rotateApiKeyInput,
} from '@/lib/modules/api-keys/schema';
import { createApiKey, requestPlatformApiKey, revokeApiKey, rotateApiKey } from '@/lib/modules/api-keys/service';

// Thin adapters over lib/modules/api-keys/service. The full key exists only in the service's return value
// and in the action result sent back to the browser that asked for it: never in a URL, a cookie, the
// echoed form values, or a log line.

const create = formAction(
  { schema: createApiKeyForm, permission: 'keys:write' },
  // The tenant of a tenant actor comes from their membership, never from the form.
  (ctx, input) => createApiKey(ctx, ctx.actor.tenantId ? { ...input, tenantId: ctx.actor.tenantId } : input),
  (created): { data: ApiKeyCreation } => {
    revalidatePath('/api-keys');
    return { data: { created } };
  },
);

// Four-eyes: a platform key is requested here and collected by the requester once approved.
const requestPlatformKey = formAction(
  { schema: requestPlatformApiKeyForm, permission: 'keys:write' },
  (ctx, input) => requestPlatformApiKey(ctx, input),
  (approval): { data: ApiKeyCreation } => {
    revalidatePath('/approvals');
    return { data: { requested: { approvalId: approval.id } } };
  },
);

/** "platform" is the tenant select's choice for a platform key. */
export async function createApiKeyAction(prev: FormState<ApiKeyCreation>, form: FormData): Promise<FormState<ApiKeyCreation>> {
  return form.get('tenantId') === PLATFORM_KEY ? requestPlatformKey(prev, form) : create(prev, form);
}

export const rotateApiKeyAction = formAction(
  { schema: rotateApiKeyInput, permission: 'keys:write', bound: ['API key'] },
  (ctx, input, keyId) => rotateApiKey(ctx, keyId, input),
  (rotated): { data: RotatedApiKey } => {
    revalidatePath('/api-keys');
    return { data: rotated };
  },
);

export const revokeApiKeyAction = formAction(
  { schema: revokeApiKeyForm, permission: 'keys:write', bound: ['API key'] },
  (ctx, input, keyId) => revokeApiKey(ctx, keyId, input.reason),
  (key) => {
    revalidatePath('/api-keys');
    return { message: `Revoked ${key.prefix}… (${key.name}). Requests with it are refused from now on.` };
  },
);

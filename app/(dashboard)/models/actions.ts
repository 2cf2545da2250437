'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { AppError, toProblem } from '@/lib/core/errors';
import { formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import {
  createModelFamilyInput,
  createModelVersionInput,
  deprecateModelVersionInput,
  releaseModelVersionForm,
  retireModelVersionInput,
  updateModelVersionForm,
} from '@/lib/modules/models/schema';
import { createModelFamily, createModelVersion, deprecateModelVersion, releaseModelVersion, retireModelVersion, updateModelVersion } from '@/lib/modules/models/service';

// Thin adapters over the catalogue services (see app/(dashboard)/tenants/actions.ts for the pattern):
// each form action made once by formAction(), one service call, and what the form shows or where it goes next.

export const createModelFamilyAction = formAction({ schema: createModelFamilyInput, permission: 'models:write' }, createModelFamily, (family) => {
  revalidatePath('/models');
  redirect(`/models/new?family=${encodeURIComponent(family.slug)}`);
});

export const createModelVersionAction = formAction({ schema: createModelVersionInput, permission: 'models:write' }, createModelVersion, (version) => {
  revalidatePath('/models');
  redirect(`/models/${version.id}`);
});

export const updateModelVersionAction = formAction(
  { schema: updateModelVersionForm, permission: 'models:write', bound: ['Model version'] },
  (ctx, input, id) => updateModelVersion(ctx, id, input),
  (_version, id) => {
    revalidatePath('/models');
    redirect(`/models/${id}`);
  },
);

const changed = (message: string, id: string) => {
  revalidatePath('/models');
  revalidatePath(`/models/${id}`);
  return { message };
};

const release = formAction(
  { schema: releaseModelVersionForm, permission: 'models:write', bound: ['Model version'] },
  (ctx, input, id) => releaseModelVersion(ctx, id, input),
  (_version, id) => changed('Released. Tenants entitled to it can now pin their deployments to it.', id),
);

const deprecate = formAction(
  { schema: deprecateModelVersionInput, permission: 'models:write', bound: ['Model version'] },
  (ctx, input, id) => deprecateModelVersion(ctx, id, input),
  (version, id) => changed(`Deprecated from ${version.deprecatedAt?.slice(0, 10)}; end of life ${version.endOfLifeAt?.slice(0, 10)}.`, id),
);

const retire = formAction(
  { schema: retireModelVersionInput, permission: 'models:write', bound: ['Model version'] },
  (ctx, input, id) => retireModelVersion(ctx, id, input),
  (result, id) => changed(result.kind === 'requested' ? 'Retirement requested. It takes effect when a different administrator approves it (within 72 hours).' : 'Retired.', id),
);

const STEPS = { release, deprecate, retire };

/** One form, one intent per lifecycle step: "release", "deprecate" or "retire". */
export async function changeVersionStatusAction(id: string, prev: FormState, form: FormData): Promise<FormState> {
  const intent = form.get('intent');
  if (intent !== 'release' && intent !== 'deprecate' && intent !== 'retire') {
    return { nonce: prev.nonce + 1, problem: toProblem(new AppError('bad_request', 'Choose release, deprecate or retire.')) };
  }
  return STEPS[intent](id, prev, form);
}

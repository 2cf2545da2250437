'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import type { FormState } from '@/components/ui/form-state';
import { AppError, notFound, toProblem } from '@/lib/errors';
import { action, formDataToObject } from '@/lib/http/action';
import { uuid } from '@/lib/schemas/common';
import {
  createModelFamilyInput,
  createModelVersionInput,
  deprecateModelVersionInput,
  releaseModelVersionInput,
  retireModelVersionInput,
  updateModelVersionInput,
} from '@/lib/schemas/model';
import { createModelFamily, createModelVersion, deprecateModelVersion, releaseModelVersion, retireModelVersion, updateModelVersion } from '@/lib/services/models';

// Thin adapters over the catalogue services (see app/(dashboard)/tenants/actions.ts for the pattern):
// parse the form, one service call through action(), and what the form shows or where it goes next.

const next = (prev: FormState, extra: Omit<FormState, 'nonce'>): FormState => ({ nonce: prev.nonce + 1, ...extra });

function badId(id: string, prev: FormState): FormState | null {
  return uuid.safeParse(id).success ? null : next(prev, { problem: toProblem(notFound('Model version')) });
}

export async function createModelFamilyAction(prev: FormState, form: FormData): Promise<FormState> {
  const values = formDataToObject(form);
  const result = await action({ schema: createModelFamilyInput, permission: 'models:write' }, createModelFamily)(values as z.input<typeof createModelFamilyInput>);
  if (!result.ok) return next(prev, { problem: result.problem, values });
  revalidatePath('/models');
  redirect(`/models/new?family=${encodeURIComponent(result.data.slug)}`);
}

export async function createModelVersionAction(prev: FormState, form: FormData): Promise<FormState> {
  const values = formDataToObject(form);
  values.exportRestrictions ??= [];
  const result = await action({ schema: createModelVersionInput, permission: 'models:write' }, createModelVersion)(values as z.input<typeof createModelVersionInput>);
  if (!result.ok) return next(prev, { problem: result.problem, values });
  revalidatePath('/models');
  redirect(`/models/${result.data.id}`);
}

/** One form, one intent per lifecycle step: "release", "deprecate" or "retire". */
export async function changeVersionStatusAction(id: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(id, prev);
  if (refused) return refused;
  const values = formDataToObject(form);
  const intent = values.intent;
  let message: string;
  if (intent === 'release') {
    const result = await action({ schema: releaseModelVersionInput, permission: 'models:write' }, (ctx, input) => releaseModelVersion(ctx, id, input))({ note: values.note as string | undefined });
    if (!result.ok) return next(prev, { problem: result.problem, values });
    message = 'Released. Tenants entitled to it can now pin their deployments to it.';
  } else if (intent === 'deprecate') {
    const result = await action({ schema: deprecateModelVersionInput, permission: 'models:write' }, (ctx, input) => deprecateModelVersion(ctx, id, input))(
      values as z.input<typeof deprecateModelVersionInput>,
    );
    if (!result.ok) return next(prev, { problem: result.problem, values });
    message = `Deprecated from ${result.data.deprecatedAt?.slice(0, 10)}; end of life ${result.data.endOfLifeAt?.slice(0, 10)}.`;
  } else if (intent === 'retire') {
    const result = await action({ schema: retireModelVersionInput, permission: 'models:write' }, (ctx, input) => retireModelVersion(ctx, id, input))(
      values as z.input<typeof retireModelVersionInput>,
    );
    if (!result.ok) return next(prev, { problem: result.problem, values });
    message =
      result.data.kind === 'requested'
        ? 'Retirement requested. It takes effect when a different administrator approves it (within 72 hours).'
        : 'Retired.';
  } else {
    return next(prev, { problem: toProblem(new AppError('bad_request', 'Choose release, deprecate or retire.')) });
  }
  revalidatePath('/models');
  revalidatePath(`/models/${id}`);
  return next(prev, { message });
}

export async function updateModelVersionAction(id: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(id, prev);
  if (refused) return refused;
  const values = formDataToObject(form);
  values.exportRestrictions ??= [];
  // On the edit form, emptied notes or documentation digest mean "remove".
  const input = { ...values, releaseNotes: values.releaseNotes ?? null, techDocDigest: values.techDocDigest ?? null };
  const result = await action({ schema: updateModelVersionInput, permission: 'models:write' }, (ctx, parsed) => updateModelVersion(ctx, id, parsed))(
    input as z.input<typeof updateModelVersionInput>,
  );
  if (!result.ok) return next(prev, { problem: result.problem, values });
  revalidatePath('/models');
  redirect(`/models/${id}`);
}

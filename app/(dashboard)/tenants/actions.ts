'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import type { FormState } from '@/components/ui/form-state';
import { notFound, toProblem } from '@/lib/errors';
import { action, formDataToObject } from '@/lib/http/action';
import { uuid } from '@/lib/schemas/common';
import { archiveTenantInput, changeTenantStatusInput, createTenantInput, updateTenantInput } from '@/lib/schemas/tenant';
import { archiveTenant, changeTenantStatus, createTenant, requestTenantOffboarding, updateTenant } from '@/lib/services/tenants';
import { STATUS_LABELS } from '@/components/tenants/labels';

// Thin adapters: each parses the form, runs one service call through action() (actor, permission,
// schema, error mapping) and turns the result into what the form shows or where the browser goes.
// redirect() is called outside action(), whose error mapping would otherwise swallow it.

const create = action({ schema: createTenantInput, permission: 'tenants:write' }, (ctx, input) => createTenant(ctx, input));

/** The form's fields as the schemas expect them; an empty checkbox list is still a (empty) list. */
function tenantFields(form: FormData): Record<string, unknown> {
  const values = formDataToObject(form);
  values.allowedCountries ??= [];
  return values;
}

export async function createTenantAction(prev: FormState, form: FormData): Promise<FormState> {
  const values = tenantFields(form);
  const result = await create(values as z.input<typeof createTenantInput>);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/tenants');
  redirect(`/tenants/${result.data.slug}`);
}

/** The tenant id arrives from the browser (a bound argument); a malformed one is simply not found. */
function badId(tenantId: string, prev: FormState): FormState | null {
  return uuid.safeParse(tenantId).success ? null : { nonce: prev.nonce + 1, problem: toProblem(notFound('Tenant')) };
}

export async function updateTenantAction(tenantId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(tenantId, prev);
  if (refused) return refused;
  const values = tenantFields(form);
  // On the edit form an emptied LEI means "remove it".
  const input = { ...values, lei: values.lei ?? null };
  const update = action({ schema: updateTenantInput, permission: 'tenants:write' }, (ctx, parsed) => updateTenant(ctx, tenantId, parsed));
  const result = await update(input as z.input<typeof updateTenantInput>);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/tenants');
  redirect(`/tenants/${result.data.slug}`);
}

/** One form, several buttons: `intent` is "status:<STATUS>" or "archive". */
export async function changeTenantStatusAction(tenantId: string, prev: FormState, form: FormData): Promise<FormState> {
  const refused = badId(tenantId, prev);
  if (refused) return refused;
  const intent = String(form.get('intent') ?? '');
  const reason = form.get('reason');
  const values = { reason: typeof reason === 'string' ? reason : '' };

  if (intent === 'status:OFFBOARDED') {
    // Four-eyes: offboarding is a request that a second administrator approves.
    const requested = await action({ schema: archiveTenantInput, permission: 'tenants:write' }, (ctx, input) => requestTenantOffboarding(ctx, tenantId, input.reason))(values);
    if (!requested.ok) return { nonce: prev.nonce + 1, problem: requested.problem, values };
    revalidatePath('/approvals');
    return { nonce: prev.nonce + 1, message: 'Offboarding requested: a second administrator must approve it in Approvals within 72 hours.' };
  }

  const result =
    intent === 'archive'
      ? await action({ schema: archiveTenantInput, permission: 'tenants:write' }, (ctx, input) => archiveTenant(ctx, tenantId, input.reason))(values)
      : await action({ schema: changeTenantStatusInput, permission: 'tenants:write' }, (ctx, input) => changeTenantStatus(ctx, tenantId, input))({
          ...values,
          status: intent.replace(/^status:/, '') as z.input<typeof changeTenantStatusInput>['status'],
        });

  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/tenants');
  revalidatePath(`/tenants/${result.data.slug}`);
  const message = intent === 'archive' ? 'The tenant has been archived.' : `Status changed to ${STATUS_LABELS[result.data.status]}.`;
  return { nonce: prev.nonce + 1, message };
}

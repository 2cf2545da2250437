'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import { TENANT_STATUS_LABELS, archiveTenantForm, changeTenantStatusForm, createTenantInput, updateTenantForm } from '@/lib/modules/tenants/schema';
import { archiveTenant, changeTenantStatus, createTenant, requestTenantOffboarding, updateTenant } from '@/lib/modules/tenants/service';

// Thin adapters: each form action is made once by formAction() (actor, permission, the form's
// schema, error mapping), calls one service and says what the form shows or where the browser goes.

const saved = (tenant: { slug: string }) => {
  revalidatePath('/tenants');
  redirect(`/tenants/${tenant.slug}`);
};

export const createTenantAction = formAction({ schema: createTenantInput, permission: 'tenants:write' }, createTenant, saved);

export const updateTenantAction = formAction(
  { schema: updateTenantForm, permission: 'tenants:write', bound: ['Tenant'] },
  (ctx, input, tenantId) => updateTenant(ctx, tenantId, input),
  saved,
);

// The status form has one button per change: `status` names the new status, or `intent` is "archive".

const requestOffboarding = formAction(
  { schema: archiveTenantForm, permission: 'tenants:write', bound: ['Tenant'] },
  // Four-eyes: offboarding is a request that a second administrator approves.
  (ctx, input, tenantId) => requestTenantOffboarding(ctx, tenantId, input.reason),
  () => {
    revalidatePath('/approvals');
    return { message: 'Offboarding requested: a second administrator must approve it in Approvals within 72 hours.' };
  },
);

const statusChanged = (tenant: { slug: string }) => {
  revalidatePath('/tenants');
  revalidatePath(`/tenants/${tenant.slug}`);
};

const archive = formAction(
  { schema: archiveTenantForm, permission: 'tenants:write', bound: ['Tenant'] },
  (ctx, input, tenantId) => archiveTenant(ctx, tenantId, input.reason),
  (tenant) => {
    statusChanged(tenant);
    return { message: 'The tenant has been archived.' };
  },
);

const changeStatus = formAction(
  { schema: changeTenantStatusForm, permission: 'tenants:write', bound: ['Tenant'] },
  (ctx, input, tenantId) => changeTenantStatus(ctx, tenantId, input),
  (tenant) => {
    statusChanged(tenant);
    return { message: `Status changed to ${TENANT_STATUS_LABELS[tenant.status]}.` };
  },
);

export async function changeTenantStatusAction(tenantId: string, prev: FormState, form: FormData): Promise<FormState> {
  if (form.get('intent') === 'archive') return archive(tenantId, prev, form);
  if (form.get('status') === 'OFFBOARDED') return requestOffboarding(tenantId, prev, form);
  return changeStatus(tenantId, prev, form);
}

'use server';

import { revalidatePath } from 'next/cache';
import { formAction } from '@/lib/http/action';
import { changeRetentionInput, setLegalHoldInput } from '@/lib/modules/audit-trail/retention-schema';
import { slug } from '@/lib/core/schema';
import { requestRetentionChange, setLegalHold } from '@/lib/modules/audit-trail/retention';

// Thin adapters for the retention page: each form action made once by formAction(), one service call.

const tenant = { what: 'Tenant', schema: slug };

export const changeRetentionAction = formAction(
  { schema: changeRetentionInput, permission: 'settings:write', bound: [tenant] },
  (ctx, input, tenantSlug) => requestRetentionChange(ctx, tenantSlug, input),
  (result) => {
    revalidatePath('/audit/retention');
    return {
      message: result.kind === 'requested' ? 'Requested: another administrator must approve the change (Approvals) within 72 hours.' : 'Retention changed.',
    };
  },
);

export const setLegalHoldAction = formAction(
  { schema: setLegalHoldInput, permission: 'settings:write', bound: [tenant] },
  (ctx, input, tenantSlug) => setLegalHold(ctx, tenantSlug, input),
  (result) => {
    revalidatePath('/audit/retention');
    return { message: result.legalHold ? 'Legal hold placed: nothing is purged until it is lifted.' : 'Legal hold lifted.' };
  },
);

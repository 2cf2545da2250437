'use server';

import { revalidatePath } from 'next/cache';
import { formAction } from '@/lib/http/action';
import { reasonOnlyRequestForm } from '@/lib/approvals/schema';
import { requestSigningKeyRotation } from '@/lib/modules/signing-keys/rotation';

/** From the UI, rotation is a four-eyes request (the CLI rotates directly). */
export const requestRotationAction = formAction(
  { schema: reasonOnlyRequestForm, permission: 'settings:write' },
  (ctx, input) => requestSigningKeyRotation(ctx, input.reason),
  () => {
    revalidatePath('/settings/signing-keys');
    revalidatePath('/approvals');
    return { message: 'Rotation requested: a second administrator must approve it in Approvals within 72 hours.' };
  },
);

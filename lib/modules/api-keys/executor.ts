import { approvalExecutor } from '@/lib/approvals/engine';
import { AppError } from '@/lib/core/errors';
import { checkTarget } from '@/lib/modules/api-keys/rules';
import { createApiKeyInput } from '@/lib/modules/api-keys/schema';

export const platformApiKeyCreation = approvalExecutor('PLATFORM_API_KEY_CREATE', {
  payload: createApiKeyInput,
  redeemedByRequester: true,
  async prepare(tx, ctx, { payload }) {
    if (payload.tenantId !== null) throw new AppError('validation_failed', 'Only platform keys need approval.');
    await checkTarget(tx, ctx, payload);
  },
  // Carried out by the requester (createApiKey with the approval id), never by the approver.
  execute: () => Promise.resolve(null),
});

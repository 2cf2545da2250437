import type { ApprovalAction } from '@/lib/generated/prisma/enums';
import type { ApprovalExecutor } from './engine';
import { platformApiKeyCreation } from '@/lib/modules/api-keys/executor';
import { auditRetentionChange } from '@/lib/modules/audit-trail/retention';
import { contractActivation, contractTermination, entitlementsChange } from '@/lib/modules/contracts/service';
import { modelVersionRetirement } from '@/lib/modules/models/service';
import { signingKeyRotation } from '@/lib/modules/signing-keys/rotation';
import { tenantOffboarding } from '@/lib/modules/tenants/service';

// Every four-eyes action and the executor that carries it out when approved. The type makes this
// table complete: an ApprovalAction of the schema without an executor here (or an executor filed
// under another action) does not compile.

export const APPROVAL_EXECUTORS = {
  CONTRACT_ACTIVATE: contractActivation,
  CONTRACT_TERMINATE: contractTermination,
  ENTITLEMENTS_CHANGE: entitlementsChange,
  PLATFORM_API_KEY_CREATE: platformApiKeyCreation,
  SIGNING_KEY_ROTATE: signingKeyRotation,
  TENANT_OFFBOARD: tenantOffboarding,
  MODEL_VERSION_RETIRE: modelVersionRetirement,
  AUDIT_RETENTION_CHANGE: auditRetentionChange,
} satisfies { readonly [A in ApprovalAction]: ApprovalExecutor<unknown, A> };

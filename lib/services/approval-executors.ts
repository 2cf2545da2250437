// Every module that registers a four-eyes executor (registerApprovalExecutor in ./approvals.ts).
// approvals.ts imports this file lazily before it looks an executor up, so an approval can be
// decided in any process (web app, API route, CLI) whether or not the module was loaded already.
// Add one line per module; the imports exist for their side effect.

import './api-keys';
import './contracts';
import './signing-key-rotation';
import './tenants';
import './models';
import './audit-retention';

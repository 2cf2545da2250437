import { systemCtx } from '@/lib/access/system';
import { ensureSigningKey } from '@/lib/modules/signing-keys/service';

/** Start-up tasks that must have happened before Charter serves requests. Safe to run on every start. */
export async function bootstrap(): Promise<void> {
  await ensureSigningKey(systemCtx('bootstrap'));
}

import { systemCtx } from '@/lib/auth/system';
import { ensureSigningKey } from './signing-keys';

/** Start-up tasks that must have happened before Charter serves requests. Safe to run on every start. */
export async function bootstrap(): Promise<void> {
  await ensureSigningKey(systemCtx('bootstrap'));
}

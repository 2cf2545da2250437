import { AppError, toProblem } from '@/lib/core/errors';
import type { Readiness } from '@/lib/runtime/readiness';

/** /api/ready's answer, the same from either process: 200 `{"status":"ready"}`, or a 503 problem. */
export function readinessResponse(readiness: Readiness): { status: number; headers: Record<string, string>; body: string } {
  if (readiness.ready) {
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ status: 'ready' }) };
  }
  const extra: Record<string, unknown> = { cause: readiness.cause };
  if (readiness.pendingMigrations !== undefined) extra.pendingMigrations = readiness.pendingMigrations;
  const problem = toProblem(new AppError('unavailable', readiness.reason, { extra }));
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'retry-after': '2' },
    body: JSON.stringify(problem),
  };
}

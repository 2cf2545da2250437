import { AppError, toProblem } from '@/lib/errors';
import { checkReadiness } from '@/lib/services/health';

// Readiness: database reachable and migrations applied; 503 problem+json otherwise.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  if (readiness.ready) {
    return Response.json({ status: 'ready' }, { headers: { 'cache-control': 'no-store' } });
  }
  const extra = readiness.pendingMigrations === undefined ? undefined : { pendingMigrations: readiness.pendingMigrations };
  const problem = toProblem(new AppError('unavailable', readiness.reason, { extra }));
  return Response.json(problem, {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });
}

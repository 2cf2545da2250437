import { readinessResponse } from '@/lib/runtime/readiness-response';
import { checkReadiness } from '@/lib/runtime/readiness';

// Readiness of this process (under `charter serve`, the pages' process; the API process answers
// /api/ready for both): database reachable through its pool, migrations applied; 503 otherwise.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const { status, headers, body } = readinessResponse(await checkReadiness());
  return new Response(body, { status, headers });
}

// Liveness: the process serves requests. No database access, so a database outage does not get
// the instance restarted by an orchestrator; that is what /api/ready is for.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}

/**
 * GET /api/bench-pg — NOT part of Charter: bench/key-verify.ts copies this file into its snapshot
 * of the tree (app/api/bench-pg/route.ts) before building it. The pg baseline's lookup in a bare
 * Next.js route handler, to tell the framework's cost from Charter's on the uncached path.
 */
import pg from 'pg';
import { answer, bearerHash, selectKey } from '@/bench/baseline-lookup';

export const dynamic = 'force-dynamic';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

export async function GET(req: Request): Promise<Response> {
  const { status, body } = answer(await selectKey(pool, bearerHash(req.headers.get('authorization'))));
  return new Response(body, { status, headers: { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' } });
}

import { route } from '@/lib/http/route';
import { Bundle, bundleParams, bundleQuery } from '@/lib/modules/bundles/schema';
import { issueBundle } from '@/lib/modules/bundles/service';

export const GET = route(
  {
    permission: 'entitlements:read',
    params: bundleParams,
    query: bundleQuery,
    response: Bundle,
    summary: "Issue the deployment's signed entitlement bundle from its tenant's active contract",
    description: [
      "The bundle is everything an air-gapped deployment needs: verify it offline with the vendor's public key (`GET /api/v1/keys`, pinned out of band) and the dependency-free verifier (`lib/modules/bundles/verify.ts`, `npx charter bundle verify`).",
      '',
      "Refused with 409 and a `reason` of `no_active_contract`, `residency_violation` (the deployment's country is outside the contract's data-processing countries), `export_restricted`, `no_models` or `deployment_limit`. Every issue and refusal is audited.",
    ].join('\n'),
    tags: ['Entitlements'],
  },
  async ({ ctx, params, query }) => {
    const issued = await issueBundle(ctx, params.id);
    return new Response(issued.json, {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...(query.download ? { 'content-disposition': `attachment; filename="${issued.fileName}"` } : {}),
      },
    });
  },
);

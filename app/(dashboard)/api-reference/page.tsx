import type { Metadata } from 'next';
import { ApiReference } from '@/components/api-reference/api-reference';
import { requireCtx } from '@/lib/http/session';
import { getOpenApiDocument } from '@/lib/api/v1/routes';

export const metadata: Metadata = { title: 'API reference' };

// Rendered on the server from the same generated document as /api/v1/openapi.json: no client
// bundle, no CDN, so it works air-gapped.
export default async function ApiReferencePage() {
  await requireCtx();
  return <ApiReference doc={getOpenApiDocument()} />;
}

import { route } from '@/lib/http/route';
import { AuditEventPage, listAuditEventsQuery } from '@/lib/modules/audit-trail/search-schema';
import { IngestResult, MAX_INGEST_BATCH, ingestAuditEventsInput } from '@/lib/modules/audit-trail/ingest-schema';
import { listAuditEvents } from '@/lib/modules/audit-trail/search';
import { ingestAuditEvents } from '@/lib/modules/audit-trail/ingest';

export const GET = route(
  { permission: 'audit:read', query: listAuditEventsQuery, response: AuditEventPage, summary: 'Search audit events (canonical, with hashes)', tags: ['Audit'] },
  ({ ctx, query }) => listAuditEvents(ctx, query),
);

export const POST = route(
  {
    permission: 'audit:write',
    deadline: 'bulk',
    body: ingestAuditEventsInput,
    response: IngestResult,
    status: 200,
    summary: `Upload a deployment's audit events (batches of up to ${MAX_INGEST_BATCH}, all or nothing, idempotent per event id)`,
    description:
      "For a deployment's agent, with a key bound to its tenant (and preferably to the deployment). Each event is appended to the tenant's hash chain as `audit.ingested`, the deployment as actor and the uploaded event in `data.source`. A batch is stored whole or not at all: an invalid event refuses it with a 400 whose `errors` name each bad item (`events.<index>.<field>`). Retrying a batch is safe: ids already stored with the same content come back as `duplicate`; an id stored with different content refuses the batch (409).",
    tags: ['Audit'],
  },
  ({ ctx, body }) => ingestAuditEvents(ctx, body),
);

import { route } from '@/lib/http/route';
import { AuditEventPage, listAuditEventsQuery } from '@/lib/schemas/audit-event';
import { listAuditEvents } from '@/lib/services/audit';

export const dynamic = 'force-dynamic';

export const GET = route(
  { permission: 'audit:read', query: listAuditEventsQuery, response: AuditEventPage, summary: 'Search audit events (canonical, with hashes)', tags: ['Audit'] },
  ({ ctx, query }) => listAuditEvents(ctx, query),
);

import { pgTransaction, pool } from '@/lib/core/db';
import { getDatabaseEnv } from '@/lib/core/env';
import { type Ctx, boundDeploymentOf } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { type PendingEvent, appendToChain, auditQuery, lockChain } from '@/lib/audit/append';
import { canonicalData, jcsString, normaliseData } from '@/lib/audit/chain';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { AppError, notFound } from '@/lib/core/errors';
import { getActiveSigner } from '@/lib/audit/signer';
import type { IngestAuditEvent, IngestAuditEventsInput, IngestResultDto } from '@/lib/modules/audit-trail/ingest-schema';

// Deployments upload their own audit events. A batch is appended to the tenant's
// chain in one transaction under one chain lock with one multi-row INSERT: all of it, or nothing.
// Idempotent per event id: under the chain lock, ids already in the chain (audit_event_ids) are
// compared with what was sent; the same content is a duplicate (reported, not stored again),
// different content refuses the batch. So a batch retried after a timeout is stored exactly once;
// and should two retries ever both pass the check, the second fails on audit_event_ids' key and
// rolls back whole.

/** What the chain keeps of an uploaded event: everything the deployment sent but its id. */
function sourceOf(event: IngestAuditEvent): unknown {
  return normaliseData({
    action: event.action,
    occurredAt: new Date(event.occurredAt).toISOString(),
    actor: event.actor,
    target: event.target,
    data: event.data === undefined ? null : event.data,
  });
}

/**
 * JCS({ source: sourceOf(event) }), the appended event's data, written field by field for the fixed
 * shape of a validated upload (keys in JCS order: action < actor < data < occurredAt < target; actor:
 * id < label < type; target: id < type), the deployment's own `data` by canonicalData: a thousand
 * per batch, instead of normalising and canonicalising an object per event. audit-ingest.test.ts
 * checks it byte for byte against canonicalize.
 */
export function sourceDataJson(event: IngestAuditEvent): string {
  const { actor, target } = event;
  const json =
    `{"source":{"action":${jcsString(event.action)},"actor":{"id":${jcsString(actor.id)},"label":${jcsString(actor.label)},"type":${jcsString(actor.type)}}` +
    `,"data":${canonicalData(event.data)},"occurredAt":${jcsString(new Date(event.occurredAt).toISOString())}` +
    `,"target":${target === null ? 'null' : `{"id":${jcsString(target.id)},"type":${jcsString(target.type)}}`}}}`;
  // As normaliseData refuses them for the whole source: jsonb cannot hold NUL characters.
  if (json.includes('\\u0000')) throw new Error('audit data must not contain NUL characters');
  return json;
}

/**
 * The source deployment: the key's own (known from the verified key), or the one named in the
 * batch, within the key's tenant. One query, on the pg pool as the rest of the ingest.
 */
async function sourceDeployment(ctx: Ctx, tenantId: string, named: string | undefined): Promise<{ id: string; name: string }> {
  const bound = boundDeploymentOf(ctx.actor);
  if (bound && named && named !== bound) throw notFound('Deployment');
  const id = bound ?? named;
  if (!id) {
    throw new AppError('validation_failed', 'Name the source deployment, or use a key bound to it.', {
      errors: [{ path: 'deploymentId', message: 'is required for a key not bound to a deployment' }],
    });
  }
  const { rows } = await pool.query<{ id: string; name: string; archived: boolean }>({
    name: 'charter_audit_ingest_deployment',
    text: 'SELECT id::text AS id, name, archived_at IS NOT NULL AS archived FROM deployments WHERE id = $1::uuid AND tenant_id = $2::uuid',
    values: [id, tenantId],
  });
  const row = rows[0];
  if (!row) throw notFound('Deployment');
  if (row.archived) throw new AppError('invalid_transition', `Deployment ${row.name} is archived and no longer uploads audit events.`);
  return { id: row.id, name: row.name };
}

export async function ingestAuditEvents(ctx: Ctx, input: IngestAuditEventsInput): Promise<IngestResultDto> {
  authorize(ctx.actor, 'audit:write');
  const tenantId = ctx.actor.tenantId;
  if (!tenantId) throw new AppError('forbidden', 'Audit uploads need an API key bound to a tenant (the tenant whose chain receives them).');
  // The signing key for the periodic checkpoint is loaded before the transaction: a query on another
  // pooled connection while holding the chain lock could wait for a connection held by a writer
  // that waits for that lock.
  const lookups = Promise.all([sourceDeployment(ctx, tenantId, input.deploymentId), getActiveSigner()]);
  // Written while the lookups are under way; their errors (an unknown deployment…) come first.
  let dataJsons: string[];
  try {
    dataJsons = input.events.map(sourceDataJson);
  } catch (err) {
    await lookups;
    throw err;
  }
  const [deployment, signer] = await lookups;
  const ids = input.events.map((e) => e.id);

  // On a node-postgres client (a hot path: bench/audit-ingest): lock, duplicate check and
  // one append statement, instead of Prisma's interactive transaction.
  return pgTransaction(
    async (client) => {
      const head = await lockChain(client, tenantId, tenantId);
      // Under the chain lock, in a statement of its own (so its snapshot includes whatever a
      // concurrent retry of this batch committed while we waited for the lock): which ids the chain
      // already has. One probe per id in audit_event_ids, whatever the number of partitions.
      const known = await auditQuery<{ id: string; seq: string }>(
        client,
        'SELECT id::text AS id, seq FROM audit_event_ids WHERE chain = $1 AND id = ANY($2::uuid[])',
        [tenantId, ids],
        'charter_audit_ingest_known',
      );
      const byId = new Map<string, { seq: number; stored?: { action: string; actor_id: string | null; source: unknown } }>(known.map((row) => [row.id, { seq: Number(row.seq) }]));
      if (known.length) {
        // Only a retry gets here: the events themselves, to tell a duplicate from a reused id.
        const stored = await auditQuery<{ seq: string; action: string; actor_id: string | null; source: unknown }>(
          client,
          "SELECT seq, action, actor_id, data->'source' AS source FROM audit_events WHERE chain = $1 AND seq = ANY($2::bigint[])",
          [tenantId, known.map((row) => row.seq)],
        );
        const bySeq = new Map(stored.map((row) => [Number(row.seq), row]));
        for (const entry of byId.values()) entry.stored = bySeq.get(entry.seq);
      }

      const conflicts: { path: string; message: string }[] = [];
      const fresh: PendingEvent[] = [];
      input.events.forEach((event, i) => {
        const found = byId.get(event.id);
        if (!found) {
          fresh.push({
            id: event.id,
            actor: { type: 'deployment', id: deployment.id, label: deployment.name },
            action: 'audit.ingested',
            target: { type: event.target?.type ?? null, id: event.target?.id ?? null },
            tenantId,
            ip: ctx.request.ip,
            userAgent: ctx.request.userAgent,
            requestId: ctx.request.requestId,
            dataJson: dataJsons[i],
          });
          return;
        }
        const row = found.stored;
        if (!row) {
          conflicts.push({ path: `events.${i}.id`, message: `is already the id of an event (seq ${found.seq}) in this chain that is no longer retained` });
          return;
        }
        const same = row.action === 'audit.ingested' && row.actor_id === deployment.id && canonicalize(row.source ?? null) === canonicalize(sourceOf(event));
        if (!same) conflicts.push({ path: `events.${i}.id`, message: `is already the id of a different event (seq ${found.seq}) in this chain` });
      });
      if (conflicts.length) {
        throw new AppError('conflict', 'Some event ids are already used by different events; nothing was stored.', { errors: conflicts });
      }

      const appended = await appendToChain(client, { chain: tenantId, tenantId, events: fresh, head, signer });
      const seqOf = new Map(appended.map((e) => [e.id, e.seq]));
      const events = input.events.map((e) => {
        const seq = seqOf.get(e.id);
        return seq !== undefined ? { id: e.id, seq, status: 'appended' as const } : { id: e.id, seq: byId.get(e.id)?.seq ?? 0, status: 'duplicate' as const };
      });
      return {
        chain: tenantId,
        deploymentId: deployment.id,
        appended: appended.length,
        duplicates: input.events.length - appended.length,
        events,
        receivedAt: new Date().toISOString(),
      };
    },
    { timeoutMs: getDatabaseEnv().CHARTER_BULK_REQUEST_TIMEOUT_MS },
  );
}

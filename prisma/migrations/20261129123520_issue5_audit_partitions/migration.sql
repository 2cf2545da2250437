-- Issue 5: audit_events becomes a table partitioned by RANGE (chain, occurred_at), one partition per
-- chain and UTC month, so that a tenant's retention purge drops whole expired partitions of its own
-- chain only (lib/services/audit-retention.ts). Prisma models only the parent table (its schema
-- engine describes the partitioned parent and ignores the partitions, so `db drift` stays clean).
-- A partitioned table's primary key must contain the partition key: (chain, seq, occurred_at).

-- The chain head remembers the occurredAt of its last event: appends never go below it.
ALTER TABLE "audit_chains" ADD COLUMN "last_at" TIMESTAMPTZ(3);
UPDATE "audit_chains" c SET "last_at" = (SELECT max(e."occurred_at") FROM "audit_events" e WHERE e."chain" = c."id");

-- The old, unpartitioned table is renamed away with its indexes (it is dropped below, after the copy).
ALTER TABLE "audit_events" RENAME TO "audit_events_unpartitioned";
ALTER TABLE "audit_events_unpartitioned" RENAME CONSTRAINT "audit_events_pkey" TO "audit_events_unpartitioned_pkey";
DROP INDEX "audit_events_chain_seq_key";
DROP INDEX "audit_events_occurred_at_idx";
DROP INDEX "audit_events_tenant_id_occurred_at_idx";
DROP INDEX "audit_events_action_occurred_at_idx";
DROP INDEX "audit_events_target_type_target_id_idx";
DROP INDEX "audit_events_actor_id_occurred_at_idx";

CREATE TABLE "audit_events" (
    "id" UUID NOT NULL,
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "tenant_id" UUID,
    "ip" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "data" JSONB,
    "event_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("chain", "seq", "occurred_at")
) PARTITION BY RANGE ("chain", "occurred_at");

CREATE INDEX "audit_events_occurred_at_chain_seq_idx" ON "audit_events"("occurred_at", "chain", "seq");
CREATE INDEX "audit_events_id_idx" ON "audit_events"("id");
CREATE INDEX "audit_events_action_occurred_at_idx" ON "audit_events"("action", "occurred_at");
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");
CREATE INDEX "audit_events_actor_id_occurred_at_idx" ON "audit_events"("actor_id", "occurred_at");
CREATE INDEX "audit_events_request_id_idx" ON "audit_events"("request_id");

-- Append-only on every partition: row triggers on the parent are cloned onto each partition, now and
-- later. TRUNCATE triggers are not cloned, so charter_audit_partition() adds one to each partition.
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION charter_audit_append_only();
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION charter_audit_append_only();

-- The partition of (chain, the UTC month of at), created if missing; returns its name. It is made
-- as a plain table and then attached, because ATTACH PARTITION takes only a SHARE UPDATE EXCLUSIVE
-- lock on the parent (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE and stall every reader
-- and writer of the audit log); the CHECK constraint spares the attach a scan.
CREATE FUNCTION charter_audit_partition(p_chain text, p_at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  m_start timestamptz := date_trunc('month', p_at, 'UTC');
  m_end timestamptz := (date_trunc('month', p_at, 'UTC') AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
  part text := 'audit_events_p_' || regexp_replace(lower(p_chain), '[^a-z0-9]', '', 'g') || '_' || to_char(m_start AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN part;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('charter:audit-partition:' || part));
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN part;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE audit_events INCLUDING DEFAULTS)', part);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (chain = %L AND occurred_at >= %L AND occurred_at < %L)',
    part, part || '_bounds', p_chain, m_start, m_end);
  EXECUTE format('ALTER TABLE audit_events ATTACH PARTITION %I FOR VALUES FROM (%L, %L) TO (%L, %L)',
    part, p_chain, m_start, p_chain, m_end);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bounds');
  EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION charter_audit_append_only()', part);
  RETURN part;
END;
$$;

-- Copy the existing events into their partitions, then drop the old table.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT chain, date_trunc('month', occurred_at, 'UTC') AS m FROM "audit_events_unpartitioned" LOOP
    PERFORM charter_audit_partition(r.chain, r.m);
  END LOOP;
END;
$$;
INSERT INTO "audit_events" SELECT "id", "chain", "seq", "occurred_at", "actor_type", "actor_id", "actor_label", "action", "target_type", "target_id",
  "tenant_id", "ip", "user_agent", "request_id", "data", "event_hash", "hash" FROM "audit_events_unpartitioned";
DROP TABLE "audit_events_unpartitioned";

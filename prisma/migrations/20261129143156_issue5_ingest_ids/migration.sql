-- Issue 5: every event id of a chain, unique per chain (audit_events is partitioned by chain and
-- month, so it cannot carry a unique (chain, id) index). The deployment ingest's duplicate check and
-- its guard against concurrent retries of one batch use this table (lib/services/audit-ingest.ts).

-- CreateTable
CREATE TABLE "audit_event_ids" (
    "chain" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "audit_event_ids_pkey" PRIMARY KEY ("chain","id")
);

-- Backfill: the ids of the events already stored. Until now only the ingest kept ids unique per
-- chain (ids of events recorded by Charter are random UUIDs); should an id repeat anyway, its first
-- event keeps it.
INSERT INTO "audit_event_ids" ("chain", "id", "seq")
SELECT DISTINCT ON ("chain", "id") "chain", "id", "seq" FROM "audit_events" ORDER BY "chain", "id", "seq"
ON CONFLICT DO NOTHING;

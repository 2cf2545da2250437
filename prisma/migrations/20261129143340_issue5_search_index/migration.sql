-- Issue 5: the search with an action filter pages in the keyset order (occurred_at, chain, seq)
-- (lib/services/audit.ts). With (action, occurred_at) the cursor's row comparison was only partly an
-- index condition and each page ended in an incremental sort on seq; with the whole keyset in the
-- index, a page deep in a busy action reads what the first page reads (bench/audit-search.ts).
-- Replaces the old index (a prefix of the new one), so appends maintain no extra index.

-- DropIndex
DROP INDEX "audit_events_action_occurred_at_idx";

-- CreateIndex
CREATE INDEX "audit_events_action_occurred_at_chain_seq_idx" ON "audit_events"("action", "occurred_at", "chain", "seq");

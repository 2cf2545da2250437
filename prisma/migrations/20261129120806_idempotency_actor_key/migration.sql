-- Idempotency records become keyed by the actor ("apiKey:<id>" or "user:<id>") instead of an API
-- key id, so browser sessions get the same Idempotency-Key support; the response is kept as the exact
-- bytes sent (TEXT) with its content type. The records are a 24-hour replay cache, so any existing
-- rows are simply dropped rather than converted.
DELETE FROM "idempotency_records";

-- DropForeignKey
ALTER TABLE "idempotency_records" DROP CONSTRAINT "idempotency_records_api_key_id_fkey";

-- DropIndex
DROP INDEX "idempotency_records_api_key_id_key_key";

-- AlterTable
ALTER TABLE "idempotency_records" DROP COLUMN "api_key_id",
ADD COLUMN     "actor_key" TEXT NOT NULL,
ADD COLUMN     "response_headers" JSONB,
ALTER COLUMN "response_body" SET DATA TYPE TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_records_actor_key_key_key" ON "idempotency_records"("actor_key", "key");

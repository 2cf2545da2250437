-- AlterTable
ALTER TABLE "approval_requests" ADD COLUMN     "executed_at" TIMESTAMPTZ(3),
ADD COLUMN     "result" JSONB,
ADD COLUMN     "summary" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "approval_requests_requested_by_id_id_idx" ON "approval_requests"("requested_by_id", "id");

-- CreateIndex
CREATE INDEX "approval_requests_target_type_target_id_idx" ON "approval_requests"("target_type", "target_id");

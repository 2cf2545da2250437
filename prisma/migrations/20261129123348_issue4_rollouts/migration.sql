/*
  Warnings:

  - A unique constraint covering the columns `[rolls_back_id]` on the table `rollouts` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "RolloutKind" AS ENUM ('PIN', 'UPGRADE', 'ROLLBACK');

-- AlterTable
ALTER TABLE "rollouts" ADD COLUMN     "created_by_label" TEXT,
ADD COLUMN     "ended_at" TIMESTAMPTZ(3),
ADD COLUMN     "kind" "RolloutKind" NOT NULL DEFAULT 'PIN',
ADD COLUMN     "note" TEXT,
ADD COLUMN     "rolls_back_id" UUID,
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE UNIQUE INDEX "rollouts_rolls_back_id_key" ON "rollouts"("rolls_back_id");

-- CreateIndex
CREATE INDEX "rollouts_deployment_id_status_idx" ON "rollouts"("deployment_id", "status");

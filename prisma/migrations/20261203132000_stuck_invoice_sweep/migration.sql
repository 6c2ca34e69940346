-- The stuck-invoice sweep (activities/stuck-sweep.ts) reads how long each invoice has kept its status
-- from the registry itself, not from any workflow: "statusChangedAt" is kept by a trigger, so every
-- write path (the workflow's projections, the dispatcher's SENT, anything later) keeps it right.

-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "stuckAlertedAt" TIMESTAMP(3),
ADD COLUMN     "stuckLevel" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "stuckSince" TIMESTAMP(3);

-- Existing rows: the last write is the best known status change.
UPDATE "invoices" SET "statusChangedAt" = "updatedAt";

-- CreateIndex
CREATE INDEX "invoices_status_statusChangedAt_idx" ON "invoices"("status", "statusChangedAt");

-- CreateIndex
CREATE INDEX "invoices_stuckSince_idx" ON "invoices"("stuckSince");

-- A new status starts a new episode: the clock restarts (UTC wall-clock, like every registry
-- timestamp) and the previous episode's stuck alert no longer applies.
CREATE FUNCTION "invoices_status_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."status" IS DISTINCT FROM OLD."status" THEN
    NEW."statusChangedAt" := (now() AT TIME ZONE 'UTC');
    NEW."stuckSince" := NULL;
    NEW."stuckAlertedAt" := NULL;
    NEW."stuckLevel" := 0;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "invoices_status_changed" BEFORE UPDATE OF "status" ON "invoices"
  FOR EACH ROW EXECUTE FUNCTION "invoices_status_changed"();

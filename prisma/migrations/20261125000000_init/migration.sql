-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('RECEIVED', 'VALIDATING', 'AWAITING_APPROVAL', 'SENDING', 'SENT', 'ACCEPTED', 'REJECTED', 'NEEDS_FIX', 'MANUAL_EXCEPTION', 'CANCELLED');

-- CreateEnum
CREATE TYPE "InvoiceDirection" AS ENUM ('OUTGOING', 'INCOMING');

-- CreateTable
CREATE TABLE "invoices" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "direction" "InvoiceDirection" NOT NULL DEFAULT 'OUTGOING',
    "sourceSystem" TEXT NOT NULL,
    "sellerNip" VARCHAR(10) NOT NULL,
    "sellerName" TEXT NOT NULL,
    "buyerIdentifier" TEXT,
    "buyerName" TEXT,
    "invoiceNumber" TEXT NOT NULL,
    "invoiceType" TEXT NOT NULL,
    "issueDate" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "grossAmount" DECIMAL(18,2) NOT NULL,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'RECEIVED',
    "step" TEXT NOT NULL DEFAULT 'received',
    "nextAction" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rejectionCode" TEXT,
    "rejectionReason" TEXT,
    "ksefNumber" VARCHAR(36),
    "ksefSessionRef" TEXT,
    "ksefInvoiceRef" TEXT,
    "invoiceHash" TEXT,
    "contentHash" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "acceptedAt" TIMESTAMP(3),

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "details" JSONB,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invoices_workflowId_key" ON "invoices"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_ksefNumber_key" ON "invoices"("ksefNumber");

-- CreateIndex
CREATE INDEX "invoices_status_updatedAt_idx" ON "invoices"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "invoices_sourceSystem_receivedAt_idx" ON "invoices"("sourceSystem", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_issueDate_idx" ON "invoices"("issueDate");

-- CreateIndex
CREATE INDEX "invoices_rejectionCode_idx" ON "invoices"("rejectionCode");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_sellerNip_sourceSystem_invoiceNumber_key" ON "invoices"("sellerNip", "sourceSystem", "invoiceNumber");

-- CreateIndex
CREATE INDEX "audit_events_targetType_targetId_at_idx" ON "audit_events"("targetType", "targetId", "at");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");


-- The audit log is append-only: the database itself refuses to change or remove history.
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (KSEFOPS_AUDIT_APPEND_ONLY): % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- DropIndex
DROP INDEX "invoices_issueDate_idx";

-- DropIndex
DROP INDEX "invoices_rejectionCode_idx";

-- CreateIndex
CREATE INDEX "invoices_receivedAt_id_idx" ON "invoices"("receivedAt", "id");

-- CreateIndex
CREATE INDEX "invoices_issueDate_id_idx" ON "invoices"("issueDate", "id");

-- CreateIndex
CREATE INDEX "invoices_grossAmount_id_idx" ON "invoices"("grossAmount", "id");

-- CreateIndex
CREATE INDEX "invoices_status_id_idx" ON "invoices"("status", "id");

-- CreateIndex
CREATE INDEX "invoices_status_receivedAt_idx" ON "invoices"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_sellerNip_receivedAt_idx" ON "invoices"("sellerNip", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_buyerIdentifier_receivedAt_idx" ON "invoices"("buyerIdentifier", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_invoiceType_receivedAt_idx" ON "invoices"("invoiceType", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_rejectionCode_receivedAt_idx" ON "invoices"("rejectionCode", "receivedAt");

-- CreateIndex
CREATE INDEX "invoices_direction_receivedAt_idx" ON "invoices"("direction", "receivedAt");

-- CreateIndex
CREATE INDEX "audit_events_action_at_idx" ON "audit_events"("action", "at");


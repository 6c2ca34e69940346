-- AlterTable
ALTER TABLE "ksef_documents" ADD COLUMN     "batchOnly" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "hashOfCorrectedInvoice" TEXT;

-- CreateTable
CREATE TABLE "attachments" (
    "id" UUID NOT NULL,
    "invoiceId" UUID,
    "name" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "owner" TEXT,
    "dueDate" TIMESTAMP(3),
    "archivedAt" TIMESTAMP(3),
    "archivedBy" TEXT,
    "uploadedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_links" (
    "id" UUID NOT NULL,
    "fromId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "targetNumber" TEXT NOT NULL,
    "targetIssueDate" DATE,
    "targetKsefNumber" VARCHAR(36),
    "targetId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "invoice_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "purchase_import_cursors" (
    "buyerNip" VARCHAR(10) NOT NULL,
    "hwm" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "lastImported" INTEGER NOT NULL DEFAULT 0,
    "totalImported" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "purchase_import_cursors_pkey" PRIMARY KEY ("buyerNip")
);

-- CreateTable
CREATE TABLE "incoming_documents" (
    "registryId" UUID NOT NULL,
    "ksefNumber" VARCHAR(36) NOT NULL,
    "buyerNip" VARCHAR(10) NOT NULL,
    "xml" TEXT NOT NULL,
    "invoiceHash" TEXT NOT NULL,
    "permanentStorageDate" TIMESTAMP(3) NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importedBy" TEXT NOT NULL,

    CONSTRAINT "incoming_documents_pkey" PRIMARY KEY ("registryId")
);

-- CreateTable
CREATE TABLE "offline_invoices" (
    "registryId" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "invoiceHash" TEXT NOT NULL,
    "qrCodeI" TEXT NOT NULL,
    "qrCodeII" TEXT,
    "qrLabel" TEXT NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "alertAt" TIMESTAMP(3) NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadlineAlertedAt" TIMESTAMP(3),
    "deadlineMissedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "technicalCorrectionOf" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "offline_invoices_pkey" PRIMARY KEY ("registryId")
);

-- CreateIndex
CREATE UNIQUE INDEX "attachments_storageKey_key" ON "attachments"("storageKey");

-- CreateIndex
CREATE INDEX "attachments_invoiceId_idx" ON "attachments"("invoiceId");

-- CreateIndex
CREATE INDEX "attachments_owner_archivedAt_idx" ON "attachments"("owner", "archivedAt");

-- CreateIndex
CREATE INDEX "attachments_dueDate_idx" ON "attachments"("dueDate");

-- CreateIndex
CREATE INDEX "attachments_name_idx" ON "attachments"("name");

-- CreateIndex
CREATE INDEX "invoice_links_targetId_idx" ON "invoice_links"("targetId");

-- CreateIndex
CREATE INDEX "invoice_links_targetKsefNumber_idx" ON "invoice_links"("targetKsefNumber");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_links_fromId_kind_targetNumber_key" ON "invoice_links"("fromId", "kind", "targetNumber");

-- CreateIndex
CREATE UNIQUE INDEX "incoming_documents_ksefNumber_key" ON "incoming_documents"("ksefNumber");

-- CreateIndex
CREATE INDEX "incoming_documents_buyerNip_permanentStorageDate_idx" ON "incoming_documents"("buyerNip", "permanentStorageDate");

-- CreateIndex
CREATE INDEX "offline_invoices_deadline_idx" ON "offline_invoices"("deadline");


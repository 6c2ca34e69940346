-- CreateTable
CREATE TABLE "ksef_documents" (
    "registryId" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "sellerNip" VARCHAR(10) NOT NULL,
    "dispatchId" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "invoiceHash" TEXT NOT NULL,
    "offlineMode" BOOLEAN NOT NULL DEFAULT false,
    "queuedAt" TIMESTAMP(3),
    "sendMode" TEXT,
    "sessionRef" TEXT,
    "invoiceRef" TEXT,
    "sentAt" TIMESTAMP(3),
    "finalCode" INTEGER,
    "outcomeDeliveredAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ksef_documents_pkey" PRIMARY KEY ("registryId")
);

-- CreateIndex
CREATE INDEX "ksef_documents_sellerNip_queuedAt_idx" ON "ksef_documents"("sellerNip", "queuedAt");

-- CreateIndex
CREATE INDEX "ksef_documents_sessionRef_outcomeDeliveredAt_idx" ON "ksef_documents"("sessionRef", "outcomeDeliveredAt");


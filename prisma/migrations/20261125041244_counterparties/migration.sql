-- CreateEnum
CREATE TYPE "CounterpartyIdType" AS ENUM ('NIP', 'EU_VAT', 'OTHER');

-- CreateEnum
CREATE TYPE "CounterpartyVatStatus" AS ENUM ('ACTIVE', 'EXEMPT', 'NOT_REGISTERED', 'REMOVED', 'UNKNOWN');

-- CreateTable
CREATE TABLE "counterparties" (
    "id" UUID NOT NULL,
    "identifierKey" TEXT NOT NULL,
    "idType" "CounterpartyIdType" NOT NULL,
    "nip" VARCHAR(10),
    "euVatNumber" TEXT,
    "otherId" TEXT,
    "countryCode" VARCHAR(2) NOT NULL,
    "name" TEXT NOT NULL,
    "addressLine1" TEXT,
    "addressLine2" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "vatStatus" "CounterpartyVatStatus" NOT NULL DEFAULT 'UNKNOWN',
    "sourceSystem" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "counterparties_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "counterparty_audit_runs" (
    "id" UUID NOT NULL,
    "trigger" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,
    "checked" INTEGER NOT NULL,
    "failing" INTEGER NOT NULL,
    "groups" JSONB NOT NULL,

    CONSTRAINT "counterparty_audit_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "counterparties_identifierKey_key" ON "counterparties"("identifierKey");

-- CreateIndex
CREATE INDEX "counterparties_nip_idx" ON "counterparties"("nip");

-- CreateIndex
CREATE INDEX "counterparties_name_idx" ON "counterparties"("name");

-- CreateIndex
CREATE INDEX "counterparty_audit_runs_finishedAt_idx" ON "counterparty_audit_runs"("finishedAt");


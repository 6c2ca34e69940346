-- CreateTable
CREATE TABLE "ksef_upos" (
    "registryId" UUID NOT NULL,
    "ksefNumber" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "ksefHash" TEXT,
    "issuerName" TEXT,
    "namespace" TEXT,
    "readProblem" TEXT,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ksef_upos_pkey" PRIMARY KEY ("registryId")
);

-- CreateIndex
CREATE INDEX "ksef_upos_ksefNumber_idx" ON "ksef_upos"("ksefNumber");


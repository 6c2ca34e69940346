-- AlterTable
ALTER TABLE "ksef_documents" ADD COLUMN     "reportSent" BOOLEAN NOT NULL DEFAULT true;

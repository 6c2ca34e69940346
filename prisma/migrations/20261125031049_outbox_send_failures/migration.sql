-- AlterTable
ALTER TABLE "ksef_documents" ADD COLUMN     "sendFailures" INTEGER NOT NULL DEFAULT 0;


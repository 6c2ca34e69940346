-- KSeF's duplicate key (seller NIP + RodzajFaktury + P_2, KSEF-API-FACTS.md §10) enforced by the
-- registry across every source system. "invoiceNumberKey" is the number as KSeF compares it
-- (domain/invoice-number.ts invoiceNumberKey: NFC, every XML / Unicode space run → one space, trimmed).

-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "invoiceNumberKey" TEXT;

-- Backfill outgoing invoices (purchase invoices are KSeF's own records and stay outside the key).
UPDATE "invoices"
SET "invoiceNumberKey" = btrim(regexp_replace(normalize("invoiceNumber", NFC), '[\s\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+', ' ', 'g'), ' ')
WHERE "direction" = 'OUTGOING';

-- A database may already hold one key twice (two source systems took one number before this check
-- existed). The migration must not fail on it and must not lose a row: the row KSeF holds (it has a
-- KSeF number), else the earliest received, keeps the key; every other one gets NULL (outside the
-- unique index, exactly as before) and an audit row naming the invoice that kept it, so operators can
-- find them: GET /api/v1/audit?action=invoice.duplicate-key.
WITH ranked AS (
  SELECT "id",
    row_number() OVER w AS n,
    first_value("id") OVER w AS kept
  FROM "invoices"
  WHERE "invoiceNumberKey" IS NOT NULL
  WINDOW w AS (PARTITION BY "sellerNip", "invoiceType", "invoiceNumberKey" ORDER BY ("ksefNumber" IS NULL), "receivedAt", "id")
), cleared AS (
  UPDATE "invoices" AS i SET "invoiceNumberKey" = NULL
  FROM ranked AS r
  WHERE i."id" = r."id" AND r.n > 1
  RETURNING i."id", r.kept
)
INSERT INTO "audit_events" ("actor", "action", "targetType", "targetId", "result", "details")
SELECT 'migration', 'invoice.duplicate-key', 'invoice', "id"::text, 'legacy-duplicate',
  jsonb_build_object('keptBy', kept::text, 'migration', '20261203131000_ksef_duplicate_key')
FROM cleared;

-- CreateIndex
CREATE UNIQUE INDEX "invoices_ksef_duplicate_key" ON "invoices"("sellerNip", "invoiceType", "invoiceNumberKey");

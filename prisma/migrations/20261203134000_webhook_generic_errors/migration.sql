-- Issue #15 item 6 (SSRF): delivery reasons recorded before this release carried connection-level
-- detail (ECONNREFUSED, timeouts, TLS errors, DNS answers) that told an operator reading the delivery
-- log or the alerts which internal hosts and ports answer. They become the sentences the sender records
-- now (activities/webhooks/safe-post.ts): "receiver answered HTTP <status>" or one generic reason.
-- Data only; the audit log is append-only and keeps what it recorded.

UPDATE "webhook_deliveries"
SET "lastError" = 'receiver answered HTTP ' || substring("lastError" FROM '^receiver answered ([0-9]{3})$')
WHERE "lastError" ~ '^receiver answered [0-9]{3}$';

UPDATE "webhook_deliveries"
SET "lastError" = 'delivery failed: receiver not reachable or not allowed'
WHERE "lastError" IS NOT NULL AND "lastError" !~ '^receiver answered HTTP [0-9]{3}';

UPDATE "alerts"
SET "reason" = regexp_replace("reason", 'last error: .*$', 'last error: delivery failed: receiver not reachable or not allowed')
WHERE "kind" = 'retries-exhausted' AND "reason" ~ '^Status webhook .* failed [0-9]+ times; last error: '
  AND "reason" !~ 'last error: receiver answered (HTTP )?[0-9]{3}';

-- Chat-webhook failures: "webhook <url> failed: <detail>" / "webhook <url> answered <status>". The URL's
-- path (chat tools put their token there) goes too; the origin stays.
UPDATE "alerts"
SET "deliveryError" = 'webhook ' || substring("deliveryError" FROM '^webhook ([a-zA-Z][a-zA-Z0-9+.-]*://[^/?# ]*)')
  || CASE WHEN "deliveryError" ~ ' answered [0-9]{3}$'
       THEN ': receiver answered HTTP ' || substring("deliveryError" FROM ' answered ([0-9]{3})$')
       ELSE ': delivery failed: receiver not reachable or not allowed' END
WHERE "deliveryError" ~ '^webhook [a-zA-Z][a-zA-Z0-9+.-]*://[^ ]* (failed: |answered [0-9]{3}$)';

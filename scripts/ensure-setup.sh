#!/bin/sh
# Makes a fresh clone runnable: installs npm dependencies, builds/finds the Temporal CLI and
# generates the Prisma client. Each step is skipped when already done, so it is cheap to repeat.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies..." >&2
  npm ci --no-audit --no-fund >&2
fi

sh scripts/ensure-temporal.sh >/dev/null

if [ ! -f prisma/generated/client.ts ] || [ -n "$(find prisma/schema -name '*.prisma' -newer prisma/generated/client.ts)" ]; then
  echo "Generating the Prisma client..." >&2
  # generate reads the schema only; the URL is a placeholder so it never needs a database.
  DATABASE_URL="${DATABASE_URL:-postgresql://placeholder@127.0.0.1:5432/placeholder}" npx prisma generate >&2
fi

# Debian's Chromium for the browser test (test/browser). Never `npx playwright install`: the test
# drives the system browser through playwright-core. Without root or apt, say how; the browser
# test then fails with the same instruction instead of being skipped.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium (browser test)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2; }
  else
    echo "Chromium is missing at /usr/bin/chromium: the browser test will fail. Install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2
  fi
fi

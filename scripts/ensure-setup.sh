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

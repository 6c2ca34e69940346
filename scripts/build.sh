#!/bin/sh
# `npm run build`: the production tree in dist/app — the repository's layout with compiled JavaScript
# in place of TypeScript, plus the files the code reads at run time (schemas, web UI, migrations) and
# the prebuilt workflow bundle. The image runs it with plain `node` (no tsx, no dev dependencies);
# node_modules is installed beside it (`npm ci --omit=dev`). OUT overrides the folder (tests).
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
OUT=${OUT:-$ROOT/dist/app}
cd "$ROOT"
rm -rf "$OUT"
npx tsc -p tsconfig.build.json --outDir "$OUT"
cp package.json package-lock.json "$OUT"/
# The Prisma CLI (migrations) reads its TypeScript config itself; it imports the compiled adapter.
cp prisma.config.ts "$OUT"/
cp -R ksef-schemas web "$OUT"/
cp fa3/xsd-thread.mjs "$OUT"/fa3/
mkdir -p "$OUT"/prisma
cp -R prisma/schema prisma/migrations "$OUT"/prisma/
cp prisma/cli-preload.cjs "$OUT"/prisma/
# The worker loads this bundle (WORKER_WORKFLOW_BUNDLE) instead of running webpack on every start.
npx tsx scripts/bundle-workflows.ts "$OUT"/workflow-bundle.js >&2
echo "$OUT"

#!/bin/sh
# Create a migration from the committed schema (HEAD) to HEAD + the schema files you name, e.g.
#   sh scripts/new-migration.sh add_counterparties prisma/schema/counterparties.prisma
# Only the named files are taken from the working tree, so other people's uncommitted schema work
# never leaks into your migration. Commit the schema file(s) and the migration together.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 <migration_name> <schema file>..." >&2; exit 2; }
NAME=$1; shift
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/base" "$TMP/next"
git archive HEAD prisma/schema | tar -x -C "$TMP/base"
cp -r "$TMP/base/prisma/schema/." "$TMP/next/"
for f in "$@"; do cp "$f" "$TMP/next/$(basename "$f")"; done
STAMP=$(date -u +%Y%m%d%H%M%S)
DIR="prisma/migrations/${STAMP}_${NAME}"
mkdir -p "$DIR"
DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}" \
NODE_OPTIONS="--require $ROOT/prisma/cli-preload.cjs" CHECKPOINT_DISABLE=1 \
  npx prisma migrate diff --from-schema-datamodel "$TMP/base/prisma/schema" --to-schema-datamodel "$TMP/next" --script > "$DIR/migration.sql"
echo "wrote $DIR/migration.sql:" >&2
cat "$DIR/migration.sql" >&2

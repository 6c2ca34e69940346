#!/bin/sh
# Temporal's persistence on PostgreSQL, created or upgraded: the same steps for docker-compose (the
# temporalio/admin-tools job) and for `npm run test:production-shape` (binaries built with go install).
# Safe to re-run: an existing database is kept and only missing schema versions are applied.
#   SQL_TOOL     temporal-sql-tool binary                  (admin-tools image: temporal-sql-tool)
#   SCHEMA_DIR   .../schema/postgresql/v12 of server 1.29  (admin-tools image: /etc/temporal/schema/postgresql/v12)
#   SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD                 read by temporal-sql-tool itself
#   TEMPORAL_DB TEMPORAL_VISIBILITY_DB                      database names (temporal, temporal_visibility)
set -eu
: "${SQL_TOOL:=temporal-sql-tool}" "${SCHEMA_DIR:?}" "${SQL_HOST:?}" "${SQL_USER:?}"
: "${TEMPORAL_DB:=temporal}" "${TEMPORAL_VISIBILITY_DB:=temporal_visibility}"
export SQL_PLUGIN=postgres12 SQL_PORT="${SQL_PORT:-5432}"

for pair in "$TEMPORAL_DB:temporal" "$TEMPORAL_VISIBILITY_DB:visibility"; do
  db=${pair%%:*}; schema=${pair#*:}
  # create-database fails when the database exists: that is the re-run case, not an error.
  "$SQL_TOOL" --db "$db" create-database >/dev/null 2>&1 || echo "database $db exists"
  # Version 0.0 creates the schema_version table only; update-schema applies every versioned step.
  SQL_DATABASE="$db" "$SQL_TOOL" --db "$db" setup-schema -v 0.0 >/dev/null 2>&1 || true
  SQL_DATABASE="$db" "$SQL_TOOL" --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
  echo "schema $schema ready in $db"
done

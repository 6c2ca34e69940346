#!/bin/sh
# The production Temporal server and its SQL tool, for `npm run test:production-shape`: prints three
# lines — the server binary, temporal-sql-tool, and the PostgreSQL schema folder of that release.
# Built from source with Go once (no prebuilt download exists here), cached in .tools/bin; the same
# release as the dev server the Temporal CLI v1.5.1 embeds, and as the temporalio/server image in
# docker-compose.yml.
set -eu
TEMPORAL_SERVER_VERSION="v1.29.1"
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
TOOLS_BIN="$ROOT/.tools/bin"
GO=$(command -v go || true)
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  echo "KSEFOPS_TEMPORAL_SERVER_MISSING: Go 1.25+ is needed to build the Temporal server $TEMPORAL_SERVER_VERSION (go install go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION)" >&2
  exit 1
fi
if [ ! -x "$TOOLS_BIN/temporal-server" ] || [ ! -x "$TOOLS_BIN/temporal-sql-tool" ]; then
  mkdir -p "$TOOLS_BIN"
  echo "Building Temporal server $TEMPORAL_SERVER_VERSION with $($GO version) into $TOOLS_BIN (first time only, several minutes)..." >&2
  BUILD=$(mktemp -d)
  GOBIN="$BUILD" GOFLAGS="${GOFLAGS:-} -trimpath" "$GO" install "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" >&2
  mv "$BUILD/server" "$TOOLS_BIN/temporal-server"
  mv "$BUILD/sql" "$TOOLS_BIN/temporal-sql-tool"
  rmdir "$BUILD"
fi
SCHEMA_DIR="$("$GO" env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
if [ ! -d "$SCHEMA_DIR/temporal/versioned" ]; then
  GOFLAGS=-mod=mod "$GO" mod download "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" >&2
fi
echo "$TOOLS_BIN/temporal-server"
echo "$TOOLS_BIN/temporal-sql-tool"
echo "$SCHEMA_DIR"

#!/bin/sh
# Prints the path of a Temporal CLI binary, building it if needed. Used by `npm start`, `npm test`
# and CI alike, so all three run the same server.
#   1. TEMPORAL_CLI=/path/to/temporal, if set;
#   2. `temporal` on PATH (users who already installed the CLI);
#   3. the cached copy in .tools/bin (git-ignored);
#   4. otherwise build the official CLI from source with Go. v1.5.1 is the newest release whose
#      go.mod has no `replace` directive; later ones refuse `go install pkg@version`.
set -eu
TEMPORAL_CLI_VERSION="v1.5.1"
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
TOOLS_BIN="$ROOT/.tools/bin"

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$TOOLS_BIN/temporal" ]; then echo "$TOOLS_BIN/temporal"; exit 0; fi

GO=$(command -v go || true)
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  cat >&2 <<MSG
KSEFOPS_TEMPORAL_CLI_MISSING: no Temporal CLI found and Go is not installed to build one.
Either install the Temporal CLI (https://docs.temporal.io/cli, e.g. 'brew install temporal' or the
release archive) and put 'temporal' on PATH (or set TEMPORAL_CLI=/path/to/temporal), or install
Go 1.25+ so this script can run: go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION
MSG
  exit 1
fi

mkdir -p "$TOOLS_BIN"
echo "Building Temporal CLI $TEMPORAL_CLI_VERSION with $($GO version) into $TOOLS_BIN (first time only, several minutes)..." >&2
GOBIN="$TOOLS_BIN" GOFLAGS="${GOFLAGS:-} -trimpath" "$GO" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
echo "$TOOLS_BIN/temporal"

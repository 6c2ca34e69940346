#!/bin/sh
# One-shot job (temporalio/admin-tools image): wait for the Temporal frontend, make sure the
# namespace exists, register the product's search attributes. Safe to re-run: what exists is kept.
# SEARCH_ATTRIBUTES ("Name=Type ...") is checked against infra/search-attributes.ts by a test.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:=default}" "${SEARCH_ATTRIBUTES:?}"

until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"; sleep 2
done

if ! temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --retention 30d
fi

# A new namespace reaches every service of a real server after its namespace cache refreshes (~10 s).
tries=0
until existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null); do
  tries=$((tries + 1)); [ "$tries" -lt 60 ] || { echo "namespace $TEMPORAL_NAMESPACE not usable after 120 s" >&2; exit 1; }
  echo "waiting for namespace $TEMPORAL_NAMESPACE"; sleep 2
done
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}; type=${pair#*=}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "Temporal namespace $TEMPORAL_NAMESPACE ready"

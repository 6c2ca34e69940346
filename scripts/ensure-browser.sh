#!/bin/sh
# Debian's Chromium for the browser tests (test/browser): only `npm test` needs it, so `npm start`
# never installs a browser. Never `npx playwright install`: the tests drive the system browser
# through playwright-core. Without root or apt, say how; the browser tests then fail with the same
# instruction instead of being skipped.
set -eu
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium (browser test)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2; }
  else
    echo "Chromium is missing at /usr/bin/chromium: the browser test will fail. Install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2
  fi
fi

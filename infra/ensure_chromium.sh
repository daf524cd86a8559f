#!/usr/bin/env bash
# The chat page's browser test drives Debian's chromium through Playwright (Playwright's own
# browser download cannot run here). Install it when missing and we may; otherwise say how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests (apt-get)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "error: the browser tests need chromium. Install it (Debian/Ubuntu: 'sudo apt-get install chromium')," >&2
echo "       then re-run make test." >&2
exit 1

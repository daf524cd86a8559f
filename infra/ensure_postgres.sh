#!/usr/bin/env bash
# The deployment (infra/dagster/deploy.py) and its test run Debian's PostgreSQL server binaries.
# Install them when missing and we may; otherwise say how.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing postgresql for the Dagster deployment (apt-get)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    exit 0
fi
echo "error: the Dagster deployment needs PostgreSQL's server. Install it (Debian/Ubuntu:" >&2
echo "       'sudo apt-get install postgresql'), then re-run." >&2
exit 1

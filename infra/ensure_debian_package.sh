#!/usr/bin/env bash
# Make sure a Debian package the tests or a make target need is installed:
#   infra/ensure_debian_package.sh PACKAGE "WHAT NEEDS IT" PROBE...
# PROBE (a command and its arguments) succeeds when it is already there. Installs it when missing
# and we may (root with apt-get); otherwise says how and fails. Used for chromium (the chat page's
# browser test drives it through Playwright, whose own browser download cannot run here) and for
# PostgreSQL's server (the Dagster deployment, infra/dagster/deploy.py, and its test).
set -euo pipefail
package=$1 needed_by=$2
shift 2
if "$@" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $package for $needed_by (apt-get)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    exit 0
fi
echo "error: $needed_by need $package. Install it (Debian/Ubuntu: 'sudo apt-get install $package')," >&2
echo "       then re-run." >&2
exit 1

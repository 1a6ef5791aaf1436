#!/usr/bin/env bash
# Installs, builds and starts Outpost with a demo workspace. Prints the URL and the demo password.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
OUTPOST_DEMO=1 exec pnpm start

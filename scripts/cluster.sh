#!/usr/bin/env bash
# Installs, builds and starts Outpost as a local cluster: PostgreSQL, Redis, three nodes and a
# round-robin load balancer on port 3000 (see realtime/src/cluster/run.ts for the settings).
# Needs Debian's postgresql and redis-server packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
exec node --import tsx realtime/src/cluster/run.ts

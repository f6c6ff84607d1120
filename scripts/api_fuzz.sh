#!/usr/bin/env bash
# API fuzzing: schemathesis (PyPI) against a loopback `motcua serve` from the OpenAPI document
# the server serves, every check but those scripts/schemathesis.toml turns off with its reason,
# bounded in time. Fails on any failure: a 5xx, an answer that breaks its schema, an
# undocumented status or content type.
#
#   scripts/api_fuzz.sh                 # 60 s (scripts/test.sh runs this)
#   MAX_TIME=600 scripts/api_fuzz.sh    # a longer run
#
# Settings: MOTCUA_BIN (default target/release/motcua), AREA (hanoi-urban), PORT (18190),
# MAX_TIME (60 s), WORKERS (2). schemathesis is installed once into a virtual environment under
# ~/.cache/motcua (about 30 s from PyPI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${MOTCUA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/motcua}"
AREA="${AREA:-hanoi-urban}"
PORT="${PORT:-18190}"
MAX_TIME="${MAX_TIME:-60}"
WORKERS="${WORKERS:-2}"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/motcua/schemathesis-venv"
SCHEMATHESIS_VERSION="4.32.5"

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

TOKEN="api-fuzz-token-0123456789abcdef"
MOTCUA_TOKEN="$TOKEN" "$BIN" serve --area "$AREA" --bind 127.0.0.1 --port "$PORT" \
  --data-dir "$WORK/data" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  if curl -sf "$BASE/health" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "api_fuzz.sh: the server exited:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$BASE/health" >/dev/null || { echo "api_fuzz.sh: no answer from $BASE/health" >&2; exit 1; }
rss() { awk '/^VmRSS:/ {printf "%.0f MB", $2 / 1024}' "/proc/$SERVER_PID/status"; }
echo "==> schemathesis against $BASE ($AREA), ${MAX_TIME} s, server memory $(rss)"

# The token lets the run reach every endpoint without spending the anonymous budgets; the
# handler timeout of the server (2 min) bounds each request.
status=0
# schemathesis keeps a cache of found cases in its working folder: keep it out of the repository.
cd "$WORK"
"$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" \
  run "$BASE/api/v1/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance,use_after_free \
  --header "Authorization: Bearer $TOKEN" \
  --max-time "$MAX_TIME" --request-timeout 130 --workers "$WORKERS" \
  --no-color >"$WORK/schemathesis.log" 2>&1 || status=$?
if [[ "$status" -gt 1 ]]; then cat "$WORK/schemathesis.log" >&2; exit "$status"; fi
# The summary (the full log holds every request of a failure; print its headings only).
grep -E "^(- ST|[0-9]+\. Test Case ID|\[[0-9]{3}\]|    curl -X)" "$WORK/schemathesis.log" | cut -c1-240 | head -60 || true
sed -n '/= ERRORS =/,/= WARNINGS =/p' "$WORK/schemathesis.log" | grep -vE '^ +\|' | head -40 || true
sed -n '/= SUMMARY =/,$p' "$WORK/schemathesis.log"
echo "==> server memory after the run: $(rss)"
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "api_fuzz.sh: the server died during the run:" >&2
  tail -20 "$WORK/serve.log" >&2
  exit 1
fi
# Failures are findings about the server (a 5xx, a schema violation, an undocumented status);
# errors are schemathesis's own (e.g. a data generator that gave up) and are shown above, not
# counted.
if grep -q '^Failures:' "$WORK/schemathesis.log"; then
  echo "api_fuzz.sh: schemathesis found failures (above)" >&2
  exit 1
fi
if ! grep -qE '^ +[1-9][0-9]* generated' "$WORK/schemathesis.log"; then
  echo "api_fuzz.sh: schemathesis generated no test case" >&2
  exit 1
fi
echo "api_fuzz.sh: no failures"

#!/usr/bin/env bash
# Start-up of `motcua serve` on a study area (default: hanoi, the whole city), measured the way
# a user meets it: the time from launch until /health answers, and until the baseline's coverage
# (what the leadership view opens with) is served; then the server's memory (VmRSS now, VmHWM
# peak, from /proc/PID/status). RUNS starts are made, each with a fresh data directory and no
# graph cache (the default of `serve`), and the slowest and the largest are reported.
#
# Targets on the reference machine (2 cores): ready within 5 s, peak memory under 300 MB.
# Exits 1 when the server does not start; with STRICT=1 also when a target is missed.
#
# Needs: curl. Settings by environment: AREA (hanoi), PORT (18180), RUNS (3), MOTCUA_BIN (the
# release binary; default $CARGO_TARGET_DIR/release/motcua, built when missing), STRICT (0).
#   Run: benches/startup.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
AREA="${AREA:-hanoi}"
PORT="${PORT:-18180}"
RUNS="${RUNS:-3}"
STRICT="${STRICT:-0}"
BIN="${MOTCUA_BIN:-$CARGO_TARGET_DIR/release/motcua}"
BASE="http://127.0.0.1:${PORT}"
if [[ ! -x "$BIN" ]]; then
  (cd "$ROOT" && cargo test --release --all-targets --features cbc --no-run)
fi

now_ms() { date +%s%3N; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

worst_health=0 worst_ready=0 worst_hwm=0 last_rss=0
for run in $(seq 1 "$RUNS"); do
  data="$(mktemp -d)"
  start=$(now_ms)
  "$BIN" serve --area "$AREA" --port "$PORT" --data-dir "$data" >"$data/serve.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  health=""
  for _ in $(seq 1 600); do
    if curl -fsS "$BASE/health" >/dev/null 2>&1; then health=$(( $(now_ms) - start )); break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.02
  done
  if [[ -z "$health" ]]; then
    echo "motcua serve did not start; its log:" >&2
    cat "$data/serve.log" >&2
    exit 1
  fi
  curl -fsS "$BASE/api/v1/scenarios/baseline/coverage" >/dev/null
  ready=$(( $(now_ms) - start ))
  hwm=$(status_kb "$pid" VmHWM)
  rss=$(status_kb "$pid" VmRSS)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  rm -rf "$data"
  printf 'run %d: /health after %d ms, baseline coverage served after %d ms, VmRSS %d MB, VmHWM %d MB\n' \
    "$run" "$health" "$ready" $((rss / 1024)) $((hwm / 1024))
  (( health > worst_health )) && worst_health=$health
  (( ready > worst_ready )) && worst_ready=$ready
  (( hwm > worst_hwm )) && worst_hwm=$hwm
  last_rss=$rss
done

printf '%s, %d runs: ready within %d ms (target 5000), peak memory %d MB (target 300)\n' \
  "$AREA" "$RUNS" "$worst_ready" $((worst_hwm / 1024))
if [[ "$STRICT" == 1 ]] && (( worst_ready > 5000 || worst_hwm > 300 * 1024 )); then
  echo "a start-up target is missed" >&2
  exit 1
fi

#!/usr/bin/env bash
# Load benchmark of `motcua serve` on loopback.
#
# Builds the release binary, starts `motcua serve` on 127.0.0.1 with a temporary data directory,
# then measures:
#   1. GET /api/v1/nearest (k = 3, motorbike) from a dozen origins in urban Hanoi with wrk
#      (2 threads, 32 connections, 10 s): requests/s, latency p50/p99, non-200 answers;
#   2. POST /api/v1/evaluate of an edited scenario (the baseline minus one point), EVALS times:
#      wall time per call seen by curl and the server's own `timings_ms`;
#   3. the server's resident memory (VmRSS now, VmHWM peak) from /proc/PID/status.
# Targets: >= 1,000 req/s, p99 <= 20 ms, no errors, evaluate <= 50 ms, RSS <= 300 MB.
# Exits 1 on any error (non-200 answer, socket error, server not starting); with STRICT=1 also
# when a target is missed.
#
# Needs: wrk, curl, jq (Debian packages). Settings by environment:
#   PORT (18080), AREA (hanoi-urban), DURATION (10s), THREADS (2), CONNECTIONS (32), EVALS (20),
#   SERVE_ARGS (extra arguments for `motcua serve`), MOTCUA_BIN (a prebuilt binary: skip the
#   build), STRICT (0).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PORT="${PORT:-18080}"
AREA="${AREA:-hanoi-urban}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
EVALS="${EVALS:-20}"
STRICT="${STRICT:-0}"
BASE="http://127.0.0.1:${PORT}"

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

if [[ -n "${MOTCUA_BIN:-}" ]]; then
  BIN="$MOTCUA_BIN"
else
  echo "== building motcua (release)"
  cargo build --release --bin motcua --manifest-path "$ROOT/Cargo.toml"
  BIN="$CARGO_TARGET_DIR/release/motcua"
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

echo "== starting motcua serve on $BASE (data dir $WORK/data)"
# shellcheck disable=SC2086
MOTCUA_TOKEN="load-bench-token-0123456789" "$BIN" serve --area "$AREA" --bind 127.0.0.1 --port "$PORT" \
  --data-dir "$WORK/data" ${SERVE_ARGS:-} >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 600); do
  if curl -sf "$BASE/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "load.sh: the server exited during start-up:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -sf "$BASE/health" >/dev/null || { echo "load.sh: the server did not answer /health within 120 s" >&2; cat "$WORK/serve.log" >&2; exit 1; }
grep -i "coverage" "$WORK/serve.log" || true

errors=0

echo "== warm-up and correctness check"
answer="$(curl -sf "$BASE/api/v1/nearest?lon=105.8342&lat=21.0278&mode=motorbike&k=3")" || { echo "load.sh: nearest failed" >&2; exit 1; }
count="$(jq '.results | length' <<<"$answer")"
sorted="$(jq '[.results[].travel_s] | . == sort' <<<"$answer")"
echo "nearest from Hoàn Kiếm: $count results, ranked by travel_s: $sorted"
if [[ "$count" -lt 1 || "$sorted" != "true" ]]; then
  echo "load.sh: unexpected nearest answer: $answer" >&2
  errors=$((errors + 1))
fi

echo "== wrk: $THREADS threads, $CONNECTIONS connections, $DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/benches/nearest.lua" "$BASE" | tee "$WORK/wrk.txt"

# wrk prints latencies as 850.00us, 1.23ms or 1.02s: convert to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { printf "%s", v }
  }'
}
rps="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")"
p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")")"
p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")")"
non200="$(awk '/^non_200_responses/ {print $2}' "$WORK/wrk.txt")"
socket_errors="$(awk '/Socket errors:/ {n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { gsub(",", "", $i); n += $i }; print n}' "$WORK/wrk.txt")"
non200="${non200:-0}"
socket_errors="${socket_errors:-0}"
errors=$((errors + non200 + socket_errors))

echo "== evaluate an edited scenario ($EVALS calls)"
curl -sf "$BASE/api/v1/scenarios/baseline" >"$WORK/baseline.json"
jq '{mode: .mode, rule: .rule, points: (.points | if length > 1 then .[:-1] else . end)}' "$WORK/baseline.json" >"$WORK/draft.json"
: >"$WORK/eval_ms.txt"
: >"$WORK/eval_server_ms.txt"
for _ in $(seq 1 "$EVALS"); do
  status_and_time="$(curl -s -o "$WORK/eval.json" -w '%{http_code} %{time_total}' \
    -H 'Content-Type: application/json' --data-binary "@$WORK/draft.json" "$BASE/api/v1/evaluate")"
  code="${status_and_time%% *}"
  secs="${status_and_time##* }"
  if [[ "$code" != "200" ]]; then
    echo "load.sh: evaluate answered $code: $(head -c 300 "$WORK/eval.json")" >&2
    errors=$((errors + 1))
    continue
  fi
  awk -v s="$secs" 'BEGIN { printf "%.3f\n", s * 1000 }' >>"$WORK/eval_ms.txt"
  jq '.timings_ms.server_evaluate // ([.timings_ms[]] | add) // 0' "$WORK/eval.json" >>"$WORK/eval_server_ms.txt"
done
median() { sort -n "$1" | awk '{a[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maximum() { sort -n "$1" | tail -1; }
eval_median="$(median "$WORK/eval_ms.txt")"
eval_max="$(maximum "$WORK/eval_ms.txt")"
eval_server_median="$(median "$WORK/eval_server_ms.txt")"
echo "server timings_ms of the last call: $(jq -c '.timings_ms' "$WORK/eval.json" 2>/dev/null || echo '{}')"

rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")"
hwm_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")"
rss_mb="$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
hwm_mb="$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')"

missed=0
check() { # name value op target unit
  local ok
  ok="$(awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { if (v == "nan" || v == "") print 0; else if (op == ">=") print (v >= t); else print (v <= t) }')"
  if [[ "$ok" == "1" ]]; then
    printf '  %-28s %12s %-4s (target %s %s)  ok\n' "$1" "$2" "$5" "$3" "$4"
  else
    printf '  %-28s %12s %-4s (target %s %s)  MISSED\n' "$1" "$2" "$5" "$3" "$4"
    missed=$((missed + 1))
  fi
}

echo
echo "== results ($AREA)"
check "nearest requests/s" "$rps" ">=" 1000 "req/s"
check "nearest latency p50" "$p50" "<=" 20 "ms"
check "nearest latency p99" "$p99" "<=" 20 "ms"
check "errors" "$errors" "<=" 0 ""
check "evaluate median (curl)" "$eval_median" "<=" 50 "ms"
check "evaluate max (curl)" "$eval_max" "<=" 100 "ms"
check "evaluate median (server)" "$eval_server_median" "<=" 50 "ms"
check "resident memory VmRSS" "$rss_mb" "<=" 300 "MB"
check "peak memory VmHWM" "$hwm_mb" "<=" 300 "MB"

if [[ "$errors" -gt 0 ]]; then
  echo "load.sh: $errors errors (non-200 answers, socket errors or failed checks)" >&2
  exit 1
fi
if [[ "$STRICT" == "1" && "$missed" -gt 0 ]]; then
  echo "load.sh: $missed targets missed" >&2
  exit 1
fi

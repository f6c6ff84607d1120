#!/usr/bin/env bash
# Load and soak benchmark of `motcua serve` on loopback.
#
# Builds the release binary, starts `motcua serve` on 127.0.0.1 with a temporary data directory
# and one saved scenario, then drives it with wrk (benches/load.lua), every request carrying the
# write token (the anonymous per-client budget answers 429 by design and is tested elsewhere):
#   1. GET /api/v1/nearest (k = 3, motorbike) from a dozen origins in urban Hanoi;
#   2. POST /api/v1/evaluate of an edited scenario (the baseline minus one point), as the
#      planner's app sends it (with load, queues and fairness), and with `?service=false` (the
#      coverage alone);
#   3. the scenario endpoints: the list (one page), one saved scenario, the baseline;
# each DURATION at CONNECTIONS connections: requests/s, latency p50/p99, non-200 answers; and the
# server's resident memory (VmRSS, peak VmHWM) from /proc/PID/status after each run.
# Targets: 0 errors, nearest p99 <= 20 ms, coverage evaluations >= 300 req/s (on an otherwise
# idle machine; wrk shares its two cores). With 64 connections kept busy, a p99 of 20 ms needs
# more than 3,200 answers a second.
#
# With SOAK=SECONDS (e.g. SOAK=600 for ten minutes) it then repeats the runs for that long,
# printing VmRSS after each round; target: memory flat within 10 % (the highest of the later
# rounds against the first, which ends the warm-up: graphs, hierarchies and caches built).
# Exits 1 on any error (non-200 answer, socket error, server not starting); with STRICT=1 also
# when a target is missed.
#
# Needs: wrk, curl, jq (Debian packages). Settings by environment:
#   PORT (18080), AREA (hanoi-urban), DURATION (60s), THREADS (2), CONNECTIONS (64), SOAK (0),
#   SERVE_ARGS (extra arguments for `motcua serve`), MOTCUA_BIN (a prebuilt binary: skip the
#   build), STRICT (0).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PORT="${PORT:-18080}"
AREA="${AREA:-hanoi-urban}"
DURATION="${DURATION:-60s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
SOAK="${SOAK:-0}"
TOKEN="load-bench-token-0123456789"
STRICT="${STRICT:-0}"
BASE="http://127.0.0.1:${PORT}"

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

if [[ -n "${MOTCUA_BIN:-}" ]]; then
  BIN="$MOTCUA_BIN"
else
  echo "== building motcua (release)"
  cargo build --release --features cbc --bin motcua --manifest-path "$ROOT/Cargo.toml"
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
MOTCUA_TOKEN="$TOKEN" "$BIN" serve --area "$AREA" --bind 127.0.0.1 --port "$PORT" \
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

echo "== a saved scenario (the baseline minus one point) for the evaluate and scenario runs"
curl -sf "$BASE/api/v1/scenarios/baseline" >"$WORK/baseline.json"
jq '{mode: .mode, rule: .rule, points: (.points | if length > 1 then .[:-1] else . end)}' "$WORK/baseline.json" >"$WORK/draft.json"
jq '. + {name: "load bench"}' "$WORK/draft.json" >"$WORK/saved.json"
saved_id="$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary "@$WORK/saved.json" "$BASE/api/v1/scenarios" | jq -r '.id')" || { echo "load.sh: saving a scenario failed" >&2; exit 1; }
echo "saved scenario $saved_id"

# wrk prints latencies as 850.00us, 1.23ms or 1.02s: convert to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { printf "%s", v }
  }'
}
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
hwm_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }

# run KIND: one wrk run; sets rps_KIND, p50_KIND, p99_KIND and adds its errors to `errors`.
run() {
  local kind="$1" out="$WORK/wrk-$1.txt"
  LOAD_KIND="$kind" MOTCUA_TOKEN="$TOKEN" LOAD_BODY="$WORK/draft.json" LOAD_SCENARIO_ID="$saved_id" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$ROOT/benches/load.lua" "$BASE" >"$out"
  local non200 socket_errors
  non200="$(awk '/^non_200_responses/ {print $2}' "$out")"
  socket_errors="$(awk '/Socket errors:/ {n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { gsub(",", "", $i); n += $i }; print n}' "$out")"
  errors=$((errors + ${non200:-0} + ${socket_errors:-0}))
  printf -v "rps_$kind" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  printf -v "p50_$kind" '%s' "$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
  printf -v "p99_$kind" '%s' "$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  local r="rps_$kind" a="p50_$kind" b="p99_$kind"
  printf '  %-10s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s  VmRSS %s MB\n' \
    "$kind" "${!r}" "${!a}" "${!b}" "$(( ${non200:-0} + ${socket_errors:-0} ))" "$(rss_mb)"
}

echo "== wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint"
for kind in nearest coverage evaluate scenarios; do run "$kind"; done
rss_first="$(rss_mb)"

rss_last="$rss_first"
if [[ "$SOAK" -gt 0 ]]; then
  echo "== soak: the runs again for ${SOAK} s (VmRSS after the first round: $rss_first MB)"
  soak_end=$((SECONDS + SOAK))
  round=0
  rss_round1=""
  rss_max=0
  while [[ "$SECONDS" -lt "$soak_end" ]]; do
    round=$((round + 1))
    for kind in nearest coverage evaluate scenarios; do run "$kind" >/dev/null; done
    rss_last="$(rss_mb)"
    if [[ -z "$rss_round1" ]]; then rss_round1="$rss_last"; fi
    rss_max="$(awk -v a="$rss_max" -v b="$rss_last" 'BEGIN { print (b > a ? b : a) }')"
    echo "  round $round at $((SECONDS)) s: VmRSS $rss_last MB, VmHWM $(hwm_mb) MB, errors so far $errors"
  done
fi
growth="$(awk -v a="${rss_round1:-$rss_first}" -v b="${rss_max:-$rss_last}" 'BEGIN { printf "%.1f", (b - a) / a * 100 }')"

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
echo "== results ($AREA, $CONNECTIONS connections, $DURATION per endpoint)"
check "nearest requests/s" "$rps_nearest" ">=" 1000 "req/s"
check "nearest latency p99" "$p99_nearest" "<=" 20 "ms"
check "coverage requests/s" "$rps_coverage" ">=" 300 "req/s"
check "evaluate (with load) req/s" "$rps_evaluate" ">=" 50 "req/s"
check "scenarios requests/s" "$rps_scenarios" ">=" 300 "req/s"
check "errors" "$errors" "<=" 0 ""
check "resident memory VmRSS" "$(rss_mb)" "<=" 300 "MB"
check "peak memory VmHWM" "$(hwm_mb)" "<=" 400 "MB"
if [[ "$SOAK" -gt 0 ]]; then
  check "soak memory growth" "$growth" "<=" 10 "%"
fi

if [[ "$errors" -gt 0 ]]; then
  echo "load.sh: $errors errors (non-200 answers, socket errors or failed checks)" >&2
  exit 1
fi
if [[ "$STRICT" == "1" && "$missed" -gt 0 ]]; then
  echo "load.sh: $missed targets missed" >&2
  exit 1
fi

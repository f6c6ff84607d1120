#!/usr/bin/env bash
# Runs every check of the project, in the order a failure is cheapest to see:
# format, lints, unit/integration/golden tests, benches compiled, the notebook, browser tests.
# Needs: the Rust toolchain; python3 with polars and networkx (notebook); Node.js and Debian's
# chromium (browser tests). `.ci/run` installs those on a fresh machine, then calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
features=(--all-features)

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --release --all-targets "${features[@]}" -- -D warnings

step "cargo build --release (the binary the browser tests start)"
cargo build --release "${features[@]}" --bins

step "cargo bench --no-run (benches compile)"
cargo bench --no-run "${features[@]}"

step "notebooks (executed top to bottom)"
MOTCUA_BIN="$CARGO_TARGET_DIR/release/motcua" python3 scripts/run_notebook.py notebooks/*.ipynb

step "browser tests (headless Chromium)"
if [ ! -d web/node_modules ]; then (cd web && npm ci --no-audit --no-fund); fi
(cd web && MOTCUA_BIN="$CARGO_TARGET_DIR/release/motcua" npm test)

step "cargo test --release"
cargo test --release "${features[@]}"

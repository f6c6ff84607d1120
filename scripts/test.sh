#!/usr/bin/env bash
# The README's test command: installs what is missing (scripts/setup.sh), then runs every check
# in the order a failure is cheapest to see: format, licences, lints, the release build, benches
# compiled, the notebook, the browser tests and last the Rust tests (so their summary closes the
# output). The Rust tests include the loaders' fuzz targets (tests/fuzz.rs), a few seconds each.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
features=(--features cbc)

step() { printf '\n==> %s\n' "$*"; }

step "setup (Debian, PyPI and npm packages the checks need)"
scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

# Licences and sources of every dependency against deny.toml. Advisories are left out: their
# database is fetched from the internet when the check runs, and the test command must pass
# offline. cargo-deny comes from crates.io, built once per machine (in a folder of its own, not
# the project's target directory).
step "cargo deny check licenses bans sources"
if ! cargo deny --version >/dev/null 2>&1; then
  env -u CARGO_TARGET_DIR cargo install --locked cargo-deny
fi
cargo deny check licenses bans sources

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --release --all-targets "${features[@]}" -- -D warnings

# One release build serves everything below: library, binary, tests and benches (compiled, not
# run), in one profile and one feature resolution. The binary it leaves is the one the notebook
# and the browser tests start. (`cargo build` alone would resolve features without the
# dev-dependencies, and `cargo bench` would use another profile: each would compile every
# dependency once more.)
step "cargo test --no-run (the release build: library, binary, tests, benches)"
cargo test --release --all-targets "${features[@]}" --no-run

step "notebooks (executed top to bottom)"
MOTCUA_BIN="$CARGO_TARGET_DIR/release/motcua" python3 scripts/run_notebook.py notebooks/*.ipynb

step "browser tests (headless Chromium)"
(cd web && MOTCUA_BIN="$CARGO_TARGET_DIR/release/motcua" npm test)

# API fuzzing from the OpenAPI document (schemathesis, installed from PyPI on first use), 60 s
# against a loopback server: no 5xx, no answer outside its schema, no undocumented status.
step "API fuzzing (schemathesis, 60 s)"
MOTCUA_BIN="$CARGO_TARGET_DIR/release/motcua" scripts/api_fuzz.sh

step "cargo test --release"
cargo test --release "${features[@]}"

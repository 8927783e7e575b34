#!/usr/bin/env bash
# Runs every test of Colophon, installing what the tests need on a fresh machine:
# cargo-nextest (if missing), a Python virtualenv for the conformance suite (.venv).
#
# PostgreSQL tests run when COLOPHON_TEST_DATABASE_URL is set, e.g.
#   COLOPHON_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "test.sh: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

if [ -z "${COLOPHON_TEST_DATABASE_URL:-}" ]; then
  echo "test.sh: COLOPHON_TEST_DATABASE_URL is not set: the PostgreSQL store tests will be skipped"
fi

echo "test.sh: formatting"
cargo fmt --all -- --check

echo "test.sh: clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "test.sh: Rust tests (unit, store conformance on SQLite and PostgreSQL, integration)"
cargo nextest run --workspace --no-fail-fast

echo "test.sh: conformance suite (google-api-python-client against a running server)"
# The integration tests above built target/debug/colophon (with the same features).
COLOPHON_BIN="$PWD/target/debug/colophon" bash conformance/run.sh

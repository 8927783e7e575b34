#!/usr/bin/env bash
# Runs every test of Colophon, installing what the tests need on a fresh machine:
# cargo-nextest (if missing), Chromium for the browser test (Debian's `chromium` package, if
# missing), poppler-utils' pdftotext for the PDF test, a Python virtualenv for the conformance suite (.venv).
#
# PostgreSQL tests run when COLOPHON_TEST_DATABASE_URL is set, e.g.
#   COLOPHON_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "test.sh: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

if ! command -v chromium >/dev/null 2>&1 && [ -z "${COLOPHON_CHROMIUM:-}" ]; then
  echo "test.sh: installing chromium (the browser test drives it headless)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  echo "test.sh: installing poppler-utils (pdftotext reads the generated PDFs back)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi
# With pdftotext installed, the PDF test that cannot find it fails instead of skipping it.
export COLOPHON_REQUIRE_PDFTOTEXT=1
# With the browser installed, a browser test that cannot find it fails instead of skipping.
export COLOPHON_REQUIRE_BROWSER=1
# The consent-page screenshot of the browser test is kept here.
export COLOPHON_TEST_ARTEFACTS="${COLOPHON_TEST_ARTEFACTS:-$PWD/target/test-artefacts}"

if [ -z "${COLOPHON_TEST_DATABASE_URL:-}" ]; then
  echo "test.sh: COLOPHON_TEST_DATABASE_URL is not set: the PostgreSQL store tests will be skipped"
fi

echo "test.sh: formatting"
cargo fmt --all -- --check

echo "test.sh: clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "test.sh: Rust tests (unit, store conformance on SQLite and PostgreSQL, integration)"
cargo nextest run --workspace --no-fail-fast

# Built above by the integration tests (same features); the benchmark's smoke size and the
# instruction-count gate of the search path (bench/README.md, "Scale and peers").
DEBUG_DIR="${CARGO_TARGET_DIR:-$PWD/target}/debug"
echo "test.sh: scale benchmark smoke (every engine builds, answers, and agrees; no load)"
SCALE_N=2000 SCALE_SMOKE=1 SCALE_PER_CLASS=200 COLOPHON_BIN="$DEBUG_DIR/colophon" \
  PEERS_BIN="$DEBUG_DIR/colophon-bench" bash bench/scale.sh
echo "test.sh: callgrind instruction count of the search path against bench/callgrind-baseline.json"
PEERS_BIN="$DEBUG_DIR/colophon-bench" bash bench/callgrind.sh

echo "test.sh: conformance suite (google-api-python-client against a running server)"
# The integration tests above built target/debug/colophon (with the same features).
COLOPHON_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/colophon" bash conformance/run.sh

#!/usr/bin/env bash
# Content benchmark (covers, reader, EPUB, PDF): see crates/colophon-cli/examples/content_bench.rs.
#   bench/content.sh                                  # full: 300,000-word book, 2,000 requests per figure
#   bench/content.sh --words 30000 --requests 100     # smoke
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -q -p colophon-cli --example content_bench -- "$@"

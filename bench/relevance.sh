#!/usr/bin/env bash
# Known-item relevance benchmark (issue 7): imports the real catalogs of ../shared/data, draws a
# fixed set of known-item queries from the imported catalog (bench/relevance.py, fixed seed) and
# scores the server's answers by success@1, success@10 and MRR per query class.
#
#   bench/relevance.sh                  # build (debug profile is enough: this measures ranking)
#   COLOPHON_BIN=path bench/relevance.sh
#   BENCH_REUSE_DATA=1 bench/relevance.sh   # keep the imported catalog of an earlier run
#
# Output: a markdown table on stdout; the queries, the per-class misses and the server log under
# bench/out/relevance/.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
DATA="${BENCH_DATA:-$REPO/../shared/data}"
OUT="$BENCH_DIR/out/relevance"
SEED="${BENCH_SEED:-20261126}"
say() { printf '[relevance %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
mkdir -p "$OUT"
cd "$REPO"
[ -d "$DATA" ] || die "shared data not found at $DATA (set BENCH_DATA)"

if [ -z "${COLOPHON_BIN:-}" ]; then
  say "building colophon-cli"
  cargo build -q -p colophon-cli >&2
  COLOPHON_BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/colophon"
fi
DIR="$OUT/data"
if [ "${BENCH_REUSE_DATA:-0}" != 1 ] || [ ! -d "$DIR" ]; then
  rm -rf "$DIR"
  imp() { "$COLOPHON_BIN" import --data-dir "$DIR" --rejects "$OUT/rejects-$1.tsv" "${@:2}" | tail -n1 >&2; }
  say "importing the catalogs"
  imp goodbooks --format csv --source-name goodbooks "$DATA/goodbooks-10k/books.csv.gz"
  imp goodreads --format csv --source-name goodreads "$DATA/goodreads-books-11k/books.csv.gz"
  imp gutenberg --format csv --source-name gutenberg "$DATA/gutenberg-catalog/gutenberg_metadata.csv.gz"
  imp se --format epub "$DATA/standard-ebooks/epub"
  imp eltec --format tei "$DATA/eltec"
  imp pg --format text "$DATA/gutenberg-texts"
  "$COLOPHON_BIN" export --data-dir "$DIR" -o "$OUT/export.jsonl"
fi
python3 "$BENCH_DIR/relevance.py" generate "$OUT/export.jsonl" --seed "$SEED" > "$OUT/queries.jsonl"
KEY="$("$COLOPHON_BIN" keys create --data-dir "$DIR" --name relevance | tail -1)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$COLOPHON_BIN" serve --data-dir "$DIR" --listen "127.0.0.1:$PORT" >"$OUT/server.stdout" 2>"$OUT/server.stderr" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  grep -q "listening on" "$OUT/server.stdout" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.stderr" >&2; die "server exited"; }
  sleep 0.1
done
echo "# known-item relevance — $(date -u +%Y-%m-%d), seed $SEED, $(wc -l < "$OUT/queries.jsonl") queries"
echo
python3 "$BENCH_DIR/relevance.py" score "http://127.0.0.1:$PORT" "$KEY" "$OUT/queries.jsonl" \
  --report "$OUT/misses.json"

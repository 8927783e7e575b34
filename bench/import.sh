#!/usr/bin/env bash
# Import benchmark: records/second of `colophon import` for every format on ../shared/data,
# each beside its own baseline in the same run (the same files read with `--dry-run`: parse
# only, no store or index), and a 1M-edition Open Library-style import end to end (store +
# index) with its peak RSS. See bench/README.md ("Import") for how to read the output.
#
#   bench/import.sh                       # every format (3 rounds) + the 1M Open Library run
#   BENCH_OL_N=0 bench/import.sh          # formats only
#   BENCH_ROUNDS=1 BENCH_OL_N=20000 bench/import.sh   # quick
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${BENCH_DATA:-../shared/data}
OUT=bench/out/import
ROUNDS=${BENCH_ROUNDS:-3}
OL_N=${BENCH_OL_N:-1000000}
SEED=${BENCH_SEED:-20240601}
mkdir -p "$OUT"

if [ -z "${COLOPHON_BIN:-}" ]; then
  cargo build --release -p colophon-cli >&2
  COLOPHON_BIN="${CARGO_TARGET_DIR:-target}/release/colophon"
fi
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (/usr/bin/time)" >&2; exit 1; }

# Runs one import; prints "seconds peak_rss_kib summary-line".
run_import() { # data_dir extra_flags... -- format paths...
  local dir=$1; shift
  rm -rf "$dir"
  local t0 t1 rss line
  t0=$(date +%s.%N)
  line=$(/usr/bin/time -f "RSS %M" -o "$OUT/time.txt" \
    "$COLOPHON_BIN" import --data-dir "$dir" --rejects "$OUT/rejects.tsv" "$@" 2>/dev/null | tail -n1)
  t1=$(date +%s.%N)
  rss=$(awk '/^RSS/ {print $2}' "$OUT/time.txt")
  echo "$(echo "$t1 - $t0" | bc -l) $rss $line"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -a NAMES FORMATS INPUTS
add() { NAMES+=("$1"); FORMATS+=("$2"); INPUTS+=("$3"); }
add "csv goodbooks-10k"        csv         "$DATA/goodbooks-10k/books.csv.gz"
add "csv goodreads-11k"        csv         "$DATA/goodreads-books-11k/books.csv.gz"
add "csv book-crossing"        csv         "$DATA/book-crossing-partial/BX-Books.partial.csv.gz"
add "csv gutenberg catalog"    csv         "$DATA/gutenberg-catalog/gutenberg_metadata.csv.gz"
add "openlibrary sample"       openlibrary "$DATA/openlibrary-sample/ol_dump_sample.txt"
add "marcxml 5 libraries"      marcxml     "$(ls "$DATA"/marc21/marcxml-libraries/*.xml.gz | tr '\n' ' ')"
add "marc (binary) OL tests"   marc        "$(ls "$DATA"/marc21/openlibrary-tests/bin_input/*.mrc 2>/dev/null | tr '\n' ' ')"
add "onix 12 files"            onix        "$(find "$DATA/onix" -name '*.xml' | sort | tr '\n' ' ')"
add "epub standard-ebooks"     epub        "$DATA/standard-ebooks/epub"
add "tei eltec"                tei         "$DATA/eltec"
add "text gutenberg"           text        "$DATA/gutenberg-texts"

host=$(uname -n); cores=$(nproc); when=$(date -u +%Y-%m-%dT%H:%MZ)
echo "# colophon import benchmark — $when, $host, $cores cores, $ROUNDS rounds (median)"
echo
echo "| input | format | records | parse only (rec/s) | import (rec/s) | import / parse | peak RSS (MiB) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for i in "${!NAMES[@]}"; do
  fmt=${FORMATS[$i]}; read -r -a paths <<< "${INPUTS[$i]}"
  [ ${#paths[@]} -gt 0 ] || { echo "| ${NAMES[$i]} | $fmt | (no files) | | | | |"; continue; }
  : > "$OUT/dry.txt"; : > "$OUT/real.txt"; : > "$OUT/rss.txt"
  records=0
  for _ in $(seq "$ROUNDS"); do
    # Interleaved: baseline then import, each round.
    read -r secs _ line < <(run_import "$OUT/data-dry" --dry-run --format "$fmt" "${paths[@]}")
    records=$(echo "$line" | sed -E 's/.*read ([0-9]+).*/\1/')
    echo "$records / $secs" | bc -l >> "$OUT/dry.txt"
    read -r secs rss line < <(run_import "$OUT/data-real" --format "$fmt" "${paths[@]}")
    echo "$records / $secs" | bc -l >> "$OUT/real.txt"
    echo "$rss" >> "$OUT/rss.txt"
  done
  dry=$(median < "$OUT/dry.txt"); real=$(median < "$OUT/real.txt"); rss=$(median < "$OUT/rss.txt")
  printf "| %s | %s | %d | %.0f | %.0f | %.2f | %.0f |\n" "${NAMES[$i]}" "$fmt" "$records" \
    "$dry" "$real" "$(echo "$real / $dry" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done

if [ "$OL_N" -gt 0 ]; then
  OL="bench/out/ol-n$OL_N-s$SEED"
  if [ ! -s "$OL/ol_dump_editions.txt.gz" ]; then
    echo "bench: generating a $OL_N-edition Open Library dump in $OL" >&2
    python3 bench/gen_openlibrary.py --out "$OL" --n "$OL_N" --seed "$SEED" --data "$DATA" >&2
  fi
  dumps=("$OL/ol_dump_authors.txt.gz" "$OL/ol_dump_works.txt.gz" "$OL/ol_dump_editions.txt.gz")
  echo
  echo "## Open Library-style dump, $OL_N editions (store + index, SQLite), one run"
  echo
  read -r dsecs _ dline < <(run_import "$OUT/ol-dry" --dry-run --format openlibrary "${dumps[@]}")
  read -r secs rss line < <(run_import "$OUT/ol-real" --format openlibrary "${dumps[@]}")
  records=$(echo "$line" | sed -E 's/.*read ([0-9]+).*/\1/')
  echo "- parse + join only: $(printf %.1f "$dsecs") s ($(printf %.0f "$(echo "$records / $dsecs" | bc -l)") editions/s)"
  echo "- import: $(printf %.1f "$secs") s, $(printf %.0f "$(echo "$records / $secs" | bc -l)") editions/s, peak RSS $(( rss / 1024 )) MiB"
  echo "- summary: $line"
  echo "- on disk: store $(du -ch "$OUT"/ol-real/colophon.sqlite3* | tail -n1 | cut -f1), index $(du -sh "$OUT/ol-real/index" | cut -f1)"
fi

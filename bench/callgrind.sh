#!/usr/bin/env bash
# Instruction count of Colophon's search path (callgrind), checked against a committed baseline.
#
# Builds Colophon's search index from a small generated catalog (fixed seed), then runs
# `colophon-bench probe` over a fixed query file under `valgrind --tool=callgrind` twice, with
# CALLGRIND_LOW and CALLGRIND_HIGH queries; (instructions(HIGH) - instructions(LOW)) /
# (HIGH - LOW) is the cost of one query without start-up. Deterministic up to the index's
# segment layout, so it is a regression gate that other load on the machine does not move.
#
#   bench/callgrind.sh                       check: fail when > baseline × (1 + CALLGRIND_TOLERANCE)
#   CALLGRIND_UPDATE=1 bench/callgrind.sh    write the measured figure as the new baseline
#   CALLGRIND_ENGINES="colophon tantivy fts5" also measures the in-process peers (only
#                                            engines present in the baseline are checked)
#
# PEERS_BIN: the colophon-bench binary [${CARGO_TARGET_DIR:-target}/debug/colophon-bench]; the
# baseline belongs to that build profile (CI's: debug, as scripts/test.sh builds it).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
OUT="$BENCH_DIR/out/callgrind"
BASELINE="$BENCH_DIR/callgrind-baseline.json"
N="${CALLGRIND_N:-2000}"
LOW="${CALLGRIND_LOW:-50}"
HIGH="${CALLGRIND_HIGH:-150}"
TOL="${CALLGRIND_TOLERANCE:-0.10}"
read -r -a ENGINES <<<"${CALLGRIND_ENGINES:-colophon}"
PEERS_BIN="${PEERS_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/debug/colophon-bench}"
DATA="${SCALE_DATA:-$REPO/../shared/data}"
say() { printf '[callgrind] %s\n' "$*" >&2; }
mkdir -p "$OUT"
if ! command -v valgrind >/dev/null; then
  say "installing valgrind"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >/dev/null
fi
[ -x "$PEERS_BIN" ] || { say "no colophon-bench binary at $PEERS_BIN"; exit 1; }

CATALOG="$OUT/catalog-n$N.jsonl"
if [ ! -s "$CATALOG" ] || [ ! -s "$OUT/queries.json" ]; then
  python3 "$BENCH_DIR/gen_catalog.py" --n "$N" --seed 20240601 --data "$DATA" --out "$CATALOG" \
    --queries "$OUT/queries.json" --per-class 20 --get-ids 1 >&2
fi
# The fixed query file: 20 of each list class, in class order.
python3 - "$OUT/queries.json" >"$OUT/queries.txt" <<'PY'
import json, sys
q = json.load(open(sys.argv[1], encoding="utf-8"))
for k in ("isbn", "title_author", "keywords", "subject_paging", "phrase"):
    print("\n".join(q[k][:20]))
PY

count() { # engine n -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PEERS_BIN" probe --engine "$1" --dir "$OUT/idx-$1" \
    --queries "$OUT/queries.txt" --count "$2" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
declare -A PER_QUERY
for e in "${ENGINES[@]}"; do
  "$PEERS_BIN" load --engine "$e" --catalog "$CATALOG" --dir "$OUT/idx-$e" >/dev/null
  lo=$(count "$e" "$LOW"); hi=$(count "$e" "$HIGH")
  [ -n "$lo" ] && [ -n "$hi" ] || { say "no instruction count from valgrind for $e"; exit 1; }
  PER_QUERY[$e]=$(( (hi - lo) / (HIGH - LOW) ))
  say "$e: $LOW queries $lo, $HIGH queries $hi instructions -> ${PER_QUERY[$e]} per query"
done
MEASURED=$(for e in "${!PER_QUERY[@]}"; do printf '"%s":%s,' "$e" "${PER_QUERY[$e]}"; done)
python3 - "$BASELINE" "{${MEASURED%,}}" "$TOL" "${CALLGRIND_UPDATE:-0}" "$N $LOW $HIGH" <<'PY'
import json, os, sys
path, measured, tol, update, setup = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
base = json.load(open(path)) if os.path.exists(path) else {"instructions_per_query": {}}
if update:
    base["instructions_per_query"].update(measured)
    base["setup"] = "catalog n, low, high query counts: " + setup + "; debug build (scripts/test.sh)"
    json.dump(base, open(path, "w"), indent=1)
    print(f"[callgrind] baseline updated: {measured}", file=sys.stderr)
    sys.exit(0)
failed = False
for e, v in measured.items():
    b = base["instructions_per_query"].get(e)
    if b is None:
        print(f"[callgrind] {e}: {v:,} per query (no baseline)", file=sys.stderr)
        continue
    r = v / b
    print(f"[callgrind] {e}: {v:,} instructions per query, baseline {b:,} ({r:.3f}×, limit {1 + tol:.2f}×)", file=sys.stderr)
    if r > 1 + tol:
        print(f"[callgrind] FAILED: {e} costs {r - 1:.1%} more instructions per query than the baseline "
              f"(bench/callgrind.sh; if intended, CALLGRIND_UPDATE=1 bench/callgrind.sh and commit the baseline)", file=sys.stderr)
        failed = True
    elif r < 1 - tol:
        print(f"[callgrind] note: {e} is {1 - r:.1%} cheaper than the baseline; consider CALLGRIND_UPDATE=1", file=sys.stderr)
sys.exit(1 if failed else 0)
PY

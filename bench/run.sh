#!/usr/bin/env bash
# Colophon server benchmark: volumes.get / volumes.list throughput and latency on a synthetic
# catalog, beside the server's own hello endpoint measured in the same run. See bench/README.md.
#
# Environment (defaults in brackets):
#   BENCH_N            catalog size [100000]
#   BENCH_ROUNDS       interleaved rounds [3]
#   BENCH_SECONDS      wrk duration per measurement [10]
#   BENCH_CONNECTIONS  wrk connections [16]
#   BENCH_WARMUP       warm-up seconds per class before round 1 [min(BENCH_SECONDS,5)]
#   BENCH_SEED         generator / shuffle seed [20240601]
#   BENCH_PER_CLASS    queries per list class [2000]; BENCH_GET_IDS ids for volumes.get [1000]
#   BENCH_DATA         shared data directory [<repo>/../shared/data]
#   BENCH_FOREIGN_MAX  foreign CPU (% of one core) above which a measurement is repeated [10]
#   BENCH_RETRIES      repeats allowed per measurement for foreign load [1]
#   BENCH_PORT         server port [a free one]
#   BENCH_REINDEX      1: run `colophon reindex` after the import (timed) and serve that index;
#                      uses its own data dir, data-n<N>-reindexed [0]
#   BENCH_REUSE_DATA   1: keep the data dir of an earlier run with the same catalog (skips the
#                      import; the import figures reported are that earlier run's) [0]
#   COLOPHON_BIN       server binary; unset: `cargo build --release -p colophon-cli` and use
#                      ${CARGO_TARGET_DIR:-<repo>/target}/release/colophon
# Smoke mode: BENCH_N=2000 BENCH_ROUNDS=1 BENCH_SECONDS=2 bench/run.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
OUT="$BENCH_DIR/out"
N="${BENCH_N:-100000}"
ROUNDS="${BENCH_ROUNDS:-3}"
SECONDS_PER="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-16}"
WARMUP="${BENCH_WARMUP:-$((SECONDS_PER < 5 ? SECONDS_PER : 5))}"
SEED="${BENCH_SEED:-20240601}"
PER_CLASS="${BENCH_PER_CLASS:-2000}"
GET_IDS="${BENCH_GET_IDS:-1000}"
DATA="${BENCH_DATA:-$REPO/../shared/data}"
FOREIGN_MAX="${BENCH_FOREIGN_MAX:-10}"
RETRIES="${BENCH_RETRIES:-1}"
CLASSES=(hello volumes.get list-isbn list-keywords list-title-author list-subject-paging list-phrase)
COMMAND="BENCH_N=$N BENCH_ROUNDS=$ROUNDS BENCH_SECONDS=$SECONDS_PER BENCH_CONNECTIONS=$CONNS BENCH_WARMUP=$WARMUP BENCH_SEED=$SEED${BENCH_REUSE_DATA:+ BENCH_REUSE_DATA=$BENCH_REUSE_DATA}${BENCH_REINDEX:+ BENCH_REINDEX=$BENCH_REINDEX}${COLOPHON_BIN:+ COLOPHON_BIN=$COLOPHON_BIN} bench/run.sh"

say() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

mkdir -p "$OUT"
cd "$REPO"

# --- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v taskset >/dev/null || die "taskset (util-linux) is required"
[ -d "$DATA" ] || die "shared data not found at $DATA (set BENCH_DATA)"
NPROC="$(nproc)"
[ "$NPROC" -ge 2 ] || say "WARNING: $NPROC core(s); server (core 0) and wrk (core 1) pinning needs 2"

if [ -z "${COLOPHON_BIN:-}" ]; then
  say "building colophon-cli (release)"
  cargo build --release -p colophon-cli >&2
  COLOPHON_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/colophon"
fi
[ -x "$COLOPHON_BIN" ] || die "no server binary at $COLOPHON_BIN"

# --- catalog (cached) ----------------------------------------------------------------------
GEN_HASH="$(sha256sum "$BENCH_DIR/gen_catalog.py" | cut -c1-8)"
TAG="n${N}-s${SEED}-q${PER_CLASS}-g${GET_IDS}-${GEN_HASH}"
CATALOG="$OUT/catalog-$TAG.jsonl.gz"
QUERIES="$OUT/queries-$TAG.json"
if [ ! -s "$CATALOG" ] || [ ! -s "$QUERIES" ]; then
  say "generating $N volumes -> $CATALOG"
  python3 "$BENCH_DIR/gen_catalog.py" --n "$N" --seed "$SEED" --data "$DATA" --out "$CATALOG" \
    --queries "$QUERIES" --per-class "$PER_CLASS" --get-ids "$GET_IDS"
else
  say "using cached catalog $CATALOG"
fi

# --- import into a fresh data dir ----------------------------------------------------------
DATA_DIR="$OUT/data-n$N"
[ "${BENCH_REINDEX:-0}" = 1 ] && DATA_DIR="$OUT/data-n$N-reindexed"
IMPORT_ENV="$DATA_DIR.import.env"
if [ "${BENCH_REUSE_DATA:-0}" = 1 ] && [ -d "$DATA_DIR" ] && [ -f "$IMPORT_ENV" ] \
  && grep -qx "IMPORT_TAG=$TAG" "$IMPORT_ENV"; then
  # shellcheck disable=SC1090
  source "$IMPORT_ENV"
  IMPORT_REUSED=1
  say "BENCH_REUSE_DATA=1: reusing $DATA_DIR imported $IMPORT_WHEN (import figures are from then)"
else
  IMPORT_REUSED=0
  rm -rf "$DATA_DIR" "$IMPORT_ENV"
  mkdir -p "$DATA_DIR"
  say "importing into $DATA_DIR"
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$OUT/import.time" \
    "$COLOPHON_BIN" import --data-dir "$DATA_DIR" --format googlebooks --rejects "$OUT/import-rejects.tsv" \
    "$CATALOG" >"$OUT/import.stdout" 2>"$OUT/import.stderr" || { tail -20 "$OUT/import.stderr" >&2; die "import"; }
  t1=$(date +%s.%N)
  IMPORT_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  IMPORT_RATE=$(awk -v n="$N" -v s="$IMPORT_S" 'BEGIN{printf "%.0f", n/s}')
  IMPORT_RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$OUT/import.time")
  IMPORT_CPU_S=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f", u+s}' "$OUT/import.time")
  IMPORT_SUMMARY="$(tail -1 "$OUT/import.stdout")"
  REJECTS=0
  [ -f "$OUT/import-rejects.tsv" ] && REJECTS=$(grep -c . "$OUT/import-rejects.tsv" || true)
  DATA_BYTES=$(du -sb "$DATA_DIR" | cut -f1)
  IMPORT_LOAD1="$(cut -d' ' -f1 /proc/loadavg)"
  IMPORT_WHEN="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for v in IMPORT_S IMPORT_RATE IMPORT_RSS_KB IMPORT_CPU_S IMPORT_SUMMARY REJECTS DATA_BYTES IMPORT_LOAD1 IMPORT_WHEN; do
    printf '%s=%q\n' "$v" "${!v}"
  done >"$IMPORT_ENV"
  echo "IMPORT_TAG=$TAG" >>"$IMPORT_ENV"
fi
REINDEX_S="${REINDEX_S:-}"
if [ "${BENCH_REINDEX:-0}" = 1 ] && [ -z "$REINDEX_S" ]; then
  say "BENCH_REINDEX=1: colophon reindex"
  t0=$(date +%s.%N)
  "$COLOPHON_BIN" reindex --data-dir "$DATA_DIR" >"$OUT/reindex.stdout" 2>"$OUT/reindex.stderr" \
    || { tail -20 "$OUT/reindex.stderr" >&2; die "reindex"; }
  REINDEX_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  DATA_BYTES=$(du -sb "$DATA_DIR" | cut -f1)
  printf 'REINDEX_S=%q\nDATA_BYTES=%q\n' "$REINDEX_S" "$DATA_BYTES" >>"$IMPORT_ENV"
  say "reindex: ${REINDEX_S}s"
fi
SEGMENTS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["segments"]))' "$DATA_DIR/index/meta.json" 2>/dev/null || echo "?")
say "search index: $SEGMENTS segment(s), $(du -sb "$DATA_DIR/index" 2>/dev/null | cut -f1) bytes"
say "import: ${IMPORT_S}s, ${IMPORT_RATE} records/s, ${IMPORT_CPU_S} CPU-s, peak RSS ${IMPORT_RSS_KB} kB, ${DATA_BYTES} bytes on disk, rejects: $REJECTS, load1 at the end $IMPORT_LOAD1"
say "import summary: $IMPORT_SUMMARY"
[ "$REJECTS" -le 1 ] || die "import rejected records, see $OUT/import-rejects.tsv"

KEY="$("$COLOPHON_BIN" keys create --data-dir "$DATA_DIR" --name bench | tail -1)"
[ -n "$KEY" ] || die "keys create printed no key"

# --- server, pinned to core 0 ----------------------------------------------------------------
PORT="${BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
COLOPHON_WORKER_THREADS=1 taskset -c 0 "$COLOPHON_BIN" serve --data-dir "$DATA_DIR" --listen "127.0.0.1:$PORT" \
  >"$OUT/server.stdout" 2>"$OUT/server.stderr" &
SERVER_PID=$!
t0=$(date +%s.%N)
for _ in $(seq 600); do
  grep -q "listening on" "$OUT/server.stdout" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.stderr" >&2; die "server exited"; }
  sleep 0.1
done
grep -q "listening on" "$OUT/server.stdout" || die "server not ready after 60 s"
START_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
say "server pid $SERVER_PID on $BASE (core 0, 1 worker thread), ready in ${START_S}s"

# --- URL files, ids for volumes.get, sanity checks -----------------------------------------
python3 "$BENCH_DIR/prepare_urls.py" --queries "$QUERIES" --base "$BASE" --key "$KEY" --out-dir "$OUT/urls" \
  || die "sanity checks (see above and $OUT/urls/sanity.json)"
say "sample responses (curl):"
sample() {
  local path="$1"
  curl -sS -o "$OUT/sample.body" -w "%{http_code} %{size_download}B %{time_total}s" "$BASE$path" >"$OUT/sample.meta"
  printf '  %s  %s\n    %s\n' "$(cat "$OUT/sample.meta")" "${path%%key=*}" "$(head -c 160 "$OUT/sample.body" | tr -d '\n')" >&2
  [ "$(cut -d' ' -f1 "$OUT/sample.meta")" = 200 ] || die "$path answered $(cut -d' ' -f1 "$OUT/sample.meta")"
}
for cls in "${CLASSES[@]}"; do sample "$(sed -n 3p "$OUT/urls/$cls.txt" | grep . || head -1 "$OUT/urls/$cls.txt")"; done

# --- measurement -----------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
proc_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# user+sys seconds of this shell's waited-for children: bash `times`, second line. Must run in
# this shell (not in $(...): a forked subshell starts with zero child times).
child_secs() { awk 'NR==2{ s=0; for(i=1;i<=2;i++){ split($i,a,/[ms]/); s+=a[1]*60+a[2] } printf "%.3f", s }' "$1"; }
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

# run_wrk CLASS SECONDS RAWFILE -> sets WRK_JSON, FOREIGN, SRV_CPU, WRK_CPU
run_wrk() {
  local cls="$1" secs="$2" raw="$3" b0 s0 c0 b1 s1 c1 t0 t1
  times >"$OUT/.times0"; b0=$(busy_ticks); s0=$(proc_ticks "$SERVER_PID"); t0=$(date +%s.%N)
  URLS_FILE="$OUT/urls/$cls.txt" taskset -c 1 wrk -t1 -c"$CONNS" -d"${secs}s" --latency --timeout 10s \
    -s "$BENCH_DIR/rotate.lua" "$BASE" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed on $cls"; }
  times >"$OUT/.times1"; t1=$(date +%s.%N); s1=$(proc_ticks "$SERVER_PID"); b1=$(busy_ticks)
  c0=$(child_secs "$OUT/.times0"); c1=$(child_secs "$OUT/.times1")
  kill -0 "$SERVER_PID" 2>/dev/null || die "server died during $cls (see $OUT/server.stderr)"
  WRK_JSON="$(sed -n 's/^BENCHJSON //p' "$raw")"
  [ -n "$WRK_JSON" ] || { cat "$raw" >&2; die "no BENCHJSON line from wrk for $cls"; }
  read -r FOREIGN SRV_CPU WRK_CPU < <(awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v c0="$c0" -v c1="$c1" \
    -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" 'BEGIN{
      el=(t1-t0)*hz; w=(c1-c0)*hz; f=(b-s-w)/el*100; if (f<0) f=0;
      printf "%.1f %.1f %.1f\n", f, s/el*100, w/el*100 }')
  # fail loudly on any non-2xx/3xx answer or socket error
  python3 - "$cls" "$raw" "$WRK_JSON" <<'PY' || die "wrk reported errors on $1 (see $raw)"
import json, sys
cls, raw, j = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
errs = {k: v for k, v in j.items() if k.startswith("err_") and v}
if errs or j["requests"] == 0:
    print(f"[bench] {cls}: wrk errors {errs}, requests {j['requests']}; raw output in {raw}", file=sys.stderr)
    sys.exit(1)
PY
}

say "warm-up: ${WARMUP}s per class"
for cls in "${CLASSES[@]}"; do
  run_wrk "$cls" "$WARMUP" "$OUT/warmup-$cls.txt"
  n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$WRK_JSON")
  lines=$(grep -c . "$OUT/urls/$cls.txt")
  [ "$n" -ge "$lines" ] || say "WARNING: warm-up of $cls made $n requests < $lines URLs (not a full pass)"
  say "  warm-up $cls: $n requests"
done

for round in $(seq "$ROUNDS"); do
  read -r -a order < <(python3 -c 'import random,sys; l=sys.argv[2:]; random.Random(int(sys.argv[1])).shuffle(l); print(" ".join(l))' \
    "$((SEED + round))" "${CLASSES[@]}")
  say "round $round/$ROUNDS: ${order[*]}"
  for cls in "${order[@]}"; do
    attempt=0
    while :; do
      attempt=$((attempt + 1))
      raw="$OUT/wrk-r$round-$cls-a$attempt.txt"
      run_wrk "$cls" "$SECONDS_PER" "$raw"
      load1=$(cut -d' ' -f1 /proc/loadavg)
      accepted=true
      noisy=$(awk -v f="$FOREIGN" -v m="$FOREIGN_MAX" 'BEGIN{print (f>m)?1:0}')
      if [ "$noisy" = 1 ] && [ "$attempt" -le "$RETRIES" ]; then accepted=false; fi
      printf '{"round":%d,"class":"%s","attempt":%d,"accepted":%s,"foreign_cpu_pct":%s,"server_cpu_pct":%s,"wrk_cpu_pct":%s,"load1":%s,"wrk":%s}\n' \
        "$round" "$cls" "$attempt" "$accepted" "$FOREIGN" "$SRV_CPU" "$WRK_CPU" "$load1" "$WRK_JSON" >>"$RESULTS"
      say "  $cls: $(python3 "$BENCH_DIR/report.py" --line "$WRK_JSON")  server ${SRV_CPU}% wrk ${WRK_CPU}% foreign ${FOREIGN}% load1 $load1$([ "$accepted" = false ] && echo '  -> noisy, repeating')"
      [ "$accepted" = true ] && break
    done
  done
done

# --- metadata and report -------------------------------------------------------------------
RSS_KB=$(awk '/^VmRSS/{print $2}' "/proc/$SERVER_PID/status")
HWM_KB=$(awk '/^VmHWM/{print $2}' "/proc/$SERVER_PID/status")
export COMMAND NPROC REPO COLOPHON_BIN N SEED ROUNDS SECONDS_PER CONNS WARMUP PER_CLASS CATALOG IMPORT_S \
  IMPORT_RATE IMPORT_CPU_S IMPORT_RSS_KB IMPORT_SUMMARY REJECTS DATA_BYTES START_S RSS_KB HWM_KB FOREIGN_MAX \
  IMPORT_LOAD1 IMPORT_WHEN IMPORT_REUSED REINDEX_S SEGMENTS
python3 - "$OUT/meta.json" <<'PY'
import json, os, subprocess, sys
e = os.environ
def sh(*c):
    try:
        return subprocess.run(c, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
dirty = sh("git", "-C", e["REPO"], "status", "--porcelain", "--", "crates", "Cargo.lock", "Cargo.toml")
meta = {
    "command": e["COMMAND"],
    "date_utc": sh("date", "-u", "+%Y-%m-%dT%H:%M:%SZ"),
    "nproc": int(e["NPROC"]), "cpu_model": model, "kernel": sh("uname", "-r"),
    "wrk": (sh("sh", "-c", "wrk -v 2>&1 | head -1")),
    "colophon_git": sh("git", "-C", e["REPO"], "rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else ""),
    "binary": e["COLOPHON_BIN"],
    "binary_built_utc": sh("date", "-u", "-r", e["COLOPHON_BIN"], "+%Y-%m-%dT%H:%M:%SZ"),
    "n": int(e["N"]), "seed": int(e["SEED"]), "rounds": int(e["ROUNDS"]), "seconds": int(e["SECONDS_PER"]),
    "connections": int(e["CONNS"]), "warmup_seconds": int(e["WARMUP"]), "per_class": int(e["PER_CLASS"]),
    "catalog": os.path.basename(e["CATALOG"]),
    "import_seconds": float(e["IMPORT_S"]), "import_records_per_s": int(e["IMPORT_RATE"]),
    "import_cpu_seconds": float(e["IMPORT_CPU_S"]), "import_peak_rss_kb": int(e.get("IMPORT_RSS_KB") or 0),
    "import_summary": e["IMPORT_SUMMARY"], "import_rejects": int(e["REJECTS"]),
    "data_dir_bytes": int(e["DATA_BYTES"]), "server_ready_seconds": float(e["START_S"]),
    "server_rss_kb": int(e.get("RSS_KB") or 0), "server_hwm_kb": int(e.get("HWM_KB") or 0),
    "foreign_max_pct": float(e["FOREIGN_MAX"]),
    "import_load1": e.get("IMPORT_LOAD1", ""), "import_when": e.get("IMPORT_WHEN", ""),
    "import_reused": e.get("IMPORT_REUSED") == "1",
    "reindex_seconds": float(e["REINDEX_S"]) if e.get("REINDEX_S") else None,
    "index_segments": e.get("SEGMENTS", "?"),
}
with open(sys.argv[1], "w") as fh:
    json.dump(meta, fh, indent=1)
PY
grep -iE "panic|error" "$OUT/server.stderr" | head -5 >&2 || true
python3 "$BENCH_DIR/report.py" --out-dir "$OUT"
say "done: $OUT/report.md"

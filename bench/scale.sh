#!/usr/bin/env bash
# Scale benchmark with peers: Colophon beside plain tantivy, SQLite FTS5 and PostgreSQL FTS
# (GIN, RUM) behind one thin Rust HTTP front (colophon-bench), and the front's fixed-page
# ceiling, on one generated catalog and one query set. See bench/README.md, "Scale and peers".
#
# Environment (defaults in brackets):
#   SCALE_N            catalog size [1000000]
#   SCALE_ENGINES      engines [hello-page colophon-hello colophon tantivy fts5 pg-gin pg-rum]
#   SCALE_ROUNDS       interleaved rounds [3]
#   SCALE_SECONDS      seconds per measurement [5]
#   SCALE_CONNS        wrk concurrencies [1 16 64]
#   SCALE_RATES        open-loop offered rates, q/s ["500 2000"]; empty: none
#   SCALE_CLASSES      query classes [isbn title-author keywords subject-paging phrase get]
#   SCALE_PER_CLASS    queries per class [2000]
#   SCALE_SEED         generator / order seed [20240601]
#   SCALE_SMOKE        1: build, serve and check agreement only (no load) [0]
#   SCALE_FOREIGN_MAX  foreign CPU (% of one core) above which a wrk measurement is repeated once [10]
#   SCALE_OUT          output directory [bench/out/scale-n<N>]
#   SCALE_DATA         shared data [<repo>/../shared/data]
#   COLOPHON_BIN, PEERS_BIN  binaries; unset: `cargo build --release --workspace --bins`
#   MEILISEARCH_BIN    not supported by this harness yet: the Meilisearch peer is skipped
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
N="${SCALE_N:-1000000}"
read -r -a ENGINES <<<"${SCALE_ENGINES:-hello-page colophon-hello colophon tantivy fts5 pg-gin pg-rum}"
ROUNDS="${SCALE_ROUNDS:-3}"
SECS="${SCALE_SECONDS:-5}"
read -r -a CONNS <<<"${SCALE_CONNS:-1 16 64}"
read -r -a RATES <<<"${SCALE_RATES-500 2000}"
read -r -a CLASSES <<<"${SCALE_CLASSES:-isbn title-author keywords subject-paging phrase get}"
PER_CLASS="${SCALE_PER_CLASS:-2000}"
SEED="${SCALE_SEED:-20240601}"
SMOKE="${SCALE_SMOKE:-0}"
FOREIGN_MAX="${SCALE_FOREIGN_MAX:-10}"
OUT="${SCALE_OUT:-$BENCH_DIR/out/scale-n$N}"
DATA="${SCALE_DATA:-$REPO/../shared/data}"
COMMAND="SCALE_N=$N SCALE_ENGINES=\"${ENGINES[*]}\" SCALE_ROUNDS=$ROUNDS SCALE_SECONDS=$SECS SCALE_CONNS=\"${CONNS[*]}\" SCALE_RATES=\"${RATES[*]}\" SCALE_PER_CLASS=$PER_CLASS SCALE_SEED=$SEED${SCALE_SMOKE:+ SCALE_SMOKE=$SMOKE} bench/scale.sh"

say() { printf '[scale %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
mkdir -p "$OUT"
cd "$REPO"

# --- tools ---------------------------------------------------------------------------------
apt_install() {
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null; }
}
[ "$SMOKE" = 1 ] || command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
[ -x /usr/bin/time ] || { say "installing GNU time"; apt_install time; }
PG_BIN=/usr/lib/postgresql/15/bin
case " ${ENGINES[*]} " in *" pg-"*)
  [ -x "$PG_BIN/initdb" ] || { say "installing postgresql-15"; apt_install postgresql-15; }
  [ -f /usr/share/postgresql/15/extension/rum.control ] || { say "installing postgresql-15-rum"; apt_install postgresql-15-rum; }
esac
command -v taskset >/dev/null || die "taskset (util-linux) is required"
[ -d "$DATA" ] || die "shared data not found at $DATA (set SCALE_DATA)"
[ -n "${MEILISEARCH_BIN:-}" ] && say "MEILISEARCH_BIN is set, but this harness has no Meilisearch adapter yet: skipped"
[ -z "${MEILISEARCH_BIN:-}" ] && say "Meilisearch: MEILISEARCH_BIN not given, peer skipped"

if [ -z "${COLOPHON_BIN:-}" ] || [ -z "${PEERS_BIN:-}" ]; then
  say "building release binaries"
  cargo build --release --workspace --bins >&2
  COLOPHON_BIN="${COLOPHON_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/colophon}"
  PEERS_BIN="${PEERS_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/colophon-bench}"
fi
[ -x "$COLOPHON_BIN" ] && [ -x "$PEERS_BIN" ] || die "binaries missing: $COLOPHON_BIN $PEERS_BIN"

# --- catalog and queries (cached) ----------------------------------------------------------
GEN_HASH="$(sha256sum "$BENCH_DIR/gen_catalog.py" | cut -c1-8)"
TAG="n$N-s$SEED-q$PER_CLASS-$GEN_HASH"
CATALOG="$BENCH_DIR/out/catalog-$TAG.jsonl"
QUERIES="$BENCH_DIR/out/queries-$TAG.json"
if [ ! -s "$CATALOG" ] || [ ! -s "$QUERIES" ]; then
  say "generating $N volumes"
  t0=$(date +%s.%N)
  python3 "$BENCH_DIR/gen_catalog.py" --n "$N" --seed "$SEED" --data "$DATA" --out "$CATALOG" \
    --queries "$QUERIES" --per-class "$PER_CLASS" --get-ids "$PER_CLASS" >&2
  say "generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}') s"
fi
python3 "$BENCH_DIR/scale.py" urls --queries "$QUERIES" --out-dir "$OUT/urls"

# --- PostgreSQL: a private cluster, started only while a pg engine loads or serves ----------
PG_DIR="$OUT/pg"
PG_PORT=""
PG_PID=""
PG_URL=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() { # $1: taskset cpu list or "" (unpinned)
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"; [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR" -A trust -U postgres >"$OUT/pg-initdb.log" 2>&1 || die "initdb (see $OUT/pg-initdb.log)"
  fi
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local pin=(); [ -n "$1" ] && pin=(taskset -c "$1")
  "${pin[@]}" runuser -u postgres -- "$PG_BIN/postgres" -D "$PG_DIR" -p "$PG_PORT" -k /tmp -c listen_addresses=127.0.0.1 \
    -c shared_buffers=1GB -c max_wal_size=4GB -c autovacuum=off -c jit=off >"$OUT/pg.log" 2>&1 &
  PG_PID=$!
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  for _ in $(seq 300); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    kill -0 "$PG_PID" 2>/dev/null || { tail "$OUT/pg.log" >&2; die "postgres exited"; }
    sleep 0.1
  done
  die "postgres not ready"
}
pg_stop() {
  [ -n "$PG_PID" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || kill "$PG_PID" 2>/dev/null || true
  wait "$PG_PID" 2>/dev/null || true
  PG_PID=""
}

SERVER_PID=""
server_stop() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  pg_stop
}
trap server_stop EXIT
trap 'exit 130' INT TERM

# --- build every engine (unpinned, timed) ---------------------------------------------------
BUILDS="$OUT/builds.jsonl"
: >"$BUILDS"
KEY=""
timed() { # engine note cmd... -> appends a builds.jsonl line (stdout of cmd: JSON or nothing)
  local engine="$1" note="$2"; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$OUT/build-$engine.time" "$@" >"$OUT/build-$engine.out" 2>"$OUT/build-$engine.err" \
    || { tail -20 "$OUT/build-$engine.err" >&2; die "building $engine"; }
  t1=$(date +%s.%N)
  python3 - "$engine" "$note" "$t0" "$t1" "$OUT/build-$engine.time" "$OUT/build-$engine.out" "$N" >>"$BUILDS" <<'PY'
import json, re, sys
engine, note, t0, t1, tf, of, n = sys.argv[1:]
t = open(tf).read()
g = lambda k: float(re.search(k + r": ([\d.]+)", t).group(1))
row = {"engine": engine, "note": note, "seconds": float(t1) - float(t0), "docs": int(n),
       "cpu_seconds": g("User time \\(seconds\\)") + g("System time \\(seconds\\)"),
       "rss_kb": int(g("Maximum resident set size \\(kbytes\\)"))}
lines = [l for l in open(of).read().splitlines() if l.startswith("{")]
if lines:
    row.update({k: v for k, v in json.loads(lines[-1]).items() if k not in ("engine", "seconds")})
print(json.dumps(row))
PY
  say "built $engine: $(tail -1 "$BUILDS")"
}
COLOPHON_DIR="$OUT/colophon-data"
for e in "${ENGINES[@]}"; do
  case "$e" in
    colophon)
      rm -rf "$COLOPHON_DIR"; mkdir -p "$COLOPHON_DIR"
      timed colophon "colophon import (store + index)" "$COLOPHON_BIN" import --data-dir "$COLOPHON_DIR" \
        --format googlebooks --rejects "$OUT/colophon-rejects.tsv" "$CATALOG"
      python3 - "$BUILDS" "$(du -sb "$COLOPHON_DIR" | cut -f1)" "$(du -sb "$COLOPHON_DIR/index" | cut -f1)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows[-1]["bytes"] = int(sys.argv[2]); rows[-1]["note"] += f"; index alone {int(sys.argv[3]) / 1e6:,.0f} MB"
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY
      KEY="$("$COLOPHON_BIN" keys create --data-dir "$COLOPHON_DIR" --name scale | tail -1)"
      ;;
    tantivy|fts5)
      timed "$e" "" "$PEERS_BIN" load --engine "$e" --catalog "$CATALOG" --dir "$OUT/idx-$e" ;;
    pg-gin|pg-rum)
      pg_start ""
      timed "$e" "loader process only; the server's RSS is not in 'peak RSS'" "$PEERS_BIN" load --engine "$e" --catalog "$CATALOG" --pg "$PG_URL"
      pg_stop ;;
    hello-page|colophon-hello) ;;
    *) die "unknown engine $e" ;;
  esac
done

# --- serve one engine, pinned to core 0 -----------------------------------------------------
BASE=""
serve() { # engine
  local e="$1" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BASE="http://127.0.0.1:$port"
  case "$e" in
    colophon|colophon-hello)
      COLOPHON_WORKER_THREADS=1 taskset -c 0 "$COLOPHON_BIN" serve --data-dir "$COLOPHON_DIR" --listen "127.0.0.1:$port" \
        >"$OUT/server.out" 2>"$OUT/server-$e.err" & ;;
    hello-page)
      taskset -c 0 "$PEERS_BIN" serve --engine hello --catalog "$CATALOG" --listen "127.0.0.1:$port" >"$OUT/server.out" 2>"$OUT/server-$e.err" & ;;
    tantivy|fts5)
      taskset -c 0 "$PEERS_BIN" serve --engine "$e" --dir "$OUT/idx-$e" --listen "127.0.0.1:$port" >"$OUT/server.out" 2>"$OUT/server-$e.err" & ;;
    pg-gin|pg-rum)
      pg_start 0
      taskset -c 0 "$PEERS_BIN" serve --engine "$e" --pg "$PG_URL" --listen "127.0.0.1:$port" >"$OUT/server.out" 2>"$OUT/server-$e.err" & ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 600); do
    grep -q "listening on" "$OUT/server.out" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server-$e.err" >&2; die "$e server exited"; }
    sleep 0.1
  done
  die "$e not listening after 60 s"
}
urls_of() { # engine class -> URL file for that engine
  local e="$1" cls="$2"
  if [ "$e" = colophon-hello ]; then
    [ -f "$OUT/urls/hello.txt" ] || echo "/_colophon/hello" >"$OUT/urls/hello.txt"
    echo "$OUT/urls/hello.txt"
  elif [ "$e" = colophon ]; then
    local f="$OUT/urls/colophon-$cls.txt"
    [ -f "$f" ] || sed "s/\$/$( [ "$cls" = get ] && echo '?' || echo '\&')key=$KEY/" "$OUT/urls/$cls.txt" >"$f"
    echo "$f"
  else
    echo "$OUT/urls/$cls.txt"
  fi
}

# --- agreement check (every engine, before anything is measured) ----------------------------
CHECKS=()
for e in "${ENGINES[@]}"; do
  [ "$e" = colophon-hello ] && continue # the colophon server, checked as "colophon"
  serve "$e"
  python3 "$BENCH_DIR/scale.py" fetch --engine "$e" --base "$BASE" --urls-dir "$OUT/urls" \
    --key "$([ "$e" = colophon ] && echo "$KEY")" --out "$OUT/check-$e.json" --sample 200
  CHECKS+=("$OUT/check-$e.json")
  server_stop
done
python3 "$BENCH_DIR/scale.py" compare "${CHECKS[@]}" --out "$OUT/agreement.json" | tee "$OUT/agreement.txt" >&2 \
  || die "engines disagree (see $OUT/agreement.txt)"
if [ "$SMOKE" = 1 ]; then
  say "smoke: every engine built, served and agreed; no load run"
  exit 0
fi

# --- measurement: interleaved rounds, one server alive at a time ----------------------------
CLK_TCK=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
tree_ticks() { # server process plus postgres processes
  local t; t=$(awk '{print $14+$15}' "/proc/$SERVER_PID/stat")
  if [ -n "$PG_PID" ]; then
    for p in $(pgrep -P "$PG_PID") "$PG_PID"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  fi
  echo "$t"
}
child_secs() { awk 'NR==2{ s=0; for(i=1;i<=2;i++){ split($i,a,/[ms]/); s+=a[1]*60+a[2] } printf "%.3f", s }' "$1"; }
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
declare -A RSS
measure_wrk() { # engine class c round
  local e="$1" cls="$2" c="$3" round="$4" attempt=0 raw b0 s0 t0 b1 s1 t1 c0 c1 json foreign load1 accepted
  local urls; urls=$(urls_of "$e" "$cls")
  while :; do
    attempt=$((attempt + 1))
    raw="$OUT/wrk-r$round-$e-$cls-c$c-a$attempt.txt"
    times >"$OUT/.t0"; b0=$(busy_ticks); s0=$(tree_ticks); t0=$(date +%s.%N)
    URLS_FILE="$urls" taskset -c 1 wrk -t1 -c"$c" -d"${SECS}s" --latency --timeout 10s -s "$BENCH_DIR/rotate.lua" "$BASE" >"$raw" 2>&1 \
      || { cat "$raw" >&2; die "wrk failed ($e $cls)"; }
    times >"$OUT/.t1"; t1=$(date +%s.%N); s1=$(tree_ticks); b1=$(busy_ticks)
    c0=$(child_secs "$OUT/.t0"); c1=$(child_secs "$OUT/.t1")
    json="$(sed -n 's/^BENCHJSON //p' "$raw")"
    [ -n "$json" ] || die "no wrk summary in $raw"
    python3 -c 'import json,sys; j=json.loads(sys.argv[1]); e={k:v for k,v in j.items() if k.startswith("err_") and v}; sys.exit(1 if e or not j["requests"] else 0)' "$json" \
      || die "wrk reported errors for $e $cls c=$c (see $raw)"
    foreign=$(awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" \
      'BEGIN{el=(t1-t0)*hz; f=(b-s-(c1-c0)*hz)/el*100; if (f<0) f=0; printf "%.1f", f}')
    load1=$(cut -d' ' -f1 /proc/loadavg)
    accepted=true
    if awk -v f="$foreign" -v m="$FOREIGN_MAX" 'BEGIN{exit !(f>m)}' && [ "$attempt" -le 1 ]; then accepted=false; fi
    printf '{"kind":"wrk","round":%d,"engine":"%s","class":"%s","c":%d,"attempt":%d,"accepted":%s,"foreign_cpu_pct":%s,"load1":%s,"wrk":%s}\n' \
      "$round" "$e" "$cls" "$c" "$attempt" "$accepted" "$foreign" "$load1" "$json" >>"$RESULTS"
    say "  r$round $e $cls c=$c: $(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(format(j["rps"], ",.0f"), "req/s p99 %.2f ms" % (j["p99_us"] / 1000))' "$json") foreign ${foreign}%$([ "$accepted" = false ] && echo ' -> noisy, repeating')"
    [ "$accepted" = true ] && break
  done
}
measure_open() { # engine class rate round
  local e="$1" cls="$2" rate="$3" round="$4" json
  json=$(taskset -c 1 "$PEERS_BIN" loadgen --addr "${BASE#http://}" --urls "$(urls_of "$e" "$cls")" --rate "$rate" \
    --seconds "$SECS" --connections 64) || die "loadgen failed ($e $cls $rate)"
  printf '{"kind":"open","round":%d,"engine":"%s","class":"%s","rate":%s,"load1":%s,"open":%s}\n' \
    "$round" "$e" "$cls" "$rate" "$(cut -d' ' -f1 /proc/loadavg)" "$json" >>"$RESULTS"
  say "  r$round $e $cls @${rate}/s: $(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print("p50 %.2f p99 %.2f p99.9 %.2f ms, %d err" % (j["p50_us"] / 1000, j["p99_us"] / 1000, j["p999_us"] / 1000, j["errors"]))' "$json")"
}
for round in $(seq "$ROUNDS"); do
  read -r -a order < <(python3 -c 'import random,sys; l=sys.argv[2:]; random.Random(int(sys.argv[1])).shuffle(l); print(" ".join(l))' \
    "$((SEED + round))" "${ENGINES[@]}")
  say "round $round/$ROUNDS: ${order[*]}"
  for e in "${order[@]}"; do
    serve "$e"
    classes=("${CLASSES[@]}"); [ "$e" = colophon-hello ] && classes=(hello)
    for cls in "${classes[@]}"; do # warm-up: one pass over the class's URLs at c=16
      URLS_FILE="$(urls_of "$e" "$cls")" taskset -c 1 wrk -t1 -c16 -d"$SECS"s -s "$BENCH_DIR/rotate.lua" "$BASE" >/dev/null 2>&1 || true
    done
    for cls in "${classes[@]}"; do
      for c in "${CONNS[@]}"; do measure_wrk "$e" "$cls" "$c" "$round"; done
      for rate in "${RATES[@]}"; do measure_open "$e" "$cls" "$rate" "$round"; done
    done
    RSS[$e]=$(awk '/^VmHWM/{print $2}' "/proc/$SERVER_PID/status")
    server_stop
  done
done

# --- report --------------------------------------------------------------------------------
RSS_JSON=$(for e in "${!RSS[@]}"; do printf '"%s":%s,' "$e" "${RSS[$e]}"; done)
export COMMAND N SEED ROUNDS SECS PER_CLASS FOREIGN_MAX REPO
python3 - "$OUT/meta.json" "{${RSS_JSON%,}}" "${ENGINES[*]}" "${CONNS[*]}" "${RATES[*]}" <<'PY'
import json, os, subprocess, sys
e = os.environ
sh = lambda *c: subprocess.run(c, capture_output=True, text=True).stdout.strip()
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
engines = [x for x in sys.argv[3].split() if x]
json.dump({
    "command": e["COMMAND"], "date_utc": sh("date", "-u", "+%Y-%m-%dT%H:%M:%SZ"),
    "git": sh("git", "-C", e["REPO"], "rev-parse", "--short", "HEAD"), "nproc": os.cpu_count(),
    "cpu_model": model, "kernel": sh("uname", "-r"), "mem_gb": round(mem), "wrk": sh("sh", "-c", "wrk -v 2>&1 | head -1"),
    "n": int(e["N"]), "seed": int(e["SEED"]), "rounds": int(e["ROUNDS"]), "seconds": int(e["SECS"]),
    "per_class": int(e["PER_CLASS"]), "foreign_max": float(e["FOREIGN_MAX"]),
    "engines": engines, "conns": [int(c) for c in sys.argv[4].split()],
    "rates": [int(r) for r in sys.argv[5].split()], "serve_rss_kb": {k: int(v) for k, v in json.loads(sys.argv[2]).items()},
}, open(sys.argv[1], "w"), indent=1)
PY
python3 "$BENCH_DIR/scale.py" report --out-dir "$OUT"
say "done: $OUT/report.md, $OUT/chart.svg"

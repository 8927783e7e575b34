#!/usr/bin/env bash
# Runs the Colophon conformance suite against a freshly started demo server: once with the
# embedded store (SQLite), and once more with the catalog in PostgreSQL when
# COLOPHON_TEST_DATABASE_URL is set (a throwaway database is created there and dropped after;
# the server and the `colophon` commands the tests run get it as COLOPHON_DATABASE_URL).
#
#   bash conformance/run.sh [extra pytest args...]
#
# Env: COLOPHON_BIN (default <repo>/target/debug/colophon), COLOPHON_STARTUP_TIMEOUT (default
# 60 s), COLOPHON_SHARED_DIR (default
# <repo>/../shared), PYTHON (default python3; used only to create the virtualenv).
# Exports to pytest: COLOPHON_BASE_URL, COLOPHON_API_KEY, COLOPHON_BIN, COLOPHON_DATA_DIR.
# Exit code: pytest's (1 and a message if the server cannot be started).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
REQUIREMENTS="$REPO/conformance/requirements.txt"
BIN="${COLOPHON_BIN:-$REPO/target/debug/colophon}"
STARTUP_TIMEOUT="${COLOPHON_STARTUP_TIMEOUT:-60}"

die() { echo "conformance: $*" >&2; exit 1; }

# --- virtualenv ---------------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    "${PYTHON:-python3}" -m venv "$VENV" || die "cannot create virtualenv at $VENV"
fi
STAMP="$VENV/.conformance-requirements"
if ! cmp -s "$REQUIREMENTS" "$STAMP" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" \
        || die "pip install -r $REQUIREMENTS failed"
    cp "$REQUIREMENTS" "$STAMP"
fi

# --- server and tests, once per backend -----------------------------------------------------
[[ -x "$BIN" ]] || die "colophon binary not found or not executable: $BIN (build it, or set COLOPHON_BIN)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/colophon-conformance.XXXXXX")"
SERVER_PID=""
PG_ADMIN="${COLOPHON_TEST_DATABASE_URL:-}"
PG_DB=""

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

drop_pg_db() {
    if [[ -n "$PG_DB" ]]; then
        psql "$PG_ADMIN" -qAtX -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}

cleanup() {
    local rc=$?
    stop_server
    drop_pg_db
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_suite LABEL [extra pytest args...]: starts a demo server (with COLOPHON_DATABASE_URL
# from the environment, if set) and runs pytest against it; returns pytest's exit code.
run_suite() {
    local label="$1"
    shift
    local dir="$TMP/$label"
    local DATA_DIR="$dir/data" OUT="$dir/server.stdout" ERR="$dir/server.stderr"
    mkdir -p "$DATA_DIR"
    : >"$OUT"
    : >"$ERR"
    show_server_output() {
        echo "---- server stdout ($OUT) ----" >&2
        cat "$OUT" >&2 || true
        echo "---- server stderr (last 100 lines) ----" >&2
        tail -n 100 "$ERR" >&2 || true
        echo "-------------------------------" >&2
    }

    "$BIN" serve --data-dir "$DATA_DIR" --listen 127.0.0.1:0 --demo >"$OUT" 2>"$ERR" &
    SERVER_PID=$!

    local BASE_URL="" API_KEY="" deadline=$((SECONDS + STARTUP_TIMEOUT))
    while :; do
        if [[ -z "$BASE_URL" ]]; then
            BASE_URL="$(sed -n 's/^colophon: listening on \(http[^[:space:]]*\).*$/\1/p' "$OUT" | head -n 1 || true)"
        fi
        if [[ -z "$API_KEY" ]]; then
            API_KEY="$(sed -n 's/^colophon: demo API key: \([^[:space:]]*\).*$/\1/p' "$OUT" | head -n 1 || true)"
        fi
        [[ -n "$BASE_URL" && -n "$API_KEY" ]] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            set +e; wait "$SERVER_PID"; code=$?; set -e
            SERVER_PID=""
            show_server_output
            die "$label: server exited (status $code) before printing its address and demo API key"
        fi
        if (( SECONDS >= deadline )); then
            show_server_output
            die "$label: server did not print 'colophon: listening on ...' and 'colophon: demo API key: ...' within ${STARTUP_TIMEOUT}s"
        fi
        sleep 0.2
    done

    export COLOPHON_BASE_URL="${BASE_URL%/}"
    export COLOPHON_API_KEY="$API_KEY"
    export COLOPHON_BIN="$BIN"
    export COLOPHON_DATA_DIR="$DATA_DIR"
    echo "conformance ($label): server pid $SERVER_PID at $COLOPHON_BASE_URL (data dir $DATA_DIR)"

    cd "$REPO"
    set +e
    "$VENV/bin/python" -m pytest -q conformance "$@"
    local rc=$?
    set -e
    if (( rc != 0 )) && [[ -s "$ERR" ]]; then
        echo "---- server stderr (last 40 lines) ----" >&2
        tail -n 40 "$ERR" >&2 || true
    fi
    stop_server
    return "$rc"
}

set +e
run_suite sqlite "$@"
rc=$?
set -e

if [[ -n "$PG_ADMIN" ]]; then
    command -v psql >/dev/null || die "COLOPHON_TEST_DATABASE_URL is set but psql is not installed"
    PG_DB="colophon_conformance_$$_$RANDOM"
    psql "$PG_ADMIN" -qAtX -c "CREATE DATABASE $PG_DB" >/dev/null \
        || die "cannot create database $PG_DB at COLOPHON_TEST_DATABASE_URL"
    # The same server URL with the throwaway database's name in place of the admin's.
    base="${PG_ADMIN%%\?*}"
    query=""
    [[ "$PG_ADMIN" == *\?* ]] && query="?${PG_ADMIN#*\?}"
    rest="${base#*://}"
    [[ "$rest" == */* ]] && base="${base%/*}"
    export COLOPHON_DATABASE_URL="$base/$PG_DB$query"
    set +e
    run_suite postgres "$@"
    pg_rc=$?
    set -e
    unset COLOPHON_DATABASE_URL
    drop_pg_db
    (( rc == 0 )) && rc=$pg_rc
else
    echo "conformance: PostgreSQL run SKIPPED (COLOPHON_TEST_DATABASE_URL is not set)"
fi
exit "$rc"

#!/usr/bin/env bash
# Every measurement behind docs/performance.md, from one clean export of a commit (default HEAD).
#   bench/all.sh [PG_SERVER_URL]      e.g. bench/all.sh "$(bench/pg_local.sh start)"
# Without a URL only the SQLite parts run. About 25 minutes on 2 cores (BENCH_QUICK=1: a few
# minutes, to check the script). Ends with the kill -9 faults and the 10k-timer lateness. Output goes to stdout; docs/performance.md quotes it.
# BENCH_SKIP_SQLITE=1 (with a URL) runs only the PostgreSQL sections: about half the time.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
pg=${1:-}
py="$repo/.venv/bin/python"
snap=$(mktemp -d /tmp/govit-bench-code.XXXXXX)
trap 'rm -rf "$snap"' EXIT
git -C "$repo" archive HEAD | tar -x -C "$snap"
export GOVIT_COMMIT AUTO_SETUP=0
GOVIT_COMMIT=$(git -C "$repo" rev-parse --short HEAD)
cd "$snap"
quick=(); seconds=60; cases=3; history=(--tasks 500 --samples 20)
timer_cases=(--cases 10000)
# BENCH_SKIP_C=1: no (c) task-list scaling (100k open tasks: the longest part of a run).
[ -n "${BENCH_SKIP_C:-}" ] && quick=(--skip-c)
[ -n "${BENCH_QUICK:-}" ] && { quick=(--quick); seconds=5; cases=1; history=(--tasks 60 --samples 6); timer_cases=(--cases 500 --lead 20); }

section() { printf '\n######## %s   (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
kept_db() { sed -n 's/.*kept .* and database \(.*\)$/\1/p' "$1" | tail -1; }
kept_dir() { sed -n 's/.*kept \(.*\) and database .*$/\1/p' "$1" | tail -1; }

full() {  # full run, then the SQL-level task-list experiments on its 100k database
  local err; err=$(mktemp)
  "$py" bench/run.py --keep "${quick[@]}" "$@" 2>"$err"
  local url dir; url=$(kept_db "$err"); dir=$(kept_dir "$err")
  grep -E "first error" "$err"
  [ -n "$url" ] && [ -z "${BENCH_SKIP_C:-}" ] && "$py" bench/sql_experiments.py "$url"
  [ -n "$dir" ] && rm -rf "$dir"
  if [[ "$url" == postgresql* ]]; then
    "$py" -c "import sys; from bench import server; server.drop_database(server.Database(sys.argv[1], drop=True))" "$url"
  fi
  rm -f "$err"
}

ab() { "$py" bench/run.py "${quick[@]}" --skip-c --seconds "$seconds" "$@" 2>/dev/null | grep -E "^\(a\)|^\(b\)|^code"; }

sqlite=1; [ -n "${BENCH_SKIP_SQLITE:-}" ] && [ -n "$pg" ] && sqlite=
[ -n "$sqlite" ] && { section "full, SQLite"; full; }
[ -n "$pg" ] && { section "full, PostgreSQL"; full --postgres "$pg"; }

[ -n "$sqlite" ] && { section "profile, SQLite"; "$py" bench/profile_complete.py --cases "$cases" 2>/dev/null; }
[ -n "$pg" ] && { section "profile, PostgreSQL"; "$py" bench/profile_complete.py --cases "$cases" --postgres "$pg" 2>/dev/null; }

[ -n "$sqlite" ] && { section "history, SQLite"; "$py" bench/history.py "${history[@]}" 2>/dev/null; }
[ -n "$pg" ] && { section "history, PostgreSQL"; "$py" bench/history.py "${history[@]}" --postgres "$pg" 2>/dev/null; }

if [ -n "$sqlite" ]; then
  # (fair_sqlite_lock, the prototype of engine/db.py's writer lock, is left out: the app has it since.)
  for app in "api:create_app()" "bench.variants:token_cache()"; do
    section "(b) SQLite, 4 workers, $app"; ab --workers 4 --app "$app"
  done
  section "(b) SQLite, 2 workers"; ab --workers 2
  # One client: the latency of a completion on an otherwise idle server (p50/p99 target).
  section "(b) SQLite, 2 workers, 1 client"; ab --workers 2 --clients 1
fi
if [ -n "$pg" ]; then
  for workers in 2 3 4; do section "(b) PostgreSQL, $workers workers"; ab --workers "$workers" --postgres "$pg"; done
  section "(b) PostgreSQL, 4 workers, token cache"; ab --workers 4 --postgres "$pg" --app "bench.variants:token_cache()"
  section "(b) PostgreSQL, 2 workers, 1 client"; ab --workers 2 --clients 1 --postgres "$pg"
fi

# Faults under load: kill -9 of web workers, server and scheduler (and PostgreSQL restarts).
fault_secs=60; [ -n "${BENCH_QUICK:-}" ] && fault_secs=15
[ -n "$sqlite" ] && { section "faults, SQLite"; "$py" -m bench.faults --database sqlite --seconds "$fault_secs" --kills 8 2>/dev/null; }
[ -n "$pg" ] && { section "faults, PostgreSQL"; "$py" -m bench.faults --database postgresql --seconds "$fault_secs" --kills 8 --pg-restarts 2 2>/dev/null; }

# Timer lateness: 10k cases due at one instant, fired by 1 (SQLite) or 2 (PostgreSQL) schedulers.
[ -n "$sqlite" ] && { section "timers, SQLite, 1 scheduler"; "$py" -m bench.timers --schedulers 1 "${timer_cases[@]}" 2>/dev/null; }
[ -n "$pg" ] && { section "timers, PostgreSQL, 2 schedulers"; "$py" -m bench.timers --postgres "$pg" --schedulers 2 "${timer_cases[@]}" 2>/dev/null; }

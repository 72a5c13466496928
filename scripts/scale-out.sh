#!/usr/bin/env bash
# Scale-out without containers: N gunicorn servers (separate processes, as separate machines
# would be) and M timer schedulers on one database, on this host.
#
#   DATABASE_URL=postgresql://user@127.0.0.1:5432/govit scripts/scale-out.sh
#
# Variables: DATABASE_URL (required), WEB_PORTS (default "8001 8002": one server per port, on
# 127.0.0.1 unless WEB_HOST is set), TIMERS (default 2: `flask timers run` processes),
# WEB_CONCURRENCY (gunicorn workers per server, default 2), SETUP=0 to skip the migrate job
# (`flask --app api setup`: schema, bundled regulations, demo users if DEMO_USERS=1), and the
# app's own (BUNDLE_ROOT, SCHEDULER_INTERVAL, TIMER_BATCH, TIMER_LEASE_SECONDS, docs/operations.md).
# Runs in the foreground until SIGINT/SIGTERM, then stops every process it started. The web
# servers run without the in-process scheduler; the timer processes lease the due cases
# between them (engine/cases/timers.py). docker-compose.yml is the same layout in containers.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL; a SQLite file works on one host)}"
cd "$(dirname "$0")/.."
bin=${VENV_BIN:-.venv/bin}
[ -x "$bin/flask" ] || bin=$(dirname "$(command -v flask)")
export FLASK_APP=api AUTO_SETUP=0 SCHEDULER_ENABLED=0

if [ "${SETUP:-1}" = "1" ]; then
    echo "scale-out: migrate job (flask --app api setup)" >&2
    "$bin/flask" --app api setup >&2
fi

children=()
run=$(mktemp -d /tmp/govit-scale-out.XXXXXX)
stop() {
    trap - INT TERM EXIT
    echo "scale-out: stopping ${#children[@]} process(es)" >&2
    [ ${#children[@]} -gt 0 ] && kill -TERM "${children[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$run"
    exit "$1"
}
trap 'stop 0' INT TERM
trap 'stop 1' EXIT

for port in ${WEB_PORTS:-8001 8002}; do
    # HOME of its own: gunicorn >= 25 keeps its control socket there, one per server.
    mkdir -p "$run/web-$port"
    HOME="$run/web-$port" "$bin/gunicorn" --workers "${WEB_CONCURRENCY:-2}" --bind "${WEB_HOST:-127.0.0.1}:$port" \
        --graceful-timeout 10 'api:create_app()' &
    children+=($!)
    echo "scale-out: web on http://${WEB_HOST:-127.0.0.1}:$port (pid $!)" >&2
done
for _ in $(seq 1 "${TIMERS:-2}"); do
    "$bin/flask" --app api timers run &
    children+=($!)
    echo "scale-out: timer scheduler (pid $!)" >&2
done
# Until interrupted, or until any child exits (a server that cannot bind its port, say).
wait -n "${children[@]}" || true
echo "scale-out: a process exited; stopping the rest" >&2
exit 1

#!/bin/sh
# Container entrypoint.
#   serve    (default) migrate, deploy the bundled regulations, then gunicorn on :8000
#   migrate  migrate and deploy, then exit (a one-off job before rolling out web replicas)
#   timers   the timer scheduler as its own process (give the web containers SCHEDULER_ENABLED=0)
#   healthcheck  the image's HEALTHCHECK: GET /healthz when this container serves HTTP
#   anything else is run as given, e.g. `flask --app api audit verify`
# Variables: see docs/operations.md. MIGRATE_ON_START=0 skips migrate+deploy in `serve`.
set -eu

export FLASK_APP="${FLASK_APP:-api}"
export AUTO_SETUP=0                     # never inside the web workers: done once, here
export DEMO_USERS="${DEMO_USERS:-0}"    # demo accounts only when asked for (DEMO_USERS=1)
export SCHEDULER_ENABLED="${SCHEDULER_ENABLED:-1}"

migrate() {
    echo "govit: migrating the database schema" >&2
    flask --app api db upgrade
    echo "govit: deploying bundled regulations (demo users: $DEMO_USERS)" >&2
    flask --app api setup
}

command="${1:-serve}"
case "$command" in
    serve)
        [ "$#" -gt 0 ] && shift
        if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
            migrate
        fi
        echo "govit: gunicorn, ${WEB_CONCURRENCY:-2} workers, scheduler in-process: $SCHEDULER_ENABLED" >&2
        exec gunicorn --workers "${WEB_CONCURRENCY:-2}" --bind "${BIND:-0.0.0.0:8000}" \
            --access-logfile - --timeout "${GUNICORN_TIMEOUT:-60}" --graceful-timeout 30 \
            "$@" 'api:create_app()'
        ;;
    migrate)
        migrate
        ;;
    timers)
        shift
        export SCHEDULER_ENABLED=0      # this process is the scheduler; no second loop inside it
        exec flask --app api timers run "$@"
        ;;
    healthcheck)
        # Only a serving container has an HTTP port; the `timers` one is healthy while it runs.
        if tr '\0' ' ' </proc/1/cmdline 2>/dev/null | grep -q gunicorn; then
            port="${BIND:-0.0.0.0:8000}"
            port="${port##*:}"
            exec python -c "import sys, urllib.request
sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=4).status != 200)"
        fi
        ;;
    *)
        exec "$@"
        ;;
esac

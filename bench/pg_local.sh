#!/usr/bin/env bash
# A private, throw-away PostgreSQL 15 cluster on 127.0.0.1 for the benchmark.
#   bench/pg_local.sh start [DIR] [PORT]   -> prints the URL to pass to bench/run.py --postgres
#   bench/pg_local.sh stop DIR
# Default server settings (fsync and synchronous_commit on), as in production. initdb refuses
# to run as root, so as root the cluster belongs to the `postgres` system user.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?start|stop}
dir=${2:-$(mktemp -d /tmp/govit-bench-pg.XXXXXX)}
mkdir -p "$dir"
port=${3:-55432}

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi
}

case "$cmd" in
  start)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$PGBIN/initdb -D '$dir/data' -U postgres -A trust --no-sync >'$dir/initdb.log' 2>&1"
    as_owner "$PGBIN/pg_ctl -D '$dir/data' -l '$dir/server.log' -w start \
      -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c max_connections=200 -c shared_buffers=256MB\"" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    echo "stop with: $0 stop $dir" >&2
    ;;
  stop)
    as_owner "$PGBIN/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start [DIR] [PORT] | stop DIR" >&2; exit 2 ;;
esac

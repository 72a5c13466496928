#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on 127.0.0.1.
#
#   scripts/pg-test-server.sh COMMAND [ARGS...]
#   scripts/pg-test-server.sh --install      only make sure the server binaries are there
#
# Starts a fresh cluster in a temporary directory (trust auth, a free port, fsync off),
# exports TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/postgres, runs COMMAND,
# then stops the cluster and deletes it whatever happened. Exits with COMMAND's status.
#
# PostgreSQL's server binaries are taken from /usr/lib/postgresql/*/bin (Debian's layout,
# the newest version if several) or from PG_BIN; when none is found and we are root, the
# Debian package `postgresql` is installed with apt-get. initdb refuses to run as root, so
# as root the cluster runs as the `postgres` user (created by that package) or `nobody`.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

log() { echo "[pg-test-server] $*" >&2; }

find_bin() {
    if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then
        echo "$PG_BIN"
        return
    fi
    local initdb
    initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n "$initdb" ]] && dirname "$initdb"
}

PG_BIN=$(find_bin || true)
if [[ -z "$PG_BIN" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        log "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb); install the 'postgresql' package"
        exit 1
    fi
    log "installing PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PG_BIN=$(find_bin || true)
    [[ -n "$PG_BIN" ]] || { log "apt-get installed no initdb"; exit 1; }
fi

if [[ "$1" == "--install" ]]; then
    echo "[pg-test-server] PostgreSQL server binaries: $PG_BIN" >&2
    exit 0
fi

# Who runs the server: ourselves, or an unprivileged user when we are root.
RUN_AS=()
OWNER=""
if [[ $(id -u) -eq 0 ]]; then
    if id -u postgres >/dev/null 2>&1; then OWNER=postgres; else OWNER=nobody; fi
    if command -v runuser >/dev/null 2>&1; then
        RUN_AS=(runuser -u "$OWNER" --)
    else
        RUN_AS=(setpriv --reuid="$OWNER" --regid="$(id -g "$OWNER")" --init-groups --)
    fi
fi

PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/govit-pg.XXXXXX")
cleanup() {
    local status=$?
    if [[ -f "$PGDIR/data/postmaster.pid" ]]; then
        "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGDIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ -n "$OWNER" ]] && chown "$OWNER" "$PGDIR"
chmod 700 "$PGDIR"

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C \
    --no-sync >"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; exit 1; }

free_port() {
    python3 - <<'EOF'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

started=""
for _ in 1 2 3 4 5; do
    PORT=$(free_port)
    if "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 start -o \
        "-p $PORT -c listen_addresses=127.0.0.1 -k $PGDIR -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" >/dev/null; then
        started=yes
        break
    fi
    log "start on port $PORT failed, retrying"
    tail -n 5 "$PGDIR/server.log" >&2 || true
done
[[ -n "$started" ]] || { log "could not start PostgreSQL"; cat "$PGDIR/server.log" >&2; exit 1; }

export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($PGDIR)"
log "TEST_DATABASE_URL=$TEST_DATABASE_URL"

set +e
"$@"
status=$?
set -e
exit "$status"

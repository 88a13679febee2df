#!/usr/bin/env bash
# Runs the integration tests (IntegrationTests/, a package of its own) against real servers, as a
# user would set them up: installs PostgreSQL from Debian's packages when it is missing, starts a
# server in a temporary directory on a free port of 127.0.0.1, exports TRIO_IT_PG_* for the tests,
# runs `swift test` in IntegrationTests/, and stops the server on exit, whatever happened.
#
# Usage: bash IntegrationTests/ci.sh   (from anywhere; extra arguments go to `swift test`)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script_start=$(date +%s)

step_start=0
step() {
    step_start=$(date +%s)
    echo "== ci.sh: $* ($(date +%T))"
}
step_done() {
    echo "== ci.sh: done in $(($(date +%s) - step_start)) s: $*"
}

# --- PostgreSQL ---------------------------------------------------------------------------------
step "PostgreSQL server binaries"
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bindir)" ] || [ ! -x "$(pg_bindir)/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "ci.sh: PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q postgresql
fi
bindir="$(pg_bindir)"
echo "using $bindir"
step_done "PostgreSQL binaries"

step "start PostgreSQL"
pg_dir="$(mktemp -d /tmp/trio-it-pg.XXXXXX)"
# initdb and the server refuse to run as root: as root they run as the postgres user.
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi
stop_postgres() {
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT

pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_pg[@]}" "$bindir/initdb" -D "$pg_dir/data" -U trio --auth=trust --no-sync -E UTF8 >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off" start ||
    { cat "$pg_dir/server.log" >&2; exit 1; }
export TRIO_IT_PG_HOST=127.0.0.1 TRIO_IT_PG_PORT="$pg_port" TRIO_IT_PG_USER=trio TRIO_IT_PG_DATABASE=postgres
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_dir)"
step_done "start PostgreSQL"

# --- Build and test -----------------------------------------------------------------------------
cd "$here"
step "swift build --build-tests (IntegrationTests)"
swift build --build-tests
step_done "build"

step "swift test (IntegrationTests)"
swift test --skip-build "$@"
step_done "tests"

echo "== ci.sh: all steps passed in $(($(date +%s) - script_start)) s"

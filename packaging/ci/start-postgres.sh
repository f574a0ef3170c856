#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the team-journal tests and prints the lines to
# `eval`: PROPDESK_TEST_POSTGRES_URL and PROPDESK_REQUIRE_POSTGRES=1.
#
#   eval "$(packaging/ci/start-postgres.sh [DATA_DIR] [PORT])"
#
# Runs as root (CI) or as any user (a developer). No systemd: the server is started
# with pg_ctl on its own data directory and port, so it never touches a cluster the
# machine already runs. Installs Debian's postgresql when the binaries are missing.
set -euo pipefail

data_dir="${1:-/tmp/propdesk-postgres}"
port="${2:-55432}"
password="propdesk-ci" # a throw-away server on loopback; never a real secret

bin_dir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/pg_ctl" ]] && bin_dir="$candidate"
done
if [[ -z "$bin_dir" ]]; then
    echo "installing postgresql" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/pg_ctl" ]] && bin_dir="$candidate"
    done
fi

# PostgreSQL refuses to run as root: root runs it as the `postgres` user.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ ! -f "$data_dir/PG_VERSION" ]]; then
    mkdir -p "$data_dir"
    [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$data_dir"
    pwfile="$(mktemp)"
    echo "$password" >"$pwfile"
    chmod 644 "$pwfile"
    as_owner "$bin_dir/initdb" -D "$data_dir" -U propdesk --pwfile="$pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
fi

if ! as_owner "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    # Loopback TCP only (the socket goes to the data directory, not /run/postgresql).
    as_owner "$bin_dir/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
        -o "-p $port -k $data_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
fi

url="postgres://propdesk:$password@127.0.0.1:$port/postgres"
PGPASSWORD="$password" psql -h 127.0.0.1 -p "$port" -U propdesk -d postgres -Atqc "SELECT 1" >/dev/null

echo "export PROPDESK_TEST_POSTGRES_URL='$url'"
echo "export PROPDESK_REQUIRE_POSTGRES=1"

#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests of the shared tracking server (tests/test_server.py).
#   eval "$(scripts/postgres.sh start DIR)"   # prints: export HALTUNG_TEST_POSTGRES=postgresql://…
#   scripts/postgres.sh stop DIR
# Runs as the invoking user, or as `postgres` when invoked by root (PostgreSQL refuses root).
set -euo pipefail
action=${1:?start|stop}
dir=$(realpath -m "${2:?folder for the cluster}")
port=${HALTUNG_PG_PORT:-}
if [ -z "$port" ]; then  # the first free port from 55432
  for candidate in $(seq 55432 55472); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner initdb -D "$dir" -U haltung --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner pg_ctl -D "$dir" status >/dev/null 2>&1; then
      as_owner pg_ctl -D "$dir" -l "$dir/server.log" -w -o "-p $port -k $dir -h 127.0.0.1" \
        start >/dev/null
    fi
    port=$(sed -n 4p "$dir/postmaster.pid")  # the port it listens on (it may have run already)
    echo "export HALTUNG_TEST_POSTGRES=postgresql://haltung@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_owner pg_ctl -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

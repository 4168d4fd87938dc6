#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests: a new cluster in FOLDER, serving a unix socket in FOLDER only (nothing on the
# network), fsync off. As root it runs as the postgres user (PostgreSQL refuses root).
#   scripts/pg-throwaway.sh start FOLDER [PORT]   make the cluster and start it (superuser: postgres, trust on the
#                                                 socket); with PORT, also on 127.0.0.1:PORT, by password (scram-sha-256)
#   scripts/pg-throwaway.sh stop FOLDER    stop it at once and delete FOLDER
#   scripts/pg-throwaway.sh restart FOLDER  restart it as an administrator does (pg_ctl restart -m fast)
#   scripts/pg-throwaway.sh halt FOLDER     stop it (-m fast) and keep FOLDER; `resume` starts it again
# With PG_THROWAWAY_DURABLE=1 it keeps PostgreSQL's durable defaults (fsync, synchronous commit, full pages): the
# benchmark measures what a real chain's server does.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
action=${1:?usage: pg-throwaway.sh start|stop FOLDER}
folder=${2:?usage: pg-throwaway.sh start|stop FOLDER [PORT]}
port=${3:-}
# The postgres user may not be able to enter the folder this script was started in.
cd /
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(/usr/sbin/runuser -u postgres --); fi
# A server started here outlives this script: it must not inherit a descriptor of whoever started it (Foundation's
# Process learns of this script's end through one, and a pipe would never reach its end).
case "$action" in start|restart|resume)
  for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi; done
esac
case "$action" in
  start)
    mkdir -p "$folder"
    # The test suites share one server: each test's chain database, every `serve` under test (8 connections and its
    # LISTEN) and the sessions the race tests hold at their gates, at once (100, the default, ran out under make test).
    speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    if [ "${PG_THROWAWAY_DURABLE:-}" = 1 ]; then speed=""; fi
    [ "$(id -u)" -eq 0 ] && chown postgres "$folder"
    "${as_owner[@]}" "$bin/initdb" -D "$folder/data" --auth-local=trust --auth-host=scram-sha-256 -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$folder/initdb.log" 2>&1 \
      || { cat "$folder/initdb.log" >&2; exit 1; }
    options="-k $folder ${port:+-p $port} -c listen_addresses='${port:+127.0.0.1}' $speed"
    printf '%s' "$options" >"$folder/options"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 30 -o "$options" start >/dev/null \
      || { cat "$folder/server.log" >&2; exit 1; }
    ;;
  restart)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 30 -m fast -o "$(cat "$folder/options")" restart >/dev/null \
      || { tail -20 "$folder/server.log" >&2; exit 1; }
    ;;
  halt)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -w -t 30 -m fast stop >/dev/null || { tail -20 "$folder/server.log" >&2; exit 1; }
    ;;
  resume)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 30 -o "$(cat "$folder/options")" start >/dev/null \
      || { tail -20 "$folder/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -d "$folder/data" ]; then "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$folder"
    ;;
  *) echo "usage: pg-throwaway.sh start|stop|restart|halt|resume FOLDER" >&2; exit 2 ;;
esac

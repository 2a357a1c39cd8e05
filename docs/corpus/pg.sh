#!/usr/bin/env bash
# pg.sh start DIR PORT | stop DIR: a throw-away PostgreSQL 15 cluster on 127.0.0.1 (as the postgres user when root)
set -eu
BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -r | head -1)")
AS=(); [ "$(id -u)" -eq 0 ] && AS=(runuser -u postgres --)
case $1 in
  start)
    mkdir -p "$2"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$2"
    "${AS[@]}" "$BIN/initdb" -D "$2/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    "${AS[@]}" "$BIN/pg_ctl" -D "$2/data" -o "-p $3 -k $2 -h 127.0.0.1 -c fsync=off" -l "$2/log" -w start >/dev/null
    "${AS[@]}" psql -h 127.0.0.1 -p "$3" -U postgres -q -c "CREATE TABLE t (id serial PRIMARY KEY, name text); INSERT INTO t (name) VALUES ('a'),('b');" ;;
  stop)
    "${AS[@]}" "$BIN/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1 || true ;;
esac

#!/usr/bin/env bash
# The servers the store tests talk to: PostgreSQL (127.0.0.1:5432, trust auth, database
# `test`) and Redis (127.0.0.1:6379). `npm test` runs this first, so the README's test
# command passes on a fresh machine by itself: a server that is installed but not
# running is started (the commands this project's machines use); one that is not
# installed is installed from Debian's packages when that is possible (root or
# password-less sudo). Otherwise it fails naming what is missing: no test is skipped.
set -euo pipefail

PGHOST_=127.0.0.1
PGPORT_=5432
REDIS_PORT=6379

pg_up() { pg_isready -q -h "$PGHOST_" -p "$PGPORT_" 2>/dev/null; }
redis_up() { (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

. "$(dirname "$0")/apt-install.sh"

wait_for() { # wait_for <name> <check function>: up to 30 s
  for _ in $(seq 1 60); do "$2" && return 0; sleep 0.5; done
  echo "services: $1 did not come up on 127.0.0.1" >&2
  exit 1
}

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install services postgresql
  echo "services: starting PostgreSQL" >&2
  for version in $(ls /etc/postgresql 2>/dev/null); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  done
  wait_for PostgreSQL pg_up
fi
# The tests connect as the database user `postgres` to the database `test` (trust auth on 127.0.0.1).
if ! psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; then
  psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -Atqc 'create database test' >&2 || {
    echo "services: cannot reach database test as user postgres on $PGHOST_:$PGPORT_ (trust auth expected)" >&2
    exit 1
  }
fi

if ! redis_up; then
  command -v redis-server >/dev/null 2>&1 || apt_install services redis-server
  echo "services: starting Redis" >&2
  mkdir -p /tmp/redis-test
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir /tmp/redis-test --logfile /tmp/redis-test/redis.log >&2
  wait_for Redis redis_up
fi

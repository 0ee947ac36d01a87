# Sourced by scripts/test: start a throwaway PostgreSQL on 127.0.0.1:55432 for the store tests
# (stopped on exit) and export CXO_TEST_POSTGRES_URL. Silently skipped where PostgreSQL is absent;
# under CI the tests then fail loudly instead of skipping.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && id postgres >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  PGDIR=$(mktemp -d /tmp/cxo-pg.XXXXXX)
  chown postgres:postgres "$PGDIR"
  PGPORT=${CXO_TEST_PG_PORT:-55432}
  if runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDIR/data" -U cx --auth=trust -E UTF8 \
       --locale=C.UTF-8 >/dev/null \
     && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" \
       -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR" -w start >/dev/null; then
    export CXO_TEST_POSTGRES_URL="postgresql+psycopg://cx@127.0.0.1:$PGPORT/postgres"
    trap 'runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1; rm -rf "$PGDIR"' EXIT
  else
    echo "cxo: could not start a throwaway PostgreSQL (see $PGDIR/log)" >&2
  fi
fi

#!/usr/bin/env bash
# verify on N migrations per database, against the floor it cannot beat:
# three plain applies (migrate, down --all, migrate) of the same migrations.
# Usage: bench/verify_bench.sh [path/to/dbroll] [N]
# Servers: eval "$(scripts/start-servers)" first; a database is skipped when
# its URL variable (DBROLL_TEST_PG_URL / DBROLL_TEST_MYSQL_URL) is unset.
set -euo pipefail
BIN=${1:-build/bin/dbroll}
N=${2:-200}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# Each migration: a table with a default, an index and a view: what verify
# snapshots grows the way a real schema does.
mkdir -p "$W/p/migrations"
printf '[migrations]\ndir = "migrations"\n' >"$W/p/dbroll.toml"
for i in $(seq 1 "$N"); do
  d=$(printf '%s/p/migrations/%05d_t%d' "$W" "$i" "$i")
  mkdir -p "$d"
  printf 'CREATE TABLE t%d (id integer primary key, v varchar(40) DEFAULT %s, n integer);\nCREATE INDEX t%d_v ON t%d (v);\nCREATE VIEW t%d_view AS SELECT id, v FROM t%d;\n' \
    "$i" "'x'" "$i" "$i" "$i" "$i" >"$d/up.sql"
  printf 'DROP VIEW t%d_view;\nDROP INDEX t%d_v%s;\nDROP TABLE t%d;\n' "$i" "$i" "__ON__" "$i" >"$d/down.sql"
done

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

run() { # run LABEL URL-OF-EMPTY-DB RESET-CMD
  local label=$1 url=$2 reset=$3 t0 t1 floor ver
  eval "$reset"
  t0=$(now)
  "$BIN" -C "$W/p" --url "$url" migrate >/dev/null
  "$BIN" -C "$W/p" --url "$url" down --all >/dev/null
  "$BIN" -C "$W/p" --url "$url" migrate >/dev/null
  t1=$(now); floor=$(secs "$t0" "$t1")
  eval "$reset"
  t0=$(now)
  "$BIN" -C "$W/p" --url "$url" verify >"$W/verify.out" || { tail -5 "$W/verify.out"; echo "$label: verify failed"; return 1; }
  t1=$(now); ver=$(secs "$t0" "$t1")
  printf '%-10s %4d migrations  verify %7.2f s (%.4f s/migration)  3 applies %7.2f s (%.4f s/migration)  ratio %.2f\n' \
    "$label" "$N" "$ver" "$(echo "$ver / $N" | bc -l)" "$floor" "$(echo "$floor / $N" | bc -l)" \
    "$(echo "$ver / $floor" | bc -l)"
}

# DROP INDEX syntax differs: MySQL needs ON <table>.
sed_down() { for f in "$W"/p/migrations/*/down.sql; do sed -i "$1" "$f"; done; }

sed_down 's/__ON__//'
run sqlite "sqlite:$W/bench.db" "rm -f '$W/bench.db'"

if [ -n "${DBROLL_TEST_PG_URL:-}" ]; then
  PG_DB="vfy_bench_$$"
  PG_URL="${DBROLL_TEST_PG_URL%/*}/$PG_DB"
  PSQL="psql -qX -d ${DBROLL_TEST_PG_URL}"
  run postgres "$PG_URL" "$PSQL -c 'DROP DATABASE IF EXISTS $PG_DB' -c 'CREATE DATABASE $PG_DB' >/dev/null 2>&1"
  $PSQL -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
fi

if [ -n "${DBROLL_TEST_MYSQL_URL:-}" ]; then
  for f in "$W"/p/migrations/*/down.sql; do
    t=$(sed -n 's/^DROP TABLE \(t[0-9]*\);$/\1/p' "$f")
    sed -i "s/^DROP INDEX \(t[0-9]*_v\);$/DROP INDEX \1 ON $t;/" "$f"
  done
  MY_DB="vfy_bench_$$"
  MY_URL="${DBROLL_TEST_MYSQL_URL%/*}/$MY_DB"
  hostport=${DBROLL_TEST_MYSQL_URL#*@}; hostport=${hostport%%/*}
  MY="mariadb -h${hostport%:*} -P${hostport#*:} -uroot"
  run mysql "$MY_URL" "$MY -e 'DROP DATABASE IF EXISTS $MY_DB; CREATE DATABASE $MY_DB'"
  $MY -e "DROP DATABASE IF EXISTS $MY_DB"
fi

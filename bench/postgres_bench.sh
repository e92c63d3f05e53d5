#!/usr/bin/env bash
# N trivial migrations on PostgreSQL: `dbroll migrate` and `dbroll down --all`
# against the floor (psql applying the same SQL, one transaction per migration,
# one session) and against dbmate (npm package, installed into a temp folder).
# Prints the ratios (median of 3 runs); below 1.0 means dbroll is faster.
#   bench/postgres_bench.sh [path/to/dbroll] [N]
set -euo pipefail
BIN=${1:-build-pg/bin/dbroll}; N=${2:-1000}
PG_PORT=${DBROLL_TEST_PG_PORT:-55432}
DB=pgt_bench_$$
BASE="postgres://postgres@127.0.0.1:$PG_PORT"
T=$(mktemp -d); trap 'rm -rf "$T"; psql -h 127.0.0.1 -p $PG_PORT -U postgres -qc "drop database if exists $DB" >/dev/null 2>&1' EXIT
PSQL="psql -h 127.0.0.1 -p $PG_PORT -U postgres"

. "$(dirname "$0")/lib.sh"
bench_corpus "$T" "$N"
DM=$(bench_dbmate "$T")

reset() { $PSQL -qc "drop database if exists $DB" -c "create database $DB" >/dev/null 2>&1; }
secs() { local s e; s=$(date +%s.%N); eval "$1" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
# time_up CMD / time_down UPCMD CMD: seconds for one run on a fresh database
time_up() { reset; secs "$1"; }
time_down() { reset; eval "$1" >/dev/null 2>&1; secs "$2"; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

dbroll_up="'$BIN' -C '$T/p' --url '$BASE/$DB' migrate"
dbroll_down="'$BIN' -C '$T/p' --url '$BASE/$DB' down --all"
floor_up="$PSQL -d $DB -q -f '$T/floor_up.sql'"
floor_down="$PSQL -d $DB -q -f '$T/floor_down.sql'"
dm_url="$BASE/$DB?sslmode=disable"
dm_up="cd '$T/dm' && '$DM' --no-dump-schema --url '$dm_url' up"
dm_down="cd '$T/dm' && '$DM' --no-dump-schema --url '$dm_url' rollback"

ru=() rd=() du=() dd=()
for _ in 1 2 3; do
  a=$(time_up "$dbroll_up"); b=$(time_up "$floor_up"); ru+=("$(echo "scale=3; $a / $b" | bc)")
  a=$(time_down "$dbroll_up" "$dbroll_down"); b=$(time_down "$floor_up" "$floor_down"); rd+=("$(echo "scale=3; $a / $b" | bc)")
  if [ -n "$DM" ]; then
    a=$(time_up "$dbroll_up"); b=$(time_up "$dm_up"); du+=("$(echo "scale=3; $a / $b" | bc)")
    # dbmate rolls back one migration per call: N calls is how it does "all".
    a=$(time_down "$dbroll_up" "$dbroll_down")
    b=$(time_down "$dm_up" "for _ in \$(seq 1 $N); do $dm_down || break; done")
    dd+=("$(echo "scale=3; $a / $b" | bc)")
  fi
done
echo "postgres, N=$N: dbroll/psql-floor up $(median "${ru[@]}") (target <= 1.25), down --all $(median "${rd[@]}")"
if [ -n "$DM" ]; then
  echo "postgres, N=$N: dbroll/dbmate up $(median "${du[@]}") (target < 1.0), down --all $(median "${dd[@]}")"
else
  echo "postgres: dbmate not measured (npm install dbmate failed)"
fi

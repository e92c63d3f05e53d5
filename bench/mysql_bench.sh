#!/usr/bin/env bash
# N trivial migrations on MariaDB/MySQL: `dbroll migrate` and `dbroll down --all`
# against the floor (the `mariadb` client applying the same SQL in one session,
# one transaction per migration) and against dbmate (npm package, installed
# into a temp folder). dbroll runs with statement-level progress on, as always
# on MySQL. Prints seconds and ratios (median of RUNS); below 1.0 means dbroll
# is faster.
#   bench/mysql_bench.sh [path/to/dbroll] [N]      RUNS=3 by default
set -euo pipefail
BIN=$(readlink -f "${1:-build-my/bin/dbroll}"); N=${2:-1000}; RUNS=${RUNS:-3}
MY_PORT=${DBROLL_TEST_MY_PORT:-33306}
DB=myt_bench_$$
BASE="mysql://root@127.0.0.1:$MY_PORT"
MY="mariadb -h127.0.0.1 -P$MY_PORT -uroot"
T=$(mktemp -d); trap 'rm -rf "$T"; $MY -e "drop database if exists $DB" >/dev/null 2>&1' EXIT

. "$(dirname "$0")/lib.sh"
bench_corpus "$T" "$N"
DM=$(bench_dbmate "$T")

reset() { $MY -e "drop database if exists $DB; create database $DB" >/dev/null 2>&1; }
secs() { local s e; s=$(date +%s.%N); eval "$1" >/dev/null 2>&1 || { echo "failed: $1" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
time_up() { reset; secs "$1"; }
time_down() { reset; eval "$1" >/dev/null 2>&1; secs "$2"; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( (${#@} + 1) / 2 ))p"; }
ratio() { echo "scale=3; $1 / $2" | bc; }

dbroll_up="'$BIN' -C '$T/p' --url '$BASE/$DB' migrate"
dbroll_down="'$BIN' -C '$T/p' --url '$BASE/$DB' down --all"
floor_up="$MY $DB < '$T/floor_up.sql'"
floor_down="$MY $DB < '$T/floor_down.sql'"
dm_up="cd '$T/dm' && '$DM' --no-dump-schema --url '$BASE/$DB' up"
dm_down="cd '$T/dm' && '$DM' --no-dump-schema --url '$BASE/$DB' rollback"

ru=() rd=() du=() dd=() su=() sf=()
for _ in $(seq 1 "$RUNS"); do
  a=$(time_up "$dbroll_up"); b=$(time_up "$floor_up"); ru+=("$(ratio "$a" "$b")"); su+=("$a"); sf+=("$b")
  a=$(time_down "$dbroll_up" "$dbroll_down"); b=$(time_down "$floor_up" "$floor_down"); rd+=("$(ratio "$a" "$b")")
  if [ -n "$DM" ]; then
    a=$(time_up "$dbroll_up"); b=$(time_up "$dm_up"); du+=("$(ratio "$a" "$b")")
    # dbmate rolls back one migration per call: N calls is how it does "all".
    a=$(time_down "$dbroll_up" "$dbroll_down")
    b=$(time_down "$dm_up" "for _ in \$(seq 1 $N); do $dm_down || break; done")
    dd+=("$(ratio "$a" "$b")")
  fi
done
echo "mysql ($($MY -N -e 'select version()')), N=$N: dbroll up $(median "${su[@]}") s, floor up $(median "${sf[@]}") s"
echo "mysql, N=$N: dbroll/mariadb-floor up $(median "${ru[@]}") (target <= 1.3), down --all $(median "${rd[@]}")"
if [ -n "$DM" ]; then
  echo "mysql, N=$N: dbroll/dbmate up $(median "${du[@]}") (target < 1.0), down --all $(median "${dd[@]}")"
else
  echo "mysql: dbmate not measured (npm install dbmate failed)"
fi

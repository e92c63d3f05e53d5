#!/usr/bin/env bash
# Fleet figures for docs/benchmarks.md: TENANTS SQLite tenant files x 20 migrations and
# SCHEMAS PostgreSQL schemas (one database) x 20 migrations, with `dbroll fleet migrate
# --parallel 1` and `--parallel 2`, against a shell loop running `dbroll migrate` once per target
# (the floor a user would write) and the same loop with dbmate (npm package, when installable).
# Peak memory (max RSS of the fleet process) at two fleet sizes. Prints medians of RUNS runs.
#   bench/fleet_bench.sh [path/to/dbroll]
# Environment: TENANTS (1000), SCHEMAS (200), RUNS (3), DBROLL_TEST_PG_URL (PostgreSQL admin URL;
# the PostgreSQL part is skipped without it).
set -euo pipefail
BIN=${1:-$(dirname "$0")/../build/bin/dbroll}
BIN=$(readlink -f "$BIN")
TENANTS=${TENANTS:-1000}
SCHEMAS=${SCHEMAS:-200}
RUNS=${RUNS:-3}
M=20
T=$(mktemp -d)
PGDB=dbroll_fleet_bench_$$
PG=${DBROLL_TEST_PG_URL:-}
OLD_PGDBS=()  # databases of earlier runs, dropped only at the end (see reset_pg)
cleanup() {
  if [ -n "$PG" ]; then
    for db in "$PGDB" "${OLD_PGDBS[@]}"; do
      psql -X -q "$PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ratio() { echo "scale=2; $1 / $2" | bc; }
elapsed() { local s e; s=$(now); "$@" >/dev/null 2>&1 || echo "bench: '$*' failed" >&2; e=$(now); echo "$e - $s" | bc; }
# Max RSS in KiB of a command and its children.
peak_kib() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

. "$(dirname "$0")/lib.sh"
bench_corpus "$T" "$M"  # $T/p/migrations and $T/dm/db/migrations: 20 trivial versions
DM=$(bench_dbmate "$T")

# --- The machine's own ceiling for a 1 -> 2 worker speed-up ---
# Two copies of a CPU-bound loop against one (perfectly parallel work, nothing shared), and two
# writers that each fsync their own file against one (the disk flushes). A fleet's speed-up
# cannot beat the first; where the second is near 1.0, fsyncs do not overlap on this disk.
spin() { local i=0; while ((i < 400000)); do ((i++)); done; }
fsyncs() {
  python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o644)
for i in range(300):
    os.pwrite(fd, b"x" * 4096, 0); os.fdatasync(fd)
os.close(fd); os.unlink(sys.argv[1])' "$1"
}
c1=(); c2=(); f1=(); f2=()
for _ in $(seq 1 $(( RUNS < 3 ? 3 : RUNS ))); do
  c1+=("$(elapsed spin)"); c2+=("$(elapsed eval 'spin & spin & wait')")
  f1+=("$(elapsed fsyncs "$T/f1")"); f2+=("$(elapsed eval "fsyncs $T/f1 & fsyncs $T/f2 & wait")")
done
C1=$(median "${c1[@]}"); C2=$(median "${c2[@]}"); F1=$(median "${f1[@]}"); F2=$(median "${f2[@]}")
echo "machine: 1 -> 2 speed-up of two CPU-bound loops $(ratio "$(echo "2 * $C1" | bc)" "$C2"), of two fsync writers $(ratio "$(echo "2 * $F1" | bc)" "$F2") (the ceiling for the fleet's 1 -> 2 figures below; $(nproc) cores)"

# --- SQLite: a file per tenant ---
sqlite_project() { # sqlite_project DIR N
  mkdir -p "$1/tenants"
  cp -r "$T/p/migrations" "$1/"
  for i in $(seq 1 "$2"); do echo "sqlite:tenants/t$i.db"; done >"$1/targets.txt"
  printf '[migrations]\ndir = "migrations"\n[fleet]\ntargets_command = "cat targets.txt"\n' >"$1/dbroll.toml"
}
S=$T/s
sqlite_project "$S" "$TENANTS"
# The previous run's tenant files are moved aside, not deleted, for the reason reset_pg gives: on
# ext4 without a journal each file created within 30 s of a deletion scans past the deleted inodes
# while it holds the directory's lock. They go with $T at the end.
OLD_TENANTS=0
reset_sqlite() {
  OLD_TENANTS=$((OLD_TENANTS + 1))
  mv "$S/tenants" "$T/tenants_old$OLD_TENANTS" && mkdir "$S/tenants"
  rm -f "$S/.dbroll-fleet.db"
}
loop_dbroll() { while read -r u; do "$BIN" -C "$S" --url "$u" migrate || return 1; done <"$S/targets.txt"; }
loop_dbmate() {
  (cd "$T/dm" && for i in $(seq 1 "$TENANTS"); do "$DM" --no-dump-schema --url "sqlite:$S/tenants/t$i.db" up || exit 1; done)
}
p1=(); p2=(); lo=(); dm=()
for _ in $(seq 1 "$RUNS"); do
  reset_sqlite; p1+=("$(elapsed "$BIN" -C "$S" fleet migrate --parallel 1)")
  reset_sqlite; p2+=("$(elapsed "$BIN" -C "$S" fleet migrate --parallel 2)")
  reset_sqlite; lo+=("$(elapsed loop_dbroll)")
  if [ -n "$DM" ]; then reset_sqlite; dm+=("$(elapsed loop_dbmate)"); fi
done
P1=$(median "${p1[@]}"); P2=$(median "${p2[@]}"); LO=$(median "${lo[@]}")
echo "sqlite: $TENANTS tenants x $M migrations: fleet --parallel 1 ${P1}s, --parallel 2 ${P2}s (speed-up $(ratio "$P1" "$P2"), target >= 1.6)"
echo "sqlite: dbroll migrate loop ${LO}s: fleet/loop --parallel 1 $(ratio "$P1" "$LO"), --parallel 2 $(ratio "$P2" "$LO") (target < 1.0)"
if [ -n "$DM" ]; then
  DMT=$(median "${dm[@]}")
  echo "sqlite: dbmate up loop ${DMT}s: fleet --parallel 2 / dbmate loop $(ratio "$P2" "$DMT")"
else
  echo "sqlite: dbmate not installable (npm missing): no peer figure"
fi
# Peak memory at two fleet sizes: flat means the fleet holds no per-target state beyond a worker's.
SMALL=$(( TENANTS / 4 > 0 ? TENANTS / 4 : 1 ))
S2=$T/s2
sqlite_project "$S2" "$SMALL"
k1=$(peak_kib "$BIN" -C "$S2" fleet migrate --parallel 2)
reset_sqlite
k2=$(peak_kib "$BIN" -C "$S" fleet migrate --parallel 2)
echo "sqlite: peak memory (max RSS) fleet --parallel 2: ${k1} KiB at $SMALL tenants, ${k2} KiB at $TENANTS tenants"

# --- PostgreSQL: a schema per tenant in one database ---
if [ -z "$PG" ]; then
  echo "postgres: DBROLL_TEST_PG_URL is not set: skipped"
  exit 0
fi
base=${PG%/*}
URL=$base/$PGDB
P=$T/pg
mkdir -p "$P"
cp -r "$T/p/migrations" "$P/"
{
  printf '[migrations]\ndir = "migrations"\n[fleet]\nschemas_url = "%s"\nschemas = [' "$URL"
  for i in $(seq 1 "$SCHEMAS"); do printf '"tenant_%d"%s' "$i" "$([ "$i" -lt "$SCHEMAS" ] && echo ,)"; done
  printf ']\nstate_url = "sqlite:.dbroll-fleet.db"\n'
} >"$P/dbroll.toml"
# The previous run's database is renamed aside, not dropped: dropping deletes thousands of files,
# and on ext4 without a journal every file created in the next 30 s (each table, index and TOAST
# table of the measured run) scans past those freshly deleted inodes while it holds the database
# directory's lock -- a cost of the bench's own cleanup, not of dbroll, that serialises the workers.
reset_pg() {
  if [ -n "$(psql -X -At "$PG" -c "SELECT 1 FROM pg_database WHERE datname = '$PGDB'")" ]; then
    OLD_PGDBS+=("${PGDB}_old${#OLD_PGDBS[@]}")
    psql -X -q "$PG" -c "ALTER DATABASE $PGDB RENAME TO ${OLD_PGDBS[-1]}" >/dev/null
  fi
  psql -X -q "$PG" -c "CREATE DATABASE $PGDB" >/dev/null
  psql -X -q "$URL" -c "$(for i in $(seq 1 "$SCHEMAS"); do printf 'CREATE SCHEMA tenant_%d;' "$i"; done)" >/dev/null
}
pg_loop_dbroll() { for i in $(seq 1 "$SCHEMAS"); do "$BIN" -C "$P" --url "$URL?search_path=tenant_$i" migrate || return 1; done; }
pg_loop_dbmate() {
  (cd "$T/dm" && for i in $(seq 1 "$SCHEMAS"); do "$DM" --no-dump-schema --url "$URL?sslmode=disable&search_path=tenant_$i" up || exit 1; done)
}
q1=(); q2=(); ql=(); qd=()
for _ in $(seq 1 "$RUNS"); do
  reset_pg; q1+=("$(elapsed "$BIN" -C "$P" fleet migrate --parallel 1)")
  reset_pg; q2+=("$(elapsed "$BIN" -C "$P" fleet migrate --parallel 2)")
  reset_pg; ql+=("$(elapsed pg_loop_dbroll)")
  if [ -n "$DM" ]; then reset_pg; qd+=("$(elapsed pg_loop_dbmate)"); fi
done
Q1=$(median "${q1[@]}"); Q2=$(median "${q2[@]}"); QL=$(median "${ql[@]}")
echo "postgres: $SCHEMAS schemas x $M migrations: fleet --parallel 1 ${Q1}s, --parallel 2 ${Q2}s (speed-up $(ratio "$Q1" "$Q2"), target >= 1.6)"
echo "postgres: dbroll migrate loop ${QL}s: fleet/loop --parallel 1 $(ratio "$Q1" "$QL"), --parallel 2 $(ratio "$Q2" "$QL") (target < 1.0)"
if [ -n "$DM" ]; then
  QD=$(median "${qd[@]}")
  echo "postgres: dbmate up loop ${QD}s: fleet --parallel 2 / dbmate loop $(ratio "$Q2" "$QD")"
fi

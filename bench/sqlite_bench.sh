#!/usr/bin/env bash
# SQLite figures for docs/benchmarks.md: 1,000 trivial migrations up and down
# against the floor (sqlite3 running the same SQL, one transaction per
# migration) and against dbmate (npm package), plus `dbroll status` on
# 1,000 / 5,000 / 10,000 applied versions. Prints medians of 3 runs.
#   bench/sqlite_bench.sh [path/to/dbroll]
set -euo pipefail
BIN=${1:-$(dirname "$0")/../build/bin/dbroll}
BIN=$(readlink -f "$BIN")
N=${N:-1000}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
ratio() { echo "scale=3; $1 / $2" | bc; }

. "$(dirname "$0")/lib.sh"
bench_corpus "$T" "$N"
DM=$(bench_dbmate "$T")

fu=(); fd=(); du=(); dd=(); mu=(); md=()
for r in 1 2 3; do
  rm -f "$T/f.db" "$T/d.db" "$T/m.db"
  s=$(now); sqlite3 "$T/f.db" <"$T/floor_up.sql"; e=$(now); fu+=("$(echo "$e - $s" | bc)")
  s=$(now); sqlite3 "$T/f.db" <"$T/floor_down.sql"; e=$(now); fd+=("$(echo "$e - $s" | bc)")
  s=$(now); "$BIN" -C "$T/p" --url "sqlite:$T/d.db" migrate >/dev/null; e=$(now); du+=("$(echo "$e - $s" | bc)")
  s=$(now); "$BIN" -C "$T/p" --url "sqlite:$T/d.db" down --all >/dev/null; e=$(now); dd+=("$(echo "$e - $s" | bc)")
  if [ -n "$DM" ]; then
    s=$(now); (cd "$T/dm" && "$DM" --no-dump-schema --url "sqlite:$T/m.db" up >/dev/null); e=$(now); mu+=("$(echo "$e - $s" | bc)")
    s=$(now); (cd "$T/dm" && for _ in $(seq 1 "$N"); do "$DM" --no-dump-schema --url "sqlite:$T/m.db" down >/dev/null; done); e=$(now); md+=("$(echo "$e - $s" | bc)")
  fi
done
FU=$(median "${fu[@]}"); FD=$(median "${fd[@]}"); DU=$(median "${du[@]}"); DD=$(median "${dd[@]}")
echo "sqlite: $N migrations up:   dbroll ${DU}s, sqlite3 floor ${FU}s, ratio $(ratio "$DU" "$FU") (target <= 1.2)"
echo "sqlite: $N migrations down: dbroll ${DD}s, sqlite3 floor ${FD}s, ratio $(ratio "$DD" "$FD") (target <= 1.2)"
if [ -n "$DM" ]; then
  MU=$(median "${mu[@]}"); MD=$(median "${md[@]}")
  echo "sqlite: vs dbmate up:   dbmate ${MU}s, dbroll/dbmate $(ratio "$DU" "$MU") (target < 1.0)"
  echo "sqlite: vs dbmate down: dbmate ${MD}s (one 'dbmate down' per version: it has no --all), dbroll/dbmate $(ratio "$DD" "$MD") (target < 1.0)"
else
  echo "sqlite: dbmate not installable (npm missing): no peer figure"
fi

# status on many applied versions: baseline records them without running SQL.
for n in 1000 5000 10000; do
  rm -rf "$T/s"; bench_corpus "$T/s" "$n"
  "$BIN" -C "$T/s/p" --url "sqlite:$T/s.db" baseline "$(printf '%05d' "$n")" >/dev/null
  ts=()
  for r in 1 2 3; do s=$(now); "$BIN" -C "$T/s/p" --url "sqlite:$T/s.db" status >/dev/null; e=$(now); ts+=("$(echo "$e - $s" | bc)"); done
  echo "sqlite: status on $n applied versions: $(median "${ts[@]}")s (target < 0.2s at 10000)"
  rm -f "$T/s.db"
done

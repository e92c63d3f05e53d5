#!/usr/bin/env bash
# verify on a long generated SQLite history (issue 17, item 9): every version
# must be covered (ok or failed, none not-verified) within the time limit,
# although some downs are broken and force the scratch database to be rebuilt.
# Usage: bench/verify_history_bench.sh [path/to/dbroll] [N] [LIMIT_SECONDS]
set -euo pipefail
BIN=${1:-build/bin/dbroll}
N=${2:-700}
LIMIT=${3:-300}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# A history shaped like a real one: tables, added columns, indexes, views,
# and a few broken pairs: one index down in 48 versions forgets its index (the
# second up then fails), one view down in 100 versions also drops the index two
# tables back (which breaks that index's down in the whole-history pass).
mkdir -p "$W/p/m"
printf '[migrations]\ndir = "m"\n' >"$W/p/dbroll.toml"
for i in $(seq 1 "$N"); do
  f=$(printf '%s/p/m/%05d_v%d' "$W" "$i" "$i")
  t=$(( (i - 1) / 4 * 4 + 1 ))  # the table this group of four versions works on
  case $(( (i - 1) % 4 )) in
    0) echo "CREATE TABLE t$t (id integer primary key, name varchar(40) not null DEFAULT 'x');" >"$f.up.sql"
       echo "DROP TABLE t$t;" >"$f.down.sql" ;;
    1) echo "ALTER TABLE t$t ADD COLUMN n$i integer DEFAULT 0;" >"$f.up.sql"
       echo "ALTER TABLE t$t DROP COLUMN n$i;" >"$f.down.sql" ;;
    2) echo "CREATE INDEX t${t}_name ON t$t (name);" >"$f.up.sql"
       if [ $(( i / 4 % 12 )) -eq 5 ]; then echo "SELECT 1;" >"$f.down.sql"; else echo "DROP INDEX t${t}_name;" >"$f.down.sql"; fi ;;
    3) echo "CREATE VIEW t${t}_view AS SELECT id, name FROM t$t;" >"$f.up.sql"
       if [ $(( i / 4 % 25 )) -eq 7 ]; then
         printf 'DROP VIEW t%d_view;\nDROP INDEX IF EXISTS t%d_name;\n' "$t" "$((t - 8))" >"$f.down.sql"
       else
         echo "DROP VIEW t${t}_view;" >"$f.down.sql"
       fi ;;
  esac
done

t0=$(date +%s.%N)
rc=0
"$BIN" -C "$W/p" --url "sqlite:$W/live.db" --format json verify >"$W/v.json" || rc=$?
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
python3 - "$W/v.json" "$N" "$secs" "$LIMIT" "$rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n, secs, limit, rc = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
states = [v["state"] for v in d["versions"]]
covered = sum(1 for s in states if s in ("ok", "failed"))
failed = states.count("failed")
print(f"sqlite history {n} versions: verify {secs:.1f} s, covered {covered}/{len(states)} "
      f"({100.0 * covered / max(len(states), 1):.0f} %), {failed} failed, exit {rc}")
ok = len(states) == n and covered == n and secs <= limit and rc == 1 and failed > 0
sys.exit(0 if ok else 1)
PY

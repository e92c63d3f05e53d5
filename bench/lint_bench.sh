#!/usr/bin/env bash
# dbroll lint vs squawk (npm squawk-cli): time ratio and peak memory on
# 1,000 files x 50 PostgreSQL statements (the D-bench-lint corpus) and on one
# 6 MB file; median time of 3 runs each. Usage: bench/lint_bench.sh [path/to/dbroll]
set -euo pipefail
BIN=${1:-$(pwd)/build-lint/bin/dbroll}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
npm install --silent --prefix "$T/npm" squawk-cli >/dev/null 2>&1
SQ=$(find "$T/npm/node_modules/@squawk-cli" -type f -name squawk -perm -u+x | head -n1)
python3 - "$T/c" <<'PY'
import sys, os
root = sys.argv[1]; os.makedirs(f"{root}/migrations")
open(f"{root}/dbroll.toml", "w").write('[migrations]\ndir = "migrations"\n[lint]\ntarget = "postgres:15"\n')
big = []
for f in range(1000):
    d = f"{root}/migrations/{f+1:05d}_m{f}"; os.makedirs(d)
    up, down = [], []
    for s in range(10):
        t = f"t_{f}_{s}"
        up += [f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());",
               f"ALTER TABLE {t} ADD COLUMN note text;",
               f"CREATE INDEX {t}_name ON {t} (name);",
               f"INSERT INTO {t} (name) SELECT 'n' || g FROM generate_series(1, 10) g;",
               f"UPDATE {t} SET note = 'x' WHERE id > 5;"]
        down.append(f"DROP TABLE {t};")
    open(f"{d}/up.sql", "w").write("\n".join(up) + "\n")
    open(f"{d}/down.sql", "w").write("\n".join(reversed(down)) + "\n")
    big += up
os.makedirs(f"{root}/big/migrations/00001_big")
text = "\n".join(big) + "\n"
while len(text) < 6_000_000: text += text[: 6_000_000 - len(text)].rsplit("\n", 1)[0] + "\n"
open(f"{root}/big/migrations/00001_big/up.sql", "w").write(text)
open(f"{root}/big/migrations/00001_big/down.sql", "w").write("SELECT 1;\n")
open(f"{root}/big/dbroll.toml", "w").write('[lint]\ntarget = "postgres:15"\n')
PY
measure() { # measure CMD... -> "seconds peakKB": median time of 3 runs (the machine is shared and
  # noisy), highest peak memory of the 3
  local runs=()
  for _ in 1 2 3; do
    timeout 300 /usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>&1 || true
    runs+=("$(tail -n1 "$T/time")")  # time prepends "Command exited with non-zero status" when the tool finds problems
  done
  printf '%s\n' "${runs[@]}" | awk '{t[NR]=$1; if ($2 > m) m = $2} END {n = asort(t); print t[2], m}'
}
row() { # row LABEL dbroll-args... -- squawk-args...
  local label=$1; shift
  local d=() s=()
  while [ "$1" != -- ]; do d+=("$1"); shift; done; shift; s=("$@")
  read -r dt dm < <(measure "$BIN" "${d[@]}")
  read -r st sm < <(measure "$SQ" "${s[@]}")
  printf '%-28s dbroll %6.2fs %7d KB | squawk %6.2fs %7d KB | time ratio %.3f  memory ratio %.3f\n' \
    "$label" "$dt" "$dm" "$st" "$sm" "$(echo "$dt / $st" | bc -l)" "$(echo "$dm / $sm" | bc -l)"
}
row "1000 files x 50 statements" -C "$T/c" lint --format json -- "$T"/c/migrations/*/up.sql
row "one 6 MB file" -C "$T/c/big" lint --format json -- "$T/c/big/migrations/00001_big/up.sql"

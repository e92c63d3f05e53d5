# Shared by the bench scripts; sourced, never run.

# bench_corpus DIR N: N trivial migrations in DIR/p (a dbroll project), the same
# SQL for the floor (DIR/floor_up.sql, DIR/floor_down.sql: one transaction per
# migration) and for dbmate (DIR/dm/db/migrations).
bench_corpus() {
  local t=$1 n=$2 i v
  mkdir -p "$t/p/migrations" "$t/dm/db/migrations"
  printf '[migrations]\ndir = "migrations"\n' >"$t/p/dbroll.toml"
  for i in $(seq 1 "$n"); do
    v=$(printf '%05d' "$i")
    mkdir -p "$t/p/migrations/${v}_t$i"
    echo "CREATE TABLE t$i (id integer primary key, v text);" >"$t/p/migrations/${v}_t$i/up.sql"
    echo "DROP TABLE t$i;" >"$t/p/migrations/${v}_t$i/down.sql"
    echo "BEGIN; CREATE TABLE t$i (id integer primary key, v text); COMMIT;" >>"$t/floor_up.sql"
    echo "BEGIN; DROP TABLE t$(( n + 1 - i )); COMMIT;" >>"$t/floor_down.sql"
    printf -- '-- migrate:up\nCREATE TABLE t%d (id integer primary key, v text);\n-- migrate:down\nDROP TABLE t%d;\n' \
      "$i" "$i" >"$t/dm/db/migrations/${v}_t$i.sql"
  done
}

# bench_dbmate DIR: installs dbmate from npm under DIR and prints its binary
# (nothing when npm or the package is unavailable).
bench_dbmate() {
  command -v npm >/dev/null || return 0
  npm install --silent --prefix "$1/npm" dbmate >/dev/null 2>&1 || return 0
  find "$1/npm/node_modules/@dbmate" -type f -name dbmate -perm -u+x | head -n1
}

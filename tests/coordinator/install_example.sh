#!/usr/bin/env bash
# Installs the built dbroll into a temporary prefix, builds
# examples/orchestrator against that install with find_package(dbroll), and
# runs it: proof that the public headers and the CMake package are enough.
#   install_example.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# Vendor headers must not be part of the installed API.
if grep -rlE '#include <(pqxx|SQLiteCpp|cppconn|curl|nlohmann|toml)' "$tmp/prefix/include/dbroll"; then
  echo "install_example: installed headers include vendor headers" >&2
  exit 1
fi
cmake -S "$src/examples/orchestrator" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/build" -j2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64:$tmp/prefix/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "$tmp/build/orchestrator" "$tmp/work"

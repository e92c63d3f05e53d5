#!/usr/bin/env bash
# The library as a dependency, after `cmake --install BUILD --prefix X`:
# libdbroll.so exports dbroll's own symbols only; pkg-config gives flags that
# compile and link a consumer; find_package(dbroll) carries C++20 to a
# consumer that asks for no standard itself.
#   tests/package/prefix_install_test.sh BUILD_DIR
set -uo pipefail
BUILD=$(cd "$1" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$BUILD" --prefix "$T/prefix" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
lib=$(find "$T/prefix" -name 'libdbroll.so.*.*' -type f | head -n1)
[ -n "$lib" ] || { echo "FAIL: no libdbroll.so installed"; exit 1; }

# Exported: dbroll:: and the compiler's by-products for dbroll's own types only.
nm -D --defined-only -C "$lib" | cut -d' ' -f3- >"$T/exported"
grep -vE '^(dbroll::|(typeinfo|typeinfo name|vtable|VTT|guard variable) for dbroll::|(non-)?virtual thunk to dbroll::)' "$T/exported" >"$T/foreign"
if [ -s "$T/foreign" ]; then
  fail "libdbroll.so exports $(wc -l <"$T/foreign") symbols that are not dbroll's, e.g.:"
  head -n5 "$T/foreign"
fi
grep -q '^dbroll::Engine::' "$T/exported" || fail "libdbroll.so does not export dbroll::Engine"

cat >"$T/consumer.cc" <<'CC'
#include <memory>
#include "dbroll/engine.h"
#include "dbroll/status.h"
// dbroll's API is C++20: its package must say so to a consumer that does not.
static_assert(__cplusplus >= 202002L, "dbroll::dbroll / dbroll.pc do not carry C++20");
int main() {
  dbroll::Status s = dbroll::Status::Ok();
  return s.ok() ? 0 : 1;
}
CC
pc=$(find "$T/prefix" -name dbroll.pc | head -n1)
[ -n "$pc" ] || fail "no dbroll.pc installed"
if [ -n "$pc" ]; then
  grep -q '/usr/local' "$pc" && fail "dbroll.pc names /usr/local: $(grep /usr/local "$pc")"
  flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs dbroll) || fail "pkg-config --cflags --libs dbroll"
  # shellcheck disable=SC2086
  if g++ "$T/consumer.cc" $flags -o "$T/pc-consumer" 2>"$T/pc.log"; then
    LD_LIBRARY_PATH=$(dirname "$lib") "$T/pc-consumer" || fail "the pkg-config consumer did not run"
  else
    cat "$T/pc.log"; fail "a consumer does not build with pkg-config's flags ($flags)"
  fi
fi

mkdir -p "$T/cmake-consumer"
cp "$T/consumer.cc" "$T/cmake-consumer/"
cat >"$T/cmake-consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(consumer CXX)
find_package(dbroll REQUIRED)
add_executable(consumer consumer.cc)
target_link_libraries(consumer PRIVATE dbroll::dbroll)
CM
if ! cmake -S "$T/cmake-consumer" -B "$T/cmake-consumer/build" -DCMAKE_PREFIX_PATH="$T/prefix" >"$T/cm.log" 2>&1 \
    || ! cmake --build "$T/cmake-consumer/build" >>"$T/cm.log" 2>&1; then
  tail -n 20 "$T/cm.log"; fail "a find_package(dbroll) consumer that sets no C++ standard does not build"
else
  "$T/cmake-consumer/build/consumer" || fail "the CMake consumer did not run"
fi

[ "$fails" -eq 0 ] && echo "prefix_install_test: library OK"
[ "$fails" -eq 0 ]

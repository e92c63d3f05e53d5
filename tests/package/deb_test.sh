#!/usr/bin/env bash
# Builds the .deb packages from the build tree and checks them without root:
# control fields, contents, and that every shared library an ELF file in
# dbroll_*.deb needs is shipped in it or comes from a package it Depends on.
# In CI (CI=true, as root) it also installs dbroll_*.deb with apt-get and runs it.
#   tests/package/deb_test.sh BUILD_DIR
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

OUT=$T/out BUILD_DIR=$BUILD SKIP_BUILD=1 "$SRC/scripts/package" >"$T/package.log" 2>&1 \
  || { cat "$T/package.log"; echo "FAIL: scripts/package"; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
arch=$(dpkg --print-architecture)
cli=$T/out/dbroll_${version}_${arch}.deb
dev=$T/out/libdbroll-dev_${version}_${arch}.deb
for f in "$cli" "$dev"; do [ -f "$f" ] || { ls "$T/out"; echo "FAIL: no $(basename "$f")"; exit 1; }; done

field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$cli" Package)" = dbroll ] || fail "dbroll: Package is '$(field "$cli" Package)'"
[ "$(field "$dev" Package)" = libdbroll-dev ] || fail "libdbroll-dev: Package is '$(field "$dev" Package)'"
for f in "$cli" "$dev"; do
  [ "$(field "$f" Version)" = "$version" ] || fail "$(basename "$f"): Version '$(field "$f" Version)', want $version"
  [ "$(field "$f" Architecture)" = "$arch" ] || fail "$(basename "$f"): Architecture '$(field "$f" Architecture)'"
  [ -n "$(field "$f" Maintainer)" ] || fail "$(basename "$f"): no Maintainer"
  [ -n "$(field "$f" Description)" ] || fail "$(basename "$f"): no Description"
done
depends=$(field "$cli" Depends)
echo "dbroll Depends: $depends"
for want in libpqxx libmysqlcppconn libsqlite3 libc6 libstdc++6; do
  grep -q "$want" <<<"$depends" || fail "dbroll: Depends lacks $want"
done
if grep -qE -- '-dev\b|postgresql[^-]|postgresql$|mariadb-server|prometheus|alertmanager|nginx' <<<"$depends"; then
  fail "dbroll: Depends names a -dev package, a server or a test tool: $depends"
fi
grep -qE "^dbroll \(= $version\)" <<<"$(field "$dev" Depends)" || fail "libdbroll-dev: Depends '$(field "$dev" Depends)', want dbroll (= $version)"

dpkg-deb -c "$cli" | awk '{print $6}' >"$T/cli.list"
dpkg-deb -c "$dev" | awk '{print $6}' >"$T/dev.list"
for p in ./usr/bin/dbroll ./usr/share/man/man1/dbroll.1.gz ./usr/share/bash-completion/completions/dbroll \
    ./usr/share/zsh/vendor-completions/_dbroll ./usr/share/fish/vendor_completions.d/dbroll.fish \
    ./usr/share/doc/dbroll/README.md ./usr/share/doc/dbroll/cli.md; do
  grep -qx "$p" "$T/cli.list" || fail "dbroll_*.deb lacks $p"
done
grep -qE '^\./usr/lib/.*libdbroll\.so\.0$' "$T/cli.list" || fail "dbroll_*.deb lacks libdbroll.so.0"
for p in ./usr/include/dbroll/engine.h ./usr/include/dbroll/status.h; do
  grep -qx "$p" "$T/dev.list" || fail "libdbroll-dev_*.deb lacks $p"
done
for re in '/cmake/dbroll/dbrollConfig\.cmake$' '/cmake/dbroll/dbrollTargets\.cmake$' '/pkgconfig/dbroll\.pc$' '/libdbroll\.so$'; do
  grep -qE "^\./usr/lib(/.*)?$re" "$T/dev.list" || fail "libdbroll-dev_*.deb lacks usr/lib/...$re"
done
if grep -qE '^\./usr/(include|lib/.*cmake|lib/.*pkgconfig)' "$T/cli.list"; then fail "dbroll_*.deb holds development files"; fi
if grep -qE '^\./usr/bin/' "$T/dev.list"; then fail "libdbroll-dev_*.deb holds programs"; fi

# Every NEEDED library of every ELF file: shipped here, or owned by a package in Depends.
dpkg-deb -x "$cli" "$T/root"
shipped=$(find "$T/root" -name '*.so*' -printf '%f\n')
find "$T/root" -type f | while read -r f; do
  [[ $(file -b "$f") == ELF* ]] || continue
  objdump -p "$f" | awk '/NEEDED/ {print $2}' | while read -r lib; do
    grep -qx "$lib" <<<"$shipped" && continue
    path=$(/sbin/ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64|64/ {print $NF; exit}')
    [ -n "$path" ] || { echo "FAIL: ${f#"$T/root"} needs $lib, which is nowhere on this system"; continue; }
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null \
      || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null)
    pkg=$(head -n1 <<<"$owner" | cut -d: -f1)
    if [ -z "$pkg" ]; then echo "FAIL: ${f#"$T/root"} needs $lib ($path), which no package owns"; continue; fi
    sed 's/[,|]/\n/g' <<<"$depends" | awk '{print $1}' | grep -qxF "$pkg" || echo "FAIL: ${f#"$T/root"} needs $lib from $pkg, which Depends lacks"
  done
done >"$T/needed.log"
if [ -s "$T/needed.log" ]; then cat "$T/needed.log"; fails=$((fails + $(wc -l <"$T/needed.log"))); fi
"$T/root/usr/bin/dbroll" --version >/dev/null 2>&1 || fail "the packaged dbroll does not run from its own tree"

# The real install, where the test may change the system: CI runs as root on a
# throwaway machine. There it must happen; anywhere else it is left out.
if [ "${CI:-}" = true ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "CI=true but not root: cannot apt-get install the package"
  elif ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$cli" >"$T/apt.log" 2>&1; then
    cat "$T/apt.log"; fail "apt-get install $(basename "$cli")"
  else
    [ "$(/usr/bin/dbroll --version 2>&1)" = "dbroll $version" ] || fail "installed /usr/bin/dbroll --version: $(/usr/bin/dbroll --version 2>&1)"
    [ -f /usr/share/man/man1/dbroll.1.gz ] || fail "installed package has no /usr/share/man/man1/dbroll.1.gz"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq dbroll >/dev/null 2>&1 || fail "apt-get purge dbroll"
  fi
else
  echo "note: apt-get install of the package runs only in CI (CI=true, as root)"
fi

[ "$fails" -eq 0 ] && echo "deb_test: packages OK"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# Builds the Debian package: the packaged program (target ecokiosk_packaged, the same
# objects as ./build/ecokiosk with the installed paths: packaging/debian.cmake) in the
# build tree the tests use, then CPack's DEB generator. Built as Debian builds its own
# packages (-O2; the line tables are stripped from the .deb). Prints the .deb's path on
# the last line.
#   scripts/package.sh [OUTPUT_DIR]      (default: build-deb/)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-deb}
bash scripts/install-deps.sh >&2
if [ -f build/CMakeCache.txt ]; then
  # A tree configured otherwise (a debugger's, a sanitizer's) is not what a hall should run.
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build/CMakeCache.txt)
  case "$type" in RelWithDebInfo|Release) ;; *)
    echo "package.sh: build/ is configured as '${type:-no build type}'; a package is built from an optimized tree (RelWithDebInfo or Release). Move build/ aside, or reconfigure it." >&2
    exit 1 ;;
  esac
  if grep -q '^ECOKIOSK_SANITIZE:BOOL=ON' build/CMakeCache.txt; then
    echo "package.sh: build/ is a sanitizer build; a package is built from a plain one. Move build/ aside." >&2
    exit 1
  fi
else
  # As scripts/test.sh configures it, so the two share one tree.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOKIOSK_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >&2
fi
cmake --build build -j"$(nproc)" --target ecokiosk_packaged manpage >&2
# CPack into a folder of its own, emptied first, so exactly one .deb comes out of it.
rm -rf build/cpack
(cd build && cpack -G DEB -B "$PWD/cpack" >&2)
debs=(build/cpack/ecokiosk_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "package.sh: CPack made ${#debs[@]} packages, not one" >&2; exit 1; }
mkdir -p "$OUT"
cp "${debs[0]}" "$OUT/"
echo "$OUT/$(basename "${debs[0]}")"

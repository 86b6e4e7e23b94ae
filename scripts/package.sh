#!/usr/bin/env bash
# Builds the Debian package: a separate Release build configured for installation
# (data from /usr/share/ecokiosk, the service user's /etc and /var/lib paths), then
# CPack's DEB generator. Prints the .deb's path on the last line.
#   scripts/package.sh [OUTPUT_DIR]      (default: build-deb/)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-deb}
bash scripts/install-deps.sh >&2
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DECOKIOSK_SYSTEM_INSTALL=ON -DECOKIOSK_BUILD_TESTS=OFF \
      -DCMAKE_INSTALL_PREFIX=/usr >&2
cmake --build build-deb -j"$(nproc)" >&2
(cd build-deb && cpack -G DEB >&2)
mkdir -p "$OUT"
deb=$(ls -t build-deb/ecokiosk_*.deb | head -1)
[ "$OUT" = build-deb ] || cp "$deb" "$OUT/"
echo "$OUT/$(basename "$deb")"

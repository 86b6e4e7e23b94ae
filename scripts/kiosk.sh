#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk on its default database
# ($XDG_DATA_HOME/ecokiosk/ecokiosk.db). Extra arguments go to ecokiosk,
# e.g. scripts/kiosk.sh --windowed 1280x800
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)" --target ecokiosk
exec ./build/ecokiosk "$@"

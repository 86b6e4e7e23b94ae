#!/usr/bin/env bash
# Builds the .deb (scripts/package.sh) and runs the long package test: apt install in a
# fresh Debian 12 root made by debootstrap (cached under /var/tmp for the day), the
# service user's commands, upgrade, remove and purge. Needs root. About 4 minutes with
# today's root cached, 8 without.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
deb=$(bash scripts/package.sh | tail -1)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOKIOSK_WERROR=ON >/dev/null
case $deb in /*) ;; *) deb=$PWD/$deb ;; esac
ECOKIOSK_DEB=$deb ctest --test-dir build --output-on-failure -L package

#!/usr/bin/env bash
# Prints the path of a pristine Debian 12 root made by debootstrap, building it when
# today's copy is missing. The root is cached under /var/tmp keyed by date, so reruns
# on the same day reuse it (a minute saved per run) and a new day starts from current
# packages. Callers copy it before changing anything.
#   debian_root.sh            -> /var/tmp/ecokiosk-debootstrap/bookworm-YYYYMMDD/root
set -euo pipefail
CACHE=/var/tmp/ecokiosk-debootstrap
DAY=$(date -u +%Y%m%d)
DIR=$CACHE/bookworm-$DAY
MIRROR=${ECOKIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9  # two runs at once build it once
if [ ! -f "$DIR/complete" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  echo "debian_root: debootstrap bookworm into $DIR/root (cached for today)" >&2
  debootstrap --variant=minbase bookworm "$DIR/root" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 || {
    tail -20 "$DIR/debootstrap.log" >&2
    exit 1
  }
  touch "$DIR/complete"
  # Older days' roots are no longer used.
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'bookworm-*' ! -name "bookworm-$DAY" -exec rm -rf {} +
fi
echo "$DIR/root"

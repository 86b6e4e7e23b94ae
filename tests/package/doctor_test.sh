#!/usr/bin/env bash
# `ecokiosk doctor` on a good setup (all green, exit 0) and on broken ones, each of which
# must turn its own line red with a fix and make the exit code 1: an unwritable database
# folder, a font file that does not exist, stale backups, no backups, no PIN, a bad
# configuration value, a damaged database, no display; and the journal level prefixes.
#   doctor_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$1 SRC=$2
K=$BUILD/ecokiosk
T=$(mktemp -d)
chmod 0755 "$T"
# One private X server for the display check (xvfb-run -a races when tests run in parallel).
. "$(dirname "$0")/../xvfb.sh"
start_xvfb 1280x800x24 "$T/xvfb.log" -nolisten tcp -ac
trap 'kill $xvfb 2>/dev/null; rm -rf "$T"' EXIT
export DISPLAY=$disp
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# A kiosk set up as setup leaves it, with a fresh backup.
mkdir -p "$T/good"
printf 'hall-9\n测试大厅\nTest Hall\nalways\n13572468\n13572468\n' |
  "$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/good/c.json" setup >/dev/null 2>&1 || bad "setup"
"$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/good/c.json" demo-data --responses 20 >/dev/null
"$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/good/c.json" backup >/dev/null

doctor() {  # doctor DIR [args...]: output in $T/out, exit code in $rc
  local dir=$1; shift
  "$K" --data-dir "$SRC" --db "$dir/k.db" --config "$dir/c.json" doctor --skip audio "$@" >"$T/out" 2>&1
  rc=$?
}
expect_red() {  # expect_red WHAT CHECK-NAME FIX-WORDS
  if [ "$rc" -eq 1 ] && grep -q "^\[FAIL\] $2:" "$T/out" && grep -A1 "^\[FAIL\] $2:" "$T/out" | grep -q "fix: .*$3"; then
    ok "$1: $2 red with its fix, exit 1"
  else
    bad "$1: expected $2 red with a fix mentioning '$3' and exit 1 (exit $rc)"; cat "$T/out"
  fi
}

doctor "$T/good"
if [ "$rc" -eq 0 ] && ! grep -q FAIL "$T/out" && grep -q "^\[ ok \] fonts: .* has all" "$T/out"; then
  ok "good setup: all green, exit 0"
else
  bad "good setup (exit $rc)"; cat "$T/out"
fi

# A font file that does not exist.
doctor "$T/good" --font "$T/no-such-font.ttc"
expect_red "missing font file" fonts "--font"
# ... also when given the kiosk's way (ecokiosk --font F doctor).
"$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/good/c.json" --font /nonexistent.ttf doctor --skip audio >"$T/out" 2>&1
rc=$?
expect_red "missing font file (global --font)" fonts "--font"
# A font without Chinese: DejaVu has none of the characters.
dejavu=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null)
if [ -f "$dejavu" ]; then
  doctor "$T/good" --font "$dejavu"
  if [ "$rc" -eq 1 ] && grep -q "^\[FAIL\] fonts: .* lacks" "$T/out"; then ok "font without Chinese: names the missing characters"
  else bad "font without Chinese (exit $rc)"; cat "$T/out"; fi
fi

# Stale backups: the newest is two days old.
cp -r "$T/good" "$T/stale"
touch -d '2 days ago' "$T"/stale/backups/*
doctor "$T/stale"
expect_red "stale backups" backups "ecokiosk backup"
# No backups at all.
rm -rf "$T/stale/backups"
doctor "$T/stale"
expect_red "no backups" backups "ecokiosk backup"

# No PIN.
mkdir "$T/nopin"
cp "$T/good/c.json" "$T/nopin/"
"$K" --data-dir "$SRC" --db "$T/nopin/k.db" demo-data --responses 3 >/dev/null
"$K" --data-dir "$SRC" --db "$T/nopin/k.db" --config "$T/nopin/c.json" backup >/dev/null
doctor "$T/nopin"
expect_red "no PIN" pin "ecokiosk setup"

# A configuration value out of range; no configuration at all.
cp -r "$T/good" "$T/badcfg"
sed -i 's/"idle_seconds": 60/"idle_seconds": 3/' "$T/badcfg/c.json"
doctor "$T/badcfg"
expect_red "bad config value" config "correct"
rm "$T/badcfg/c.json"
doctor "$T/badcfg"
expect_red "no config" config "ecokiosk setup"

# A damaged database (garbage over its pages).
cp -r "$T/good" "$T/damaged"
dd if=/dev/urandom of="$T/damaged/k.db" bs=4096 seek=2 count=8 conv=notrunc 2>/dev/null
doctor "$T/damaged"
expect_red "damaged database" database "restore"

# Disk: more free space asked for than exists.
doctor "$T/good" --min-free-mb 1e7
expect_red "too little free disk" disk "delete old exports"

# No display: outside a session, without /dev/dri or cage it is red; on a kiosk with both, green.
env -u DISPLAY -u WAYLAND_DISPLAY "$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/good/c.json" doctor --skip audio >"$T/out" 2>&1
rc=$?
if ls /dev/dri/card* >/dev/null 2>&1; then
  echo "skip no-display case: this machine has a graphics card"
else
  expect_red "no display" display "graphics driver"
fi

# An unwritable database folder: as an unprivileged user (root writes anywhere).
if [ "$(id -u)" -eq 0 ]; then
  cp -r "$T/good" "$T/ro"
  chown -R nobody "$T/ro"
  chmod 0500 "$T/ro"
  runuser -u nobody -- env DISPLAY="$DISPLAY" "$K" --data-dir "$SRC" --db "$T/ro/k.db" --config "$T/ro/c.json" doctor --skip audio >"$T/out" 2>&1
  rc=$?
  expect_red "unwritable database folder" database "chown"
  chmod 0700 "$T/ro"
else
  echo "skip unwritable-folder case: needs root to run as nobody"
fi

# Journal levels: with standard error being the stream JOURNAL_STREAM names, lines carry
# <N> prefixes; with any other stream they do not.
echo '{"idle_seconds": 3}' >"$T/badcfg-j.json"
: >"$T/err.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/err.log") "$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/badcfg-j.json" \
  backup >/dev/null 2>>"$T/err.log"
if grep -q '^<4>warning: .*idle_seconds' "$T/err.log"; then ok "journal: a warning carries <4>"
else bad "journal: no <4> prefix"; cat "$T/err.log"; fi
"$K" --data-dir "$SRC" --db "$T/good/k.db" --config "$T/badcfg-j.json" backup >/dev/null 2>"$T/err2.log"
if grep -q '^warning: .*idle_seconds' "$T/err2.log"; then ok "no journal: plain lines"
else bad "no journal: unexpected prefix"; cat "$T/err2.log"; fi

echo "doctor test: $fails failure(s)"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# Libraries opened at first use (issue 20): the kiosk binary does not load librime,
# espeak-ng, libpq or Pango/cairo (nor ICU, pulse and the codecs, GnuTLS, Kerberos, LDAP, GLib behind
# them) when it starts; read-aloud's first use loads espeak-ng and speaks; the first
# connection to a center loads libpq; a broken espeak-ng or libpq is named with its
# package, and the program exits with a message instead of crashing.
# Usage: lazy_libraries.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
work=$(mktemp -d)
app=""; xvfb=""
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
fail=0

needed=$(readelf -d "$bin" | awk '/NEEDED/ {print $5}')
for lib in librime libespeak-ng libpq libssl libcrypto libpango libcairo libgobject; do
  if grep -q "$lib" <<<"$needed"; then echo "FAIL: $bin still names $lib as needed at start"; fail=1; fi
done

# What the dynamic loader opens for a start that needs neither.
LD_DEBUG=files "$bin" --version > /dev/null 2> "$work/start.log"
for lib in librime libespeak-ng libicu libpulse libsndfile libpq libgnutls libkrb5 libldap libssl libpango libcairo libglib libharfbuzz; do
  if grep -q "file=$lib" "$work/start.log"; then echo "FAIL: $lib loaded at start"; fail=1; fi
done

# The kiosk itself on its welcome screen (under Xvfb): none of them mapped.
. "$(dirname "$0")/xvfb.sh"
start_xvfb 1280x800x24 "$work/xvfb.log"
DISPLAY=$disp "$bin" --db "$work/k.db" --data-dir "$src" --config "$work/none.json" --windowed 1280x800 --timing \
  > "$work/kiosk.log" 2>&1 &
app=$!
for _ in $(seq 300); do grep -q "font atlas" "$work/kiosk.log" && break; sleep 0.1; done
grep -q "first frame after" "$work/kiosk.log" || { echo "FAIL: the kiosk drew no frame"; cat "$work/kiosk.log"; fail=1; }
for lib in librime libespeak-ng libpq libssl libpango libcairo libglib libicui18n libgnutls libpulse; do  # (Mesa maps ICU's common part: libLLVM needs it)
  if grep -q "/$lib" "/proc/$app/maps"; then echo "FAIL: the kiosk's welcome screen has $lib mapped"; fail=1; fi
done
kill "$app"; wait "$app" 2>/dev/null || true; app=""

# First use: read-aloud loads espeak-ng then and writes sound.
LD_DEBUG=files "$bin" --config "$work/none.json" --data-dir "$src" say --questionnaire satisfaction --lang zh \
  --question "$("$bin" --config "$work/none.json" --data-dir "$src" say --questionnaire satisfaction --list | head -1)" \
  --out "$work/q.wav" > /dev/null 2> "$work/say.log"
grep -q "file=libespeak-ng.so.1" "$work/say.log" || { echo "FAIL: say did not load libespeak-ng.so.1"; fail=1; }
size=$(stat -c %s "$work/q.wav" 2>/dev/null || echo 0)
[ "$size" -gt 10000 ] || { echo "FAIL: say wrote $size bytes"; fail=1; }

# A broken espeak-ng found first on the library path: a message naming the package and
# a plain failure exit, not a crash (134 abort, 139 segfault).
mkdir "$work/libs"
echo "not a library" > "$work/libs/libespeak-ng.so.1"
set +e
LD_LIBRARY_PATH="$work/libs" "$bin" --config "$work/none.json" --data-dir "$src" say --questionnaire satisfaction \
  --lang zh --out "$work/broken.wav" > "$work/broken.out" 2>&1
rc=$?
set -e
if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then echo "FAIL: say with a broken espeak-ng exited $rc"; fail=1; fi
grep -q "libespeak-ng.so.1 cannot be loaded (install the Debian package libespeak-ng1)" "$work/broken.out" ||
  { echo "FAIL: no clear message for a broken espeak-ng:"; cat "$work/broken.out"; fail=1; }

# The kiosk no longer loads espeak-ng at start, so `doctor` checks it instead.
set +e
LD_LIBRARY_PATH="$work/libs" "$bin" --config "$work/none.json" --data-dir "$src" --db "$work/d.db" doctor \
  > "$work/doctor.out" 2>&1
set -e
grep -q "^\[FAIL\] audio: read-aloud unavailable: libespeak-ng.so.1 cannot be loaded" "$work/doctor.out" ||
  { echo "FAIL: doctor does not name a broken espeak-ng:"; cat "$work/doctor.out"; fail=1; }

# The first connection to a center loads libpq (nothing answers at port 1: refused).
set +e
LD_DEBUG=files "$bin" --central postgresql://nobody@127.0.0.1:1/none fleet > "$work/fleet.out" 2> "$work/fleet.log"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: fleet against nothing exited $rc"; fail=1; }
grep -q "file=libpq.so.5" "$work/fleet.log" || { echo "FAIL: the first connection did not load libpq.so.5"; fail=1; }
grep -q "status: refused" "$work/fleet.log" || { echo "FAIL: libpq's refusal not reported"; fail=1; }

# A broken libpq: named with its package, exit 1, no crash.
echo "not a library" > "$work/libs/libpq.so.5"
set +e
LD_LIBRARY_PATH="$work/libs" "$bin" --central postgresql://nobody@127.0.0.1:1/none fleet > "$work/pq.out" 2>&1
rc=$?
set -e
if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then echo "FAIL: fleet with a broken libpq exited $rc"; fail=1; fi
grep -q "libpq.so.5 cannot be loaded (install the Debian package libpq5)" "$work/pq.out" ||
  { echo "FAIL: no clear message for a broken libpq:"; cat "$work/pq.out"; fail=1; }

[ "$fail" -eq 0 ] && echo "lazy libraries: none at start, espeak-ng and libpq at first use, a broken one named"
exit "$fail"

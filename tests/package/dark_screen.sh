#!/usr/bin/env bash
# Opening hours on the real binary under Xvfb: with the hall closed all week except a
# minute that is not now, the screen shows the kiosk, goes black once idle_seconds pass
# without a touch, and a tap lights it again. With the hall open (no opening_hours) it
# never goes black.
#   dark_screen.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
work=$(mktemp -d)
app=
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/../xvfb.sh"
start_xvfb 1280x800x24 "$work/xvfb.log"
export DISPLAY=$disp

colours() { import -window root "$work/shot.png" 2>/dev/null; identify -format '%k' "$work/shot.png"; }
# lit_within SECONDS: the colours once the screen shows more than 50 (polled: a first
# frame, or the one after a tap, comes later under load or ASan), or the last count.
lit_within() {
  local c=0
  for _ in $(seq $(($1 * 4))); do c=$(colours); [ "$c" -gt 50 ] && break; sleep 0.25; done
  echo "$c"
}
run() {  # run CONFIG_JSON: start the kiosk with that configuration
  echo "$1" >"$work/c.json"
  "$bin" --db "$work/k.db" --data-dir "$src" --config "$work/c.json" --windowed 1280x800 >"$work/app.log" 2>&1 &
  app=$!
  for _ in $(seq 100); do xdotool search --name '^EcoKiosk$' >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 2
}
fails=0
# Open one minute a week, on a day that is not today (district time, UTC+8).
days=(mon tue wed thu fri sat sun)
today=$(TZ=Asia/Shanghai date +%u)  # 1 = Monday
other=${days[$(( today % 7 ))]}
run "{\"opening_hours\": \"$other 03:00-03:01\", \"idle_seconds\": 10}"
c=$(lit_within 6); echo "closed, just started: $c colours"; [ "$c" -gt 50 ] || { echo "FAIL: not drawn at start"; fails=1; }
sleep 10
c=$(colours); echo "closed, idle 12 s: $c colours"; [ "$c" -le 2 ] || { echo "FAIL: not dark after idle_seconds"; fails=1; }
wid=$(xdotool search --name '^EcoKiosk$' | head -1)
xdotool mousemove --window "$wid" 640 700 click 1
sleep 1
c=$(lit_within 5); echo "closed, after a tap: $c colours"; [ "$c" -gt 50 ] || { echo "FAIL: a tap did not light it"; fails=1; }
kill $app; wait $app 2>/dev/null || true

run '{"opening_hours": "", "idle_seconds": 10}'
sleep 10
c=$(colours); echo "always open, idle 12 s: $c colours"; [ "$c" -gt 50 ] || { echo "FAIL: dark while open"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS: dark only when closed and idle; a tap wakes it"
exit "$fails"

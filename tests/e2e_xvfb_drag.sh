#!/usr/bin/env bash
# End to end, larger text, by finger: the real binary under Xvfb at 1280x800; green
# travel with real X events (xdotool). The township list is scrolled by a drag (press,
# moves in steps, release), which must move it and choose nothing; then a township near
# the end is tapped where it is drawn, and 离退休 on the question that follows. The
# database must hold exactly what was tapped.
# Usage: e2e_xvfb_drag.sh BUILD_DIR SOURCE_DIR [SCREENSHOT_DIR]
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
shots="${3:-}"
work=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT

. "$(dirname "$0")/xvfb.sh"
start_xvfb 1280x800x24 "$work/xvfb.log"
export DISPLAY=$disp

ECOKIOSK_HIT_LOG="$work/hits" "$bin" --db "$work/e2e.db" --data-dir "$src" --config "$work/none.json" \
  --windowed 1280x800 >"$work/app.log" 2>&1 &
app=$!

wid=""
for _ in $(seq 100); do
  wid=$(xdotool search --name '^EcoKiosk$' 2>/dev/null | head -1) && [ -n "$wid" ] && break
  sleep 0.1
done
[ -n "$wid" ] || { echo "FAIL: no EcoKiosk window"; cat "$work/app.log"; exit 1; }

fail() { echo "FAIL: $*"; cat "$work/app.log"; exit 1; }
# The hit log's line for label $1: label, centre x, y, top, bottom, visible top, bottom.
item() {
  local line=""
  for _ in $(seq 50); do
    line=$(awk -F'\t' -v l="$1" '$1 == l { print; exit }' "$work/hits" 2>/dev/null || true)
    [ -n "$line" ] && break
    xdotool mousemove --window "$wid" 1 1  # a wake-up event so the app draws a frame
    sleep 0.1
  done
  [ -n "$line" ] || { echo "FAIL: no item labelled '$1' on screen"; cut -f1 "$work/hits"; exit 1; }
  echo "$line"
}
fresh() { : >"$work/hits"; }  # wait for a frame drawn after what just happened
click() {
  local l
  l=$(item "$1")
  # shellcheck disable=SC2086
  xdotool mousemove --window "$wid" $(echo "$l" | cut -f2,3 | tr '\t' ' ')
  sleep 0.1
  xdotool click 1
  sleep 0.3
  fresh
}
shot() { [ -z "$shots" ] || import -window root "$shots/$1.png"; }

click "大字模式"
click "公众绿色出行调查"
sleep 0.6            # the first question is read: a tap sooner is held as 开始's double tap
click "+"            # one walking trip
click "下一题"
click "公交车"        # usual mode: auto-advances
sleep 1
click "2"; click "0"
click "下一题"
for label in "30–44岁" "女"; do click "$label"; sleep 1; fresh; done

# The township list: a drag from 城西街道 upwards, in 12 steps of 20 px.
before=$(item "城西街道")
x=$(echo "$before" | cut -f2); y=$(echo "$before" | cut -f3)
shot "township-before-drag"
xdotool mousemove --window "$wid" "$x" "$y"
sleep 0.1
xdotool mousedown 1
for i in $(seq 1 12); do xdotool mousemove --window "$wid" "$x" $((y - 20 * i)); sleep 0.03; done
sleep 0.1
xdotool mouseup 1
sleep 0.5
fresh
after=$(item "城西街道")
shot "township-after-drag"
y_after=$(echo "$after" | cut -f3)
[ "$y_after" -lt "$((y - 30))" ] || fail "the drag did not scroll the list (城西街道 at y=$y, then $y_after)"
n=$(sqlite3 "$work/e2e.db" "SELECT count(*) FROM responses")
[ "$n" = 0 ] || fail "a response was stored by the drag"

# 新华乡, near the end, must now be in full view; tap it where it is drawn.
xin=$(item "新华乡")
read -r _ _ _ top bottom vtop vbottom <<<"$(echo "$xin" | tr '\t' ' ' | sed 's/^新华乡 //; s/^/x /')"
[ "$top" -ge "$((vtop - 1))" ] && [ "$bottom" -le "$((vbottom + 1))" ] || fail "新华乡 not in full view ($top..$bottom in $vtop..$vbottom)"
click "新华乡"
sleep 1
fresh
first=$(item "机关事业单位")  # the occupation list opens at the top
read -r _ _ _ top _ vtop _ <<<"$(echo "$first" | tr '\t' ' ' | sed 's/^机关事业单位 //; s/^/x /')"
[ "$top" -ge "$((vtop - 1))" ] || fail "the occupation list did not open at the top ($top above $vtop)"
shot "occupation"
click "离退休"
sleep 1
fresh
# The last question may wait for 提交 (never submitted without a tap) or submit itself.
if [ "$(sqlite3 "$work/e2e.db" "SELECT count(*) FROM responses")" = 0 ]; then click "提交"; fi
# Saved in the frame that takes the tap: polled, since under load or ASan that frame can
# come later than a fixed second; then a second more, so a double save would be seen.
for _ in $(seq 300); do
  [ "$(sqlite3 "$work/e2e.db" "SELECT count(*) FROM responses")" != 0 ] && break
  sleep 0.1
done
sleep 1

n=$(sqlite3 "$work/e2e.db" "SELECT count(*) FROM responses WHERE questionnaire='green-travel'")
town=$(sqlite3 "$work/e2e.db" "SELECT item FROM answers WHERE question='township'")
job=$(sqlite3 "$work/e2e.db" "SELECT item FROM answers WHERE question='occupation'")
commute=$(sqlite3 "$work/e2e.db" "SELECT item FROM answers WHERE question='commute'")
minutes=$(sqlite3 "$work/e2e.db" "SELECT value FROM answers WHERE question='commute_minutes'")
if [ "$n" = 1 ] && [ "$town" = xinhua ] && [ "$job" = retired ] && [ "$commute" = bus ] && [ "$minutes" = 20 ]; then
  echo "e2e drag: 1 passed, 0 failed"
else
  fail "responses=$n township=$town occupation=$job commute=$commute minutes=$minutes"
fi

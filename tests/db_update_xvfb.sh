#!/usr/bin/env bash
# The real kiosk on an older (schema 4) database: it updates it before serving (its
# screen meanwhile: the headless test "an older database being updated"), is killed
# part-way at three points without losing or doubling anything, finishes at the next
# start with counts equal to a grouped pass, and then serves.
# Usage: db_update_xvfb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
work=$(mktemp -d)
app=""
trap 'kill -9 $app 2>/dev/null || true; kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/app.log" ] && cat "$work/app.log"; exit 1; }

. "$(dirname "$0")/xvfb.sh"
start_xvfb 1280x800x24 "$work/xvfb.log"
export DISPLAY=$disp

db="$work/old.db"
"$bin" --data-dir "$src" --db "$db" --config "$work/none.json" demo-data --responses 3000 >/dev/null
current=$(sqlite3 "$db" "PRAGMA user_version")   # this program's schema
# As schema 4 left it: no hourly counts of either kind (what the update builds).
sqlite3 "$db" "DROP TABLE answer_counts; DROP TABLE response_counts; DROP TABLE staff_calls;
               DROP TABLE central_sync; PRAGMA user_version=4; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
total=$(sqlite3 "$db" "SELECT count(*) FROM responses")
export ECOKIOSK_MIGRATION_CHUNK=10   # 600 committed steps: a kill lands part-way

start() {
  ECOKIOSK_HIT_LOG="$work/hits" "$bin" --db "$db" --data-dir "$src" --config "$work/none.json" \
    --windowed 1280x800 >"$work/app.log" 2>&1 &
  app=$!
}
check_sound() {
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "damaged after a kill"
  [ "$(sqlite3 "$db" 'SELECT count(*) FROM responses')" = "$total" ] || fail "responses lost or added"
}

# The kiosk's window shows the welcome screen's cards (moving the pointer wakes its
# loop until then); then the kiosk is stopped and the file checked.
serves_then_stops() {
  local wid=""
  for _ in $(seq 100); do
    wid=$(xdotool search --name '^EcoKiosk$' 2>/dev/null | head -1) && [ -n "$wid" ] && break
    sleep 0.1
  done
  [ -n "$wid" ] || fail "no EcoKiosk window after $1"
  for i in $(seq 100); do
    grep -q "^生态文明建设满意度调查" "$work/hits" 2>/dev/null && break
    xdotool mousemove --window "$wid" $((1 + i % 2)) 1; sleep 0.1
  done
  grep -q "^生态文明建设满意度调查" "$work/hits" || fail "no welcome screen after $1"
  kill "$app"; wait "$app" 2>/dev/null || true; app=""
  check_sound
}

reached() {  # the highest percentage the kiosk has logged so far (-1: none yet)
  local p
  p=$(grep -o 'database update: [0-9]*%' "$work/app.log" 2>/dev/null | tr -dc '0-9\n' | sort -n | tail -1)
  echo "${p:--1}"
}
killed_part_way=0
for at in 0 20 60; do   # percent logged before the kill (lines are logged per tenth reached)
  start
  for _ in $(seq 600); do [ "$(reached)" -ge "$at" ] && break; sleep 0.05; done
  [ "$(reached)" -ge "$at" ] || fail "no progress line at or past $at%"
  kill -9 "$app"; wait "$app" 2>/dev/null || true; app=""
  check_sound
  v=$(sqlite3 "$db" "PRAGMA user_version")
  [ "$v" -lt "$current" ] && killed_part_way=$((killed_part_way + 1))
  echo "killed at $(reached)%: schema $v"
done
[ "$killed_part_way" -ge 2 ] || fail "the update finished before the kills ($killed_part_way part-way)"

# The next start carries on and finishes (unless the last kill landed just after the
# update's end: then there is nothing left to update); then the welcome screen's cards.
before=$(sqlite3 "$db" "PRAGMA user_version")
start
if [ "$before" -lt "$current" ]; then
  for _ in $(seq 1200); do grep -q "database updated" "$work/app.log" && break; sleep 0.05; done
  grep -q "database updated" "$work/app.log" || fail "the update did not finish"
fi
serves_then_stops "the update"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = "$current" ] || fail "schema not brought up to date"
# Each count equals a grouped pass over the responses: nothing counted twice by the
# steps that were killed and run again.
# One reader at a time: two sqlite3 shells opening a WAL file together can meet the
# last one's close-time checkpoint and fail with "database is locked" (no busy timeout).
sqlite3 "$db" "SELECT questionnaire, completed_at / 3600000, kiosk, count(*) FROM responses GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" > "$work/grouped"
sqlite3 "$db" "SELECT questionnaire, hour, kiosk, n FROM response_counts ORDER BY 1, 2, 3" > "$work/counted"
[ -s "$work/grouped" ] || fail "no responses to group"
cmp -s "$work/grouped" "$work/counted" || fail "response_counts differ from a grouped pass"
[ "$(sqlite3 "$db" "SELECT sum(n) FROM answer_counts WHERE kind != 0")" = "$(sqlite3 "$db" "SELECT count(*) FROM answers")" ] ||
  fail "answer_counts differ from a grouped pass"

# A new threshold and UTC offset in the settings: the next start counts the indicators'
# cells again behind the same update screen, then serves.
echo '{"min_seconds_per_question": 3.5, "utc_offset_minutes": -300}' > "$work/none.json"
start
for _ in $(seq 1200); do grep -q "database updated" "$work/app.log" && break; sleep 0.05; done
grep -q "indicator cells counted again on 3.5 s per question, UTC offset -300" "$work/app.log" || fail "no recount told"
grep -q "database updated" "$work/app.log" || fail "the recount did not finish"
grep -q "database update: [0-9]*%" "$work/app.log" || fail "the recount showed no progress"
: > "$work/hits"
serves_then_stops "the recount"
[ "$(sqlite3 "$db" 'SELECT min_seconds, utc_offset_minutes FROM metrics_cell_clock')" = "3.5|-300" ] || fail "cells not on the new clock"
[ "$(sqlite3 "$db" 'SELECT sum(n) FROM metrics_cells WHERE grouping = 0')" = "$(sqlite3 "$db" 'SELECT count(*) FROM response_metrics')" ] ||
  fail "recounted cells do not count each metrics row once"
echo "ok: killed part-way $killed_part_way times, finished, $total responses, counts equal a grouped pass; recounted on new settings"

#!/usr/bin/env bash
# The center unreachable for a week: 20,000 responses pile up (a busy hall's week and
# more); sync reports "refused" and marks nothing. The center comes back: the backlog
# drains while the kiosk keeps saving (a saver process writing the same database the
# whole time, none of its saves failing), and afterwards every response, old and new,
# is at the center exactly once.
#   central_offline.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center offline
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-w --kiosk-url "$KIOSK_URL"
fill hall-w 20000 7
good_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["central_url"])' "$WORK/hall-w/config.json")
python3 - "$WORK/hall-w/config.json" "postgresql://127.0.0.1:1/$CENTER_DB?connect_timeout=3" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["central_url"] = sys.argv[2]; json.dump(c, open(sys.argv[1], "w"))
PY
if sync_kiosk hall-w >"$WORK/out" 2>&1; then fail "sync succeeded with the center down"; fi
grep -q "status: refused$" "$WORK/out" || { cat "$WORK/out"; fail "center down: wrong status"; }
grep -q "waiting 20000" "$WORK/out" || { cat "$WORK/out"; fail "center down: waiting count"; }
[ "$(sqlite3 "$WORK/hall-w.db" "SELECT response_mark FROM central_sync")" = 0 ] || fail "marked with the center down"
python3 - "$WORK/hall-w/config.json" "$good_url" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["central_url"] = sys.argv[2]; json.dump(c, open(sys.argv[1], "w"))
PY
# Catch-up while the kiosk keeps saving.
"$BUILD/tests/ecokiosk_saver" "$WORK/hall-w.db" "$SRC/questionnaires" 77 500 hall-w >"$WORK/acked" 2>"$WORK/saver.err" &
saver=$!
start=$(date +%s.%N)
out=$(sync_kiosk hall-w) || fail "catch-up failed: $out"
end=$(date +%s.%N)
wait "$saver" || { cat "$WORK/saver.err"; fail "the saver failed during the catch-up"; }
[ -s "$WORK/saver.err" ] && { cat "$WORK/saver.err"; fail "saves failed or were retried during the catch-up"; }
[ "$(wc -l < "$WORK/acked")" = 500 ] || fail "the saver acknowledged $(wc -l < "$WORK/acked") of 500"
out2=$(sync_kiosk hall-w) || fail "the final sync failed: $out2"
grep -q "waiting 0" <<<"$out2" || fail "final: $out2"
[ "$(admin_sql "SELECT count(*) FROM responses")" = 20500 ] || fail "the center has $(admin_sql "SELECT count(*) FROM responses") of 20500"
sqlite3 "$WORK/hall-w.db" "SELECT uuid FROM responses" | LC_ALL=C sort > "$WORK/local"
admin_sql "SELECT id FROM responses ORDER BY id COLLATE \"C\"" > "$WORK/center"
cmp -s "$WORK/local" "$WORK/center" || fail "ids differ"
printf 'central_offline: 20000-response backlog drained in %.1f s beside 500 saves (none failed); 20500 at the center exactly once\n' "$(echo "$end - $start" | bc)"

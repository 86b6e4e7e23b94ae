#!/usr/bin/env bash
# Issue 17: records typed on kiosks move to the center (`central import-records`), with
# their authors and times, marked imported, once however often the file is imported;
# and the fleet page's figures (`--central URL fleet`) against the data: last contact,
# what waits, versions, the last error, responses per district day, silent kiosks. The
# heartbeat a kiosk sends is its own row only (row-level security).
#   central_district_fleet.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center fleet
"$APP" --data-dir "$SRC" central init --url "$CENTER" >/dev/null
PORT=$ECOKIOSK_PG_PORT
PW_A=admin-pass-12345
B=boss.$$  # account names are cluster-wide roles; tests run in parallel
echo "$PW_A" | "$APP" central add-user $B --url "$CENTER" --role admin >/dev/null || fail "add-user $B"
ADMIN_URL="postgresql://$B:$PW_A@127.0.0.1:$PORT/$CENTER_DB"

# --- import-records --------------------------------------------------------------
kiosk hall-a
fill hall-a 40 7
DB="$WORK/hall-a.db"
sqlite3 "$DB" "INSERT INTO indicator_records(indicator, as_of, value, state, judged, source, evidence, recorded_by, recorded_at) VALUES
  ('14.1', '2019-03-31', 60.5, NULL, NULL, '林业统计', '表3', '王林', 1554000000000),
  ('1', '2019-04-01', NULL, '实施', NULL, '规划文本', '区府发12号', '李环', 1554100000000),
  ('99', '2019-04-01', 1, NULL, NULL, 's', 'e', '张三', 1554200000000);
  INSERT INTO task_updates(task, status, note, recorded_by, recorded_at) VALUES
  ('13.2', 'in_progress', '外业调查', '王林', 1554300000000),
  ('13.2', 'done', '', '王林', 1554400000000);"
out=$("$APP" --data-dir "$SRC" central import-records "$DB" --url "$CENTER" --from-label "hall-a kiosk")
grep -q "2 indicator records and 2 task updates imported from hall-a kiosk" <<<"$out" || fail "import said: $out"
grep -q "skipped record 3: no indicator 99" <<<"$out" || fail "unknown indicator not reported: $out"
got=$(admin_sql "SELECT indicator || '|' || recorded_by || '|' || recorded_at || '|' || imported_from FROM indicator_records ORDER BY indicator")
[ "$got" = "$(printf '1|李环|1554100000000|hall-a kiosk\n14.1|王林|1554000000000|hall-a kiosk')" ] || fail "imported records: $got"
[ "$(admin_sql "SELECT string_agg(status || '@' || recorded_at, ',' ORDER BY id) FROM task_updates")" = "in_progress@1554300000000,done@1554400000000" ] \
  || fail "imported tasks: $(admin_sql "SELECT * FROM task_updates")"
# Again, and from a copy under another name: nothing new.
cp "$DB" "$WORK/copy.db"
out=$("$APP" --data-dir "$SRC" central import-records "$WORK/copy.db" --url "$CENTER")
grep -q "0 indicator records and 0 task updates imported from copy.db; already there 2 and 2" <<<"$out" || fail "second import said: $out"
[ "$(admin_sql "SELECT count(*) FROM indicator_records")" = 2 ] || fail "records doubled"
# A record typed on the kiosk since: only it comes.
sqlite3 "$DB" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence, recorded_by, recorded_at) VALUES('14.1', '2019-06-30', 61, 's', 'e', '王林', 1561000000000)"
out=$("$APP" --data-dir "$SRC" central import-records "$DB" --url "$CENTER")
grep -q "1 indicator records and 0 task updates" <<<"$out" || fail "third import said: $out"
# The audit names who imported and keeps the author in the detail.
[ "$(admin_sql "SELECT count(*) FROM audit WHERE action = 'record_imported' AND actor = 'ecoadmin' AND detail LIKE '%王林%'")" = 2 ] \
  || fail "import audit: $(admin_sql "SELECT actor, action, detail FROM audit")"
# Nothing imported without a center: the file is refused, and a missing one named.
"$APP" --data-dir "$SRC" central import-records "$WORK/nothing.db" --url "$CENTER" 2>"$WORK/err" && fail "imported a missing file"
grep -q "no kiosk database" "$WORK/err" || fail "missing file: $(cat "$WORK/err")"

# --- the fleet ------------------------------------------------------------------
kiosk hall-b   # added, never synced: silent, never seen
kiosk hall-c
# hall-a: a failed contact first (wrong password), then a good one: the error is reported.
cp "$WORK/hall-a/central-credentials.json" "$WORK/cred.json"
python3 - "$WORK/hall-a/central-credentials.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c["password"] = "wrong"; json.dump(c, open(p, "w"))
PY
sync_kiosk hall-a >/dev/null 2>&1 && fail "sync with a wrong password succeeded"
cp "$WORK/cred.json" "$WORK/hall-a/central-credentials.json"; chmod 600 "$WORK/hall-a/central-credentials.json"
sync_kiosk hall-a >/dev/null || fail "sync of hall-a"
# hall-a then saves 5 more that the center refuses for now: the heartbeat before the
# failed push says what waits.
fill hall-a 5 8
KG=$(admin_sql "SELECT quote_ident(g.rolname) FROM kiosks k JOIN pg_roles r ON r.rolname = k.role
  JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid WHERE k.kiosk = 'hall-a'")
[ -n "$KG" ] || fail "no kiosk group found"
admin_sql "REVOKE INSERT ON responses FROM $KG"
sync_kiosk hall-a >/dev/null 2>&1 && fail "sync succeeded without the insert grant"
admin_sql "GRANT INSERT ON responses TO $KG"
# hall-c: contact two days ago (a superuser moves its heartbeat back, trigger off).
fill hall-c 3 9
sync_kiosk hall-c >/dev/null || fail "sync of hall-c"
psql -qAtX "$CENTER" -c "SET session_replication_role = replica; UPDATE kiosk_status SET reported_at = now() - interval '2 days' WHERE kiosk = 'hall-c'; UPDATE responses SET received_at = now() - interval '2 days' WHERE kiosk = 'hall-c'" >/dev/null

# The fleet counts the 7 days up to the center's today, taken between here and its answer.
asked=$(date +%s%3N)
"$APP" --central "$ADMIN_URL" fleet --format json > "$WORK/fleet.json" || fail "fleet: $(cat "$WORK/fleet.json")"
"$APP" --central "$ADMIN_URL" fleet > "$WORK/fleet.txt" || fail "fleet text"
python3 - "$WORK/fleet.json" "$WORK/hall-a.db" "$WORK/hall-c.db" "$asked" <<'PY' || fail "fleet figures: $(cat "$WORK/fleet.json")"
import json, sqlite3, sys, time, datetime
rows = {r["kiosk"]: r for r in json.load(open(sys.argv[1]))}
assert set(rows) == {"hall-a", "hall-b", "hall-c"}, rows.keys()
a, b, c = rows["hall-a"], rows["hall-b"], rows["hall-c"]
now = time.time() * 1000
asked = int(sys.argv[4])
# Responses per district day (UTC+8), the last 7, counted here from the kiosk's own file;
# as of the fleet's question, or of now when a district midnight fell between the two.
def per_day(db, sent_only, at=now):
    con = sqlite3.connect(db)
    mark = con.execute("SELECT response_mark FROM central_sync").fetchone()[0]
    today = datetime.datetime.utcfromtimestamp(at / 1000 + 8 * 3600).date()
    days = [today - datetime.timedelta(days=i) for i in range(6, -1, -1)]
    counts = {d: 0 for d in days}
    for (t,) in con.execute("SELECT completed_at FROM responses WHERE id <= ?", (mark,)):
        d = datetime.datetime.utcfromtimestamp(t / 1000 + 8 * 3600).date()
        if d in counts: counts[d] += 1
    total = con.execute("SELECT count(*) FROM responses WHERE id <= ?", (mark,)).fetchone()[0]
    return [counts[d] for d in days], total
pa, ta = per_day(sys.argv[2], True)
if a["per_day"] != pa: pa, ta = per_day(sys.argv[2], True, asked)
assert a["per_day"] == pa and a["total"] == ta == 40, (a["per_day"], pa, a["total"], ta)
assert sum(pa) > 0, "no responses in the last week: the per-day check tried nothing"
pc, tc = per_day(sys.argv[3], True)
if c["per_day"] != pc: pc, tc = per_day(sys.argv[3], True, asked)
assert c["per_day"] == pc and c["total"] == tc == 3, (c, pc)
# hall-a: in contact just now, 5 waiting, its version and questionnaires, the auth failure.
assert not a["silent"] and abs(a["last_contact"] - now) < 120000, a
assert a["reported"] and a["waiting"] == 5, a
assert a["app_version"] == "0.1.0" and "satisfaction" in a["questionnaires"], a
assert a["last_error"].startswith("auth: "), a
assert abs(a["last_error_at"] - now) < 300000, a
assert a["hall_en"] == "hall-a Township Hall"
# hall-b: never; hall-c: two days ago.
assert b["silent"] and b["last_contact"] is None and not b["reported"] and b["total"] == 0, b
assert c["silent"] and abs(c["last_contact"] - (now - 2 * 86400000)) < 120000, c
assert c["waiting"] == 0 and c["last_error"] == "", c
PY
grep -q "SILENT hall-b" "$WORK/fleet.txt" && grep -q "SILENT hall-c" "$WORK/fleet.txt" && ! grep -q "SILENT hall-a" "$WORK/fleet.txt" \
  || fail "fleet text: $(cat "$WORK/fleet.txt")"
# At its next contact hall-a reports the refused push (newer than the auth failure)
# and, once the 5 are sent, nothing waiting.
sync_kiosk hall-a >/dev/null || fail "sync of hall-a after the grant came back"
[ "$(admin_sql "SELECT split_part(last_error, ':', 1) || ' ' || waiting FROM kiosk_status WHERE kiosk = 'hall-a'")" = "refused-by-center 0" ] \
  || fail "last error: $(admin_sql "SELECT last_error, waiting FROM kiosk_status WHERE kiosk = 'hall-a'")"

# The heartbeat is the kiosk's own row only; the time is the server's.
as_kiosk "$WORK/hall-a" "INSERT INTO kiosk_status(kiosk, app_version, questionnaires, waiting) VALUES('hall-b', 'x', 'x', 0)" 2>"$WORK/err" \
  && fail "hall-a reported for hall-b"
grep -q "row-level security" "$WORK/err" || fail "refused, but why: $(cat "$WORK/err")"
[ "$(as_kiosk "$WORK/hall-a" "UPDATE kiosk_status SET waiting = 99 WHERE kiosk = 'hall-c' RETURNING kiosk")" = "" ] || fail "hall-a changed hall-c's row"
[ "$(admin_sql "SELECT waiting FROM kiosk_status WHERE kiosk = 'hall-c'")" = 0 ] || fail "hall-c's row changed"
as_kiosk "$WORK/hall-a" "UPDATE kiosk_status SET reported_at = now() - interval '9 days' WHERE kiosk = 'hall-a'" >/dev/null
[ "$(admin_sql "SELECT reported_at > now() - interval '1 minute' FROM kiosk_status WHERE kiosk = 'hall-a'")" = t ] \
  || fail "a kiosk set its own contact time"
as_kiosk "$WORK/hall-a" "SELECT * FROM ecokiosk_fleet(7, 480)" >/dev/null 2>&1 && fail "a kiosk read the fleet"
echo "central_district_fleet: records imported once with their authors; fleet figures match the kiosks' data"

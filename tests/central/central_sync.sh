#!/usr/bin/env bash
# `ecokiosk sync` against a real PostgreSQL over TLS (verify-full, throwaway CA):
# exactly once (a second run sends nothing; a forgotten mark finds everything "already
# there"); the same id with other content becomes a conflict row and the center's copy
# is kept; abandoned sessions go too; other kiosks' imported rows are not sent; every
# failure (wrong password, certificate for another name, untrusted CA, unknown host,
# nothing listening, no schema, older and newer schema) is its own status, exits 1,
# is recorded for the console, and marks nothing sent; the process killed between the
# central COMMIT and the local mark re-sends that batch and nothing is doubled.
#   central_sync.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ -n "${ECOKIOSK_PG_CA:-}" ] || fail "the test cluster has no TLS (start it with --tls)"
new_center sync
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-a --kiosk-url "$KIOSK_URL_TLS"
grep -q 'sslmode=verify-full' "$WORK/hall-a/config.json" || fail "kiosk url not kept"
fill hall-a 500 1
# Another hall's responses imported into this kiosk's database are that hall's to send.
"$APP" --data-dir "$SRC" --config "$WORK/none.json" --db "$WORK/other.db" demo-data --kiosk hall-x --responses 40 --seed 9 >/dev/null
"$APP" --data-dir "$SRC" --config "$WORK/hall-a/config.json" --db "$WORK/hall-a.db" import "$WORK/other.db" >/dev/null
sqlite3 "$WORK/hall-a.db" "INSERT INTO abandoned(uuid, questionnaire, version, kiosk, lang, started_at, abandoned_at, last_question, position, answered)
  VALUES('aaaaaaaa-0000-4000-8000-000000000001', 'satisfaction', 1, 'hall-a', 'zh', 1560000000000, 1560000100000, 'q3', 3, 2),
        ('aaaaaaaa-0000-4000-8000-000000000002', 'knowledge', 1, 'hall-x', 'zh', 1560000000000, 1560000100000, 'q1', 1, 0)"
out=$(sync_kiosk hall-a) || fail "first sync failed: $out"
grep -q "sent 500, already there 0, conflicts 0, abandoned sessions sent 1; waiting 0" <<<"$out" || fail "first sync: $out"
[ "$(admin_sql "SELECT count(*) FROM responses")" = 500 ] || fail "center holds $(admin_sql "SELECT count(*) FROM responses")"
[ "$(admin_sql "SELECT count(*) FROM responses WHERE kiosk <> 'hall-a'")" = 0 ] || fail "another kiosk's rows were sent"
local_atoms=$(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE r.kiosk = 'hall-a'")
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$local_atoms" ] || fail "answers: center $(admin_sql "SELECT count(*) FROM answers"), kiosk $local_atoms"
[ "$(admin_sql "SELECT count(*) FROM response_metrics")" = 500 ] || fail "metrics not sent"
[ "$(admin_sql "SELECT count(*) FROM abandoned")" = 1 ] || fail "abandoned sessions: $(admin_sql "SELECT count(*) FROM abandoned")"
[ "$(admin_sql "SELECT count(*) FROM questionnaire_definitions")" -ge 3 ] || fail "definitions not sent"
# Every response's content arrived as it was: the ids and the answers, row by row.
sqlite3 -separator '|' "$WORK/hall-a.db" "SELECT r.uuid, a.ord, a.question, a.kind, a.item, ifnull(a.value,''), ifnull(a.text,'') FROM answers a JOIN responses r ON r.id = a.response WHERE r.kiosk='hall-a' ORDER BY 1, 2" > "$WORK/local.txt"
admin_sql "SELECT response, ord, question, kind, item, coalesce(value::text,''), coalesce(text,'') FROM answers ORDER BY response COLLATE \"C\", ord" > "$WORK/center.txt"
sort -t'|' -k1,1 -k2,2n "$WORK/local.txt" > "$WORK/a"; sort -t'|' -k1,1 -k2,2n "$WORK/center.txt" > "$WORK/b"
cmp -s "$WORK/a" "$WORK/b" || { diff "$WORK/a" "$WORK/b" | head; fail "answers differ"; }

out=$(sync_kiosk hall-a) || fail "second sync failed: $out"
grep -q "sent 0, already there 0, conflicts 0" <<<"$out" || fail "second sync: $out"
# A kiosk that forgot what it sent (its mark lost) sends again: all already there.
sqlite3 "$WORK/hall-a.db" "UPDATE central_sync SET response_mark = 0, abandoned_mark = 0"
out=$(sync_kiosk hall-a) || fail "re-sync failed: $out"
grep -q "sent 0, already there 501, conflicts 0" <<<"$out" || fail "re-sync (500 responses, 1 abandoned session): $out"
[ "$(admin_sql "SELECT count(*) FROM responses")" = 500 ] || fail "re-sync doubled responses"
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$local_atoms" ] || fail "re-sync doubled answers"

# The same id with other content: a conflict row; the center's first copy stays.
first=$(sqlite3 "$WORK/hall-a.db" "SELECT uuid FROM responses WHERE kiosk='hall-a' ORDER BY id LIMIT 1")
before=$(admin_sql "SELECT digest FROM responses WHERE id='$first'")
sqlite3 "$WORK/hall-a.db" "UPDATE responses SET lang = 'en' WHERE uuid = '$first'; UPDATE central_sync SET response_mark = 0"
rc=0; out=$(sync_kiosk hall-a) || rc=$?
[ "$rc" = 3 ] || fail "conflict sync: exit $rc, not 3: $out"
grep -q "sent 0, already there 499, conflicts 1" <<<"$out" || fail "conflict sync: $out"
[ "$(admin_sql "SELECT digest FROM responses WHERE id='$first'")" = "$before" ] || fail "the center's copy was overwritten"
[ "$(admin_sql "SELECT lang FROM responses WHERE id='$first'")" = zh ] || fail "the center's copy changed"
[ "$(admin_sql "SELECT count(*) FROM conflicts WHERE record_id='$first' AND kiosk='hall-a'")" = 1 ] || fail "no conflict row"
admin_sql "SELECT content FROM conflicts WHERE record_id='$first'" | grep -q '"lang":"en"' || fail "the conflict row lacks the refused version"
# A changed abandoned session is a conflict too, and counted where staff read them.
conflicts_before=$(sqlite3 "$WORK/hall-a.db" "SELECT conflicts FROM central_sync")
sqlite3 "$WORK/hall-a.db" "UPDATE abandoned SET answered = answered + 1; UPDATE central_sync SET abandoned_mark = 0"
rc=0; out=$(sync_kiosk hall-a) || rc=$?
[ "$rc" = 3 ] || fail "abandoned conflict sync: exit $rc, not 3: $out"
grep -q "sent 0, already there 0, conflicts 1, abandoned sessions sent 0" <<<"$out" || fail "abandoned conflict sync: $out"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT conflicts FROM central_sync")" = $((conflicts_before + 1)) ] ||
  fail "the kiosk's count of conflicts missed the abandoned session's"
[ "$(admin_sql "SELECT count(*) FROM conflicts WHERE kind = 'abandoned' AND kiosk = 'hall-a'")" = 1 ] || fail "no abandoned conflict row"

# Failures: each its own status; nothing marked sent; the console's record says so.
fill hall-a 50 2
mark_before=$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")
count_before=$(admin_sql "SELECT count(*) FROM responses")
cp -r "$WORK/hall-a" "$WORK/hall-a.good"
expect_status() {  # STATUS WHAT
  if sync_kiosk hall-a >"$WORK/out" 2>&1; then fail "$2: sync exited 0"; fi
  grep -q "status: $1\$" "$WORK/out" || { cat "$WORK/out"; fail "$2: expected status $1"; }
  grep -q "waiting 50" "$WORK/out" || { cat "$WORK/out"; fail "$2: the count of waiting responses is wrong"; }
  [ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = "$mark_before" ] || fail "$2: the mark moved"
  [ "$(sqlite3 "$WORK/hall-a.db" "SELECT status FROM central_sync")" = "$1" ] || fail "$2: the console's record says $(sqlite3 "$WORK/hall-a.db" "SELECT status FROM central_sync")"
  [ "$(admin_sql "SELECT count(*) FROM responses")" = "$count_before" ] || fail "$2: rows reached the center"
  rm -rf "$WORK/hall-a"; cp -r "$WORK/hall-a.good" "$WORK/hall-a"
  echo "  $2: status $1"
}
set_url() { python3 - "$WORK/hall-a/config.json" "$1" <<'PY'
import json, sys
p, url = sys.argv[1], sys.argv[2]
c = json.load(open(p)); c["central_url"] = url; json.dump(c, open(p, "w"))
PY
}
python3 - "$WORK/hall-a/central-credentials.json" <<'PY'
import json, sys, os
p = sys.argv[1]; c = json.load(open(p)); c["password"] = "wrong" + c["password"]; json.dump(c, open(p, "w")); os.chmod(p, 0o600)
PY
expect_status auth "wrong password"
set_url "postgresql://127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_CA"
expect_status tls "certificate for another host name"
set_url "postgresql://localhost:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_OTHER_CA"
expect_status tls "certificate from an untrusted CA"
set_url "postgresql://no-such-center.invalid:$ECOKIOSK_PG_PORT/$CENTER_DB?connect_timeout=5"
expect_status dns "unknown host name"
set_url "postgresql://127.0.0.1:1/$CENTER_DB?connect_timeout=5"
expect_status refused "nothing listening"
psql -q "$ECOKIOSK_PG_ADMIN_URL" -c "CREATE DATABASE \"${CENTER_DB}_empty\"" >/dev/null; DBS+=("${CENTER_DB}_empty")
set_url "postgresql://localhost:$ECOKIOSK_PG_PORT/${CENTER_DB}_empty?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_CA"
expect_status not-initialised "no schema at the center"
set_url "postgresql://localhost:$ECOKIOSK_PG_PORT/${CENTER_DB}_nosuch?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_CA"
expect_status not-initialised "no such database at the center"
admin_sql "INSERT INTO ecokiosk_schema(version) VALUES(99)"
expect_status schema-newer "a newer center"
admin_sql "DELETE FROM ecokiosk_schema WHERE version = 99"
# An older center: a second database migrated only to version 1, then brought up to date.
new_center older
"$APP" central init --url "$CENTER" --schema-version 1 >/dev/null
"$APP" central add-kiosk hall-a --url "$CENTER" --config "$WORK/hall-a/config.json" --kiosk-url "$KIOSK_URL_TLS" >/dev/null
cp -r "$WORK/hall-a/." "$WORK/hall-a.good/"
sqlite3 "$WORK/hall-a.db" "UPDATE central_sync SET response_mark = 0, abandoned_mark = 0"
mark_before=0; count_before=0
fill_waiting=$(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM responses WHERE kiosk='hall-a'")
if sync_kiosk hall-a >"$WORK/out" 2>&1; then fail "an older center took the rows"; fi
grep -q "status: schema-older$" "$WORK/out" || { cat "$WORK/out"; fail "older center: wrong status"; }
[ "$(admin_sql "SELECT count(*) FROM responses")" = 0 ] || fail "older center: rows arrived"
out=$("$APP" central init --url "$CENTER")
grep -q "migrated schema version 1 -> $SCHEMA_VERSION" <<<"$out" || fail "migration said: $out"
out=$(sync_kiosk hall-a) || fail "sync after the migration failed: $out"
grep -q "sent $fill_waiting, already there 0" <<<"$out" || fail "after migration: $out"
echo "  older center: status schema-older, then migrated and synced"

# The kiosk id changed in the settings (staff may edit it) while the login stays the old
# kiosk's: a clear refusal and nothing marked, so the responses saved under the old id
# are not passed over as another kiosk's; with the id set back, all of them go.
fill hall-a 20 4
mark_before=$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")
before=$(admin_sql "SELECT count(*) FROM responses")
set_kiosk() { python3 - "$WORK/hall-a/config.json" "$1" <<'PY'
import json, sys
p, k = sys.argv[1], sys.argv[2]
c = json.load(open(p)); c["kiosk_id"] = k; json.dump(c, open(p, "w"))
PY
}
set_kiosk hall-renamed
if sync_kiosk hall-a >"$WORK/out" 2>&1; then cat "$WORK/out"; fail "a kiosk renamed in its settings synced"; fi
grep -q "status: auth$" "$WORK/out" || { cat "$WORK/out"; fail "renamed kiosk: expected status auth"; }
grep -q 'belongs to kiosk "hall-a"' "$WORK/out" || { cat "$WORK/out"; fail "renamed kiosk: the refusal does not say whose login it is"; }
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = "$mark_before" ] || fail "renamed kiosk: the mark moved"
[ "$(admin_sql "SELECT count(*) FROM responses")" = "$before" ] || fail "renamed kiosk: rows reached the center"
set_kiosk hall-a
out=$(sync_kiosk hall-a) || fail "sync with the id set back failed: $out"
grep -q "sent 20, already there 0" <<<"$out" || fail "with the id set back: $out"
echo "  kiosk id changed in the settings: status auth, nothing marked; set back, all 20 sent"
# District IT's own login put in a kiosk's credentials, with a kiosk id the center does not
# know: refused too (its rows would otherwise be passed over as another kiosk's).
fill hall-a 5 5
cp "$WORK/hall-a/central-credentials.json" "$WORK/kiosk-cred.json"
python3 - "$WORK/hall-a/central-credentials.json" "$ECOKIOSK_PG_ADMIN_URL" <<'PY'
import json, os, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[2])
json.dump({"user": urllib.parse.unquote(u.username), "password": urllib.parse.unquote(u.password)}, open(sys.argv[1], "w"))
os.chmod(sys.argv[1], 0o600)
PY
set_kiosk hall-unknown
mark_before=$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")
if sync_kiosk hall-a >"$WORK/out" 2>&1; then cat "$WORK/out"; fail "district IT's login with an unknown kiosk id synced"; fi
grep -q "status: auth$" "$WORK/out" && grep -q 'knows no kiosk "hall-unknown"' "$WORK/out" || { cat "$WORK/out"; fail "unknown kiosk id: expected auth naming it"; }
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = "$mark_before" ] || fail "unknown kiosk id: the mark moved"
set_kiosk hall-a
cp "$WORK/kiosk-cred.json" "$WORK/hall-a/central-credentials.json"; chmod 600 "$WORK/hall-a/central-credentials.json"
out=$(sync_kiosk hall-a) || fail "sync with its own login back failed: $out"
grep -q "sent 5, already there 0" <<<"$out" || fail "with its own login back: $out"
echo "  district IT's login with an unknown kiosk id: status auth, nothing marked"

# Killed between the central COMMIT and the local mark (test hook): re-sent, nothing doubled.
fill hall-a 300 3
before=$(admin_sql "SELECT count(*) FROM responses")
set +e
ECOKIOSK_SYNC_CRASH_AFTER_COMMIT=2 sync_kiosk hall-a --batch 100 >"$WORK/out" 2>&1
rc=$?
set -e
[ "$rc" = 86 ] || { cat "$WORK/out"; fail "the crash hook did not fire (exit $rc)"; }
[ "$(admin_sql "SELECT count(*) FROM responses")" = $((before + 200)) ] || fail "after the crash the center has $(admin_sql "SELECT count(*) FROM responses")"
out=$(sync_kiosk hall-a --batch 100) || fail "sync after the crash failed: $out"
grep -q "sent 100, already there 100, conflicts 0" <<<"$out" || fail "after the crash: $out"
[ "$(admin_sql "SELECT count(*) FROM responses")" = $((before + 300)) ] || fail "responses lost or doubled"
total_atoms=$(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE r.kiosk = 'hall-a'")
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$total_atoms" ] || fail "answers doubled or lost after the crash"
cells_agree  # the counted cells (central schema 8): nothing doubled or lost either
echo "central_sync: exactly once over TLS; conflicts kept (abandoned sessions too); 9 failure statuses, a renamed kiosk and an unknown one; crash after commit re-sent without doubles"

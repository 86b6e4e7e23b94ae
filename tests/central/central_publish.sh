#!/usr/bin/env bash
# Questionnaires and settings from the center (issue 17), through a real center: a file
# the kiosk's loader refuses (and a link, a folder, a huge file) never reaches it; the
# same version with other content is refused, the same content is a no-op; only admins
# publish, withdraw and set (kiosk, department and propaganda roles refused by direct
# SQL); kiosks read only what is not withdrawn, and their own settings (kiosk beats
# hall); a kiosk's `ecokiosk sync` pulls, keeps and reports what it runs, and keeps it
# when the center is unreachable; every change is in the audit with the real login.
# Then the in-process kiosk (tests/test_publish_center.cpp): a published version reaches
# its model through the sync worker and is used from the next resident on.
#   central_publish.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center publish
out=$("$APP" --data-dir "$SRC" central init --url "$CENTER")
grep -q "created schema version $SCHEMA_VERSION" <<<"$out" || fail "init said: $out"

PORT=$ECOKIOSK_PG_PORT
B=boss.$$ F=forest.$$ P=prop.$$
PW_A=admin-pass-12345 PW_F=forest-pass-1234 PW_P=propaganda-pass-1
echo "$PW_A" | "$APP" central add-user $B --url "$CENTER" --role admin >/dev/null || fail "add-user $B"
echo "$PW_F" | "$APP" --data-dir "$SRC" central add-user $F --url "$CENTER" --department 区林业局 >/dev/null || fail "add-user $F"
echo "$PW_P" | "$APP" central add-user $P --url "$CENTER" --role propaganda >/dev/null || fail "add-user $P"
AS_B="postgresql://$B:$PW_A@127.0.0.1:$PORT/$CENTER_DB"
AS_F="postgresql://$F:$PW_F@127.0.0.1:$PORT/$CENTER_DB"
as_user() { PGPASSWORD="$2" psql -qAtX "postgresql://$1@127.0.0.1:$PORT/$CENTER_DB" -v ON_ERROR_STOP=1 -c "$3"; }
refused() {  # refused NAME PASSWORD SQL WHY
  local err
  if err=$(as_user "$1" "$2" "$3" 2>&1); then fail "$1 may run: $3"; fi
  grep -qE "$4" <<<"$err" || fail "$1: refused, but why: $err (for $3)"
}
published() { admin_sql "SELECT count(*) FROM published_questionnaires"; }

kiosk k1
kiosk k2
# k3 stands in k1's hall.
mkdir -p "$WORK/k3"
printf '{"kiosk_id": "k3", "hall_name": {"zh": "k1镇便民服务中心", "en": "k1 Township Hall"}}\n' > "$WORK/k3/config.json"
"$APP" central add-kiosk k3 --url "$CENTER" --config "$WORK/k3/config.json" >/dev/null || fail "add-kiosk k3"

# Questionnaire files as the district writes them: the shipped satisfaction survey as its
# next version (its include beside it in blocks/), and broken or hostile ones.
Q="$WORK/q"
mkdir -p "$Q"
cp -r "$SRC/questionnaires/blocks" "$Q/"
edit() {  # edit OUT VERSION PYTHON-EXPRESSION-ON-j
  python3 - "$SRC/questionnaires/satisfaction.json" "$1" "$2" "$3" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1], encoding='utf-8'))
j['version'] = int(sys.argv[3])
exec(sys.argv[4])
json.dump(j, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
EOF
}
V=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$SRC/questionnaires/satisfaction.json")
N=$((V + 1))  # the version the district publishes
edit "$Q/sat2.json" $N "j['title']['zh'] = '满意度调查（新版）'"
edit "$Q/sat2-other.json" $N "j['title']['zh'] = '另一个新版'"
edit "$Q/bad.json" $((N + 1)) "j['questions'][1]['type'] = 'essay'"
edit "$Q/sat1-other.json" $V "j['title']['zh'] = '冒充的已装版'"

# Refused at publish time, nothing stored: the loader's reason, a link, a folder, a huge file.
"$APP" central publish "$Q/bad.json" --url "$AS_B" >"$WORK/out" 2>"$WORK/err" && fail "a bad file was published"
grep -q "/questions/1" "$WORK/err" && grep -q "nothing was published" "$WORK/err" || fail "bad file: $(cat "$WORK/err")"
ln -s "$Q/sat2.json" "$Q/link.json"
"$APP" central publish "$Q/link.json" --url "$AS_B" 2>"$WORK/err" && fail "published through a link"
grep -q "symbolic link" "$WORK/err" || fail "link: $(cat "$WORK/err")"
"$APP" central publish "$Q/blocks" --url "$AS_B" 2>"$WORK/err" && fail "published a folder"
grep -q "is a folder" "$WORK/err" || fail "folder: $(cat "$WORK/err")"
head -c 3000000 /dev/zero | tr '\0' ' ' > "$Q/huge.json"
"$APP" central publish "$Q/huge.json" --url "$AS_B" 2>"$WORK/err" && fail "published a huge file"
grep -q "at most" "$WORK/err" || fail "huge: $(cat "$WORK/err")"
# One bad file among good ones: none of them.
"$APP" central publish "$Q/sat2.json" "$Q/bad.json" --url "$AS_B" 2>"$WORK/err" && fail "a set with a bad file was published"
[ "$(published)" = 0 ] || fail "something was stored: $(admin_sql "SELECT questionnaire, version FROM published_questionnaires")"

# Published by an admin; again: nothing changes; the same version with other content: refused.
"$APP" central publish "$Q/sat2.json" --url "$AS_B" >"$WORK/out" || fail "publish: $(cat "$WORK/out")"
grep -q "satisfaction version $N (.*): published" "$WORK/out" || fail "publish said: $(cat "$WORK/out")"
"$APP" central publish "$Q/sat2.json" --url "$AS_B" >"$WORK/out" || fail "second publish failed"
grep -q "already published" "$WORK/out" || fail "second publish said: $(cat "$WORK/out")"
"$APP" central publish "$Q/sat2-other.json" --url "$AS_B" 2>"$WORK/err" && fail "version 2 replaced with other content"
grep -q "published with other content" "$WORK/err" || fail "other content: $(cat "$WORK/err")"
[ "$(admin_sql "SELECT count(*) || ' ' || min(published_by) FROM published_questionnaires")" = "1 $B" ] \
  || fail "published: $(admin_sql "SELECT * FROM published_questionnaires")"
HASH2=$(admin_sql "SELECT content_hash FROM published_questionnaires")

# The installed version number with other content is refused too: kiosks already
# answered it (k1 sends its definitions at its first contact).
fill k1 3 1
sync_kiosk k1 >/dev/null || fail "first sync of k1"
"$APP" central publish "$Q/sat1-other.json" --url "$AS_B" 2>"$WORK/err" && fail "version 1 republished with other content"
grep -q "already in use on kiosks" "$WORK/err" || fail "in use: $(cat "$WORK/err")"

# Only admins: kiosks, departments, propaganda are refused by the engine, UI bypassed.
DEF=$(python3 -c 'import sys; print(open(sys.argv[1]).read().replace("\x27", "\x27\x27"))' "$Q/sat2.json")
for who in "$F $PW_F" "$P $PW_P"; do
  set -- $who
  refused "$1" "$2" "SELECT ecokiosk_publish('satisfaction', 9, 'x', '{}')" "permission denied"
  refused "$1" "$2" "SELECT ecokiosk_withdraw('satisfaction', $N)" "permission denied"
  refused "$1" "$2" "SELECT ecokiosk_set_setting('kiosk', 'k1', 'idle_seconds', '90')" "permission denied"
  refused "$1" "$2" "INSERT INTO published_questionnaires VALUES('x', 1, 'h', '{}', 'me', now())" "permission denied"
  refused "$1" "$2" "UPDATE published_questionnaires SET withdrawn_at = now()" "permission denied"
done
"$APP" central publish "$Q/sat2.json" --url "$AS_F" 2>"$WORK/err" && fail "a department published"
grep -q "permission denied" "$WORK/err" || fail "department publish: $(cat "$WORK/err")"
as_kiosk "$WORK/k1" "SELECT ecokiosk_publish('satisfaction', 9, 'x', '{}')" 2>"$WORK/err" && fail "a kiosk published"
grep -q "permission denied" "$WORK/err" || fail "kiosk publish: $(cat "$WORK/err")"
as_kiosk "$WORK/k1" "INSERT INTO published_questionnaires VALUES('x', 1, 'h', '{}', 'me', now())" 2>"$WORK/err" \
  && fail "a kiosk inserted a questionnaire"
as_kiosk "$WORK/k1" "UPDATE published_questionnaires SET definition = '{}'" 2>"$WORK/err" && fail "a kiosk changed one"
as_kiosk "$WORK/k1" "SELECT published_by FROM published_questionnaires" 2>"$WORK/err" && fail "a kiosk read who published"
as_kiosk "$WORK/k1" "SELECT * FROM kiosk_settings" 2>"$WORK/err" && fail "a kiosk read every kiosk's settings"
# An admin calling the function past the CLI still cannot store what is not that version's JSON.
refused $B "$PW_A" "SELECT ecokiosk_publish('satisfaction', 5, 'abc', 'not json')" "not JSON"
refused $B "$PW_A" "SELECT ecokiosk_publish('satisfaction', 5, 'abc', '{\"id\": \"satisfaction\", \"version\": 5}')" "SHA-256"
refused $B "$PW_A" "SELECT ecokiosk_publish('knowledge', 5, 'abc', '{\"id\": \"satisfaction\", \"version\": 5}')" "does not name"
[ "$(published)" = 1 ] || fail "a refused publish stored something"

# Settings: per hall and per kiosk (the kiosk's own beat its hall's), range-checked first.
"$APP" central settings --hall k1镇便民服务中心 idle_seconds=90 finish_seconds=40 --url "$AS_B" >/dev/null || fail "hall settings"
"$APP" central settings --kiosk k1 idle_seconds=120 hall_zh=一号窗口 hall_en="Window 1" --url "$AS_B" >/dev/null || fail "kiosk settings"
"$APP" central settings --kiosk k1 idle_seconds=5 --url "$AS_B" 2>"$WORK/err" && fail "idle_seconds=5 accepted"
grep -q "outside 10..600" "$WORK/err" || fail "out of range: $(cat "$WORK/err")"
"$APP" central settings --kiosk k1 kiosk_id=k2 --url "$AS_B" 2>"$WORK/err" && fail "kiosk_id set from the center"
"$APP" central settings --kiosk nobody idle_seconds=60 --url "$AS_B" 2>"$WORK/err" && fail "settings for no kiosk"
grep -q 'no kiosk "nobody"' "$WORK/err" || fail "unknown kiosk: $(cat "$WORK/err")"
"$APP" central settings --hall 不存在的大厅 idle_seconds=60 --url "$AS_B" 2>"$WORK/err" && fail "settings for no hall"
"$APP" central settings --kiosk k1 idle_seconds=60 --url "$AS_F" 2>"$WORK/err" && fail "a department set a setting"
grep -q "permission denied" "$WORK/err" || fail "department settings: $(cat "$WORK/err")"
rc=0; "$APP" central settings idle_seconds=60 --url "$AS_B" 2>"$WORK/err" || rc=$?
[ $rc = 2 ] || fail "settings without --hall/--kiosk: exit $rc"
s1=$(as_kiosk "$WORK/k1" "SELECT ecokiosk_my_settings()")
s3=$(as_kiosk "$WORK/k3" "SELECT ecokiosk_my_settings()")
s2=$(as_kiosk "$WORK/k2" "SELECT ecokiosk_my_settings()")
python3 - "$s1" "$s2" "$s3" <<'EOF' || fail "settings as kiosks see them: $s1 / $s2 / $s3"
import json, sys
k1, k2, k3 = (json.loads(a) for a in sys.argv[1:])
assert k1['idle_seconds'] == 120 and k1['finish_seconds'] == 40, k1          # its own, then its hall's
assert k1['hall_name'] == {'zh': '一号窗口', 'en': 'Window 1'}, k1
assert k3['idle_seconds'] == 90 and k3['finish_seconds'] == 40, k3           # its hall's
assert k3['hall_name']['zh'] == 'k1镇便民服务中心', k3
assert k2 == {'hall_name': {'zh': 'k2镇便民服务中心', 'en': 'k2 Township Hall'}}, k2  # no settings: its hall's name
EOF
# Cleared: the hall's value applies again.
"$APP" central settings --kiosk k1 idle_seconds= --url "$AS_B" >/dev/null || fail "clearing a setting"
[ "$(as_kiosk "$WORK/k1" "SELECT ecokiosk_my_settings()->>'idle_seconds'")" = 90 ] || fail "cleared key did not fall back"

# A kiosk pulls: checked, kept beside its configuration, reported in the heartbeat.
sync_kiosk k1 >"$WORK/out" 2>"$WORK/err" || fail "sync k1: $(cat "$WORK/out" "$WORK/err")"
grep -q "published: new: satisfaction $N ${HASH2:0:12}" "$WORK/out" || fail "pull said: $(cat "$WORK/out")"
KEPT="$WORK/k1/central-published.json"
[ -f "$KEPT" ] || fail "nothing kept"
[ "$(stat -c %a "$KEPT")" = 600 ] || fail "kept file mode $(stat -c %a "$KEPT")"
got=$("$APP" --central "$AS_B" fleet --format json)
KV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$SRC/questionnaires/knowledge.json")
python3 - "$got" $N $KV <<'EOF' || fail "fleet: $got"
import json, sys
rows = {r['kiosk']: r for r in json.loads(sys.argv[1])}
assert 'satisfaction %s' % sys.argv[2] in rows['k1']['questionnaires'], rows['k1']
assert 'knowledge %s' % sys.argv[3] in rows['k1']['questionnaires'], rows['k1']
EOF
sync_kiosk k1 >"$WORK/out" || fail "second sync"
grep -q "published: unchanged" "$WORK/out" || fail "second pull said: $(cat "$WORK/out")"

# The center unreachable: the kept set is untouched and still what the kiosk runs.
sum=$(md5sum < "$KEPT")
cp "$WORK/k1/config.json" "$WORK/k1/config.online.json"
python3 - "$WORK/k1/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c['central_url'] = 'postgresql://127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2'
json.dump(c, open(sys.argv[1], 'w'))
EOF
sync_kiosk k1 >"$WORK/out" 2>"$WORK/err" && fail "sync to nowhere succeeded"
[ "$(md5sum < "$KEPT")" = "$sum" ] || fail "the kept set changed while the center was down"
mv "$WORK/k1/config.online.json" "$WORK/k1/config.json"

# Withdrawn: kiosks no longer see it; the next pull drops it; withdrawing again or a
# version never published says so; the same content published again brings it back.
"$APP" central withdraw satisfaction $N --url "$AS_B" >"$WORK/out" || fail "withdraw"
grep -q "withdrawn" "$WORK/out" || fail "withdraw said: $(cat "$WORK/out")"
[ "$(as_kiosk "$WORK/k1" "SELECT count(*) FROM published_questionnaires")" = 0 ] || fail "a kiosk still sees it"
"$APP" central withdraw satisfaction $N --url "$AS_B" >"$WORK/out" || fail "second withdraw"
grep -q "already withdrawn" "$WORK/out" || fail "second withdraw said: $(cat "$WORK/out")"
"$APP" central withdraw satisfaction 9 --url "$AS_B" 2>"$WORK/err" && fail "withdrew a version never published"
grep -q "no published satisfaction version 9" "$WORK/err" || fail "never published: $(cat "$WORK/err")"
refused $F "$PW_F" "SELECT ecokiosk_withdraw('satisfaction', $N)" "permission denied"
sync_kiosk k1 >"$WORK/out" || fail "sync after withdraw"
grep -q "published: new: ; settings" "$WORK/out" || fail "pull after withdraw said: $(cat "$WORK/out")"
grep -q "satisfaction" "$KEPT" && fail "the withdrawn version is still kept"
"$APP" --central "$AS_B" fleet --format json | grep -q "\"questionnaires\": \"knowledge $KV, satisfaction $V" \
  || fail "fleet after withdraw: $("$APP" --central "$AS_B" fleet --format json)"
"$APP" central publish "$Q/sat2.json" --url "$AS_B" >"$WORK/out" || fail "publish again"
grep -q "published again" "$WORK/out" || fail "republish said: $(cat "$WORK/out")"
"$APP" central published --url "$AS_B" | grep -q "satisfaction version $N (${HASH2:0:12}) published by $B" \
  || fail "list: $("$APP" central published --url "$AS_B")"

# The audit, written by the engine with the real login.
got=$(admin_sql "SELECT actor || ':' || action || ':' || subject FROM audit WHERE action IN ('publish', 'withdraw', 'reinstate', 'setting', 'setting_cleared') ORDER BY seq" | tr '\n' ' ')
for want in "$B:publish:satisfaction $N" "$B:setting:hall k1镇便民服务中心" "$B:setting:kiosk k1" \
            "$B:setting_cleared:kiosk k1" "$B:withdraw:satisfaction $N" "$B:reinstate:satisfaction $N"; do
  grep -q "$want" <<<"$got" || fail "audit lacks $want: $got"
done
[ "$(admin_sql "SELECT count(*) FROM audit WHERE action = 'publish'")" = 1 ] || fail "publish audited more than once"
"$APP" --central "$CENTER" audit verify >/dev/null || fail "audit chain broken"

# The real kiosk under Xvfb: one that has never pulled shows the published version (its
# title) on its welcome screen after its first pull; one restarted while the center is
# unreachable shows the version it kept.
sync_kiosk k1 >"$WORK/out" || fail "sync after publishing again"
grep -q "published: new: satisfaction $N" "$WORK/out" || fail "pull after publishing again: $(cat "$WORK/out")"
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null; then
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["central_url"] = "postgresql://127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2"
json.dump(c, open(sys.argv[1], "w"))' "$WORK/k1/config.json"
  . "$(dirname "$0")/../xvfb.sh"
  start_xvfb 1280x800x24 "$WORK/xvfb.log"
  offers_new() {  # offers_new NAME: the kiosk NAME's welcome screen shows the published title within 15 s
    rm -f "$WORK/hits"
    DISPLAY=$disp ECOKIOSK_HIT_LOG="$WORK/hits" "$APP" --db "$WORK/$1.db" --data-dir "$SRC" --config "$WORK/$1/config.json" \
      --windowed 1280x800 >"$WORK/app.log" 2>&1 &
    app=$!
    seen=""
    for _ in $(seq 150); do
      grep -q "^满意度调查（新版）"$'\t' "$WORK/hits" 2>/dev/null && { seen=yes; break; }
      DISPLAY=$disp xdotool mousemove 1 1 2>/dev/null || true  # a wake-up event: a frame is drawn
      sleep 0.1
    done
    kill $app; wait $app 2>/dev/null || true
    [ -n "$seen" ] || fail "$1 does not offer the published version: $(cut -f1 "$WORK/hits" 2>/dev/null | tr '\n' ' ') / $(cat "$WORK/app.log")"
  }
  # k3 has never pulled: it starts on the installed version, its sync's first pull brings
  # the published one through the run queue to the welcome screen.
  [ -f "$WORK/k3/central-published.json" ] && fail "k3 has pulled already"
  offers_new k3
  grep -q "published: .*satisfaction $N .*(taken at the welcome screen)" "$WORK/app.log" || fail "k3 log: $(cat "$WORK/app.log")"
  [ -f "$WORK/k3/central-published.json" ] || fail "k3 kept nothing"
  # k1, restarted while the center is unreachable, runs what it kept.
  offers_new k1
  kill $xvfb; wait $xvfb 2>/dev/null || true
  grep -q "published: running knowledge $KV, satisfaction $N" "$WORK/app.log" || fail "kiosk log: $(cat "$WORK/app.log")"
else
  echo "SKIP (part): no Xvfb or xdotool for the real kiosk's restart"
fi

# The in-process kiosk: the sync worker, its run queue and the kiosk model.
ECOKIOSK_PUBLISH_CONFIG="$WORK/k2/config.json" ECOKIOSK_PUBLISH_ADMIN="$AS_B" ECOKIOSK_PUBLISH_FILES="$Q" \
  "$BUILD/tests/ecokiosk_tests" --no-skip -tc='publish center: *' | tee "$WORK/out"
grep -q 'test cases: *1 | *1 passed' "$WORK/out" || fail "the in-process case did not run and pass"
echo "central_publish: ok"

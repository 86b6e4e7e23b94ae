#!/usr/bin/env bash
# Least privilege, enforced by PostgreSQL itself and tried with direct SQL (psql, libpq)
# as a kiosk's own role: it may insert only rows with its own kiosk id; it cannot read
# responses' content nor other kiosks' rows, nor touch indicator records or the kiosk
# list; add-kiosk writes 0600 credentials, refuses a planted link, and a second init
# changes nothing.
#   central_rls.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center rls
out=$("$APP" central init --url "$CENTER")
grep -q "created schema version $SCHEMA_VERSION" <<<"$out" || fail "init said: $out"
out=$("$APP" central init --url "$CENTER")
grep -q "already current" <<<"$out" || fail "second init said: $out"
kiosk hall-a
kiosk hall-b
[ "$(stat -c %a "$WORK/hall-a/central-credentials.json")" = 600 ] || fail "credentials are not 0600"
grep -q '"central_url": "postgresql://127.0.0.1' "$WORK/hall-a/config.json" || fail "central_url not written: $(cat "$WORK/hall-a/config.json")"
grep -q 'ecoadmin' "$WORK/hall-a/config.json" && fail "the administrator's login leaked into the kiosk's config"
[ "$(admin_sql "SELECT hall_en FROM kiosks WHERE kiosk='hall-a'")" = "hall-a Township Hall" ] || fail "hall not recorded"

# hall-a's own row goes in; one claiming hall-b is refused by row-level security.
ID_A=11111111-1111-4111-8111-111111111111
ID_B=22222222-2222-4222-8222-222222222222
ROW="'q', 1, 'h', 'zh', 1560000000000, 1560000060000, 60, 3, '[]', 'd'"
as_kiosk "$WORK/hall-a" "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) VALUES('$ID_A', 'hall-a', $ROW)" \
  || fail "a kiosk could not insert its own row"
if err=$(as_kiosk "$WORK/hall-a" "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) VALUES('$ID_B', 'hall-b', $ROW)" 2>&1); then
  fail "hall-a inserted a row as hall-b"
fi
grep -q "row-level security" <<<"$err" || fail "refused, but not by row-level security: $err"
# Answers to another kiosk's response are refused too.
as_kiosk "$WORK/hall-b" "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) VALUES('$ID_B', 'hall-b', $ROW)"
if as_kiosk "$WORK/hall-a" "INSERT INTO answers(response, ord, question, kind, item) VALUES('$ID_B', 0, 'q1', 1, 'a')" 2>/dev/null; then
  fail "hall-a added an answer to hall-b's response"
fi
# ... also through the function kiosks add answers with (it checks whose response it is).
if err=$(as_kiosk "$WORK/hall-a" "SELECT ecokiosk_add_answers('[{\"response\": \"$ID_B\", \"ord\": 0, \"question\": \"q1\", \"kind\": 1, \"item\": \"a\"}]', '[]')" 2>&1); then
  fail "hall-a added an answer to hall-b's response through ecokiosk_add_answers"
fi
grep -q "not this kiosk's" <<<"$err" || fail "refused, but why: $err"
as_kiosk "$WORK/hall-a" "SELECT ecokiosk_add_answers('[{\"response\": \"$ID_A\", \"ord\": 0, \"question\": \"q1\", \"kind\": 1, \"item\": \"a\"}]', '[]')" >/dev/null \
  || fail "hall-a could not add an answer to its own response"
[ "$(admin_sql "SELECT count(*) FROM answers")" = 1 ] || fail "answers: $(admin_sql "SELECT count(*) FROM answers")"
# ... and through the staging tables the sync COPYs into (schema 4): the same check,
# and tables the kiosk made itself under those names are refused, not read as the owner.
stage="SELECT ecokiosk_stage(); INSERT INTO pg_temp.ecokiosk_stage_answers VALUES"
if err=$(as_kiosk "$WORK/hall-a" "$stage ('$ID_B', 1, 'q1', 1, 'a', NULL, NULL); SELECT ecokiosk_add_staged()" 2>&1); then
  fail "hall-a added an answer to hall-b's response through the staging tables"
fi
grep -q "not this kiosk's" <<<"$err" || fail "staged: refused, but why: $err"
# (From schema 12 a response's atoms are one row: they arrive together, so this is
# another response of hall-a's; central_answer_sets refuses a second set for one.)
ID_A2=11111111-1111-4111-8111-111111111112
as_kiosk "$WORK/hall-a" "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) VALUES('$ID_A2', 'hall-a', $ROW)" \
  || fail "hall-a could not insert its second response"
as_kiosk "$WORK/hall-a" "$stage ('$ID_A2', 1, 'q1', 1, 'b', NULL, NULL); SELECT ecokiosk_add_staged()" >/dev/null \
  || fail "hall-a could not stage an answer to its own response"
[ "$(admin_sql "SELECT count(*) FROM answers")" = 2 ] || fail "answers after staging: $(admin_sql "SELECT count(*) FROM answers")"
if err=$(as_kiosk "$WORK/hall-a" "CREATE TEMP TABLE ecokiosk_stage_answers(response text, ord int, question text, kind int, item text, value bigint, text text);
    CREATE TEMP TABLE ecokiosk_stage_metrics(response text); SELECT ecokiosk_stage(); SELECT ecokiosk_add_staged()" 2>&1); then
  fail "ecokiosk_add_staged read tables the kiosk made"
fi
grep -q "not this function's" <<<"$err" || fail "planted staging tables: refused, but why: $err"
# Reading: the content of responses is refused outright; of ids, a kiosk sees only its own.
for sql in "SELECT * FROM responses" "SELECT questionnaire FROM responses" "SELECT * FROM answers" "SELECT * FROM answer_sets" \
           "SELECT * FROM response_metrics" "SELECT * FROM conflicts" "SELECT * FROM kiosks" \
           "SELECT * FROM indicator_records" "SELECT * FROM abandoned"; do
  if as_kiosk "$WORK/hall-a" "$sql" >/dev/null 2>&1; then fail "a kiosk role may run: $sql"; fi
done
seen=$(as_kiosk "$WORK/hall-a" "SELECT string_agg(id, ',' ORDER BY id) FROM responses")
[ "$seen" = "$ID_A,$ID_A2" ] || fail "hall-a sees ids: $seen"
# Indicator records: no insert, update or delete either.
for sql in "INSERT INTO indicator_records(indicator, as_of, source, evidence, recorded_by, recorded_at) VALUES('35','2019-06-01','x','x','x',0)" \
           "DELETE FROM responses" "UPDATE responses SET kiosk='hall-a'" "DELETE FROM indicator_records" \
           "INSERT INTO kiosks(kiosk, role) VALUES('x', current_user)" "CREATE TABLE sneaky(x int)"; do
  if as_kiosk "$WORK/hall-a" "$sql" >/dev/null 2>&1; then fail "a kiosk role may run: $sql"; fi
done
[ "$(admin_sql "SELECT count(*) FROM responses")" = 3 ] || fail "responses changed"

# add-kiosk refuses a planted link at the credentials path, and a config of another kiosk.
mkdir -p "$WORK/hall-c"
printf '{"kiosk_id": "hall-c"}\n' > "$WORK/hall-c/config.json"
ln -s "$WORK/stolen" "$WORK/hall-c/central-credentials.json"
if "$APP" central add-kiosk hall-c --url "$CENTER" --config "$WORK/hall-c/config.json" 2>"$WORK/err"; then fail "add-kiosk wrote through a link"; fi
grep -q "is a link" "$WORK/err" || fail "link refusal says: $(cat "$WORK/err")"
[ -e "$WORK/stolen" ] && fail "the link's target was written"
if "$APP" central add-kiosk hall-z --url "$CENTER" --config "$WORK/hall-a/config.json" 2>"$WORK/err"; then fail "add-kiosk rewrote another kiosk's config"; fi
grep -q 'is kiosk "hall-a"' "$WORK/err" || fail "says: $(cat "$WORK/err")"
# Credentials others may read are refused by the kiosk.
chmod 644 "$WORK/hall-a/central-credentials.json"
fill hall-a 3 1
if sync_kiosk hall-a >"$WORK/out" 2>&1; then fail "sync used credentials readable by others"; fi
grep -q "status: auth" "$WORK/out" && grep -q "chmod 600" "$WORK/out" || fail "0644 credentials: $(cat "$WORK/out")"
echo "central_rls: kiosk roles confined by PostgreSQL (insert own only, no reads of content, no indicator records)"

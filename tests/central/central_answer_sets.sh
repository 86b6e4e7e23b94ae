#!/usr/bin/env bash
# Central schema 12 (a response's answer atoms stored as one row of arrays, answer_sets;
# answers a view giving the atoms one per row as before): a schema-11 center holding atoms
# that are awkward to write as array elements (the text 'NULL' against NULL, '', commas,
# braces, quotes, backslashes, tabs, newlines, CJK, stored out of ord order, one whose
# response was deleted by hand) is migrated and reads back every atom unchanged; a kiosk
# whose own atoms are as awkward (and one response with none) then syncs in small batches,
# killed once after a commit before its mark moved: every atom at the center equals the
# kiosk's byte for byte, each once, and the center's JSON Lines export (read from the
# arrays) is the kiosk's own; a lost mark re-sends all as "already there"; a kiosk
# staging a set for another kiosk's response, arrays of different lengths, a NULL question,
# or a second set for a response already there is refused and leaves nothing; kiosks read
# neither answers nor answer_sets, readers read both.
#   central_answer_sets.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ "$SCHEMA_VERSION" -ge 12 ] || fail "schema $SCHEMA_VERSION: this test is about schema 12"
sent() { grep -q "sent $2, already there $3, conflicts $4" <<<"$1" || fail "expected sent $2, already $3, conflicts $4: $1"; }
new_center sets
"$APP" central init --url "$CENTER" --schema-version 11 >/dev/null
plain_kiosk hall-a
plain_kiosk hall-b

# Schema 11: atoms one per row, written by hand (as district IT or an older program did).
psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "could not store the schema-11 rows"
INSERT INTO kiosks(kiosk, role) VALUES('old-hall', 'nobody_old_hall');
INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s,
  visible_questions, digest) SELECT 'old-' || g, 'old-hall', 'q', 1, 'h', 'zh', 0, 1560000000000 + g, 60, 3, 'd'
  FROM generate_series(1, 5) g;
-- Out of ord order on purpose; every awkward text in question, item and text.
INSERT INTO answers(rid, response, ord, question, kind, item, value, text)
  SELECT r.rid, r.id, o, (ARRAY['q1', 'NULL', 'a,b', '{x}'])[1 + o % 4], 1 + o % 5,
         (ARRAY['', 'NULL', E'tab\there', 'q"uote', E'back\\slash', '回答,镇', ' lead'])[1 + o % 7],
         CASE WHEN o % 3 = 0 THEN NULL ELSE o::bigint * 1000000007 END,
         (ARRAY[NULL, 'NULL', '', E'line\nbreak', '"}', E'\\\\', '选项 "甲"'])[1 + (o + g) % 7]
  FROM responses r JOIN generate_series(1, 5) g ON r.id = 'old-' || g CROSS JOIN generate_series(9, 0, -1) o;
-- An atom whose response was deleted by hand (no key forbids it): no rid.
INSERT INTO answers(response, ord, question, kind, item) VALUES('gone-1', 0, 'q1', 1, 'a');
SQL
dump_center() { psql -qAtX "$CENTER" -F '|' -c "SELECT response, ord, encode(convert_to(question, 'UTF8'), 'hex'), kind,
  encode(convert_to(item, 'UTF8'), 'hex'), coalesce(value::text, 'N'), coalesce(encode(convert_to(text, 'UTF8'), 'hex'), 'N'),
  coalesce(rid::text, 'N') FROM answers $1 ORDER BY response, ord"; }
before=$(dump_center "")
[ "$(wc -l <<<"$before")" = 51 ] || fail "schema 11: not 51 atoms"
out=$("$APP" central init --url "$CENTER") || fail "migration: $out"
grep -q "11 -> $SCHEMA_VERSION" <<<"$out" || fail "migration said: $out"
[ "$(dump_center "")" = "$before" ] || fail "the migration changed atoms: $(diff <(echo "$before") <(dump_center "") | head)"
[ "$(admin_sql "SELECT count(*) FROM answer_sets")" = 6 ] || fail "not one set per response: $(admin_sql "SELECT count(*) FROM answer_sets")"
[ "$(admin_sql "SELECT count(*) FROM answer_sets WHERE ords <> (SELECT array_agg(o ORDER BY o) FROM unnest(ords) o)")" = 0 ] \
  || fail "a migrated set is not in ord order"
[ "$(admin_sql "SELECT to_regclass('public.answers') IS NOT NULL AND (SELECT relkind FROM pg_class WHERE oid = 'public.answers'::regclass) = 'v'")" = t ] \
  || fail "answers is not a view"

# A kiosk whose own atoms are as awkward, and one response without atoms.
fill hall-a 60 51
sqlite3 "$WORK/hall-a.db" "
  UPDATE answers SET text = (CASE (response + ord) % 8 WHEN 0 THEN NULL WHEN 1 THEN 'NULL' WHEN 2 THEN ''
    WHEN 3 THEN 'line' || char(10) || 'break' || char(9) || 'tab' WHEN 4 THEN '\"}{,' WHEN 5 THEN '\\\\' || '\\'
    WHEN 6 THEN '选项 \"甲\", {乙}' ELSE text END) WHERE response % 3 = 0;
  UPDATE answers SET item = (CASE ord % 4 WHEN 0 THEN 'NULL' WHEN 1 THEN '' WHEN 2 THEN 'a\\b\"c' ELSE '{1,2}' END)
    WHERE response % 5 = 0;
  UPDATE answers SET kind = 5 WHERE response % 3 = 0 AND kind = 1
    AND (SELECT count(*) FROM answers b WHERE b.response = answers.response AND b.question = answers.question) = 1;
  DELETE FROM answers WHERE response = 7;"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers WHERE kind = 5 AND text IS NULL")" -gt 0 ] || fail "no text atom without text made"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers WHERE text = 'NULL' OR text = ''")" -gt 0 ] || fail "no awkward atoms made"
if ECOKIOSK_SYNC_CRASH_AFTER_COMMIT=3 sync_kiosk hall-a --batch 7 >/dev/null 2>&1; then fail "the sync did not stop after 3 commits"; fi
[ "$(admin_sql "SELECT count(*) FROM responses WHERE kiosk = 'hall-a'")" = 21 ] || fail "not 3 batches of 7 at the center"
out=$(sync_kiosk hall-a --batch 7) || fail "sync: $out"
sent "$out" 39 7 0
dump_kiosk() { sqlite3 -separator '|' "$WORK/hall-a.db" "SELECT r.uuid, a.ord, lower(hex(a.question)), a.kind, lower(hex(a.item)),
  ifnull(a.value, 'N'), CASE WHEN a.text IS NULL THEN 'N' ELSE lower(hex(a.text)) END FROM answers a JOIN responses r ON r.id = a.response
  ORDER BY r.uuid, a.ord"; }
center_a() { psql -qAtX "$CENTER" -F '|' -c "SELECT a.response, a.ord, encode(convert_to(a.question, 'UTF8'), 'hex'), a.kind,
  encode(convert_to(a.item, 'UTF8'), 'hex'), coalesce(a.value::text, 'N'), coalesce(encode(convert_to(a.text, 'UTF8'), 'hex'), 'N')
  FROM answers a JOIN responses r ON r.rid = a.rid WHERE r.kiosk = 'hall-a' ORDER BY a.response COLLATE \"C\", a.ord"; }
[ "$(center_a)" = "$(dump_kiosk)" ] || fail "atoms at the center differ from the kiosk's: $(diff <(dump_kiosk) <(center_a) | head -5)"
[ "$(admin_sql "SELECT count(*) FROM answer_sets s JOIN responses r ON r.rid = s.rid WHERE r.kiosk = 'hall-a'")" = 59 ] \
  || fail "not one set per response with atoms"
[ "$(admin_sql "SELECT count(*) FROM answer_sets s JOIN responses r ON r.id = s.response WHERE s.rid IS DISTINCT FROM r.rid")" = 0 ] \
  || fail "a set carries another response's rid"
[ "$(dump_center "WHERE response LIKE 'old-%' OR response = 'gone-1'")" = "$before" ] || fail "the sync changed the migrated atoms"
# A lost mark: everything again, all already there, nothing doubled.
sqlite3 "$WORK/hall-a.db" "UPDATE central_sync SET response_mark = 0"
out=$(sync_kiosk hall-a --batch 25) || fail "re-send: $out"
sent "$out" 0 60 0
[ "$(center_a)" = "$(dump_kiosk)" ] || fail "a re-send changed atoms"

# The center's reader (one row of arrays per response) gives the kiosk's own export.
"$APP" --data-dir "$SRC" --config "$WORK/hall-a/config.json" --db "$WORK/hall-a.db" export --format jsonl > "$WORK/kiosk.jsonl"
"$APP" --data-dir "$SRC" --config "$WORK/hall-a/config.json" --central "$CENTER" export --format jsonl --kiosk hall-a > "$WORK/center.jsonl"
[ -s "$WORK/kiosk.jsonl" ] || fail "the kiosk exported nothing"
cmp -s "$WORK/kiosk.jsonl" "$WORK/center.jsonl" || fail "the center's export differs from the kiosk's: $(diff "$WORK/kiosk.jsonl" "$WORK/center.jsonl" | head -4)"

# Hostile stages, each refused and leaving nothing.
fill hall-b 1 52
sync_kiosk hall-b >/dev/null || fail "hall-b's sync"
ID_A=$(admin_sql "SELECT id FROM responses WHERE kiosk = 'hall-a' LIMIT 1")
ID_B=$(admin_sql "SELECT id FROM responses WHERE kiosk = 'hall-b' LIMIT 1")
admin_sql "DELETE FROM answer_sets WHERE response = '$ID_B'" >/dev/null
sets=$(admin_sql "SELECT count(*) FROM answer_sets")
refused() {  # refused WHAT SQL...: as hall-b, the stage then the move: must fail
  local what=$1; shift
  if err=$(as_kiosk "$WORK/hall-b" "SELECT ecokiosk_stage(); $*; SELECT ecokiosk_add_staged();" 2>&1); then
    fail "$what was taken"
  fi
  [ "$(admin_sql "SELECT count(*) FROM answer_sets")" = "$sets" ] || fail "$what left a set: $err"
}
refused "another kiosk's set" "INSERT INTO pg_temp.ecokiosk_stage_answer_sets VALUES('$ID_A', '{99}', '{q}', '{1}', '{a}', '{1}', '{NULL}')"
refused "arrays of different lengths" "INSERT INTO pg_temp.ecokiosk_stage_answer_sets VALUES('$ID_B', '{1,2}', '{q}', '{1,1}', '{a,b}', '{1,2}', '{NULL,NULL}')"
refused "a NULL question" "INSERT INTO pg_temp.ecokiosk_stage_answer_sets VALUES('$ID_B', '{1}', '{NULL}', '{1}', '{a}', '{1}', '{NULL}')"
refused "a set and atoms for one response" "INSERT INTO pg_temp.ecokiosk_stage_answer_sets VALUES('$ID_B', '{1}', '{q}', '{1}', '{a}', '{1}', '{NULL}');
  INSERT INTO pg_temp.ecokiosk_stage_answers VALUES('$ID_B', 2, 'q', 1, 'a', 1, NULL)"
admin_sql "INSERT INTO answer_sets SELECT rid, id, '{1}', '{q}', '{1}', '{a}', '{1}', '{NULL}' FROM responses WHERE id = '$ID_B'" >/dev/null
sets=$(admin_sql "SELECT count(*) FROM answer_sets")
refused "a second set for a response already there" "INSERT INTO pg_temp.ecokiosk_stage_answer_sets VALUES('$ID_B', '{2}', '{q}', '{1}', '{a}', '{1}', '{NULL}')"
for t in answers answer_sets; do
  if as_kiosk "$WORK/hall-b" "SELECT count(*) FROM $t" >/dev/null 2>&1; then fail "a kiosk read $t"; fi
done
READER=$(admin_sql "SELECT 'ecokiosk_readers_' || substr(encode(sha256(convert_to(current_database(), 'UTF8')), 'hex'), 1, 12)")
admin_sql "CREATE ROLE sets_reader_$$ LOGIN PASSWORD 'pw-reader'; GRANT \"$READER\" TO sets_reader_$$" >/dev/null
for t in answers answer_sets; do
  PGPASSWORD=pw-reader psql -qAtX "postgresql://sets_reader_$$@127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB" -c "SELECT count(*) FROM $t" >/dev/null \
    || fail "a reader cannot read $t"
done
admin_sql "DROP ROLE sets_reader_$$" >/dev/null 2>&1 || true
cells_agree
echo "PASS"

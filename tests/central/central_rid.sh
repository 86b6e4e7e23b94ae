#!/usr/bin/env bash
# Central schema 10 (answer atoms keyed by their response's arrival number rid, the
# responses staged by COPY): a schema-9 center holding a kiosk's first responses (what
# the schema-9 program had sent, the last batch committed but not yet marked) is migrated
# with that kiosk mid-backlog; then it and a second kiosk sync at once in small batches,
# the second killed after a commit before its mark moved and run again: every response
# arrives exactly once, each atom and metrics row carries its own response's rid (ids
# handed out to two kiosks at once), the district's figures equal the USB import's, a
# lost mark re-sends everything as "already there", and a kiosk's planted lookup table
# or another kiosk's response in the stage is refused.
#   central_rid.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ "$SCHEMA_VERSION" -ge 10 ] || fail "schema $SCHEMA_VERSION: this test is about schema 10"
sent() { grep -q "sent $2, already there $3, conflicts $4" <<<"$1" || fail "expected sent $2, already $3, conflicts $4: $1"; }

# What a schema-9 program had stored of hall-a's 300 responses when it stopped: three
# batches of 40 committed, the third not marked (the process ended right after the
# commit). Made by this program in a scratch center, then copied into one at schema 9.
new_center scratch
SCRATCH=$CENTER
"$APP" central init --url "$SCRATCH" >/dev/null
plain_kiosk hall-a
fill hall-a 300 41
if ECOKIOSK_SYNC_CRASH_AFTER_COMMIT=3 sync_kiosk hall-a --batch 40 >/dev/null 2>&1; then fail "the sync did not stop after 3 commits"; fi
[ "$(psql -qAtX "$SCRATCH" -c "SELECT count(*) FROM responses")" = 120 ] || fail "scratch center: not 120 responses"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = 80 ] || fail "hall-a's mark is not at 80"
psql -qAtX "$SCRATCH" -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "could not read the scratch center"
\copy (SELECT id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest FROM responses ORDER BY rid) TO '$WORK/r.tsv'
\copy (SELECT response, ord, question, kind, item, value, text FROM answers) TO '$WORK/a.tsv'
\copy (SELECT response, method, questionnaire, version, kiosk, completed_at, duration_s, visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes FROM response_metrics) TO '$WORK/m.tsv'
SQL

new_center rid
"$APP" central init --url "$CENTER" --schema-version 9 >/dev/null
plain_kiosk hall-a
plain_kiosk hall-b
fill hall-b 250 42
# Another kiosk's rows came first, so rids and local ids differ.
admin_sql "INSERT INTO kiosks(kiosk, role) VALUES('old-hall', 'nobody_old_hall')" >/dev/null
admin_sql "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, digest) SELECT 'old-' || g, 'old-hall', 'q', 1, 'h', 'zh', 0, 1560000000000 + g, 60, 3, 'd' FROM generate_series(1, 17) g" >/dev/null
psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "could not store the schema-9 rows"
\copy responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) FROM '$WORK/r.tsv'
\copy answers(response, ord, question, kind, item, value, text) FROM '$WORK/a.tsv'
CREATE TEMP TABLE m AS SELECT response, method, questionnaire, version, kiosk, completed_at, duration_s, visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes FROM response_metrics LIMIT 0;
\copy m FROM '$WORK/m.tsv'
INSERT INTO response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s, visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
  SELECT m.response, r.rid, m.method, m.questionnaire, m.version, m.kiosk, m.completed_at, m.duration_s, m.visible, m.age, m.gender, m.township, m.score, m.correct, m.drawn, m.satisfied, m.trips, m.green, m.flags, m.fingerprint, m.outcomes
  FROM m JOIN responses r ON r.id = m.response;
SQL
# An atom whose response was deleted by hand (no key forbids it): kept, with no rid.
admin_sql "INSERT INTO answers(response, ord, question, kind, item) VALUES('gone-1', 0, 'q1', 1, 'a')" >/dev/null
atoms9=$(admin_sql "SELECT count(*) FROM answers")

# A schema-9 center: this program sends nothing until it is migrated.
if out=$(sync_kiosk hall-b 2>&1); then fail "a schema-9 center took the rows: $out"; fi
grep -q "status: schema-older$" <<<"$out" || fail "schema 9: wrong status: $out"
out=$("$APP" central init --url "$CENTER") || fail "migration: $out"
grep -q "9 -> $SCHEMA_VERSION" <<<"$out" || fail "migration said: $out"
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$atoms9" ] || fail "the migration changed the number of atoms"
[ "$(admin_sql "SELECT count(*) FROM answers WHERE rid IS NULL")" = 1 ] || fail "atoms without rid: $(admin_sql "SELECT count(*) FROM answers WHERE rid IS NULL")"
[ "$(admin_sql "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE a.rid <> r.rid")" = 0 ] \
  || fail "migrated atoms carry another response's rid"
if [ "$SCHEMA_VERSION" -ge 12 ]; then  # a response's atoms in one row, keyed by its rid (central_answer_sets)
  admin_sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'answer_sets'" | grep -q "UNIQUE INDEX answer_sets_by_rid ON public.answer_sets USING btree (rid)" \
    || fail "answer sets are not keyed by rid: $(admin_sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'answer_sets'")"
else
  admin_sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'answers'" | grep -q "UNIQUE INDEX answers_by_rid ON public.answers USING btree (rid, ord)" \
    || fail "answers are not keyed by (rid, ord): $(admin_sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'answers'")"
fi
cells_agree

# Both kiosks at once in batches of 7; hall-b ends after its 4th commit, mark unmoved.
sync_kiosk hall-a --batch 7 >"$WORK/a.out" 2>&1 & pa=$!
if ECOKIOSK_SYNC_CRASH_AFTER_COMMIT=4 sync_kiosk hall-b --batch 7 >"$WORK/b.out" 2>&1; then fail "hall-b did not stop after 4 commits"; fi
wait $pa || fail "hall-a: $(cat "$WORK/a.out")"
# hall-a: 80 marked; 81-120 were already there (the unmarked batch), 180 new.
sent "$(cat "$WORK/a.out")" 180 40 0
out=$(sync_kiosk hall-b --batch 7 2>&1) || fail "hall-b again: $out"
sent "$out" $((250 - 28)) 7 0
[ "$(admin_sql "SELECT count(*) FROM responses WHERE kiosk IN ('hall-a', 'hall-b')")" = 550 ] || fail "not 550 responses at the center"
local_atoms=$(( $(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers") + $(sqlite3 "$WORK/hall-b.db" "SELECT count(*) FROM answers") ))
[ "$(admin_sql "SELECT count(*) FROM answers WHERE rid IS NOT NULL")" = "$local_atoms" ] || fail "atoms at the center differ from the kiosks'"
[ "$(admin_sql "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE a.rid <> r.rid")" = 0 ] \
  || fail "atoms carry another response's rid"
[ "$(admin_sql "SELECT count(*) FROM response_metrics m JOIN responses r ON r.id = m.response WHERE m.rid IS DISTINCT FROM r.rid")" = 0 ] \
  || fail "metrics carry another response's rid"
[ "$(admin_sql "SELECT count(*) FROM response_metrics WHERE kiosk IN ('hall-a', 'hall-b')")" = 550 ] || fail "not 550 metrics rows"
# The kiosks' own ordinals and contents, atom for atom, whatever the rid.
sqlite3 -separator '|' "$WORK/hall-a.db" "SELECT r.uuid, a.ord, a.question, a.kind, a.item, ifnull(a.value, ''), ifnull(a.text, '') FROM answers a JOIN responses r ON r.id = a.response" > "$WORK/local"
sqlite3 -separator '|' "$WORK/hall-b.db" "SELECT r.uuid, a.ord, a.question, a.kind, a.item, ifnull(a.value, ''), ifnull(a.text, '') FROM answers a JOIN responses r ON r.id = a.response" >> "$WORK/local"
psql -qAtX "$CENTER" -F '|' -c "SELECT r.id, a.ord, a.question, a.kind, a.item, coalesce(a.value::text, ''), coalesce(a.text, '') FROM answers a JOIN responses r ON r.rid = a.rid" > "$WORK/center"
cmp -s <(sort "$WORK/local") <(sort "$WORK/center") || { diff <(sort "$WORK/local") <(sort "$WORK/center") | head; fail "atoms joined by rid differ from the kiosks'"; }
cells_agree

# The district's figures read through rid equal the USB import of the same two kiosks.
# (The import side knows no halls: the center's are cleared, as central_equivalence does.)
admin_sql "DELETE FROM response_metrics WHERE kiosk = 'old-hall'; DELETE FROM responses WHERE kiosk = 'old-hall';
  UPDATE kiosks SET hall_zh = '', hall_en = ''" >/dev/null
printf '{}\n' > "$WORK/office.json"
"$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/office.db" import "$WORK/hall-a.db" "$WORK/hall-b.db" >/dev/null
strip() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at", None); print(json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True))'; }
for c in "" "--kiosk hall-a"; do
  # shellcheck disable=SC2086
  "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/office.db" indicators --format json $c | strip > "$WORK/o"
  # shellcheck disable=SC2086
  "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json $c | strip > "$WORK/c"
  cmp -s "$WORK/o" "$WORK/c" || { diff "$WORK/o" "$WORK/c" | head -20; fail "indicators differ for '$c'"; }
done
# Every response with its answers, streamed (answers joined by rid), as the import has them.
"$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/office.db" export --format jsonl > "$WORK/o.jsonl" || fail "office export"
"$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" export --format jsonl > "$WORK/c.jsonl" || fail "center export"
# (In arrival order: the two kiosks' batches interleaved at the center, one after the other in the import.)
cmp -s <(sort "$WORK/o.jsonl") <(sort "$WORK/c.jsonl") || { diff <(sort "$WORK/o.jsonl") <(sort "$WORK/c.jsonl") | head -5; fail "exports differ"; }
[ "$(wc -l < "$WORK/c.jsonl")" = 550 ] || fail "the export has $(wc -l < "$WORK/c.jsonl") lines"

# The mark lost: everything re-sent, all already there, nothing doubled.
sqlite3 "$WORK/hall-a.db" "UPDATE central_sync SET response_mark = 0"
out=$(sync_kiosk hall-a --batch 50 2>&1) || fail "re-sent: $out"
sent "$out" 0 300 0
[ "$(admin_sql "SELECT count(*) FROM answers WHERE rid IS NOT NULL")" = "$local_atoms" ] || fail "a re-send doubled atoms"

# A lookup table planted by the kiosk under the function's name is refused, not used as the owner.
ID_B=$(sqlite3 "$WORK/hall-b.db" "SELECT uuid FROM responses LIMIT 1")
if err=$(as_kiosk "$WORK/hall-a" "CREATE TEMP TABLE ecokiosk_staged_ids(id text, rid bigint, kiosk text); SELECT ecokiosk_stage(); SELECT ecokiosk_add_staged()" 2>&1); then
  fail "ecokiosk_add_staged used a lookup table the kiosk made"
fi
grep -q "not this function's" <<<"$err" || fail "planted lookup table: refused, but why: $err"
# Another kiosk's response in the stage: refused, nothing left.
c0=$(admin_sql "SELECT count(*) FROM answers")
if err=$(as_kiosk "$WORK/hall-a" "SELECT ecokiosk_stage(); INSERT INTO pg_temp.ecokiosk_stage_answers VALUES ('$ID_B', 99, 'q1', 1, 'b', NULL, NULL); SELECT ecokiosk_add_staged()" 2>&1); then
  fail "hall-a staged an answer to hall-b's response"
fi
grep -q "not this kiosk's" <<<"$err" || fail "refused, but why: $err"
# ... and a response staged as another kiosk is refused by row-level security.
if err=$(as_kiosk "$WORK/hall-a" "SELECT ecokiosk_stage(); INSERT INTO pg_temp.ecokiosk_stage_responses VALUES ('44444444-4444-4444-8444-444444444444', 'hall-b', 'q', 1, 'h', 'zh', 0, 1, 60, 3, '[]', 'd'); INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) SELECT * FROM pg_temp.ecokiosk_stage_responses" 2>&1); then
  fail "hall-a inserted a staged response as hall-b"
fi
grep -q "row-level security" <<<"$err" || fail "refused, but not by row-level security: $err"
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$c0" ] || fail "a refused stage left atoms"
cells_agree
echo "central_rid: ok"

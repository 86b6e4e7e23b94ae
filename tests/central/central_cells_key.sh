#!/usr/bin/env bash
# Central schema 11 (a counted cell found by one hashed key k instead of an index on its 17
# columns; after deletes and updates only the cells counted down to 0 are swept): a
# schema-10 center holding rows whose key columns are awkward to write out (NULL against
# the text 'NULL', commas, quotes, backslashes, CJK, -0 against 0, NaN, a day before 1970)
# is migrated and its cells keep their counts; rows then inserted, deleted and updated by
# hand, alone and mixed in one transaction, leave the cells equal to a recount written
# apart from the center's (lib.sh cells_agree) and none at 0; three kiosks whose responses
# fall into the same cells sync at once in small batches (their transactions interleave on
# the same cells' row locks): nothing deadlocks, nothing is lost or counted twice.
#   central_cells_key.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ "$SCHEMA_VERSION" -ge 11 ] || fail "schema $SCHEMA_VERSION: this test is about schema 11"
new_center cellkey
"$APP" central init --url "$CENTER" --schema-version 10 >/dev/null
no_empty_cells() {
  [ "$(admin_sql "SELECT count(*) FROM metrics_cells WHERE n = 0")" = 0 ] || fail "$1: cells of n = 0 left"
  cells_agree
}
# add_rows PREFIX FIRST LAST: metrics rows by hand (as the administrator), one per g in
# FIRST..LAST, cycling through the awkward values; each with its response.
add_rows() {
  psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "could not add rows $1 $2..$3"
INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s,
  visible_questions, digest) SELECT '$1-' || g, 'old-hall', 'q', 1, 'h', 'zh', 0, 0, 60, 3, 'd'
  FROM generate_series($2, $3) g;
INSERT INTO response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s, visible,
  age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
  SELECT r.id, r.rid, 1, CASE WHEN g % 5 = 0 THEN 'q,1' ELSE 'q' END, 1, 'old-hall',
         (ARRAY[-86400001, 1560000000000, 0, -1])[1 + g % 4], 1 + g % 3, 3,
         (ARRAY[NULL, 'a1', 'NULL', 'a''b'])[1 + g % 4], CASE WHEN g % 2 = 0 THEN 'g' END,
         (ARRAY[NULL, 'NULL', 'a,b', E'back\\\\slash', '回族,镇', 'x''y', ''])[1 + g % 7],
         (ARRAY[0, '-0'::float8, 'NaN'::float8, 0.1::float8 + 0.2::float8, 0.3, 1.5])[1 + g % 6], 1, g % 2, 1, 2, 1, (g % 3) * 64,
         g, (ARRAY['[["k1", 1], ["k,2", 2]]', '[["k\\\\3", 3], ["NULL", 1]]', '[["k''4", 260], [5, 1]]', '{}'])[1 + g % 4]::jsonb
  FROM responses r JOIN generate_series($2, $3) g ON r.id = '$1-' || g;
SQL
}
# add_one ID TOWN SCORE: one row alike in all but its score, in the town's own cells.
add_one() {
  admin_sql "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at,
    duration_s, visible_questions, digest) VALUES ('$1', 'old-hall', 'q', 1, 'h', 'zh', 0, 0, 60, 3, 'd');
  INSERT INTO response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s, visible,
    age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT '$1', rid, 1, 'q', 1, 'old-hall', 0, 60, 3, 'a1', 'g', '$2', $3, 1, 0, 1, 2, 1, 0, 1, '[]'
    FROM responses WHERE id = '$1'" >/dev/null || fail "could not add $1"
}
# one_cell TOWN N: the town's rows are one demographic cell counting N.
one_cell() {
  local got
  got=$(admin_sql "SELECT count(*) || ' ' || sum(n) FROM metrics_cells WHERE grouping = 0 AND township = '$1'")
  [ "$got" = "1 $2" ] || fail "$1: expected one cell counting $2, got (cells, count) $got"
}
admin_sql "INSERT INTO kiosks(kiosk, role) VALUES('old-hall', 'nobody_old_hall')" >/dev/null
add_rows old 1 120
add_one zero-1 zero-town 0
add_one zero-2 zero-town "'-0'::float8"
add_one nan-1 nan-town "'NaN'::float8"
add_one nan-2 nan-town "'NaN'::float8 * -1"
one_cell zero-town 2
one_cell nan-town 2
no_empty_cells "schema 10"
cells10=$(admin_sql "SELECT count(*) || ' ' || sum(n) FROM metrics_cells")

# The migration: every cell keeps its count and gets its key; the 17-column index is gone.
out=$("$APP" central init --url "$CENTER") || fail "migration: $out"
grep -q "10 -> $SCHEMA_VERSION" <<<"$out" || fail "migration said: $out"
[ "$(admin_sql "SELECT count(*) || ' ' || sum(n) FROM metrics_cells")" = "$cells10" ] || fail "the migration changed the cells"
admin_sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'metrics_cells'" > "$WORK/idx"
grep -q "UNIQUE INDEX metrics_cells_by_k ON public.metrics_cells USING btree (k)" "$WORK/idx" || fail "no key index: $(cat "$WORK/idx")"
[ "$(wc -l < "$WORK/idx")" = 1 ] || fail "other indexes on the cells: $(cat "$WORK/idx")"
no_empty_cells "migrated"
# -0 and 0 (and every NaN) are one score: one cell each, as the old index had it, before
# and after the migration, whichever of the two arrives.
add_one zero-3 zero-town "'-0'::float8"
add_one zero-4 zero-town 0
add_one nan-3 nan-town "'NaN'::float8 * -1"
one_cell zero-town 4
one_cell nan-town 3
[ "$(admin_sql "SELECT count(*) FROM (SELECT 1 FROM metrics_cells GROUP BY grouping, questionnaire, version, township, age,
  gender, kiosk, day, fast, flags, score, drawn, satisfied, trips, green, item, value HAVING count(*) > 1) d")" = 0 ] \
  || fail "one cell stored twice"

# By hand after the migration: more of the same rows (into existing cells and new ones),
# then deletes and updates alone, then all three in one transaction.
add_rows new 1 90
no_empty_cells "inserted by hand"
admin_sql "DELETE FROM response_metrics WHERE response LIKE 'old-%' AND fingerprint % 3 = 0" >/dev/null
no_empty_cells "deleted"
admin_sql "UPDATE response_metrics SET score = CASE WHEN score = 0 THEN '-0'::float8 ELSE 0 END, township = 'moved'
  WHERE response LIKE 'new-%' AND fingerprint % 4 = 1" >/dev/null
no_empty_cells "updated"
psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "the mixed transaction"
BEGIN;
INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s,
  visible_questions, digest) VALUES ('mixed-1', 'old-hall', 'q', 1, 'h', 'zh', 0, 0, 60, 3, 'd');
INSERT INTO response_metrics SELECT 'mixed-1', method, questionnaire, version, kiosk, completed_at, duration_s, visible,
  age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes,
  (SELECT rid FROM responses WHERE id = 'mixed-1') FROM response_metrics WHERE response = 'new-7';
DELETE FROM response_metrics WHERE response LIKE 'new-%' AND fingerprint % 5 = 2;
UPDATE response_metrics SET flags = flags # 2, outcomes = '[["k1", 2]]' WHERE response LIKE 'old-%' AND fingerprint % 7 = 1;
UPDATE response_metrics SET flags = flags # 2, outcomes = '[["k1", 2]]' WHERE response LIKE 'old-%' AND fingerprint % 7 = 1;
DELETE FROM response_metrics WHERE response = 'mixed-1';
COMMIT;
SQL
no_empty_cells "mixed in one transaction"
admin_sql "DELETE FROM response_metrics WHERE kiosk = 'old-hall'" >/dev/null
[ "$(admin_sql "SELECT count(*) FROM metrics_cells")" = 0 ] || fail "cells left with every row deleted: $(admin_sql "SELECT count(*) FROM metrics_cells")"
no_empty_cells "all deleted"

# Three kiosks into the same cells at once, in batches of 9: one transaction's cells are
# locked in key order, so none waits on another that waits on it.
for k in hall-a hall-b hall-c; do plain_kiosk "$k"; done
fill hall-a 150 61
fill hall-b 150 62
fill hall-c 150 63
pids=()
for k in hall-a hall-b hall-c; do
  timeout 300 "$APP" --data-dir "$SRC" --config "$WORK/$k/config.json" --db "$WORK/$k.db" sync --batch 9 >"$WORK/$k.out" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { cat "$WORK"/hall-?.out; fail "a kiosk's sync failed (deadlock or timeout?)"; }; done
for k in hall-a hall-b hall-c; do grep -q "sent 150, already there 0, conflicts 0" "$WORK/$k.out" || fail "$k: $(cat "$WORK/$k.out")"; done
[ "$(admin_sql "SELECT count(*) FROM response_metrics")" = 450 ] || fail "not 450 metrics rows"
[ "$(admin_sql "SELECT sum(n) FROM metrics_cells WHERE grouping = 0")" = 450 ] || fail "the demographic cells do not count 450"
shared=$(admin_sql "SELECT count(*) FROM metrics_cells WHERE grouping = 3 AND n > 1")
[ "$shared" -gt 10 ] || fail "the kiosks hardly shared cells ($shared): the race was not one"
no_empty_cells "three kiosks at once"
echo "central_cells_key: ok ($shared item cells shared by the racing kiosks)"

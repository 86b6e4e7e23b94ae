#!/usr/bin/env bash
# Central schema 9 (a batch stored with less work: cells rewritten in place, no sweep of
# empty cells after new responses, staging tables emptied by TRUNCATE) keeps every
# promise of the sync: batches of 0, 1 and 2 responses and larger, a batch re-sent (its
# mark lost) and one in conflict count nothing twice; cells counted down to 0 by deleted
# or updated rows are still swept; a kiosk that moves its staged rows twice in one
# transaction, or stages another kiosk's answers, is refused and leaves nothing; a
# center still at schema 8 takes nothing (schema-older) until migrated, and its cells
# stay right across the migration. After each step the cells equal a recount of every
# metrics row and none is 0.
#   central_batches.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ "$SCHEMA_VERSION" -ge 9 ] || fail "schema $SCHEMA_VERSION: this test is about schema 9"
new_center batches
"$APP" central init --url "$CENTER" --schema-version 8 >/dev/null
plain_kiosk hall-a
plain_kiosk hall-b
no_empty_cells() {
  [ "$(admin_sql "SELECT count(*) FROM metrics_cells WHERE n = 0")" = 0 ] || fail "$1: cells of n = 0 left"
  cells_agree
}
sent() { grep -q "sent $2, already there $3, conflicts $4" <<<"$1" || fail "expected sent $2, already $3, conflicts $4: $1"; }

# A center at schema 8: this program sends nothing and marks nothing.
fill hall-a 3 31
if out=$(sync_kiosk hall-a 2>&1); then fail "a schema-8 center took the rows: $out"; fi
grep -q "status: schema-older$" <<<"$out" || fail "schema 8: wrong status: $out"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = 0 ] || fail "schema 8: the mark moved"
# Rows counted under schema 8's trigger (as the administrator), then the migration.
psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "could not count rows under schema 8"
INSERT INTO kiosks(kiosk, role) VALUES('old-hall', 'nobody_old_hall');
INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s,
  visible_questions, digest) SELECT 'old-' || g, 'old-hall', 'q', 1, 'h', 'zh', 0, 1560000000000 + g, 60, 3, 'd'
  FROM generate_series(1, 40) g;
INSERT INTO response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s, visible,
  age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
  SELECT r.id, r.rid, 1, 'q', 1, 'old-hall', r.completed_at, 60, 3, 'a' || (r.rid % 3), 'g', 't', 1, 1, 0, 1, 2, 1, 0,
         r.rid, '[["k1", 1], ["k2", 2]]'::jsonb FROM responses r WHERE r.kiosk = 'old-hall';
SQL
no_empty_cells "schema 8"
out=$("$APP" central init --url "$CENTER") || fail "migration: $out"
grep -q "8 -> $SCHEMA_VERSION" <<<"$out" || fail "migration said: $out"
admin_sql "SELECT reloptions FROM pg_class WHERE oid = 'metrics_cells'::regclass" | grep -q "fillfactor=70" \
  || fail "the cells keep no room for rewrites in place"
no_empty_cells "migrated"

# Batches of 1, then 2 (the 3 waiting), then 0 (nothing waiting), then many in batches of 7.
out=$(sync_kiosk hall-a --batch 1 2>&1) || fail "batch 1: $out"
sent "$out" 3 0 0
no_empty_cells "batches of 1"
fill hall-a 2 32
out=$(sync_kiosk hall-a --batch 2 2>&1) || fail "batch 2: $out"
sent "$out" 2 0 0
out=$(sync_kiosk hall-a --batch 2 2>&1) || fail "batch 0: $out"
sent "$out" 0 0 0
no_empty_cells "batches of 2"
fill hall-b 50 33
out=$(sync_kiosk hall-b --batch 7 2>&1) || fail "batches of 7: $out"
sent "$out" 50 0 0
no_empty_cells "batches of 7"
[ "$(admin_sql "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE r.kiosk LIKE 'hall-%'")" \
  = "$(( $(sqlite3 "$WORK/hall-a.db" "SELECT count(*) FROM answers") + $(sqlite3 "$WORK/hall-b.db" "SELECT count(*) FROM answers") ))" ] \
  || fail "answers at the center differ from the kiosks'"
before=$(admin_sql "SELECT sum(n) FROM metrics_cells")

# The mark lost: every batch re-sent, all "already there"; one response changed: a conflict.
sqlite3 "$WORK/hall-b.db" "UPDATE central_sync SET response_mark = 0"
out=$(sync_kiosk hall-b --batch 7 2>&1) || fail "re-sent: $out"
sent "$out" 0 50 0
second=$(sqlite3 "$WORK/hall-b.db" "SELECT uuid FROM responses ORDER BY id LIMIT 1 OFFSET 1")
sqlite3 "$WORK/hall-b.db" "UPDATE responses SET lang = 'en' WHERE uuid = '$second'; UPDATE central_sync SET response_mark = 0"
fill hall-b 1 34
rc=0; out=$(sync_kiosk hall-b --batch 2 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "conflict: exit $rc, not 3: $out"
sent "$out" 1 49 1
[ "$(admin_sql "SELECT lang FROM responses WHERE id = '$second'")" = zh ] || fail "the conflict overwrote the first copy"
[ "$(admin_sql "SELECT sum(n) FROM metrics_cells")" -gt "$before" ] || fail "the new response was not counted"
no_empty_cells "re-sent and in conflict"

# A kiosk moving its staged rows twice in one transaction: the second copy is refused
# (primary keys), the transaction rolls back, nothing is doubled.
ID=33333333-3333-4333-8333-333333333333
ROW="'q', 1, 'h', 'zh', 1560000000000, 1560000060000, 60, 3, '[]', 'd'"
counts() { admin_sql "SELECT (SELECT count(*) FROM answers) || ' ' || (SELECT count(*) FROM response_metrics) || ' ' || (SELECT sum(n) FROM metrics_cells)"; }
c0=$(counts)
MET="'$ID', 1, 'q', 1, 1560000060000, 60, 3, 'a1', 'g', 't', 1, 1, 0, 1, 2, 1, 0, 7, '[[\"k1\", 1]]'"
insert="INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s, visible_questions, drawn, digest) VALUES('$ID', 'hall-a', $ROW);"
stage="SELECT ecokiosk_stage(); INSERT INTO pg_temp.ecokiosk_stage_answers VALUES ('$ID', 1, 'q1', 1, 'a', NULL, E'tab\there\\\\ 回答');
INSERT INTO pg_temp.ecokiosk_stage_metrics VALUES ($MET); SELECT ecokiosk_add_staged();"
if err=$(as_kiosk "$WORK/hall-a" "$insert $stage $stage" 2>&1); then fail "the same staged rows went in twice"; fi
grep -q "duplicate key" <<<"$err" || fail "refused, but why: $err"
[ "$(counts)" = "$c0" ] || fail "a refused transaction left rows or counts: $(counts) against $c0"
# Once, then a second move with nothing staged: the first move emptied the stage.
as_kiosk "$WORK/hall-a" "$insert $stage SELECT ecokiosk_stage(); SELECT ecokiosk_add_staged()" >/dev/null \
  || fail "staging once, then an empty second move"
[ "$(admin_sql "SELECT text FROM answers WHERE response = '$ID'")" = "$(printf 'tab\there\\ 回答')" ] || fail "the staged text changed"
[ "$(admin_sql "SELECT count(*) FROM response_metrics WHERE response = '$ID'")" = 1 ] || fail "metrics not there once"
# Another kiosk's answers through the stage: refused, whatever else the batch holds.
if err=$(as_kiosk "$WORK/hall-a" "SELECT ecokiosk_stage(); INSERT INTO pg_temp.ecokiosk_stage_answers VALUES
    ('$ID', 2, 'q1', 1, 'b', NULL, NULL), ('$second', 99, 'q1', 1, 'b', NULL, NULL); SELECT ecokiosk_add_staged()" 2>&1); then
  fail "hall-a staged an answer to hall-b's response"
fi
grep -q "not this kiosk's" <<<"$err" || fail "refused, but why: $err"
[ "$(admin_sql "SELECT count(*) FROM answers WHERE response = '$ID'")" = 1 ] || fail "a refused batch left its own answer"
no_empty_cells "staged by hand"

# Rows deleted and updated by hand: cells counted down to 0 are still swept.
admin_sql "DELETE FROM response_metrics WHERE kiosk = 'old-hall' AND rid % 2 = 0" >/dev/null
no_empty_cells "deleted"
admin_sql "UPDATE response_metrics SET age = 'zz' WHERE kiosk = 'old-hall'" >/dev/null
no_empty_cells "updated"
admin_sql "DELETE FROM response_metrics WHERE kiosk = 'old-hall'" >/dev/null
[ "$(admin_sql "SELECT count(*) FROM metrics_cells WHERE kiosk = 'old-hall'")" = 0 ] || fail "old-hall's kiosk cell stayed"
no_empty_cells "all deleted"
echo "central_batches: ok"

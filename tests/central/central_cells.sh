#!/usr/bin/env bash
# The center's counted cells (central schema 8, metrics_cells): the district's indicators read
# from them must be byte-identical (apart from generated_at) to the same responses
# imported into a kiosk database and computed one respondent at a time, for n = 0, 1, 2
# and many, raked and not, under every filter the cells serve and those they hand back
# to the rows; a batch re-sent (its mark lost) or in conflict counts nothing twice; a
# transaction killed after its metrics went in leaves no count; a center migrated from
# schema 5 counts what it already held; rows deleted and filled in again by hand are
# counted out and in. After each step the cells equal a recount of every metrics row.
#   central_cells.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center cells
# Schema 5 first: the migration to the cells must count what is already there.
"$APP" central init --url "$CENTER" --schema-version 5 >/dev/null
plain_kiosk hall-a
plain_kiosk hall-b
admin_sql "UPDATE kiosks SET hall_zh = '', hall_en = ''" >/dev/null
printf '{}\n' > "$WORK/office.json"
office() { "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/office.db" "$@"; }
center() { "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" "$@"; }
strip() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at", None); print(json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True))'; }
# same LABEL [indicators options]: the center's JSON against the office database's.
same() {
  local label=$1; shift
  office indicators --format json "$@" > "$WORK/o.json" || fail "office indicators $*"
  center indicators --format json "$@" > "$WORK/c.json" || fail "center indicators $*"
  strip < "$WORK/o.json" > "$WORK/a"
  strip < "$WORK/c.json" > "$WORK/b"
  cmp -s "$WORK/a" "$WORK/b" || { diff "$WORK/a" "$WORK/b" | head -20; fail "$label: indicators differ for '$*'"; }
  echo "  $label ${*:-(no filter)}: identical ($(python3 -c 'import json,sys; print(", ".join("%s n=%s" % (i["no"], i["n"]) for i in json.load(open(sys.argv[1]))["indicators"]))' "$WORK/a"))"
}
# import_all: the office database holds exactly what the kiosks hold (imports add only what is new).
import_all() { office import "$WORK"/hall-*.db >/dev/null; }

# n = 0: no responses anywhere (the center still at schema 5 cannot be read: migrate).
"$APP" central init --url "$CENTER" >/dev/null
[ "$(admin_sql "SELECT max(version) FROM ecokiosk_schema")" = "$SCHEMA_VERSION" ] || fail "not migrated"
: > "$WORK/empty.jsonl"
office import "$WORK/empty.jsonl" >/dev/null || fail "an empty office database"
same "n=0" --no-weighting
same "n=0"
cells_agree

# n = 1, then 2: one response of hall-a, then one of hall-b.
fill hall-a 1 21
sync_kiosk hall-a >/dev/null || fail "sync hall-a"
import_all
same "n=1" --no-weighting
same "n=1"
cells_agree
fill hall-b 1 22
sync_kiosk hall-b >/dev/null || fail "sync hall-b"
import_all
same "n=2" --no-weighting
same "n=2"
cells_agree

# A center migrated with responses in it: back to schema 5's tables (cells dropped by
# hand the way a migration would find them), then the migration's own backfill.
fill hall-a 300 23
fill hall-b 200 24
# Some too fast, as in central_equivalence: every 10th answered in 3 s.
sqlite3 "$WORK/hall-a.db" "UPDATE responses SET started_at = completed_at - 3000 WHERE id % 10 = 0;
  UPDATE response_metrics SET duration_s = 3.0 WHERE response % 10 = 0"
sync_kiosk hall-a >/dev/null || fail "sync hall-a 300"
sync_kiosk hall-b >/dev/null || fail "sync hall-b 200"
cells_agree
psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "could not replay the migration's backfill"
BEGIN;
DELETE FROM metrics_cells;
DO $$ BEGIN EXECUTE ecokiosk_cells_sql('(SELECT m.*, 1 AS sign FROM public.response_metrics m)'); END $$;
COMMIT;
SQL
cells_agree
import_all
[ "$(admin_sql "SELECT count(*) FROM response_metrics")" = 502 ] || fail "center holds $(admin_sql "SELECT count(*) FROM response_metrics") metrics"
version=$(sqlite3 "$WORK/office.db" "SELECT min(version) FROM responses")
filters=("" "--no-weighting" "--include-flagged" "--exclude-minors" "--min-cell-n 3" "--version-of $version"
         "--version-of $version --no-weighting" "--version-of 99" "--min-seconds 2"
         "--min-seconds 5" "--min-seconds 0" "--kiosk hall-b" "--from 2000-01-01" "--lang en")
# Under the sanitizers (scripts/test-sanitizers.sh) a third of them, one of each kind of
# filter the cells answer differently: the normal build checks every one, and each costs
# two sanitized processes (CI's 45 minutes).
[ -n "${ECOKIOSK_TEST_SANITIZED:-}" ] && filters=("" "--include-flagged" "--version-of $version --no-weighting" "--min-seconds 5" "--kiosk hall-b")
for c in "${filters[@]}"; do
  # shellcheck disable=SC2086
  same "many" $c
done
# The text form too.
office indicators --lang en > "$WORK/a" && center indicators --lang en > "$WORK/b"
cmp -s <(grep -v -i generated "$WORK/a") <(grep -v -i generated "$WORK/b") || fail "text indicators differ"

# Re-sent batches: the mark lost, everything "already there"; and one in conflict.
before=$(admin_sql "SELECT sum(n) FROM metrics_cells")
sqlite3 "$WORK/hall-a.db" "UPDATE central_sync SET response_mark = 0"
out=$(sync_kiosk hall-a) || fail "re-sync: $out"
grep -q "sent 0, already there 301, conflicts 0" <<<"$out" || fail "re-sync: $out"
first=$(sqlite3 "$WORK/hall-a.db" "SELECT uuid FROM responses ORDER BY id LIMIT 1")
sqlite3 "$WORK/hall-a.db" "UPDATE responses SET lang = 'en' WHERE uuid = '$first'; UPDATE central_sync SET response_mark = 0"
rc=0; out=$(sync_kiosk hall-a) || rc=$?
[ "$rc" = 3 ] || fail "conflict sync: exit $rc, not 3: $out"
grep -q "conflicts 1" <<<"$out" || fail "conflict sync: $out"
[ "$(admin_sql "SELECT sum(n) FROM metrics_cells")" = "$before" ] || fail "a re-sent batch changed the counts"
cells_agree

# A transaction killed after its metrics went in (the trigger has counted them) and
# before COMMIT: PostgreSQL rolls the counts back with the rows.
fill hall-b 20 25
ids=$(sqlite3 "$WORK/hall-b.db" "SELECT count(*) FROM responses")
psql -qAtX "$CENTER" >/dev/null 2>&1 <<'SQL' &
BEGIN;
INSERT INTO response_metrics SELECT 'killed-' || m.response, m.method, m.questionnaire, m.version, m.kiosk,
  m.completed_at, m.duration_s, m.visible, m.age, m.gender, m.township, m.score, m.correct, m.drawn, m.satisfied,
  m.trips, m.green, m.flags, m.fingerprint, m.outcomes, m.rid FROM response_metrics m;
SELECT pg_sleep(60);
COMMIT;
SQL
holder=$!
for _ in $(seq 100); do
  pid=$(admin_sql "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND datname = current_database()")
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || fail "the transaction to kill never started"
admin_sql "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$holder" 2>/dev/null || true
[ "$(admin_sql "SELECT count(*) FROM response_metrics WHERE response LIKE 'killed-%'")" = 0 ] || fail "the killed rows stayed"
[ "$(admin_sql "SELECT sum(n) FROM metrics_cells")" = "$before" ] || fail "the killed transaction left counts"
cells_agree
# And the kiosk's next batch after it counts as usual.
sync_kiosk hall-b >/dev/null || fail "sync after the kill"
[ "$ids" -gt 200 ] || fail "hall-b holds $ids"
import_all
same "after the kill"
cells_agree

# Rows deleted and filled in again at the center (as central_equivalence does): counted out, then in.
admin_sql "DELETE FROM response_metrics WHERE rid IN (SELECT rid FROM responses WHERE kiosk = 'hall-b' ORDER BY rid LIMIT 5)" >/dev/null
cells_agree
admin_sql "UPDATE response_metrics SET flags = flags # 64 WHERE rid IN (SELECT rid FROM responses WHERE kiosk = 'hall-a' ORDER BY rid LIMIT 3)" >/dev/null
cells_agree
admin_sql "UPDATE response_metrics SET flags = flags # 64 WHERE rid IN (SELECT rid FROM responses WHERE kiosk = 'hall-a' ORDER BY rid LIMIT 3)" >/dev/null
center indicators --format json > /dev/null || fail "filling in the metrics"
cells_agree
same "after deleting and filling in"

# A kiosk role may neither read the cells nor count its own into them.
as_kiosk "$WORK/hall-a" "SELECT count(*) FROM metrics_cells" >/dev/null 2>&1 && fail "a kiosk read the cells"
as_kiosk "$WORK/hall-a" "INSERT INTO metrics_cells(grouping, questionnaire, version, fast, flags, n) VALUES(0, 'x', 1, false, 0, 1000)" >/dev/null 2>&1 \
  && fail "a kiosk wrote a cell"
as_kiosk "$WORK/hall-a" "UPDATE metrics_cell_clock SET min_seconds = 0" >/dev/null 2>&1 && fail "a kiosk changed the cells' clock"
echo "central_cells: ok"

#!/usr/bin/env bash
# Several processes write one database at once, starting from no file at all: three
# kiosk-like savers (two share a kiosk id), an import of another hall's JSON Lines and
# an import of another kiosk's database file. Every acknowledged response must be
# stored exactly once, no save may fail (busy is waited for; labels made by another
# writer are no conflict), and the database must pass integrity_check.
#   concurrent_writers.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
APP=("$BUILD/ecokiosk" --data-dir "$SRC" --config "$WORK/none.json")
"${APP[@]}" --db "$WORK/hall1.db" demo-data --responses 2000 --seed 11 >/dev/null
"${APP[@]}" --db "$WORK/hall1.db" export --format jsonl --out "$WORK/hall1.jsonl" 2>/dev/null
"${APP[@]}" --db "$WORK/hall2.db" demo-data --responses 2000 --seed 12 >/dev/null
DB="$WORK/shared.db"
pids=()
for s in 1 2 3; do
  kiosk=hall-a; [ "$s" -eq 2 ] && kiosk=hall-b
  "$BUILD/tests/ecokiosk_saver" "$DB" "$SRC/questionnaires" "$((s + 100))" 300 "$kiosk" > "$WORK/acked$s" 2> "$WORK/saver$s.err" &
  pids+=($!)
done
"${APP[@]}" --db "$DB" import "$WORK/hall1.jsonl" > "$WORK/import1.out" 2> "$WORK/import1.err" &
pids+=($!)
"${APP[@]}" --db "$DB" import "$WORK/hall2.db" > "$WORK/import2.out" 2> "$WORK/import2.err" &
pids+=($!)
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
for f in "$WORK"/saver*.err "$WORK"/import*.err; do
  if [ -s "$f" ]; then echo "--- $f"; cat "$f"; fail=1; fi
done
[ "$fail" -eq 0 ] || { echo "a writer failed"; exit 1; }
grep -q "2000 new, 0 already there, 0 conflicting, 0 refused" "$WORK/import1.out" || { cat "$WORK/import1.out"; exit 1; }
grep -q "2000 new, 0 already there, 0 conflicting, 0 refused" "$WORK/import2.out" || { cat "$WORK/import2.out"; exit 1; }
CHECK=$(sqlite3 "$DB" "PRAGMA integrity_check")
[ "$CHECK" = "ok" ] || { echo "integrity_check: $CHECK"; exit 1; }
cat "$WORK"/acked1 "$WORK"/acked2 "$WORK"/acked3 | sort > "$WORK/acked.sorted"
[ "$(wc -l < "$WORK/acked.sorted")" -eq 900 ] || { echo "savers acknowledged $(wc -l < "$WORK/acked.sorted") of 900"; exit 1; }
{ cat "$WORK/acked.sorted"; sqlite3 "$WORK/hall1.db" "SELECT uuid FROM responses"; sqlite3 "$WORK/hall2.db" "SELECT uuid FROM responses"; } | sort > "$WORK/expected"
sqlite3 "$DB" "SELECT uuid FROM responses" | sort > "$WORK/stored"
# Exactly once: the stored list is the acknowledged list, no id missing, none twice.
cmp -s "$WORK/expected" "$WORK/stored" || { echo "stored responses differ from acknowledged ones:"; diff "$WORK/expected" "$WORK/stored" | head; exit 1; }
HALF=$(sqlite3 "$DB" "SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.response = r.id) OR NOT EXISTS (SELECT 1 FROM response_metrics m WHERE m.response = r.id)")
[ "$HALF" -eq 0 ] || { echo "$HALF responses without answers or metrics"; exit 1; }
BADLABEL=$(sqlite3 "$DB" "SELECT count(*) FROM response_metrics m WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.id = m.kiosk)")
[ "$BADLABEL" -eq 0 ] || { echo "$BADLABEL metrics point at a missing kiosk label"; exit 1; }
echo "concurrent writers: 3 savers + 2 imports, $(wc -l < "$WORK/stored") responses stored exactly once, integrity ok"

#!/usr/bin/env bash
# 30 kiosk processes sync into one center at once (batches of 100, so their
# transactions interleave) while a console-like reader queries the center in a loop:
# every sync exits 0, each kiosk's responses are there exactly once, answer rows
# match, and nothing deadlocks (each process is bounded by a timeout).
#   central_concurrent.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
N=30
PER=${ECOKIOSK_CENTRAL_PER_KIOSK:-400}
new_center concurrent
"$APP" central init --url "$CENTER" >/dev/null
for i in $(seq 1 $N); do
  k=$(printf 'hall-%02d' "$i")
  kiosk "$k" --kiosk-url "$KIOSK_URL"
  fill "$k" "$PER" "$i" &
  [ $((i % 2)) -eq 0 ] && wait
done
wait
# Each kiosk also holds 10 responses of its neighbour (a USB import): never sent by it.
"$APP" --data-dir "$SRC" --config "$WORK/none.json" --db "$WORK/neighbour.db" demo-data --kiosk hall-99 --responses 10 --seed 99 >/dev/null
for i in $(seq 1 $N); do
  k=$(printf 'hall-%02d' "$i")
  "$APP" --data-dir "$SRC" --config "$WORK/$k/config.json" --db "$WORK/$k.db" import "$WORK/neighbour.db" >/dev/null
done
reads=0
# The reader: plain counts, and the district's own figures as the console asks for them
# (`--central … indicators`, which reads the counted cells the syncs are upserting).
( while [ ! -e "$WORK/stop" ]; do
    admin_sql "SELECT count(*), count(DISTINCT kiosk) FROM responses; SELECT kiosk, count(*) FROM response_metrics GROUP BY 1" >/dev/null
    echo x >> "$WORK/reads"
    if "$APP" --data-dir "$SRC" --config "$WORK/none.json" --central "$CENTER" indicators --format json > "$WORK/figures.json" 2>"$WORK/figures.err" &&
       python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["indicators"]) == 3' "$WORK/figures.json"; then
      echo x >> "$WORK/figure_reads"
    else
      cat "$WORK/figures.err" >> "$WORK/figure_failures"
    fi
  done ) &
reader=$!
pids=()
start=$(date +%s.%N)
for i in $(seq 1 $N); do
  k=$(printf 'hall-%02d' "$i")
  timeout 300 "$APP" --data-dir "$SRC" --config "$WORK/$k/config.json" --db "$WORK/$k.db" sync --batch 100 >"$WORK/$k.out" 2>&1 &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
end=$(date +%s.%N)
touch "$WORK/stop"; wait "$reader" || true
reads=$(wc -l < "$WORK/reads" 2>/dev/null || echo 0)
if [ "$failed" -ne 0 ]; then for f in "$WORK"/hall-*.out; do grep -q "waiting 0" "$f" || { echo "--- $f"; cat "$f"; }; done; fail "$failed syncs failed"; fi
total=$(admin_sql "SELECT count(*) FROM responses")
[ "$total" = $((N * PER)) ] || fail "the center has $total responses, expected $((N * PER))"
bad=$(admin_sql "SELECT count(*) FROM (SELECT kiosk FROM responses GROUP BY kiosk HAVING count(*) <> $PER) x")
[ "$bad" = 0 ] || fail "$bad kiosks have the wrong count"
[ "$(admin_sql "SELECT count(*) FROM responses WHERE kiosk = 'hall-99'")" = 0 ] || fail "an imported neighbour's rows were sent"
for i in $(seq 1 $N); do  # ... and each sync said it passed them over
  k=$(printf 'hall-%02d' "$i")
  grep -q "^passed over 10 record(s) of other kiosk ids" "$WORK/$k.out" || { cat "$WORK/$k.out"; fail "$k did not say it passed over its neighbour's rows"; }
done
local_atoms=0
for i in $(seq 1 $N); do
  k=$(printf 'hall-%02d' "$i")
  a=$(sqlite3 "$WORK/$k.db" "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response WHERE r.kiosk = '$k'")
  local_atoms=$((local_atoms + a))
done
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$local_atoms" ] || fail "answer rows differ"
[ "$reads" -ge 1 ] || fail "the reader never finished a query"
[ ! -s "$WORK/figure_failures" ] || { cat "$WORK/figure_failures"; fail "the district's figures failed while the kiosks synced"; }
figure_reads=$(wc -l < "$WORK/figure_reads" 2>/dev/null || echo 0)
[ "$figure_reads" -ge 1 ] || fail "no indicators run finished while the kiosks synced"
# And after: the figures count every response once.
"$APP" --data-dir "$SRC" --config "$WORK/none.json" --central "$CENTER" indicators --format json > "$WORK/figures.json"
python3 - "$WORK/figures.json" "$((N * PER))" <<'PY' || fail "the district's figures after the syncs do not count every response"
import json, sys
d = json.load(open(sys.argv[1]))
kiosks = {c["code"] for i in d["indicators"] for c in i["breakdowns"]["kiosk"]}
assert len(kiosks) == 30, sorted(kiosks)
PY
cells_agree  # the counted cells (central schema 8): nothing doubled or lost either
printf 'central_concurrent: %d kiosks x %d responses in %.1f s, %d reads and %d indicators runs meanwhile, nothing lost or doubled\n' \
  "$N" "$PER" "$(echo "$end - $start" | bc)" "$reads" "$figure_reads"

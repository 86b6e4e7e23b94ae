#!/usr/bin/env bash
# Central store figures (issue 16; not a test: it prints, README "Central store" quotes it).
#   tests/bench/central_bench.sh BUILD_DIR SOURCE_DIR [ONE_KIOSK=20000] [KIOSKS=30] [PER_KIOSK=10000]
# Starts its own throwaway cluster (scripts/pg-throwaway.sh), so nothing else is disturbed.
#  1. one kiosk -> the local center: ONE_KIOSK responses, `ecokiosk sync`, responses/s
#  2. KIOSKS kiosks x PER_KIOSK responses syncing at once: total time, nothing lost
#     (KIOSKS=0 leaves this one out)
#  3. the kiosk saving while a ONE_KIOSK backlog drains: 500 sequential saves (the
#     power-loss saver, synchronous=FULL) alone and during the drain, mean and p99 ms
#     per save (the gaps between the saver's acknowledgements, stamped as they arrive)
#  4. the resident's frames while the backlog drains on the kiosk's own sync thread
#     (ecokiosk_bench drain_frames): wall and CPU time of each tap's frame, alone and during
#  1 (with ECOKIOSK_BENCH_CENTER_HOLDS=N, into a center already holding N responses) runs ECOKIOSK_BENCH_REPEAT times (default 1), alternating its passes (best of N).
#  With ECOKIOSK_BENCH_BEFORE_APP=/path/to/an/older/ecokiosk, 1's "before" pass is that
#  program as it is (center initialised by it, so at its schema version) instead of
#  this one with ECOKIOSK_SYNC_AS_BEFORE=1: a change to the center's schema measured
#  against the program before it, in the same run.
#  3 and 4 run four times: the sync as it was before session 8
#  (ECOKIOSK_SYNC_AS_BEFORE=1), as it is now, as it is now with the local center's
#  processes at nice 10, and as it is now with the center on a core of its own
#  ("center_apart": the cluster pinned to the last core, the kiosk's processes to the
#  others; with ECOKIOSK_BENCH_CENTER_TMP=/dev/shm also off the kiosk's disk): the center
#  stands in for one on another machine, as in the district, in the same run.
# With each figure: the CPU seconds of the client (getrusage of the child) and of the
# cluster's backends (the postmaster's cutime + cstime: each connection's backend is its
# child), and the load average, since this 2-core machine is shared.
set -euo pipefail
BUILD=$1; SRC=$2; ONE=${3:-20000}; K=${4:-30}; PER=${5:-10000}
# ECOKIOSK_BENCH_CENTER_TMP=/dev/shm puts the cluster in memory (the kiosk's files stay
# on disk): whether the center's writes on the kiosk's disk are what a save waits for.
OWN=$(mktemp -d ${ECOKIOSK_BENCH_CENTER_TMP:+-p "$ECOKIOSK_BENCH_CENTER_TMP"}); chmod 755 "$OWN"
THROW="$SRC/scripts/pg-throwaway.sh"
bash "$THROW" start "$OWN/cluster" >/dev/null
export ECOKIOSK_TEST_CLUSTER="$OWN/cluster"
. "$SRC/tests/central/lib.sh" "$BUILD" "$SRC"
trap 'cleanup; bash "$THROW" stop "$OWN/cluster"; rm -rf "$OWN"' EXIT
now() { date +%s.%N; }
PM=$(head -1 "$OWN/cluster/data/postmaster.pid")
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($16 + $17) / hz }' "/proc/$PM/stat"; }
# timed OUT CMD...: runs CMD with stdout to OUT; prints "wall client-CPU"
timed() { python3 -c 'import resource, subprocess, sys, time
t = time.time(); subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w")); w = time.time() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN); print("%.3f %.3f" % (w, r.ru_utime + r.ru_stime))' "$@"; }
# saves CMD...: the saver, each acknowledgement stamped on arrival; prints "mean p99" ms
saves() { python3 -c 'import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True); t = time.monotonic(); gaps = []
for line in p.stdout:
    u = time.monotonic(); gaps.append((u - t) * 1000); t = u
p.wait(); gaps.sort(); n = len(gaps)
print("%.2f %.2f" % (sum(gaps) / n, gaps[min(n - 1, int(0.99 * n))]))' "$@"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

new_center one
"$APP" central init --url "$CENTER" >/dev/null
kiosk solo --kiosk-url "$KIOSK_URL"
fill solo "$ONE" 1 2>/dev/null
cp "$WORK/solo.db" "$WORK/backlog.db"
# drain_case NAME: a fresh center and a copy of the backlog as kiosk NAME's
# database, ready to drain
drain_case() {
  local k=$1 app=${2:-$APP}
  new_center "$k"
  "$app" central init --url "$CENTER" >/dev/null
  APP=$app kiosk "$k" --kiosk-url "$KIOSK_URL"
  cp "$WORK/backlog.db" "$WORK/$k.db"
  sqlite3 "$WORK/$k.db" "UPDATE responses SET kiosk='$k'; UPDATE central_sync SET response_mark=0"
}
# ECOKIOSK_BENCH_CENTER_HOLDS=N: before 1's drain, the center already holds N responses of
# another kiosk with 18 answer atoms each (written by SQL, keyed as that center's schema
# keys them): what a batch costs a center that is no longer empty.
preload() {
  local n=${ECOKIOSK_BENCH_CENTER_HOLDS:-0}
  [ "$n" -gt 0 ] || return 0
  psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO kiosks(kiosk, role) VALUES('earlier', 'nobody_earlier');
INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, duration_s,
  visible_questions, digest) SELECT gen_random_uuid()::text, 'earlier', 'q', 1, 'h', 'zh', 0, 1560000000000 + g, 60, 18, 'd'
  FROM generate_series(1, $n) g;
DO \$\$ BEGIN
  IF to_regclass('public.answer_sets') IS NOT NULL THEN
    INSERT INTO answer_sets(rid, response, ords, questions, kinds, items, vals, texts)
      SELECT r.rid, r.id, array_agg(o ORDER BY o), array_agg('question_' || o ORDER BY o), array_fill(1, ARRAY[18]),
             array_fill('item'::text, ARRAY[18]), array_fill(1::bigint, ARRAY[18]), array_fill(NULL::text, ARRAY[18])
      FROM responses r, generate_series(1, 18) o GROUP BY r.rid, r.id;
  ELSIF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'answers' AND column_name = 'rid') THEN
    INSERT INTO answers(rid, response, ord, question, kind, item, value)
      SELECT r.rid, r.id, o, 'question_' || o, 1, 'item', 1 FROM responses r, generate_series(1, 18) o;
  ELSE
    INSERT INTO answers(response, ord, question, kind, item, value)
      SELECT r.id, o, 'question_' || o, 1, 'item', 1 FROM responses r, generate_series(1, 18) o;
  END IF;
END \$\$;
VACUUM ANALYZE responses;
DO \$\$ BEGIN  -- the atoms' table: answer_sets from schema 12 (answers is then a view)
  EXECUTE 'ANALYZE ' || CASE WHEN to_regclass('public.answer_sets') IS NULL THEN 'answers' ELSE 'answer_sets' END;
END \$\$;
SQL
}
# 1. twice: the sync as it was before session 8 (ECOKIOSK_SYNC_AS_BEFORE=1), then as it is
for rep in $(seq 1 "${ECOKIOSK_BENCH_REPEAT:-1}"); do
for how in before now; do
  app=$APP
  if [ $how = before ] && [ -n "${ECOKIOSK_BENCH_BEFORE_APP:-}" ]; then app=$ECOKIOSK_BENCH_BEFORE_APP
  elif [ $how = before ]; then export ECOKIOSK_SYNC_AS_BEFORE=1; else unset ECOKIOSK_SYNC_AS_BEFORE; fi
  k="one_${how}_$rep"
  drain_case "$k" "$app"
  preload
  s0=$(server_cpu)
  # ECOKIOSK_BENCH_BATCH=N: the "now" pass sends batches of N (the before pass 1000, the
  # default), as does 3's drain after its "before".
  b=1000; [ $how = now ] && b=${ECOKIOSK_BENCH_BATCH:-1000}
  r=$(timed "$WORK/$k.out" "$app" --data-dir "$SRC" --config "$WORK/$k/config.json" --db "$WORK/$k.db" sync --batch "$b")
  sleep 0.2; s1=$(server_cpu); w=${r%% *}; c=${r##* }
  grep -q "sent $ONE," "$WORK/$k.out" || { cat "$WORK/$k.out"; exit 1; }
  printf '1. (%s) one kiosk: %d responses (the center holding %d before) in %.1f s = %.0f responses/s (batches of %d, one transaction each); CPU: client %.2f s, server %.2f s = %.0f responses per CPU second; load average %s\n' \
    "$how" "$ONE" "${ECOKIOSK_BENCH_CENTER_HOLDS:-0}" "$w" "$(echo "$ONE / $w" | bc -l)" "$b" "$c" "$(echo "$s1 - $s0" | bc)" "$(echo "$ONE / ($c + $s1 - $s0)" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
done
unset ECOKIOSK_SYNC_AS_BEFORE

if [ "$K" -gt 0 ]; then
new_center many
"$APP" central init --url "$CENTER" >/dev/null
for i in $(seq 1 "$K"); do
  k=$(printf 'hall-%02d' "$i"); kiosk "$k" --kiosk-url "$KIOSK_URL"; fill "$k" "$PER" "$i" 2>/dev/null &
  [ $((i % 2)) -eq 0 ] && wait
done
wait
pids=(); t0=$(now)
for i in $(seq 1 "$K"); do k=$(printf 'hall-%02d' "$i"); sync_kiosk "$k" >"$WORK/$k.out" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
t1=$(now)
total=$(admin_sql "SELECT count(*) FROM responses")
printf '2. %d kiosks x %d at once: %d responses at the center (expected %d) in %.1f s = %.0f responses/s\n' "$K" "$PER" "$total" $((K * PER)) "$(echo "$t1 - $t0" | bc)" "$(echo "$total / ($t1 - $t0)" | bc -l)"
fi

# ECOKIOSK_BENCH_SYNC_ONLY=1: 1 and 2 only.
if [ -n "${ECOKIOSK_BENCH_SYNC_ONLY:-}" ]; then echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0; fi
# 3. saves, and 4. the resident's frames, while the backlog drains: first the sync as it
# was (ECOKIOSK_SYNC_AS_BEFORE=1: one batch after the other, normal priority,
# synchronous=FULL on its connection), then as it is, in the same run.
# A third pass, "center_niced", is "now" with the cluster's processes at nice 10: the
# local center stands in for one on another machine, whose CPU the kiosk does not share
# (it tells how much of a difference is the center's CPU on these 2 cores).
center_nice() { renice -n "$1" -p "$PM" $(pgrep -P "$PM") >/dev/null 2>&1 || true; }
# center_apart CORES_OF_THE_CENTER CORES_OF_THE_KIOSK: the postmaster and its processes
# (a new connection's backend is forked from it, so it inherits this), and this shell
# (the saver, the sync and the bench are its children).
center_apart() {
  for p in "$PM" $(pgrep -P "$PM"); do taskset -a -p -c "$1" "$p" >/dev/null; done
  taskset -p -c "$2" $$ >/dev/null
}
LAST=$(( $(nproc) - 1 ))
passes="before now center_niced"; [ "$LAST" -ge 1 ] && passes+=" center_apart"
for how in $passes; do
  if [ $how = before ]; then export ECOKIOSK_SYNC_AS_BEFORE=1; else unset ECOKIOSK_SYNC_AS_BEFORE; fi
  if [ $how = center_niced ]; then center_nice 10; fi
  if [ $how = center_apart ]; then center_apart "$LAST" "0-$((LAST - 1))"; fi
  drain_case "drain_$how"
  # alone: into a copy of the same backlog with nothing draining (until session 9 an empty
  # database: the saves' p99 also grows with the database, so that was not like for like)
  cp "$WORK/backlog.db" "$WORK/alone_$how.db"
  alone=$(saves "$BUILD/tests/ecokiosk_saver" "$WORK/alone_$how.db" "$SRC/questionnaires" 5 500 "drain_$how")
  la_alone=$(cut -d' ' -f1-3 /proc/loadavg)
  # now: at the priority the kiosk's own sync thread takes (SyncSettings::nice, idle_class)
  if [ $how = before ]; then nice_arg=(); else nice_arg=(--nice 10 --idle); fi
  # ECOKIOSK_BENCH_BATCH applies to the passes after "before" here too: what larger
  # batches cost the saves.
  [ $how = before ] || nice_arg+=(--batch "${ECOKIOSK_BENCH_BATCH:-1000}")
  sync_kiosk "drain_$how" "${nice_arg[@]}" >"$WORK/drain_$how.out" 2>&1 & sp=$!
  sleep 1
  during=$(saves "$BUILD/tests/ecokiosk_saver" "$WORK/drain_$how.db" "$SRC/questionnaires" 6 500 "drain_$how")
  la_during=$(cut -d' ' -f1-3 /proc/loadavg)
  still=$(kill -0 $sp 2>/dev/null && echo "still draining" || echo "drain had finished")
  wait $sp || true
  printf '3. (%s) saves (ms, mean / p99 of 500): alone %s / %s (load %s); while a %d-response backlog drained %s / %s (%s at the end; load %s)\n' \
    "$how" "${alone%% *}" "${alone##* }" "$la_alone" "$ONE" "${during%% *}" "${during##* }" "$still" "$la_during"
  drain_case "frames_$how"
  echo "4. ($how) the resident's frames (tests/bench/bench_frames.cpp drain_frames):"
  "$BUILD/tests/ecokiosk_bench" --only drain_frames --db "$WORK/frames_$how.db" --sync-config "$WORK/frames_$how/config.json" | sed -n '/^==/,$p' | tail -n +2
  if [ $how = center_niced ]; then center_nice 0; fi
  if [ $how = center_apart ]; then center_apart "0-$LAST" "0-$LAST"; fi
done
unset ECOKIOSK_SYNC_AS_BEFORE
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Central store figures (issue 16; not a test: it prints, README "Central store" quotes it).
#   tests/bench/central_bench.sh BUILD_DIR SOURCE_DIR [ONE_KIOSK=20000] [KIOSKS=30] [PER_KIOSK=10000]
# Starts its own throwaway cluster (scripts/pg-throwaway.sh), so nothing else is disturbed.
#  1. one kiosk -> the local center: ONE_KIOSK responses, `ecokiosk sync`, responses/s
#  2. KIOSKS kiosks x PER_KIOSK responses syncing at once: total time, nothing lost
#  3. the kiosk saving while a ONE_KIOSK backlog drains: 500 sequential saves (the
#     power-loss saver, synchronous=FULL) alone and during the drain, mean ms per save
set -euo pipefail
BUILD=$1; SRC=$2; ONE=${3:-20000}; K=${4:-30}; PER=${5:-10000}
OWN=$(mktemp -d); chmod 755 "$OWN"
THROW="$SRC/scripts/pg-throwaway.sh"
bash "$THROW" start "$OWN/cluster" >/dev/null
export ECOKIOSK_TEST_CLUSTER="$OWN/cluster"
. "$SRC/tests/central/lib.sh" "$BUILD" "$SRC"
trap 'cleanup; bash "$THROW" stop "$OWN/cluster"; rm -rf "$OWN"' EXIT
now() { date +%s.%N; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

new_center one
"$APP" central init --url "$CENTER" >/dev/null
kiosk solo --kiosk-url "$KIOSK_URL"
fill solo "$ONE" 1 2>/dev/null
cp "$WORK/solo.db" "$WORK/backlog.db"
t0=$(now); out=$(sync_kiosk solo); t1=$(now)
grep -q "sent $ONE," <<<"$out" || { echo "$out"; exit 1; }
printf '1. one kiosk: %d responses in %.1f s = %.0f responses/s (batches of 1000, one transaction each)\n' "$ONE" "$(echo "$t1 - $t0" | bc)" "$(echo "$ONE / ($t1 - $t0)" | bc -l)"

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

new_center drain
"$APP" central init --url "$CENTER" >/dev/null
kiosk drain --kiosk-url "$KIOSK_URL"
cp "$WORK/backlog.db" "$WORK/drain.db"
sqlite3 "$WORK/drain.db" "UPDATE responses SET kiosk='drain'; UPDATE central_sync SET response_mark=0"
t0=$(now); "$BUILD/tests/ecokiosk_saver" "$WORK/alone.db" "$SRC/questionnaires" 5 500 drain >/dev/null; t1=$(now)
alone=$(echo "($t1 - $t0) * 1000 / 500" | bc -l)
sync_kiosk drain >"$WORK/drain.out" 2>&1 & sp=$!
sleep 1
t0=$(now); "$BUILD/tests/ecokiosk_saver" "$WORK/drain.db" "$SRC/questionnaires" 6 500 drain >/dev/null; t1=$(now)
during=$(echo "($t1 - $t0) * 1000 / 500" | bc -l)
still=$(kill -0 $sp 2>/dev/null && echo "still draining" || echo "drain had finished")
wait $sp || true
printf '3. saves: %.2f ms each alone, %.2f ms each while a %d-response backlog drained (%s at the end)\n' "$alone" "$during" "$ONE" "$still"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# PostgreSQL SIGKILLed in the middle of a sync of 20,000 responses (batches of 200), three
# times, restarted each time: afterwards the center holds every one of the kiosk's
# responses exactly once (ids and answer rows compared with the kiosk's), and the batch
# cut off by the kill was neither half-stored nor marked sent.
#   central_pg_killed.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/own_cluster.sh"   # PostgreSQL is killed here: a cluster of its own
new_center killed
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-k --kiosk-url "$KIOSK_URL"
fill hall-k 20000 5
kills=0
for round in 1 2 3; do
  sync_kiosk hall-k --batch 200 >"$WORK/sync$round.out" 2>&1 &
  pid=$!
  # Kill once some batches are in, while others are on their way.
  for _ in $(seq 1 200); do
    n=$(admin_sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0)
    [ "$n" -ge $((round * 3000)) ] && break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    bash "$THROW" kill "$OWN/cluster"
    kills=$((kills + 1))
  fi
  set +e; wait "$pid"; rc=$?; set -e
  if [ "$rc" -eq 0 ]; then echo "  round $round: the sync finished before the kill"; else
    grep -q "status: \(refused\|server\)$" "$WORK/sync$round.out" || { cat "$WORK/sync$round.out"; fail "round $round: no clear status"; }
    echo "  round $round: killed mid-sync; the kiosk said: $(grep 'status:' "$WORK/sync$round.out")"
  fi
  bash "$THROW" restart "$OWN/cluster" >/dev/null 2>&1 || { sleep 1; bash "$THROW" restart "$OWN/cluster"; }
  # The local mark never runs ahead of the center.
  mark=$(sqlite3 "$WORK/hall-k.db" "SELECT response_mark FROM central_sync")
  at_center=$(admin_sql "SELECT count(*) FROM responses")
  [ "$mark" -le "$at_center" ] || fail "round $round: marked up to $mark but the center has $at_center"
done
[ "$kills" -ge 1 ] || fail "PostgreSQL was never killed mid-sync"
out=$(sync_kiosk hall-k --batch 200) || fail "the final sync failed: $out"
grep -q "waiting 0" <<<"$out" || fail "final sync: $out"
sqlite3 "$WORK/hall-k.db" "SELECT uuid FROM responses WHERE kiosk='hall-k' ORDER BY 1" > "$WORK/local"
admin_sql "SELECT id FROM responses ORDER BY id COLLATE \"C\"" > "$WORK/center"
LC_ALL=C sort -o "$WORK/local" "$WORK/local"
cmp -s "$WORK/local" "$WORK/center" || fail "the center's ids differ from the kiosk's ($(wc -l < "$WORK/center") vs $(wc -l < "$WORK/local"))"
atoms=$(sqlite3 "$WORK/hall-k.db" "SELECT count(*) FROM answers")
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$atoms" ] || fail "answer rows: center $(admin_sql "SELECT count(*) FROM answers"), kiosk $atoms"
[ "$(admin_sql "SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.response = r.id)")" = 0 ] || fail "a response arrived without its answers"
cells_agree  # the counted cells (central schema 8): nothing doubled or lost either
echo "central_pg_killed: $kills kills mid-sync; 20000 responses at the center exactly once"

#!/usr/bin/env bash
# The sync's pipeline (session 8: the next batch is read on a second thread while the
# center stores the current one) cut at every stage. The kiosk's `ecokiosk sync` is
#  - ended right after a central COMMIT by ECOKIOSK_SYNC_CRASH_AFTER_COMMIT, while the
#    reader thread is reading the next batch and before the mark moves (twice), and
#  - SIGKILLed at moments spread over a drain (five times, whatever it is doing then);
# after each cut the local mark is not ahead of the center (nothing marked sent that is
# not committed), the center holds whole batches only (every response with all its
# answers), and at the end every response is at the center exactly once: the batch
# cut off after its commit comes back as "already there", never doubled.
#   central_pipeline_killed.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/own_cluster.sh"   # PostgreSQL is killed here: a cluster of its own
new_center pipeline
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-p --kiosk-url "$KIOSK_URL"
N=12000; B=300
fill hall-p "$N" 7
ROLE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$WORK/hall-p/central-credentials.json")
atoms_local=$(sqlite3 "$WORK/hall-p.db" "SELECT count(*) FROM answers")

# check WHEN: the mark is not ahead of the center, and the center holds whole batches,
# each response with all of its answers.
check() {
  local mark at answers orphans want
  # A COMMIT the killed client had already sent completes at the center after it died:
  # wait for its backend to be gone, then read the center in one snapshot.
  for _ in $(seq 1 100); do
    [ "$(admin_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$ROLE'")" = 0 ] && break
    sleep 0.05
  done
  mark=$(sqlite3 "$WORK/hall-p.db" "SELECT response_mark FROM central_sync")
  IFS='|' read -r at answers orphans < <(admin_sql "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM answers),
    (SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.response = r.id))")
  [ "$mark" -le "$at" ] || fail "$1: marked up to $mark but the center has $at"
  [ $((at % B)) -eq 0 ] || [ "$at" -eq "$N" ] || fail "$1: the center has $at responses, not whole batches of $B"
  [ "$orphans" = 0 ] || fail "$1: $orphans responses arrived without their answers"
  want=$(sqlite3 "$WORK/hall-p.db" "SELECT count(*) FROM answers WHERE response <= $at")
  [ "$answers" = "$want" ] || fail "$1: answer rows $answers, expected $want"
  echo "  $1: center $at, mark $mark"
}

# 1. Ended right after a commit, the reader thread mid-read.
for round in 1 2; do
  set +e; ECOKIOSK_SYNC_CRASH_AFTER_COMMIT=3 sync_kiosk hall-p --batch "$B" >"$WORK/crash$round.out" 2>&1; rc=$?; set -e
  [ "$rc" -eq 86 ] || { cat "$WORK/crash$round.out"; fail "crash round $round: exit $rc, expected the hook's 86"; }
  check "after a commit, round $round"
done

# 2. SIGKILLed at moments spread over the drain.
kills=0
for round in 1 2 3 4 5; do
  before=$(admin_sql "SELECT count(*) FROM responses")
  # The program itself, not a shell around it: the SIGKILL must reach the sync.
  "$APP" --data-dir "$SRC" --config "$WORK/hall-p/config.json" --db "$WORK/hall-p.db" sync --batch "$B" \
    >"$WORK/kill$round.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do
    n=$(admin_sql "SELECT count(*) FROM responses")
    [ "$n" -ge $((before + B)) ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  sleep "$(printf "0.%03d" $((RANDOM % 400)))"  # anywhere in the next batches
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  check "SIGKILL round $round"
done
[ "$kills" -ge 3 ] || fail "the sync was killed mid-drain only $kills times"

out=$(sync_kiosk hall-p --batch "$B") || fail "the final sync failed: $out"
grep -q "waiting 0" <<<"$out" || fail "final sync: $out"
sqlite3 "$WORK/hall-p.db" "SELECT uuid FROM responses WHERE kiosk='hall-p' ORDER BY 1" > "$WORK/local"
admin_sql "SELECT id FROM responses ORDER BY id COLLATE \"C\"" > "$WORK/center"
LC_ALL=C sort -o "$WORK/local" "$WORK/local"
cmp -s "$WORK/local" "$WORK/center" || fail "the center's ids differ from the kiosk's ($(wc -l < "$WORK/center") vs $(wc -l < "$WORK/local"))"
[ "$(admin_sql "SELECT count(*) FROM answers")" = "$atoms_local" ] || fail "answer rows: center $(admin_sql "SELECT count(*) FROM answers"), kiosk $atoms_local"
[ "$(admin_sql "SELECT count(*) FROM conflicts")" = 0 ] || fail "a re-sent batch was taken for a conflict"
cells_agree
echo "central_pipeline_killed: 2 exits after a commit, $kills SIGKILLs mid-drain; $N responses at the center exactly once"

#!/usr/bin/env bash
# Power loss, simulated: a process saves responses in a loop and is killed with SIGKILL
# at random moments, many times. Afterwards every acknowledged response is present,
# PRAGMA integrity_check is ok, and nothing half-written is counted.
#   power_loss.sh BUILD_DIR SOURCE_DIR [ROUNDS]
set -euo pipefail
BUILD=$1
SRC=$2
ROUNDS=${3:-40}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/p.db"
: > "$WORK/acked"
for i in $(seq 1 "$ROUNDS"); do
  "$BUILD/tests/ecokiosk_saver" "$DB" "$SRC/questionnaires" "$i" >> "$WORK/acked" 2>/dev/null &
  pid=$!
  # 20 to 400 ms of saving, then the plug is pulled.
  sleep "0.$(printf '%03d' $(( (RANDOM % 380) + 20 )))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
ACKED=$(grep -c . "$WORK/acked" || true)
[ "$ACKED" -gt 0 ] || { echo "nothing was saved"; exit 1; }
CHECK=$(sqlite3 "$DB" "PRAGMA integrity_check")
[ "$CHECK" = "ok" ] || { echo "integrity_check: $CHECK"; exit 1; }
# Every acknowledged id is stored (a partial last line from the kill is not an acknowledgement).
grep -E '^[0-9a-f-]{36}$' "$WORK/acked" | sort -u > "$WORK/acked.sorted"
sqlite3 "$DB" "SELECT uuid FROM responses" | sort -u > "$WORK/stored.sorted"
MISSING=$(comm -23 "$WORK/acked.sorted" "$WORK/stored.sorted" | wc -l)
[ "$MISSING" -eq 0 ] || { echo "$MISSING acknowledged responses are missing"; exit 1; }
# Nothing half-written: every response has its answers and its metrics.
HALF=$(sqlite3 "$DB" "SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.response = r.id) OR NOT EXISTS (SELECT 1 FROM response_metrics m WHERE m.response = r.id)")
[ "$HALF" -eq 0 ] || { echo "$HALF half-written responses"; exit 1; }
STORED=$(wc -l < "$WORK/stored.sorted")
echo "power loss: $ROUNDS kills, $(wc -l < "$WORK/acked.sorted") acknowledged, $STORED stored, all acknowledged present, integrity ok"

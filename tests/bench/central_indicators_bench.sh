#!/usr/bin/env bash
# District-wide indicators over many responses (issue 16: 1,000,000, goal <= 1 s) in the
# center's PostgreSQL, beside the same responses in SQLite. Not a test: it prints, and
# README "Central store" quotes it.
#   tests/bench/central_indicators_bench.sh BUILD_DIR SOURCE_DIR [RESPONSES=1000000] [KIOSKS=10]
# Generator: `ecokiosk demo-data` into one SQLite file (KIOSKS kiosks, their share each),
# then tests/bench/central_load.py COPYs the same rows into a throwaway cluster of its own.
# Times are whole `ecokiosk indicators --format json` runs (start-up, questionnaires,
# the query, the statistics), the best of three; the two JSONs are compared too.
set -euo pipefail
BUILD=$1; SRC=$2; N=${3:-1000000}; K=${4:-10}
OWN=$(mktemp -d); chmod 755 "$OWN"
THROW="$SRC/scripts/pg-throwaway.sh"
bash "$THROW" start "$OWN/cluster" >/dev/null
export ECOKIOSK_TEST_CLUSTER="$OWN/cluster"
. "$SRC/tests/central/lib.sh" "$BUILD" "$SRC"
trap 'cleanup; bash "$THROW" stop "$OWN/cluster" >/dev/null; rm -rf "$OWN"' EXIT
now() { date +%s.%N; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
new_center big
"$APP" central init --url "$CENTER" >/dev/null
printf '{}\n' > "$WORK/office.json"
t0=$(now)
for i in $(seq 1 "$K"); do
  k=$(printf 'hall-%02d' "$i")
  kiosk "$k"
  "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" demo-data --kiosk "$k" --responses $((N / K)) --seed "$i" >/dev/null
done
t1=$(now)
printf 'generated %d responses of %d kiosks into SQLite in %.0f s\n' "$(sqlite3 "$WORK/big.db" 'SELECT count(*) FROM responses')" "$K" "$(echo "$t1 - $t0" | bc)"
t0=$(now)
python3 "$SRC/tests/bench/central_load.py" "$WORK/big.db" "$CENTER"
t1=$(now)
printf 'loaded into PostgreSQL with COPY in %.0f s: %s responses, %s answer atoms, %s metrics rows\n' "$(echo "$t1 - $t0" | bc)" \
  "$(admin_sql 'SELECT count(*) FROM responses')" "$(admin_sql 'SELECT count(*) FROM answers')" "$(admin_sql 'SELECT count(*) FROM response_metrics')"
best() {  # best of three wall times of "$@", output to $WORK/last.json
  local b=999999 t0 t1 d
  for _ in 1 2 3; do
    t0=$(now); "$@" > "$WORK/last.json"; t1=$(now)
    d=$(echo "$t1 - $t0" | bc)
    b=$(echo "if ($d < $b) $d else $b" | bc)
  done
  echo "$b"
}
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("generated_at", None); print(json.dumps(d, sort_keys=True))' "$1"; }
sq=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" indicators --format json)
strip "$WORK/last.json" > "$WORK/sqlite.json"
pg=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json)
strip "$WORK/last.json" > "$WORK/pg.json"
same=$(cmp -s "$WORK/sqlite.json" "$WORK/pg.json" && echo "identical" || echo "DIFFERENT")
considered=$(python3 -c 'import json,sys; print(" + ".join(str(i["considered"]) for i in json.load(open(sys.argv[1]))["indicators"]))' "$WORK/pg.json")
printf 'indicators over %d responses (considered %s): PostgreSQL %.2f s, SQLite %.2f s; JSON %s\n' "$N" "$considered" "$pg" "$sq" "$same"
pgk=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json --kiosk hall-01)
sqk=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" indicators --format json --kiosk hall-01)
printf 'one kiosk of %d (--kiosk hall-01): PostgreSQL %.2f s, SQLite %.2f s\n' "$K" "$pgk" "$sqk"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

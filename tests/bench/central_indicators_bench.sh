#!/usr/bin/env bash
# District-wide indicators over many responses (issue 16: 1,000,000, goal <= 1 s) in the
# center's PostgreSQL, beside the same responses in SQLite. Not a test: it prints, and
# README "Central store" quotes it.
#   tests/bench/central_indicators_bench.sh BUILD_DIR SOURCE_DIR [RESPONSES=1000000] [PER_KIOSK=20000]
# Generator: `ecokiosk demo-data` makes PER_KIOSK responses of hall-01 in SQLite; SQL
# copies them for hall-02, hall-03, ... (new ids, same answers) up to RESPONSES; then
# tests/bench/central_load.py COPYs the same rows into a throwaway cluster of its own.
# Times are whole `ecokiosk indicators --format json` runs (start-up, questionnaires,
# the query, the statistics), the best of three; the two JSONs are compared too
# (KEEP=PREFIX keeps them as PREFIX.sqlite.json and PREFIX.pg.json).
set -euo pipefail
BUILD=$1; SRC=$2; N=${3:-1000000}; PER=${4:-20000}; K=$(( (N + PER - 1) / PER ))
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
kiosk hall-01
"$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" demo-data --kiosk hall-01 --responses "$PER" --seed 1 >/dev/null
for i in $(seq 2 "$K"); do
  k=$(printf 'hall-%02d' "$i")
  kiosk "$k"
  x=$(printf '%08x' "$i")  # a new id: the original's with its first 8 hex digits replaced
  sqlite3 "$WORK/big.db" "BEGIN;
    INSERT INTO labels(kind, value) VALUES('kiosk', '$k');
    INSERT INTO responses(uuid, questionnaire, version, content_hash, kiosk, lang, started_at, completed_at, duration_s,
                          visible_questions, drawn, saved_at)
      SELECT '$x' || substr(uuid, 9), questionnaire, version, content_hash, '$k', lang, started_at, completed_at,
             duration_s, visible_questions, drawn, saved_at FROM responses WHERE kiosk = 'hall-01' ORDER BY id;
    INSERT INTO answers SELECT n.id, a.ord, a.question, a.kind, a.item, a.value, a.text
      FROM responses o JOIN answers a ON a.response = o.id JOIN responses n ON n.uuid = '$x' || substr(o.uuid, 9)
      WHERE o.kiosk = 'hall-01';
    INSERT INTO response_metrics SELECT n.id, m.method, m.questionnaire, m.version,
        (SELECT id FROM labels WHERE kind = 'kiosk' AND value = '$k'), m.completed_at, m.duration_s, m.visible, m.age,
        m.gender, m.township, m.score, m.correct, m.drawn, m.satisfied, m.trips, m.green, m.flags, m.fingerprint,
        m.outcomes
      FROM responses o JOIN response_metrics m ON m.response = o.id JOIN responses n ON n.uuid = '$x' || substr(o.uuid, 9)
      WHERE o.kiosk = 'hall-01';
    COMMIT;"
done
t1=$(now)
# The SQLite side knows no halls: cleared at the center so the two JSONs compare byte
# for byte (the hall names were the only difference).
admin_sql "UPDATE kiosks SET hall_zh = '', hall_en = ''" >/dev/null
N=$(sqlite3 "$WORK/big.db" 'SELECT count(*) FROM responses')
printf 'generated %d responses of %d kiosks into SQLite in %.0f s\n' "$N" "$K" "$(echo "$t1 - $t0" | bc)"
t0=$(now)
python3 "$SRC/tests/bench/central_load.py" "$WORK/big.db" "$CENTER"
t1=$(now)
printf 'loaded into PostgreSQL with COPY in %.0f s: %s responses, %s answer atoms, %s metrics rows\n' "$(echo "$t1 - $t0" | bc)" \
  "$(admin_sql 'SELECT count(*) FROM responses')" "$(admin_sql 'SELECT count(*) FROM answers')" "$(admin_sql 'SELECT count(*) FROM response_metrics')"
# CPU seconds the cluster's ended backends used: the postmaster's cutime + cstime
# (each connection's backend is its child, reaped when the client leaves).
PM=$(head -1 "$OWN/cluster/data/postmaster.pid")
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($16 + $17) / hz }' "/proc/$PM/stat"; }
# best "$@": the best of three runs, output to $WORK/last.json; prints "wall client-CPU
# server-CPU" of that run (client: the program's user + system time, from getrusage).
best() {
  local b="" w c s0 s1 line
  for _ in 1 2 3; do
    s0=$(server_cpu)
    line=$(python3 -c 'import resource, subprocess, sys, time
t = time.time(); subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), check=True); w = time.time() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN); print("%.3f %.3f" % (w, r.ru_utime + r.ru_stime))' "$WORK/last.json" "$@")
    sleep 0.2  # the backend has exited and been reaped
    s1=$(server_cpu)
    w=${line%% *}; c=${line##* }
    if [ -z "$b" ] || [ "$(echo "$w < ${b%% *}" | bc)" = 1 ]; then b="$w $c $(echo "$s1 - $s0" | bc)"; cp "$WORK/last.json" "$WORK/best.json"; fi
  done
  cp "$WORK/best.json" "$WORK/last.json"
  echo "$b"
}
fmt() { set -- $1; printf '%.2f s (CPU: client %.2f s, server %.2f s)' "$1" "$2" "$3"; }
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("generated_at", None); print(json.dumps(d, sort_keys=True))' "$1"; }
sq=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" indicators --format json)
strip "$WORK/last.json" > "$WORK/sqlite.json"
pg=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json)
strip "$WORK/last.json" > "$WORK/pg.json"
same=$(cmp -s "$WORK/sqlite.json" "$WORK/pg.json" && echo "identical" || echo "DIFFERENT")
if [ -n "${KEEP:-}" ]; then cp "$WORK/sqlite.json" "$KEEP.sqlite.json"; cp "$WORK/pg.json" "$KEEP.pg.json"; fi
considered=$(python3 -c 'import json,sys; print(" + ".join(str(i["considered"]) for i in json.load(open(sys.argv[1]))["indicators"]))' "$WORK/pg.json")
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'indicators over %d responses (considered %s), JSON %s:\n  PostgreSQL, counted cells: %s\n  SQLite:                    %s\n' \
  "$N" "$considered" "$same" "$(fmt "$pg")" "$(fmt "$sq")"
# The center's per-respondent path on the same responses: a --from before them all is
# a filter the cells cannot serve (the JSON then differs only in the filter it names).
pgr=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json --from 2000-01-01)
strip "$WORK/last.json" > "$WORK/pg_rows.json"
same_rows=$(python3 -c 'import json,sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b): d.pop("filters", None); d.pop("filter", None)
print("identical apart from the filter" if a == b else "DIFFERENT")' "$WORK/pg.json" "$WORK/pg_rows.json")
printf '  PostgreSQL, per respondent (--from 2000-01-01): %s; figures %s\n' "$(fmt "$pgr")" "$same_rows"
pgk=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" indicators --format json --kiosk hall-01)
sqk=$(best "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/big.db" indicators --format json --kiosk hall-01)
printf 'one kiosk of %d (--kiosk hall-01, per respondent): PostgreSQL %s, SQLite %s\n' "$K" "$(fmt "$pgk")" "$(fmt "$sqk")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

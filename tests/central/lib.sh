# Sourced by the central store's tests: BUILD=$1 SRC=$2. Uses the cluster the CTest
# fixture central_cluster_start made (scripts/pg-throwaway.sh); each test works in its
# own database of it, dropped at the end, so tests run in parallel.
set -euo pipefail
BUILD=$1
SRC=$2
PGBIN=${ECOKIOSK_PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then echo "SKIP: PostgreSQL 15 binaries not found in $PGBIN"; exit 77; fi
CLUSTER=${ECOKIOSK_TEST_CLUSTER:-$BUILD/central-test-cluster}
[ -f "$CLUSTER/env" ] || { echo "no test cluster at $CLUSTER (the central_cluster_start fixture did not run)"; exit 1; }
# shellcheck disable=SC1091
. "$CLUSTER/env"
# Debian's python3 (the one install-deps.sh provides) before any other: a version
# manager's shim in front of it costs 0.4 s a call, and these tests make hundreds.
export PATH="$PGBIN:/usr/bin:$PATH"
WORK=$(mktemp -d)
DBS=()
cleanup() {
  for d in "${DBS[@]}"; do psql -q "$ECOKIOSK_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
APP="$BUILD/ecokiosk"
# The program's central schema version (kCentralSchemaVersion), not a literal: each migration moves it on.
SCHEMA_VERSION=$(sed -n 's/^constexpr int kCentralSchemaVersion = \([0-9]*\);.*/\1/p' "$SRC/app/core/central/schema.hpp")
[ -n "$SCHEMA_VERSION" ] || { echo "kCentralSchemaVersion not found in $SRC/app/core/central/schema.hpp"; exit 1; }
ADMIN_BASE=${ECOKIOSK_PG_ADMIN_URL%/postgres}

# new_center NAME: a fresh database; sets CENTER (admin URL), CENTER_DB, and KIOSK_URL
# (TCP without TLS) and KIOSK_URL_TLS (verify-full against the throwaway CA).
new_center() {
  CENTER_DB="eco_$1_$$"
  psql -q "$ECOKIOSK_PG_ADMIN_URL" -c "CREATE DATABASE \"$CENTER_DB\"" >/dev/null
  DBS+=("$CENTER_DB")
  CENTER="$ADMIN_BASE/$CENTER_DB"
  KIOSK_URL="postgresql://127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=disable"
  KIOSK_URL_TLS="postgresql://localhost:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=verify-full&sslrootcert=${ECOKIOSK_PG_CA:-}"
}

# admin_sql SQL: one value (or rows) as the district's administrator.
admin_sql() { psql -qAtX "$CENTER" -c "$1"; }

# as_kiosk CONFIG_DIR SQL: runs SQL as that kiosk's own role (from its credentials file).
as_kiosk() {
  local cred="$1/central-credentials.json" user pw
  user=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$cred")
  pw=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$cred")
  PGPASSWORD="$pw" psql -qAtX "postgresql://$user@127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB" -v ON_ERROR_STOP=1 -c "$2"
}

# kiosk NAME: a kiosk with its config folder $WORK/NAME, database $WORK/NAME.db and
# hall name, added to the center. Extra arguments go to add-kiosk.
kiosk() {
  local k=$1; shift
  mkdir -p "$WORK/$k"
  printf '{"kiosk_id": "%s", "hall_name": {"zh": "%s镇便民服务中心", "en": "%s Township Hall"}}\n' "$k" "$k" "$k" > "$WORK/$k/config.json"
  "$APP" central add-kiosk "$k" --url "$CENTER" --config "$WORK/$k/config.json" "$@" >/dev/null
}

# plain_kiosk NAME: the same without a hall name (the USB import's files carry none, so
# the equivalence tests compare like with like).
plain_kiosk() {
  mkdir -p "$WORK/$1"
  printf '{"kiosk_id": "%s"}\n' "$1" > "$WORK/$1/config.json"
  "$APP" central add-kiosk "$1" --url "$CENTER" --config "$WORK/$1/config.json" --kiosk-url "$KIOSK_URL" >/dev/null
}

# fill NAME N SEED: N demo responses of kiosk NAME in its database
fill() { "$APP" --data-dir "$SRC" --config "$WORK/$1/config.json" --db "$WORK/$1.db" demo-data --kiosk "$1" --responses "$2" --seed "$3" >/dev/null; }

# sync NAME [more args]: the kiosk's `ecokiosk sync`
sync_kiosk() { local k=$1; shift; "$APP" --data-dir "$SRC" --config "$WORK/$k/config.json" --db "$WORK/$k.db" sync "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# cells_agree: the counted cells (metrics_cells, central schema 8) are exactly what counting
# every metrics row at the center now gives: nothing counted twice, nothing missing,
# nothing left by a transaction that did not commit. Recounts inside a transaction
# that is rolled back, so the center is untouched. Two recounts: the center's own
# (ecokiosk_cells_sql), and one written here apart from it (schema 8's grouping, on the 17
# key columns themselves), since from schema 11 the center finds a cell by a hash of those
# columns, and a fault in that hash (a column left out, two spellings of one value) would
# be in its own recount too. From schema 11 each cell's hash is also checked against its
# columns.
cells_agree() {
  local out
  out=$(psql -qAtX "$CENTER" -v ON_ERROR_STOP=1 <<'SQL' 2>&1
BEGIN;
CREATE TEMP TABLE kept AS SELECT * FROM metrics_cells;
CREATE TEMP TABLE reference AS
WITH clock AS (SELECT min_seconds AS ms, utc_offset_minutes::bigint * 60000 AS off FROM metrics_cell_clock),
rows AS (SELECT m.*, (clock.ms > 0 AND m.duration_s < m.visible * clock.ms) AS fast_,
                floor((m.completed_at + clock.off)::numeric / 86400000)::bigint AS day_
         FROM response_metrics m CROSS JOIN clock),
atoms AS (
  SELECT 0 AS g, questionnaire, version, township, age, gender, NULL AS kiosk, NULL::bigint AS day, fast_, flags, score,
         drawn, satisfied, trips, green, NULL AS item, NULL::int AS value FROM rows
  UNION ALL SELECT 1, questionnaire, version, NULL, age, NULL, kiosk, NULL, fast_, flags, score, drawn, satisfied, trips,
         green, NULL, NULL FROM rows
  UNION ALL SELECT 2, questionnaire, version, NULL, age, NULL, NULL, day_, fast_, flags, score, drawn, satisfied, trips,
         green, NULL, NULL FROM rows
  UNION ALL SELECT 3, questionnaire, version, NULL, age, NULL, NULL, NULL, fast_, flags, NULL, NULL, NULL, NULL, NULL,
         e->>0, ((e->>1)::int) & 255
  FROM rows, jsonb_array_elements(CASE WHEN jsonb_typeof(outcomes) = 'array' THEN outcomes ELSE '[]' END) e
  WHERE jsonb_typeof(e->0) = 'string')
SELECT g AS grouping, questionnaire, version, township, age, gender, kiosk, day, fast_ AS fast, flags, score, drawn,
       satisfied, trips, green, item, value, count(*) AS n
FROM atoms GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17;
CREATE TEMP VIEW kept_columns AS SELECT grouping, questionnaire, version, township, age, gender, kiosk, day, fast, flags,
  score, drawn, satisfied, trips, green, item, value, n FROM kept;
DELETE FROM metrics_cells;
DO $$ BEGIN EXECUTE ecokiosk_cells_sql('(SELECT m.*, 1 AS sign FROM public.response_metrics m)'); END $$;
SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL SELECT * FROM metrics_cells) a) || ' '
    || (SELECT count(*) FROM (SELECT * FROM metrics_cells EXCEPT ALL SELECT * FROM kept) b) || ' '
    || (SELECT count(*) FROM (SELECT * FROM kept_columns EXCEPT ALL SELECT * FROM reference) c) || ' '
    || (SELECT count(*) FROM (SELECT * FROM reference EXCEPT ALL SELECT * FROM kept_columns) d) || ' '
    || (SELECT count(*) FROM kept);
ROLLBACK;
SQL
)
  case "$out" in
    "0 0 0 0 "*) ;;
    *) fail "counted cells differ from the metrics rows (kept-only, recount-only, kept not in the count written here, that count not kept, kept): $out" ;;
  esac
  if [ "$(admin_sql "SELECT to_regproc('ecokiosk_cell_key') IS NOT NULL")" = t ]; then
    local stale
    stale=$(admin_sql "SELECT count(*) FROM metrics_cells WHERE k <> ecokiosk_cell_key(grouping, questionnaire, version,
      township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied, trips, green, item, value)")
    [ "$stale" = 0 ] || fail "$stale cells carry a hash that is not their columns'"
  fi
  echo "  counted cells agree with the metrics rows (${out##* } cells)"
}

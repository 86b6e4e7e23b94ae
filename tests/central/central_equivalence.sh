#!/usr/bin/env bash
# The same responses reaching the center by sync and a kiosk database by USB import
# (`ecokiosk import`) give the same district-wide figures: `indicators --format json`
# identical apart from generated_at, and identical export rows (CSV with codes and with
# labels, JSON Lines, the workbook's sheets), cell by cell, under filters that leave
# many, one and no responses. Then the center's kiosk breakdown names each hall, and
# a reader without the right to fill in metrics gets a clear refusal, not wrong figures.
#   central_equivalence.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center equiv
"$APP" central init --url "$CENTER" >/dev/null
plain_kiosk hall-a
plain_kiosk hall-b
plain_kiosk hall-c
# The import side knows no halls (a configuration names only its own kiosk's): the
# center's are cleared for the comparison, and tried below.
admin_sql "UPDATE kiosks SET hall_zh = '', hall_en = ''" >/dev/null
fill hall-a 400 11
fill hall-b 250 12
fill hall-c 1 13   # a kiosk with one response: n = 1 cells
# Responses the indicators and exports leave out, as a kiosk would have saved them:
# every 10th of hall-a answered in 3 s (too fast), and three of hall-b given again a
# minute later with the same answers (duplicates, flagged at save time).
sqlite3 "$WORK/hall-a.db" "UPDATE responses SET started_at = completed_at - 3000 WHERE id % 10 = 0;
  UPDATE response_metrics SET duration_s = 3.0 WHERE response % 10 = 0"
sqlite3 "$WORK/hall-b.db" "
  INSERT INTO responses(uuid, questionnaire, version, content_hash, kiosk, lang, started_at, completed_at, duration_s,
                        visible_questions, drawn, saved_at)
    SELECT 'dddddddd-0000-4000-8000-' || printf('%012d', id), questionnaire, version, content_hash, kiosk, lang,
           started_at + 60000, completed_at + 60000, duration_s, visible_questions, drawn, saved_at + 60000
    FROM responses WHERE id IN (7, 17, 27) ORDER BY id;
  INSERT INTO answers SELECT n.id, a.ord, a.question, a.kind, a.item, a.value, a.text FROM answers a
    JOIN responses o ON o.id = a.response JOIN responses n ON n.uuid = 'dddddddd-0000-4000-8000-' || printf('%012d', o.id);
  INSERT INTO response_metrics SELECT n.id, m.method, m.questionnaire, m.version, m.kiosk, m.completed_at + 60000,
      m.duration_s, m.visible, m.age, m.gender, m.township, m.score, m.correct, m.drawn, m.satisfied, m.trips, m.green,
      m.flags | 2, m.fingerprint, m.outcomes FROM response_metrics m
    JOIN responses n ON n.uuid = 'dddddddd-0000-4000-8000-' || printf('%012d', m.response)"
for k in hall-a hall-b hall-c; do
  out=$(sync_kiosk "$k") || fail "sync $k: $out"
done
[ "$(admin_sql "SELECT count(*) FROM responses")" = 654 ] || fail "the center holds $(admin_sql "SELECT count(*) FROM responses")"
[ "$(admin_sql "SELECT count(*) FROM response_metrics WHERE flags & 2 <> 0")" = 3 ] || fail "duplicates not at the center"
# The USB way: a district office database that imports the three kiosks' files.
printf '{}\n' > "$WORK/office.json"
office() { "$APP" --data-dir "$SRC" --config "$WORK/office.json" --db "$WORK/office.db" "$@"; }
center() { "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$CENTER" "$@"; }
office import "$WORK/hall-a.db" "$WORK/hall-b.db" "$WORK/hall-c.db" >/dev/null
[ "$(sqlite3 "$WORK/office.db" "SELECT count(*) FROM responses")" = 654 ] || fail "import"
[ "$(sqlite3 "$WORK/office.db" "SELECT count(*) FROM response_metrics WHERE flags & 2")" = 3 ] || fail "the import did not flag the duplicates"

strip() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at", None); print(json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True))'; }
# The whole period of the demo data, and one day of it, in the district's days.
version=$(sqlite3 "$WORK/office.db" "SELECT min(version) FROM responses")
first_day=$(sqlite3 "$WORK/office.db" "SELECT date(min(completed_at)/1000 + 28800, 'unixepoch') FROM responses")
cases=(
  ""
  "--kiosk hall-a"
  "--kiosk hall-c"
  "--kiosk no-such-kiosk"
  "--from 2099-01-01"
  "--from $first_day --to $first_day"
  "--include-flagged"
  "--exclude-minors --min-seconds 5"
  "--version-of $version --no-weighting"
  "--version-of 99"
)
# Under the sanitizers (each command starts 0.5 s slower) a third of the cases, each
# kind of filter once: every case runs in the normal build.
[ -n "${ECOKIOSK_TEST_SANITIZED:-}" ] && cases=("" "--kiosk hall-c" "--from 2099-01-01" "--exclude-minors --min-seconds 5" "--version-of 99")
n=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  office indicators --format json $c > "$WORK/office.json.out" || fail "office indicators $c"
  # shellcheck disable=SC2086
  center indicators --format json $c > "$WORK/center.json.out" || fail "center indicators $c"
  strip < "$WORK/office.json.out" > "$WORK/a"
  strip < "$WORK/center.json.out" > "$WORK/b"
  cmp -s "$WORK/a" "$WORK/b" || { diff "$WORK/a" "$WORK/b" | head -20; fail "indicators differ for '$c'"; }
  # Byte for byte as printed too, but for the generated_at line (the parsed form above
  # shows what differs; this one would catch a key order or a number's form).
  cmp -s <(grep -v '^  "generated_at": ' "$WORK/office.json.out") <(grep -v '^  "generated_at": ' "$WORK/center.json.out") ||
    fail "indicators for '$c' are equal as JSON but not byte for byte"
  considered=$(python3 -c 'import json,sys; print(", ".join("%s: n=%s excluded %s" % (i["no"], i["n"], i["excluded"]["total"]) for i in json.load(open(sys.argv[1]))["indicators"]))' "$WORK/a")
  echo "  indicators ${c:-(no filter)}: identical ($considered)"
  n=$((n + 1))
done
# The text form too (the same figures, in words).
office indicators --lang en > "$WORK/a" && center indicators --lang en > "$WORK/b"
cmp -s <(grep -v -i generated "$WORK/a") <(grep -v -i generated "$WORK/b") || { diff "$WORK/a" "$WORK/b" | head; fail "text indicators differ"; }

# Exports: every row and cell.
exports=(
  "--format csv"
  "--format csv --labels"
  "--format csv --include-flagged --questionnaire knowledge"
  "--format csv --kiosk hall-c"
  "--format csv --from 2099-01-01"
  "--format csv --questionnaire satisfaction --from $first_day --to $first_day"
  "--format xlsx"
)
[ -n "${ECOKIOSK_TEST_SANITIZED:-}" ] && exports=("--format csv --labels" "--format csv --kiosk hall-c" "--format xlsx")
i=0
for e in "${exports[@]}"; do
  i=$((i + 1))
  ext=${e#--format }; ext=${ext%% *}
  # shellcheck disable=SC2086
  office export $e --out "$WORK/o$i.$ext" 2>"$WORK/err" || { cat "$WORK/err"; fail "office export $e"; }
  # shellcheck disable=SC2086
  center export $e --out "$WORK/c$i.$ext" 2>"$WORK/err" || { cat "$WORK/err"; fail "center export $e"; }
  rows=$(grep -o 'exported [0-9]* responses' "$WORK/err")
  if [ "$ext" = xlsx ]; then
    # The sheets' cells (shared strings and sheet XML). The file's own creation time
    # differs, and so may the summary's "Generated" minute when the two exports fall
    # either side of a minute's turn: that one stamp is blanked, every other cell is
    # compared as written.
    # Each workbook is unzipped once (a process for each of its dozens of parts was
    # most of this test's time).
    rm -rf "$WORK/xo" "$WORK/xc"
    unzip -qq "$WORK/o$i.xlsx" -d "$WORK/xo" && unzip -qq "$WORK/c$i.xlsx" -d "$WORK/xc" || fail "xlsx unreadable"
    stamp() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} \(UTC[+-][0-9]+\)/GENERATED/g' "$1"; }
    listed=$(unzip -Z1 "$WORK/o$i.xlsx")
    parts=0
    for part in $(grep -E '^xl/(worksheets/sheet[0-9]+|sharedStrings)\.xml$' <<<"$listed"); do
      [ -f "$WORK/xc/$part" ] || fail "xlsx $part missing from the center's workbook"
      stamp "$WORK/xo/$part" > "$WORK/xa"; stamp "$WORK/xc/$part" > "$WORK/xb"
      cmp -s "$WORK/xa" "$WORK/xb" || { diff <(tr '<' '\n' < "$WORK/xa") <(tr '<' '\n' < "$WORK/xb") | head; fail "xlsx $part differs"; }
      parts=$((parts + 1))
    done
    [ "$parts" -gt 5 ] || fail "only $parts sheets compared"
    [ "$(wc -l <<<"$listed")" = "$(unzip -Z1 "$WORK/c$i.xlsx" | wc -l)" ] || fail "the workbooks hold different parts"
    [ "$(grep -c 'UTC+8' "$WORK/xo/xl/worksheets/sheet1.xml")" = 1 ] || fail "no generated stamp to blank"
  else
    for f in "$WORK"/o$i*."$ext"; do
      g="$WORK/c${f#"$WORK"/o}"
      cmp -s "$f" "$g" || { diff "$f" "$g" | head -5; fail "export '$e': $(basename "$f") differs"; }
    done
  fi
  echo "  export $e: identical ($rows)"
done
office export --format jsonl > "$WORK/a.jsonl"
center export --format jsonl > "$WORK/b.jsonl"
cmp -s "$WORK/a.jsonl" "$WORK/b.jsonl" || fail "jsonl streams differ"
[ "$(wc -l < "$WORK/b.jsonl")" = 654 ] || fail "jsonl has $(wc -l < "$WORK/b.jsonl") lines"

# Halls: the center's kiosk breakdown names each hall it knows.
admin_sql "UPDATE kiosks SET hall_zh = kiosk || '便民服务中心', hall_en = kiosk || ' Hall'" >/dev/null
center indicators --format json --lang en > "$WORK/h.json"
office indicators --format json --lang en > "$WORK/o.json"
python3 - "$WORK/h.json" "$WORK/o.json" <<'PY' || fail "halls missing from the center's breakdown, or more than the halls differs"
import json, sys
d = json.load(open(sys.argv[1]))
cells = [c for i in d["indicators"] for c in i["breakdowns"]["kiosk"]]
assert cells and all(c["hall"] == c["code"] + " Hall" for c in cells), cells
# Only "hall" was added: without it the center's figures are the office's.
for c in cells: del c["hall"]
o = json.load(open(sys.argv[2]))
for x in (d, o): x.pop("generated_at")
assert d == o, "the center's figures differ from the office's beyond the halls"
PY
center indicators --lang zh > "$WORK/h.txt"
grep -q 'hall-a便民服务中心 (hall-a)' "$WORK/h.txt" || fail "the text form does not name the hall"
admin_sql "UPDATE kiosks SET hall_zh = '', hall_en = ''" >/dev/null

# A response that reached the center without metrics: the district login fills them in
# (as the kiosk would have), a reader's login is refused with a clear status.
admin_sql "DELETE FROM response_metrics WHERE rid IN (SELECT rid FROM responses WHERE kiosk = 'hall-b' ORDER BY rid LIMIT 5)" >/dev/null
admin_sql "DO \$\$ BEGIN CREATE ROLE eco_reader_$$ LOGIN PASSWORD 'read-only-pw'; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
# The database's read-only group (core/central/schema.cpp reader_role).
admin_sql "GRANT \"$(admin_sql "SELECT 'ecokiosk_readers_' || substr(encode(sha256(current_database()::bytea), 'hex'), 1, 12)")\" TO eco_reader_$$" >/dev/null
READER_URL="postgresql://eco_reader_$$:read-only-pw@127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=disable"
if "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$READER_URL" indicators --format json >"$WORK/out" 2>&1; then
  fail "a reader computed figures over responses without metrics"
fi
grep -q "status: refused-by-center" "$WORK/out" || { cat "$WORK/out"; fail "the reader's refusal has no clear status"; }
grep -q "have no metrics" "$WORK/out" || { cat "$WORK/out"; fail "the reader's refusal does not say why"; }
center indicators --format json | strip > "$WORK/b" || fail "the district login could not fill in metrics"
[ "$(admin_sql "SELECT count(*) FROM response_metrics")" = 654 ] || fail "metrics not filled in"
office indicators --format json | strip > "$WORK/a"
cmp -s "$WORK/a" "$WORK/b" || { diff "$WORK/a" "$WORK/b" | head; fail "figures differ after filling in metrics"; }
# Once filled, the reader gets the same figures.
"$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "$READER_URL" indicators --format json | strip > "$WORK/c"
cmp -s "$WORK/a" "$WORK/c" || fail "the reader's figures differ"
admin_sql "DROP OWNED BY eco_reader_$$; DROP ROLE eco_reader_$$" >/dev/null 2>&1 || true
# A center that is not there: its own status, exit 1.
if "$APP" --data-dir "$SRC" --config "$WORK/office.json" --central "postgresql://127.0.0.1:1/x?connect_timeout=3" indicators >"$WORK/out" 2>&1; then
  fail "indicators from an unreachable center exited 0"
fi
grep -q "status: refused" "$WORK/out" || { cat "$WORK/out"; fail "unreachable center: no clear status"; }
echo "central_equivalence: $n indicator cases and ${#exports[@]} exports identical by sync and by USB import"

#!/usr/bin/env bash
# Exports read back by readers of their own: Python's csv module and openpyxl (Debian's
# python3-openpyxl) for CSV and xlsx; headless Chromium renders the HTML report to a PNG.
#   export_readback.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
PY=/usr/bin/python3   # Debian's Python, where python3-openpyxl lives
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
APP=("$BUILD/ecokiosk" --data-dir "$SRC" --db "$WORK/e.db" --config "$WORK/none.json")
"${APP[@]}" demo-data --responses 500 --seed 3 >/dev/null
"${APP[@]}" export --format csv --questionnaire satisfaction --include-flagged --out "$WORK/sat.csv" 2>/dev/null
"${APP[@]}" export --format xlsx --include-flagged --out "$WORK/all.xlsx" 2>/dev/null
"${APP[@]}" export --format html --out "$WORK/report.html" 2>/dev/null
SAT=$(sqlite3 "$WORK/e.db" "SELECT count(*) FROM responses WHERE questionnaire='satisfaction'")
ALL=$(sqlite3 "$WORK/e.db" "SELECT count(*) FROM responses")

"$PY" - "$WORK" "$SAT" "$ALL" <<'PY'
import csv, sys, openpyxl
work, sat, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{work}/sat.csv", encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
assert rows[0][:3] == ["response_id", "questionnaire", "version"], rows[0][:3]
assert "overall" in rows[0] and "improve_first__air" in rows[0]
assert len(rows) - 1 == sat, (len(rows) - 1, sat)
col = rows[0].index("overall")
assert {r[col] for r in rows[1:]} <= {"very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"}
with open(f"{work}/sat.codebook.csv", encoding="utf-8-sig", newline="") as f:
    cb = list(csv.reader(f))
assert ["overall", "overall"] == cb[[r[0] for r in cb].index("overall")][:2]
assert any(r[5] == "非常满意" for r in cb)
wb = openpyxl.load_workbook(f"{work}/all.xlsx", read_only=True)
assert wb.sheetnames[0] == "Summary" and "Codebook" in wb.sheetnames
summary = list(wb["Summary"].iter_rows(values_only=True))
assert summary[1][1] == "指标" and [r[0] for r in summary[2:5]] == [35, 39, 40], summary[:5]
n = 0
for name in wb.sheetnames:
    if name.split(" ", 1)[-1].startswith("responses"):
        sheet = list(wb[name].iter_rows(values_only=True))
        assert sheet[0][0] == "response_id" and sheet[1][0] == "问卷编号", sheet[:2]
        n += len(sheet) - 2
assert n == total, (n, total)
print(f"csv {sat} rows, xlsx {n} rows over {len(wb.sheetnames)} sheets: read back")
PY

# The per-question sheets count the responses the workbook holds (issue 20): flagged ones
# are left out of both by default, so each sheet's n and "answered" are what a pivot of
# its responses sheet gives, which openpyxl reads here.
# Forty responses finished as soon as started (too fast: flagged), imported beside them.
"${APP[@]}" export --format jsonl --out "$WORK/all.jsonl" 2>/dev/null
"$PY" - "$WORK" <<'PY'
import json, sys, uuid
work = sys.argv[1]
with open(f"{work}/all.jsonl", encoding="utf-8") as f, open(f"{work}/fast.jsonl", "w", encoding="utf-8") as out:
    for line in list(f)[:40]:
        r = json.loads(line)
        r["id"] = str(uuid.uuid4())
        r["completed_at"] = r["started_at"]
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
"${APP[@]}" import "$WORK/fast.jsonl" | grep -q "40 new" || { echo "the fast responses were not imported"; exit 1; }
ALL=$((ALL + 40))
"${APP[@]}" export --format xlsx --out "$WORK/default.xlsx" 2>/dev/null
"$PY" - "$WORK" "$ALL" <<'PY'
import sys, openpyxl
work, total = sys.argv[1], int(sys.argv[2])
wb = openpyxl.load_workbook(f"{work}/default.xlsx", read_only=True)
pivots, rows = {}, 0  # (questionnaire, question) -> (answered, {code: n})
for name in wb.sheetnames:
    if not name.split(" ", 1)[-1].startswith("responses "):
        continue
    qid = name.split(" ", 2)[2]
    sheet = list(wb[name].iter_rows(values_only=True))
    codes, data = sheet[0], sheet[2:]
    rows += len(data)
    by_question = {}
    for c, code in enumerate(codes):
        question, _, item = code.partition("__")
        by_question.setdefault(question, []).append((c, item))
    for question, cols in by_question.items():
        answered = sum(1 for r in data if any(r[c] not in (None, "") for c, _ in cols))
        n = {}
        for r in data:
            for c, item in cols:
                v = r[c]
                if v in (None, ""):
                    continue
                if item:  # a 0/1 option column, or a count-matrix row's trips
                    n[item] = n.get(item, 0) + int(v)
                else:     # a single choice's code
                    n[v] = n.get(v, 0) + 1
        pivots[(qid, question)] = (answered, n)
assert 0 < rows < total, (rows, total)  # some demo responses are flagged, and left out
checked = 0
for name in wb.sheetnames:
    rest = name.split(" ", 1)[-1]
    if name in ("Summary", "Codebook") or rest.startswith("responses ") or "Charts" in name:
        continue
    keys = [k for k in pivots if f"{k[0]} {k[1]}".startswith(rest)]
    sheet = list(wb[name].iter_rows(values_only=True))
    assert sheet[2][2] in ("人数 n", "n 人数"), (name, sheet[2])
    counts = {r[1]: r[2] for r in sheet[3:-1]}
    answered = sheet[-1][2]
    matches = [k for k in keys if pivots[k][0] == answered and all(pivots[k][1].get(c, 0) == v for c, v in counts.items())]
    assert matches, (name, answered, counts, [pivots[k] for k in keys])
    checked += 1
assert checked > 20, checked
print(f"{checked} per-question sheets equal the pivots of {rows} responses (flagged left out)")
PY

# Formula-looking text (a comment, an imported kiosk id) stays text: quoted with an
# apostrophe in CSV, a string cell (not a formula) in xlsx.
"${APP[@]}" export --format jsonl --questionnaire satisfaction --out "$WORK/sat.jsonl" 2>/dev/null
"$PY" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
line = json.loads(open(f"{work}/sat.jsonl", encoding="utf-8").readline())
line["id"] = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
line["kiosk"] = "=cmd|' -C calc'!A0"  # no slash: kiosk ids with one are refused at import (issue 13 review)
line["answers"]["comment"] = '=HYPERLINK("http://evil.example","x")'
open(f"{work}/evil.jsonl", "w", encoding="utf-8").write(json.dumps(line, ensure_ascii=False) + "\n")
PY
EVIL=("$BUILD/ecokiosk" --data-dir "$SRC" --db "$WORK/evil.db" --config "$WORK/none.json")
"${EVIL[@]}" import "$WORK/evil.jsonl" | grep -q "1 new" || { echo "the formula-looking response was not imported"; exit 1; }
"${EVIL[@]}" export --format xlsx --include-flagged --out "$WORK/evil.xlsx" 2>/dev/null
"${EVIL[@]}" export --format csv --questionnaire satisfaction --include-flagged --out "$WORK/evil.csv" 2>/dev/null
"$PY" - "$WORK" <<'PY'
import csv, sys, openpyxl
work = sys.argv[1]
wb = openpyxl.load_workbook(f"{work}/evil.xlsx")
found = 0
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", (ws.title, c.coordinate, c.value)
            if isinstance(c.value, str) and (c.value.startswith("=HYPERLINK") or c.value.startswith("=cmd")):
                assert c.data_type == "s", (c.coordinate, c.data_type)
                found += 1
assert found >= 2, found
with open(f"{work}/evil.csv", encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
cells = [v for r in rows for v in r]
assert "'=cmd|' -C calc'!A0" in cells and "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells, rows[1]
assert not any(v[:1] in "=+@" for v in cells if v), [v for v in cells if v[:1] in "=+@"]
print(f"formula-looking text: {found} xlsx string cells, no formula cells; CSV cells start with an apostrophe")
PY

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$WORK/chrome" --window-size=900,1800 \
  --screenshot="$WORK/report.png" "file://$WORK/report.html" >/dev/null 2>&1
# A rendered report is mostly white with green ink: check it is not blank.
COLOURS=$(convert "$WORK/report.png" -format %k info:)
[ "$COLOURS" -gt 50 ] || { echo "report screenshot looks blank ($COLOURS colours)"; exit 1; }
[ -n "${ECOKIOSK_KEEP_REPORT:-}" ] && cp "$WORK/report.png" "$ECOKIOSK_KEEP_REPORT"
echo "html report rendered by Chromium: $COLOURS colours"

#!/usr/bin/env bash
# The documents opened as the propaganda department opens them:
#  - the workbook printed by LibreOffice Calc (headless): the Summary is one page,
#    charts are there (xl/charts/, openpyxl), print setup, frozen headers, filters;
#  - the HTML report laid out by headless Chromium at A4 width: a script in the page
#    measures every box and every chart label, none may leave the page or its chart;
#  - the PDF (no browser): A4, pages, Chinese text extractable, every font embedded.
#   report_render.sh BUILD_DIR SOURCE_DIR [KEEP_DIR]   (KEEP_DIR: PNGs of every page)
set -euo pipefail
BUILD=$1
SRC=$2
KEEP=${3:-${ECOKIOSK_KEEP_REPORT_DIR:-}}
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
APP=("$BUILD/ecokiosk" --data-dir "$SRC" --db "$WORK/e.db" --config "$WORK/none.json")
"${APP[@]}" demo-data --responses 1500 --seed 5 >/dev/null
for f in xlsx html pdf; do
  start=$(date +%s.%N)
  "${APP[@]}" export --format $f --out "$WORK/report.$f" 2>/dev/null
  printf '%s: %d bytes in %.2f s\n' "$f" "$(stat -c %s "$WORK/report.$f")" "$(echo "$(date +%s.%N) - $start" | bc)"
done
"${APP[@]}" export --format pdf --lang en --out "$WORK/report-en.pdf" 2>/dev/null

# ---- the workbook ----
"$PY" - "$WORK/report.xlsx" <<'PY'
import sys, zipfile, openpyxl
path = sys.argv[1]
charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
assert len(charts) >= 8, charts  # summary, indicators, 3 trends, modes, 2 item lists
wb = openpyxl.load_workbook(path)
assert wb.sheetnames[0] == "Summary" and wb.sheetnames[1] == "图表 Charts", wb.sheetnames[:2]
read = sum(len(ws._charts) for ws in wb.worksheets)
assert read == len(charts), (read, len(charts))
s = wb["Summary"]
assert s["A2"].value == "序号" and s["B2"].value == "指标", (s["A2"].value, s["B2"].value)
labels = [s.cell(row=r, column=1).value for r in range(6, 13)]
assert "统计期间" in labels and "生成时间" in labels and "from" not in labels, labels
assert s.page_setup.orientation == "landscape" and str(s.page_setup.paperSize) == "9"
# Fit to 1 x 1 pages (1 is the default the file leaves out).
assert s.page_setup.fitToHeight in (None, 1, "1") and s.page_setup.fitToWidth in (None, 1, "1")
assert s.sheet_properties.pageSetUpPr.fitToPage
assert "页" in (s.oddFooter.right.text or ""), s.oddFooter.right.text
for ws in wb.worksheets:
    if ws.title.split(" ", 1)[-1].startswith("responses"):
        assert ws.freeze_panes == "B3", (ws.title, ws.freeze_panes)
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), ws.auto_filter.ref
        assert ws.print_title_rows and "$1:$2" in ws.print_title_rows, ws.print_title_rows
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1, "1")
        assert str(ws.page_setup.fitToHeight) == "0" and ws.sheet_properties.pageSetUpPr.fitToPage
print(f"xlsx: {len(charts)} charts read back, print setup, frozen headers and filters in place")
PY
soffice --headless --norestore -env:UserInstallation=file://"$WORK/lo" --convert-to pdf --outdir "$WORK/calc" \
  "$WORK/report.xlsx" >/dev/null 2>&1
CALC="$WORK/calc/report.pdf"
[ -s "$CALC" ] || { echo "LibreOffice made no PDF of the workbook"; exit 1; }
# The Summary prints first: all of it on page 1, and page 2 already belongs to Charts.
P1=$(pdftotext -f 1 -l 1 "$CALC" - | tr -d ' \n')
P2=$(pdftotext -f 2 -l 2 "$CALC" - | tr -d ' \n')
for want in 序号 公众绿色出行率 统计期间 生成时间 第1页; do
  [[ $P1 == *"$want"* ]] || { echo "Summary page 1 lacks $want"; exit 1; }
done
[[ $P2 == *"三项指标与目标(95%置信区间)"* ]] || { echo "page 2 is not the Charts sheet: the Summary spilled over"; exit 1; }
[[ $P2 != *"生成时间"* ]] || { echo "the Summary continues on page 2"; exit 1; }
echo "xlsx printed by LibreOffice: Summary on one page, $(pdfinfo "$CALC" | awk '/^Pages/{print $2}') pages in all"

# ---- the HTML report in Chromium, measured from inside the page ----
cat > "$WORK/measure.js" <<'JS'
window.addEventListener('load', () => {
  const bad = [];
  const body = document.body.getBoundingClientRect();
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < body.left - 0.5 || r.right > body.right + 0.5) bad.push('box ' + el.tagName + ' ' + el.textContent.slice(0, 40));
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') bad.push('scroll ' + el.tagName);
  }
  let labels = 0;
  for (const svg of document.querySelectorAll('svg')) {
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      labels++;
      if (b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y < vb.y - 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
        bad.push('chart text ' + t.textContent + ' at ' + [b.x, b.y, b.width, b.height].map(v => v.toFixed(1)).join(','));
    }
  }
  const out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = 'MEASURED labels=' + labels + ' bad=' + bad.length + '\n' + bad.slice(0, 20).join('\n');
  document.body.appendChild(out);
});
JS
CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$WORK/chrome" --allow-file-access-from-files)
"${APP[@]}" export --format html --lang en --out "$WORK/report-en.html" 2>/dev/null
for page in report report-en; do
  sed 's#</body>#<script src="measure.js"></script></body>#' "$WORK/$page.html" > "$WORK/measured.html"
  # 794 px is A4's width at 96 dpi: the page the report is printed on.
  "${CHROME[@]}" --window-size=794,1123 --virtual-time-budget=5000 --dump-dom "file://$WORK/measured.html" 2>/dev/null > "$WORK/dom.html"
  MEASURED=$(grep -o 'MEASURED[^<]*' "$WORK/dom.html" | head -1)
  [ -n "$MEASURED" ] || { echo "the measuring script did not run"; exit 1; }
  echo "$page.html in Chromium: $MEASURED" | head -5
  [[ $MEASURED == *"bad=0"* ]] || { echo "text leaves the page or its chart"; exit 1; }
  LABELS=$(echo "$MEASURED" | sed -n 's/.*labels=\([0-9]*\).*/\1/p')
  [ "$LABELS" -gt 200 ] || { echo "only $LABELS chart labels measured"; exit 1; }
done
"${CHROME[@]}" --no-pdf-header-footer --print-to-pdf="$WORK/html.pdf" "file://$WORK/report.html" >/dev/null 2>&1
echo "html printed by Chromium: $(pdfinfo "$WORK/html.pdf" | awk '/^Pages/{print $2}') A4 pages"

# ---- the PDF without a browser ----
PAGES=$(pdfinfo "$WORK/report.pdf" | awk '/^Pages/{print $2}')
pdfinfo "$WORK/report.pdf" | grep -q 'Page size: *595.28 x 841.89 pts (A4)' || { echo "PDF is not A4"; exit 1; }
[ "$PAGES" -ge 8 ] || { echo "PDF has only $PAGES pages"; exit 1; }
TEXT=$(pdftotext "$WORK/report.pdf" - | tr -d ' \n')
for want in 公众绿色出行率 三项指标与目标 逐月变化 分服务大厅 我国生活垃圾分类的四个基本类别是哪些 "第${PAGES}页/共${PAGES}页"; do
  [[ $TEXT == *"$want"* ]] || { echo "PDF text lacks $want"; exit 1; }
done
EN=$(pdftotext "$WORK/report-en.pdf" -)
[[ $EN == *"Public green-travel rate"* ]] || { echo "English PDF lacks its text"; exit 1; }
NOT_EMBEDDED=$(pdffonts "$WORK/report.pdf" | awk 'NR>2 && $(NF-4) != "yes"' | wc -l)
[ "$NOT_EMBEDDED" -eq 0 ] || { pdffonts "$WORK/report.pdf"; echo "fonts not embedded"; exit 1; }
echo "pdf: $PAGES A4 pages, Chinese text extractable, $(pdffonts "$WORK/report.pdf" | tail -n +3 | wc -l) fonts embedded"

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  pdftoppm -r 60 -png "$CALC" "$KEEP/xlsx"
  pdftoppm -r 60 -png "$WORK/html.pdf" "$KEEP/html"
  pdftoppm -r 60 -png "$WORK/report.pdf" "$KEEP/pdf"
  cp "$WORK"/report.* "$KEEP/"
  echo "pages kept in $KEEP"
fi

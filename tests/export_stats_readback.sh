#!/usr/bin/env bash
# The SPSS and Stata exports read back by independent readers, GNU PSPP (pspp-convert)
# and R's haven, and compared cell by cell with `export --format csv --labels`: same
# variables in the same order, same rows, same labels for every coded answer, not-shown
# answers missing, Chinese variable and value labels, and the weight column (population
# margins present) positive with mean 1.
#   export_stats_readback.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$(cd "$2" && pwd)
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A data folder with population margins, so the weight column is written.
mkdir -p "$WORK/data"
ln -s "$SRC/questionnaires" "$WORK/data/questionnaires"
cp -r "$SRC/assets" "$WORK/data/assets"
cp "$SRC/assets/population.example.json" "$WORK/data/assets/population.json"
APP=("$BUILD/ecokiosk" --data-dir "$WORK/data" --db "$WORK/e.db" --config "$WORK/none.json")
"${APP[@]}" demo-data --responses 600 --seed 5 >/dev/null
# A resident who answered 说不清 to the overall rating, brought in through a real import
# (demo data draws only the five points), so the .sav/.dta must carry code 6 as missing.
"${APP[@]}" export --format jsonl --out "$WORK/all.jsonl" >/dev/null 2>&1
"$PY" - "$WORK/all.jsonl" "$WORK/dk.jsonl" <<'PYEOF'
import json, sys, uuid
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["questionnaire"] == "satisfaction" and "overall" in r["answers"]:
        r["id"] = str(uuid.uuid4())
        r["answers"]["overall"] = "dont_know"
        open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False) + "\n")
        break
PYEOF
"${APP[@]}" import "$WORK/dk.jsonl" >/dev/null
for f in csv sav dta; do
  extra=()
  [ $f = csv ] && extra=(--labels)
  "${APP[@]}" export --format $f "${extra[@]}" --include-flagged --out "$WORK/x.$f" 2>/dev/null
done
for q in satisfaction knowledge green-travel; do
  pspp-convert --labels --recode "$WORK/x-$q.sav" "$WORK/pspp-$q.csv"
done

Rscript --vanilla - "$WORK" <<'R'
suppressMessages(library(haven))
work <- commandArgs(trailingOnly = TRUE)[1]
flat <- function(d) {
  # Stata's .a ("not shown") is a labelled missing value: blank, as in the CSV.
  d[] <- lapply(d, function(x) {
    if (!is.labelled(x)) return(x)
    if (is.double(x)) x[is_tagged_na(x)] <- NA
    as.character(as_factor(x, levels = "labels"))
  })
  d
}
for (q in c("satisfaction", "knowledge", "green-travel")) {
  for (fmt in c("sav", "dta")) {
    f <- file.path(work, paste0("x-", q, ".", fmt))
    d <- if (fmt == "sav") read_sav(f) else read_dta(f)
    write.csv(flat(d), file.path(work, paste0("r-", fmt, "-", q, ".csv")), row.names = FALSE, na = "", fileEncoding = "UTF-8")
  }
}
# Labels and missing values as an analyst sees them.
s <- read_sav(file.path(work, "x-satisfaction.sav"), user_na = TRUE)
stopifnot(grepl("满意", attr(s$overall, "label")))
stopifnot("非常满意" %in% names(attr(s$overall, "labels")))
stopifnot(-1 %in% attr(s$overall, "na_values"))
# 说不清 (code 6, after the five points) is declared user-missing and keeps its label.
stopifnot(6 %in% attr(s$overall, "na_values"))
stopifnot(attr(s$overall, "labels")[["不了解/说不清"]] == 6)
stopifnot(any(s$overall == 6, na.rm = TRUE))
stopifnot(!is.null(s$weight), all(s$weight > 0), abs(mean(s$weight) - 1) < 1e-6)
t <- read_dta(file.path(work, "x-satisfaction.dta"))
stopifnot("非常满意" %in% names(attr(t$overall, "labels")))
# In Stata 说不清 is the extended missing value .b, labelled with its text.
stopifnot(any(is_tagged_na(t$overall, "b")))
lb <- attr(t$overall, "labels")
stopifnot(names(lb)[is_tagged_na(lb, "b")] == "不了解/说不清")
k <- read_dta(file.path(work, "x-knowledge.dta"))
stopifnot(any(is_tagged_na(k$k_env_day, "a")))  # an item not drawn is .a, labelled
stopifnot(grepl("未显示", names(attr(k$k_env_day, "labels"))[is_tagged_na(attr(k$k_env_day, "labels"), "a")]))
cat("R haven: labels, missing values and weights as expected\n")
R

"$PY" - "$WORK" "$SRC" <<'PY'
import csv, glob, json, sys
work = sys.argv[1]
# The texts of the questionnaires' don't-know options: declared missing in .sav/.dta, so
# a reader may show them blank where csv --labels shows the text.
DK = set()
def collect(j):
    if isinstance(j, dict):
        if j.get("dont_know") is True and isinstance(j.get("text"), dict):
            DK.add(j["text"]["zh"])
        for v in j.values(): collect(v)
    elif isinstance(j, list):
        for v in j: collect(v)
for f in glob.glob(sys.argv[2] + "/questionnaires/**/*.json", recursive=True):
    collect(json.load(open(f, encoding="utf-8")))
assert "不了解/说不清" in DK and "不知道" in DK, DK
def rows(path, enc="utf-8"):
    with open(path, encoding=enc, newline="") as f:
        return list(csv.reader(f))
def same(a, b):
    if a == b or (a == "" and b.strip() == ""):  # PSPP writes system-missing as a space
        return True
    if a in DK and b.strip() == "":  # don't know: declared missing, read as missing
        return True
    try:
        return abs(float(a) - float(b)) < 1e-6
    except ValueError:
        return False
cells = 0
for q in ["satisfaction", "knowledge", "green-travel"]:
    ref = rows(f"{work}/x-{q}.csv", "utf-8-sig")
    for name, other in [("pspp", rows(f"{work}/pspp-{q}.csv")),
                        ("R sav", rows(f"{work}/r-sav-{q}.csv")),
                        ("R dta", rows(f"{work}/r-dta-{q}.csv"))]:
        assert len(other) == len(ref), (q, name, len(other), len(ref))
        head = other[0]
        assert head[-1] == "weight", (q, name, head[-1])
        if name != "R dta":  # Stata names are cut at 32 bytes; SPSS keeps the codes
            assert head[:-1] == ref[0], (q, name, [h for h in head if h not in ref[0]][:5])
        assert len(head) - 1 == len(ref[0]), (q, name)
        for i in range(1, len(ref)):
            for j, want in enumerate(ref[i]):
                got = other[i][j]
                assert same(want, got), f"{q} {name} row {i} column {ref[0][j]}: csv {want!r} vs {got!r}"
                cells += 1
            w = float(other[i][-1])
            assert w > 0, (q, name, i, w)
    # Some answers are not shown to everyone: they are missing, not a code.
    assert any(c == "" for r in ref[1:] for c in r), q
print(f"sav (pspp-convert, R haven) and dta (R haven) agree with csv --labels: {cells} cells")
PY

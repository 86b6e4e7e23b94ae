#!/usr/bin/env bash
# Read-aloud measured by sox: `ecokiosk say` writes what the kiosk reads for every
# question of every questionnaire in both languages; each file must be non-silent, and
# longer text must give longer audio (rank correlation over all questions).
# Usage: speech_sox.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
command -v sox >/dev/null || { echo "sox is not installed (scripts/install-deps.sh --test)"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cfg="$work/none.json"   # defaults: volume 80

# Every question id, shared blocks and bank items included, as the kiosk loads them.
for qn in knowledge satisfaction green-travel; do
  "$bin" --config "$cfg" --data-dir "$src" say --questionnaire "$qn" --list | sed "s/^/$qn /" >> "$work/ids"
done
n=$(wc -l < "$work/ids")
[ "$n" -gt 20 ] || { echo "only $n questions found"; exit 1; }
fail=0
: > "$work/measures"
while read -r qn qid; do
  for lang in zh en; do
    out="$work/$qn-$qid-$lang.wav"
    chars=$("$bin" --config "$cfg" --data-dir "$src" say --questionnaire "$qn" --question "$qid" --lang "$lang" --print --out "$out" 2>/dev/null | wc -m)
    stat=$(sox "$out" -n stat 2>&1)
    len=$(awk '/^Length \(seconds\)/ {print $3}' <<<"$stat")
    rms=$(awk '/^RMS +amplitude/ {print $3}' <<<"$stat")
    if ! awk -v r="$rms" -v l="$len" 'BEGIN { exit !(r > 0.02 && l > 0.5) }'; then
      echo "FAIL $qn/$qid $lang: length $len s, RMS $rms"; fail=1
    fi
    echo "$lang $chars $len $rms $qn/$qid" >> "$work/measures"
  done
done < "$work/ids"
# Spearman's rank correlation of characters and seconds, per language.
python3 - "$work/measures" <<'PY' || fail=1
import sys
rows = [l.split() for l in open(sys.argv[1])]
bad = False
for lang in ("zh", "en"):
    r = [(int(x[1]), float(x[2])) for x in rows if x[0] == lang]
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        out = [0] * len(v)
        for k, i in enumerate(order): out[i] = k
        return out
    a, b = ranks([x[0] for x in r]), ranks([x[1] for x in r])
    n = len(r)
    rho = 1 - 6 * sum((x - y) ** 2 for x, y in zip(a, b)) / (n * (n * n - 1))
    secs = sum(x[1] for x in r)
    print(f"{lang}: {n} questions, {secs:.0f} s of speech in all, Spearman rho(characters, seconds) = {rho:.3f}")
    if rho < 0.8: bad = True
sys.exit(1 if bad else 0)
PY
# Bad input: a clear message and exit 2, nothing written.
if "$bin" --config "$cfg" --data-dir "$src" say --questionnaire nope --out "$work/x.wav" 2>"$work/err"; then fail=1; fi
grep -q 'no questionnaire "nope"' "$work/err" || { echo "FAIL unknown questionnaire message"; cat "$work/err"; fail=1; }
if "$bin" --config "$cfg" --data-dir "$src" say --questionnaire knowledge --question nope --out "$work/x.wav" 2>"$work/err"; then fail=1; fi
grep -q 'has no question "nope"' "$work/err" || { echo "FAIL unknown question message"; fail=1; }
[ ! -e "$work/x.wav" ] || { echo "FAIL a file was written for bad input"; fail=1; }
[ $fail -eq 0 ] && echo "speech_sox: $n questions x 2 languages, all non-silent"
exit $fail

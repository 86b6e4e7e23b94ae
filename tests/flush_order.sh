#!/usr/bin/env bash
# Flush before rename, seen in the system calls (strace -y names each descriptor's file):
# every export, backup and restore file is fsynced under its temporary name before it
# is renamed into place, and its folder is fsynced after the rename, so a power cut
# leaves the old file or the whole new one, never an empty file under the final name.
#   flush_order.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
APP=("$BUILD/ecokiosk" --data-dir "$SRC" --db "$WORK/k.db" --config "$WORK/none.json")
"${APP[@]}" demo-data --responses 200 --seed 5 >/dev/null
# LeakSanitizer cannot run under ptrace (strace): in the sanitizer build it would abort
# every traced command; the leak check is the rest of the suite's job.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
trace() {  # trace NAME COMMAND...: the renames and syncs of COMMAND into NAME.log
  local name=$1; shift
  strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat,renameat2,link -o "$WORK/$name.log" "$@" >/dev/null 2>&1
}
trace csv "${APP[@]}" export --format csv --out "$WORK/out/all.csv"
trace xlsx "${APP[@]}" export --format xlsx --out "$WORK/out/all.xlsx"
trace jsonl "${APP[@]}" export --format jsonl --out "$WORK/out/all.jsonl"
trace html "${APP[@]}" export --format html --out "$WORK/out/report.html"
trace backup "${APP[@]}" backup --to "$WORK/b/one.db"
trace rotate "${APP[@]}" backup
trace restore "${APP[@]}" restore "$WORK/b/one.db"
python3 - "$WORK" <<'PY'
import os, re, sys
work = sys.argv[1]
total = 0
for name in ["csv", "xlsx", "jsonl", "html", "backup", "rotate", "restore"]:
    lines = open(f"{work}/{name}.log").read().splitlines()
    renames = 0
    for i, line in enumerate(lines):
        m = re.search(r'rename(?:at2?)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)", (?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)"', line)
        if not m or line.rstrip().endswith("-1") or " = -1 " in line:
            continue
        src, dst = m.group(1), m.group(2)
        if ".part" in dst:
            continue  # a step between temporaries; what matters is the move to the final name
        renames += 1
        synced = [l for l in lines[:i] if re.search(r'f(data)?sync\(\d+<' + re.escape(os.path.realpath(src)) + r'>\)\s+= 0', l)]
        assert synced, f"{name}: {src} renamed to {dst} without an fsync first"
        folder = os.path.realpath(os.path.dirname(dst) or ".")
        after = [l for l in lines[i + 1:] if re.search(r'fsync\(\d+<' + re.escape(folder) + r'>\)\s+= 0', l)]
        assert after, f"{name}: the folder {folder} was not fsynced after {dst} was put in place"
    assert renames > 0, f"{name}: no temporary was renamed into place"
    total += renames
print(f"flush order: {total} files fsynced before their rename, each folder fsynced after")
PY

#!/usr/bin/env bash
# The real binary, as staff type it (issue 13): options for every command on either side
# of the subcommand; usage errors that name the option and show the command's usage;
# `audit verify` catching a cut tail and a dropped guard; set-pin as the audited override;
# a config with one bad value; a hostile questionnaire refused before parsing.
#   cli_hardening.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$1
SRC=$2
APP="$BUILD/ecokiosk"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC OUTPUT PATTERN
  if [[ $3 -ne $2 ]] || ! grep -qE -- "$5" <<<"$4"; then
    echo "FAIL $1: rc $3 (wanted $2); output:"; echo "$4" | head -20; fails=$((fails + 1))
  else
    echo "ok   $1"
  fi
}
DB="$WORK/k.db"
CFG="$WORK/cfg/config.json"
"$APP" --data-dir "$SRC" --db "$DB" --config "$CFG" demo-data --responses 20 >/dev/null

# Options after the subcommand (README's tables put them there) and before it.
out=$("$APP" export --db "$DB" --config "$CFG" --data-dir "$SRC" --format jsonl 2>&1); rc=$?
check "options after the subcommand" 0 $rc "$out" '"kiosk":"demo"'
out=$("$APP" --db "$DB" --config "$CFG" indicators --data-dir "$SRC" --format json 2>&1); rc=$?
check "options on both sides" 0 $rc "$out" '"indicators"'
# Usage errors name the option and show the command's usage.
out=$("$APP" export --db "$DB" --format docx 2>&1); rc=$?
check "bad value names the option" 2 $rc "$out" '^error: --format: docx'
grep -q 'Usage: .*export' <<<"$out" || { echo "FAIL usage of export not shown"; fails=$((fails + 1)); }
out=$("$APP" export --db "$DB" --bogus 1 2>&1); rc=$?
check "unknown option named, usage shown" 2 $rc "$out" 'bogus'
grep -q 'Usage: .*export' <<<"$out" || { echo "FAIL usage not shown for --bogus"; fails=$((fails + 1)); }
out=$("$APP" export --db "$DB" --config "$CFG" --format csv 2>&1); rc=$?
check "the command's own usage error shows its usage" 2 $rc "$out" 'out FILE is needed'
grep -q 'Usage: .*export' <<<"$out" || { echo "FAIL usage not shown for missing --out"; fails=$((fails + 1)); }
out=$("$APP" indicators --db "$DB" --config "$CFG" --from 2019-13-01 2>&1); rc=$?
check "a bad date names --from" 2 $rc "$out" '\-\-from "2019-13-01"'

# The audit trail: set-pin is the audited override; a cut tail is found.
out=$(printf '246810\n246810\n' | "$APP" set-pin --db "$DB" --config "$CFG" 2>&1); rc=$?
check "set-pin" 0 $rc "$out" 'recorded in the audit log'
out=$("$APP" audit verify --db "$DB" --config "$CFG" 2>&1); rc=$?
check "audit verify intact" 0 $rc "$out" '^intact'
out=$("$APP" backup --db "$DB" --config "$CFG" --to "$WORK/b.db" 2>&1); rc=$?
check "backup" 0 $rc "$out" 'backed up'
sqlite3 "$DB" "DROP TRIGGER audit_log_append_only_d; DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log);"
out=$("$APP" audit verify --db "$DB" --config "$CFG" 2>&1); rc=$?
check "audit verify finds the cut tail" 1 $rc "$out" 'BROKEN audit_log has 1 entries but .* records 2'
check "audit verify names the dropped guard" 1 $rc "$out" 'trigger audit_log_append_only_d was missing'
out=$("$APP" audit verify --db "$DB" --config "$CFG" 2>&1); rc=$?
check "still broken on the next run (the guard is back, the tail is not)" 1 $rc "$out" 'entries were removed|position 2'
sqlite3 "$DB" "UPDATE admin_auth SET pin_hash = NULL"
out=$("$APP" setup-code --db "$DB" --config "$CFG" 2>&1); rc=$?
check "no setup code over a cleared PIN" 1 $rc "$out" 'set-pin'
# set-pin with the admin row deleted stores a PIN (and says what it found).
sqlite3 "$DB" "DROP TRIGGER admin_auth_keep_d; DELETE FROM admin_auth;"
out=$(printf '135790\n135790\n' | "$APP" set-pin --db "$DB" --config "$CFG" 2>&1); rc=$?
check "set-pin over a deleted admin row" 0 $rc "$out" 'admin row was missing'
[[ $(sqlite3 "$DB" "SELECT pin_hash IS NOT NULL FROM admin_auth") == 1 ]] || { echo "FAIL no PIN stored"; fails=$((fails + 1)); }
sqlite3 "$DB" "CREATE TRIGGER ignore_pin BEFORE UPDATE ON admin_auth BEGIN SELECT RAISE(IGNORE); END"
out=$(printf '111111\n111111\n' | "$APP" set-pin --db "$DB" --config "$CFG" 2>&1); rc=$?
check "set-pin fails loudly when the change is ignored" 1 $rc "$out" 'the PIN was not stored'

# A config with one bad value keeps the others and says where.
printf '{"kiosk_id": "hall-9",\n "utc_offset_minutes": 1e400,\n "min_seconds_per_question": 5}\n' > "$WORK/bad.json"
out=$("$APP" indicators --db "$DB" --config "$WORK/bad.json" --data-dir "$SRC" --format json 2>&1); rc=$?
check "config: 1e400 reported with file:line:column" 0 $rc "$out" "bad.json:2:[0-9]+: "

# A hostile questionnaire is refused before parsing.
head -c 5000000 /dev/zero | tr '\0' '[' > "$WORK/brackets.json"
out=$("$APP" validate "$WORK/brackets.json" 2>&1); rc=$?
check "5 MB of [ refused" 1 $rc "$out" 'bytes, more than the 2097152 allowed'

# A mistyped --db: commands that only read refuse it, and create nothing (issue 13).
for cmd in "export --format jsonl --out $WORK/nodb.jsonl" "indicators" "backup --to $WORK/nodb-b.db" "audit verify"; do
  out=$("$APP" $cmd --db "$WORK/typo/k.db" --config "$CFG" --data-dir "$SRC" 2>&1); rc=$?
  check "$cmd: no database at a mistyped --db" 1 $rc "$out" "no database at $WORK/typo/k.db"
done
[[ ! -e "$WORK/typo" && ! -e "$WORK/nodb.jsonl" && ! -e "$WORK/nodb-b.db" ]] || { echo "FAIL a mistyped --db created something"; fails=$((fails + 1)); }
# backup --to: an existing file only with --force; never where a -wal or -shm lies.
entries=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log")
out=$("$APP" backup --db "$DB" --config "$CFG" --to "$WORK/b.db" 2>&1); rc=$?
check "backup over an existing file refused" 1 $rc "$out" 'already exists'
[[ $(sqlite3 "$DB" "SELECT count(*) FROM audit_log") == "$entries" ]] || { echo "FAIL a refused backup was logged as made"; fails=$((fails + 1)); }
out=$("$APP" backup --db "$DB" --config "$CFG" --to "$WORK/b.db" --force 2>&1); rc=$?
check "backup --force replaces it" 0 $rc "$out" 'backed up'
echo stale > "$WORK/w.db-wal"
out=$("$APP" backup --db "$DB" --config "$CFG" --to "$WORK/w.db" --force 2>&1); rc=$?
check "backup beside a stale -wal refused even with --force" 1 $rc "$out" 'w.db-wal exists'
[[ ! -e "$WORK/w.db" ]] || { echo "FAIL a backup was put beside a -wal"; fails=$((fails + 1)); }
# --out that is a folder or a device, for a multi-file format.
mkfifo "$WORK/fifo"  # stands for a device: never risk the real /dev/null or /
for o in "$WORK/fifo" "$WORK/" "$WORK" "$WORK/newdir/"; do
  out=$("$APP" export --db "$DB" --config "$CFG" --data-dir "$SRC" --format csv --out "$o" --force 2>&1); rc=$?
  check "export --out $o refused" 1 $rc "$out" 'is a folder|not a regular file'
done
[[ -p "$WORK/fifo" && ! -e "$WORK/newdir" && -z $(ls -a "$WORK" | grep -- '-satisfaction') ]] || { echo "FAIL a file was named from a folder or device"; fails=$((fails + 1)); }
# Review of issue 13: a no-op guard under a guard's name, a deleted anchor, the config
# folder under umask 000, a hostile kiosk id in an import summary.
DB2="$WORK/k2.db"
CFG2="$WORK/cfg2/sub/config.json"
(umask 000; printf '246810\n246810\n' | "$APP" set-pin --db "$DB2" --config "$CFG2" >/dev/null 2>&1)
[[ $(stat -c %a "$WORK/cfg2") == 700 && $(stat -c %a "$WORK/cfg2/sub") == 700 ]] ||
  { echo "FAIL config folders not 0700 under umask 000"; fails=$((fails + 1)); }
sqlite3 "$DB2" "DROP TRIGGER audit_log_append_only_d; CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT 1; END;"
out=$("$APP" audit verify --db "$DB2" --config "$CFG2" 2>&1); rc=$?
check "a no-op guard of the same name is found" 1 $rc "$out" 'audit_log_append_only_d had been replaced'
rm -f "$WORK"/cfg2/sub/anchors/*.json
out=$("$APP" audit verify --db "$DB2" --config "$CFG2" 2>&1); rc=$?
check "a deleted anchor is reported, not rebuilt silently" 1 $rc "$out" 'is missing: entries removed before now cannot be detected'
"$APP" export --db "$DB" --config "$CFG" --format jsonl 2>/dev/null | head -1 |
  sed 's/"kiosk":"demo"/"kiosk":"x\\u001b[2J\\r\\nfake: 999 new"/' > "$WORK/evil.jsonl"
out=$("$APP" import --db "$WORK/k3.db" --config "$CFG" --data-dir "$SRC" "$WORK/evil.jsonl" 2>&1); rc=$?
check "a hostile kiosk id is refused" 0 $rc "$out" 'kiosk id must not contain control characters'
if grep -q $'\x1b' <<<"$out" || grep -q '^fake' <<<"$out"; then echo "FAIL raw control characters printed"; fails=$((fails + 1)); fi

exit $((fails > 0))

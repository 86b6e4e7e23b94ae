#!/usr/bin/env bash
# `ecokiosk setup` read from standard input, as a hall's IT person or a script answers it.
# Every bad answer (a kiosk id with a slash, a short PIN, two different PINs, letters in
# the PIN, a bad opening-hours text, input ending early) must exit 2 and change nothing:
# the configuration stays byte for byte and the PIN stays as it was. Then a good run
# writes both, a rerun with empty answers keeps them, and the PIN works for the console.
#   setup_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
K=$1/ecokiosk
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
setup() { printf "$1" | "$K" --data-dir "$SRC" --db "$T/k.db" --config "$T/c.json" setup >"$T/out" 2>&1; rc=$?; }

setup 'hall-1\n一号大厅\nHall One\nalways\n11223344\n11223344\n'
[ "$rc" -eq 0 ] && grep -q '"kiosk_id": "hall-1"' "$T/c.json" && ok "first setup" || { bad "first setup (exit $rc)"; cat "$T/out"; }
[ "$(stat -c %a "$T/c.json")" = 640 ] && ok "config written 0640" || bad "config mode $(stat -c %a "$T/c.json")"
before=$(sha256sum <"$T/c.json")
pin_before=$(sqlite3 "$T/k.db" "SELECT pin_hash FROM admin_auth WHERE id=1")

refused() {  # refused WHAT ANSWERS
  setup "$2"
  if [ "$rc" -eq 2 ] && [ "$(sha256sum <"$T/c.json")" = "$before" ] &&
     [ "$(sqlite3 "$T/k.db" "SELECT pin_hash FROM admin_auth WHERE id=1")" = "$pin_before" ] &&
     grep -q "nothing was changed" "$T/out"; then
    ok "refused, nothing changed: $1"
  else
    bad "$1 (exit $rc)"; cat "$T/out"
  fi
}
refused "kiosk id with a slash" 'hall/2\n二号\nTwo\nalways\n99887766\n99887766\n'
refused "kiosk id of 65 characters" "$(printf 'a%.0s' $(seq 65))\\n二号\\nTwo\\nalways\\n99887766\\n99887766\\n"
refused "PIN of 5 digits" 'hall-2\n二号\nTwo\nalways\n12345\n12345\n'
refused "PIN with a letter" 'hall-2\n二号\nTwo\nalways\n1234567a\n1234567a\n'
refused "two different PINs" 'hall-2\n二号\nTwo\nalways\n99887766\n99887767\n'
refused "bad opening hours" 'hall-2\n二号\nTwo\nweekdays 9-5\n99887766\n99887766\n'
refused "input ends before the PIN" 'hall-2\n二号\nTwo\nalways\n'
refused "no input at all" ''

# Empty answers keep what is there, including the PIN.
setup '\n\n\n\n\n'
if [ "$rc" -eq 0 ] && grep -q '"kiosk_id": "hall-1"' "$T/c.json" && grep -q "PIN kept" "$T/out" &&
   [ "$(sqlite3 "$T/k.db" "SELECT pin_hash FROM admin_auth WHERE id=1")" = "$pin_before" ]; then
  ok "empty answers keep the settings and the PIN"
else
  bad "rerun with empty answers (exit $rc)"; cat "$T/out"
fi
# A new PIN replaces the old one, through the same API as set-pin (audited).
setup '\n\n\nmon-fri 08:30-17:30\n55667788\n55667788\n'
if [ "$rc" -eq 0 ] && grep -q '"opening_hours": "mon-fri 08:30-17:30"' "$T/c.json" &&
   [ "$(sqlite3 "$T/k.db" "SELECT pin_hash FROM admin_auth WHERE id=1")" != "$pin_before" ] &&
   [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM audit_log WHERE actor LIKE 'setup%'" 2>/dev/null || echo 0)" -ge 1 ]; then
  ok "new PIN and opening hours; the change is in the audit log"
else
  bad "second setup (exit $rc)"; cat "$T/out"; sqlite3 "$T/k.db" ".tables"
fi
echo "setup test: $fails failure(s)"
[ "$fails" -eq 0 ]

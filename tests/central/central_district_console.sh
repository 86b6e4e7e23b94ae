#!/usr/bin/env bash
# The district console's model against a real center (the doctest case "district: …"
# in test_district.cpp): this makes the center, two kiosks (one synced, one silent) and
# the accounts the case signs in with.
#   central_district_console.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center console
"$APP" --data-dir "$SRC" central init --url "$CENTER" >/dev/null
# Account names are cluster-wide roles: these carry the process id (tests run in parallel).
F=forest.$$ B=boss.$$
echo forest-pass-1234 | "$APP" central add-user $F --url "$CENTER" --department 区林业局 >/dev/null
echo admin-pass-12345 | "$APP" central add-user $B --url "$CENTER" --role admin >/dev/null
kiosk hall-a
kiosk hall-b
fill hall-a 12 3
sync_kiosk hall-a >/dev/null || fail "sync of hall-a"
ECOKIOSK_DISTRICT_CENTER="$KIOSK_URL" ECOKIOSK_DISTRICT_DEPT_USER=$F ECOKIOSK_DISTRICT_ADMIN_USER=$B "$BUILD/tests/ecokiosk_tests" --no-skip -tc='district: *' | tee "$WORK/out"
grep -q 'test cases: *2 | *2 passed' "$WORK/out" || fail "the case did not run and pass"
[ "$(admin_sql "SELECT count(*) FROM audit WHERE action IN ('sign_in', 'sign_out')")" = 8 ] \
  || fail "sign-ins and sign-outs: $(admin_sql "SELECT actor, action FROM audit")"

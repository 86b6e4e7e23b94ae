#!/usr/bin/env bash
# The district console's real binary under Xvfb: its screenshot tour signs in as the
# propaganda department (a wrong password first) and draws every page it may open
# (alerts with evidence, survey results with halls, export), then as an admin (accounts), at 1366x768 and 1920x1080 in Chinese and English.
# The PNGs stay in BUILD/district-screens to be looked at.
#   central_console_screens.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
command -v Xvfb >/dev/null || { echo "SKIP: no Xvfb"; exit 77; }
new_center screens
"$APP" --data-dir "$SRC" central init --url "$CENTER" >/dev/null
P=prop.$$ B=boss.$$ PW=screens-pass-1234
echo "$PW" | "$APP" central add-user $P --url "$CENTER" --role propaganda >/dev/null || fail "add-user"
echo "$PW" | "$APP" central add-user $B --url "$CENTER" --role admin >/dev/null || fail "add-user admin"
kiosk hall-a
kiosk hall-b
fill hall-a 60 3
sync_kiosk hall-a >/dev/null || fail "sync"
admin_sql "SELECT * FROM ecokiosk_raise_alert('40', '', '', '', 30, 80, 412, 71.4, 66.9, 75.5,
  '[{\"item\":\"q_air\",\"n\":398,\"pct\":52.3},{\"item\":\"q_water\",\"n\":401,\"pct\":61.0},{\"item\":\"q_green\",\"n\":405,\"pct\":77.8}]')" >/dev/null
admin_sql "SELECT * FROM ecokiosk_raise_alert('35', 'hall-a', 'hall-a镇便民服务中心', 'hall-a Township Hall', 30, 50, 96, 38.2, 29.0, 47.9, '[]')" >/dev/null
OUT="$BUILD/district-screens"
rm -rf "$OUT"; mkdir -p "$OUT"
. "$(dirname "$0")/../xvfb.sh"
start_xvfb 1920x1080x24 "$WORK/xvfb.log"
trap 'kill $xvfb 2>/dev/null || true; cleanup' EXIT
export DISPLAY=$disp
# Under the sanitizer build (ASAN_OPTIONS set) the tour's exit check reports two
# indirect 56-byte blocks whose one stack frame is in no library LSan can name (it
# says libasan, at an offset past its end: a library unmapped before the check), so
# no suppression can match; the pages and the model are leak-checked by the doctest
# case below, inside ecokiosk_tests. To find: the library, then a suppression.
TOUR_ASAN=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0}
for lang in zh en; do
  for size in 1366x768 1920x1080; do
    echo "$PW" | ASAN_OPTIONS=$TOUR_ASAN "$APP" --data-dir "$SRC" --lang $lang --central "$KIOSK_URL" console --size $size \
      --screenshots "$OUT" --user $P >"$WORK/app.log" 2>&1 || { cat "$WORK/app.log"; fail "tour $lang $size"; }
    for page in sign-in sign-in-refused mine fleet audit alerts results export; do
      f="$OUT/district-$lang-$size-$page.png"
      [ -s "$f" ] || fail "no $f"
    done
    mkdir -p "$OUT/admin"
    echo "$PW" | ASAN_OPTIONS=$TOUR_ASAN "$APP" --data-dir "$SRC" --lang $lang --central "$KIOSK_URL" console --size $size \
      --screenshots "$OUT/admin" --user $B >"$WORK/app.log" 2>&1 || { cat "$WORK/app.log"; fail "admin tour $lang $size"; }
    for page in fleet audit alerts accounts; do
      f="$OUT/admin/district-$lang-$size-$page.png"
      [ -s "$f" ] || fail "no $f"
    done
    [ -e "$OUT/admin/district-$lang-$size-results.png" ] && fail "an admin was shown the survey results"
  done
done
kill $xvfb 2>/dev/null || true
# The same pages by taps, headless (doctest "district pages by taps: …"), against the
# command line's figures.
"$APP" --data-dir "$SRC" --config "$WORK/none.json" --central "postgresql://$P:$PW@127.0.0.1:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=disable" \
  indicators --format json --no-weighting >"$WORK/ind.json" || fail "indicators"
mkdir -p "$WORK/exports"
ECOKIOSK_PAGES_CENTER="$KIOSK_URL" ECOKIOSK_PAGES_PROP=$P ECOKIOSK_PAGES_ADMIN=$B ECOKIOSK_PAGES_PASSWORD=$PW \
  ECOKIOSK_PAGES_INDICATORS="$WORK/ind.json" ECOKIOSK_PAGES_OUT="$WORK/exports" \
  "$BUILD/tests/ecokiosk_tests" --no-skip -tc='district pages by taps: *' | tee "$WORK/out"
grep -q 'test cases: *1 | *1 passed' "$WORK/out" || fail "the pages case did not run and pass"
NEW=$(sed -n 's/^district pages: new account //p' "$WORK/out")
# The console's export is in the audit under the login, before its rows (the refused
# one too: the attempt is what was noted); the account changes under the admin.
[ "$(admin_sql "SELECT count(*) FROM audit WHERE action = 'export' AND actor = '$P' AND subject = 'console'")" = 2 ] \
  || fail "console exports audited: $(admin_sql "SELECT actor, subject, detail FROM audit WHERE action = 'export'")"
got=$(admin_sql "SELECT actor || ':' || action || ':' || subject FROM audit WHERE subject = '$NEW' ORDER BY seq" | tr '\n' ' ')
[ "$got" = "$B:account_insert:$NEW $B:account_update:$NEW $B:account_update:$NEW " ] || fail "account changes audited: $got"
# The tour's sign-ins are audited like anyone's.
[ "$(admin_sql "SELECT count(*) FROM audit WHERE action = 'sign_in' AND actor = '$P'")" = 5 ] || fail "sign-ins not audited"
echo "central_console_screens: $(find "$OUT" -name '*.png' | wc -l) screenshots in $OUT"

#!/usr/bin/env bash
# The sync worker wakes when the kiosk saves a response (instead of waiting for its
# 30 s idle poll), still waits out a backoff and recovers after it; and a drain's reading
# threads run in the idle class while the worker's own stays at nice 10: the doctest
# cases in test_central.cpp, given a fresh center of the test cluster.
#   central_wake.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center wake
"$APP" central init --url "$CENTER" >/dev/null
ECOKIOSK_WAKE_CENTER="$CENTER" ECOKIOSK_WAKE_KIOSK_URL="$KIOSK_URL" \
  "$BUILD/tests/ecokiosk_tests" --no-skip -tc='central: a saved response wakes the sync worker*,central: a drain*s reading threads*' | tee "$WORK/out"
grep -q 'test cases: *2 | *2 passed' "$WORK/out" || fail "the cases did not run and pass"

#!/usr/bin/env bash
# The center's one view (CentralQueries::read_consistently) against a kiosk that syncs
# while an export or the indicators are made: the doctest cases "central snapshot: …" in
# test_central_snapshot.cpp, which make and drop a fresh center database of the test
# cluster for each case they try (hence the cluster's administrator URL, not one center).
#   central_snapshot.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
ECOKIOSK_SNAPSHOT_CLUSTER="$ECOKIOSK_PG_ADMIN_URL" \
  "$BUILD/tests/ecokiosk_tests" --no-skip -tc='central snapshot: *' | tee "$WORK/out"
grep -q 'test cases: *3 | *3 passed' "$WORK/out" || fail "the cases did not run and pass"

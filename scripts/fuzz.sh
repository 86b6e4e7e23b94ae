#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded
# time from the seed corpus in tests/fuzz/corpus. New inputs go to a scratch folder,
# so the committed corpus only changes by hand.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
bash scripts/install-deps.sh --test
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DECOKIOSK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_loader fuzz_jsonl
# The targets run side by side when there are cores for both (CI has two): each still
# gets its SECONDS_EACH of its own.
run() {
  local t=$1 scratch=$2
  # A crash, leak or hang leaves its input as build-fuzz/crash-* (leak-*, timeout-*):
  # add it to tests/fuzz/corpus/$t once fixed, so it stays fixed.
  ./build-fuzz/fuzz_$t -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build-fuzz/ "$scratch" "tests/fuzz/corpus/$t" > "$scratch.log" 2>&1
}
declare -A pid scratch status
for t in loader jsonl; do
  scratch[$t]=$(mktemp -d)
  echo "fuzz_$t: ${SECONDS_EACH}s"
  run "$t" "${scratch[$t]}" &
  pid[$t]=$!
  if [ "$(nproc)" -lt 2 ]; then status[$t]=0; wait "${pid[$t]}" || status[$t]=$?; fi
done
failed=0
for t in loader jsonl; do
  if [ -z "${status[$t]:-}" ]; then status[$t]=0; wait "${pid[$t]}" || status[$t]=$?; fi
  if [ "${status[$t]}" -eq 0 ]; then
    echo "fuzz_$t:"; tail -4 "${scratch[$t]}.log"
  else
    echo "fuzz_$t failed (exit ${status[$t]}):"; grep -v '^#' "${scratch[$t]}.log" | tail -40
    failed=1
  fi
  rm -rf "${scratch[$t]}" "${scratch[$t]}.log"
done
exit "$failed"

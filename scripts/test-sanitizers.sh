#!/usr/bin/env bash
# The whole test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
cmake -S . -B build-asan -DECOKIOSK_SANITIZE=ON -DECOKIOSK_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)"
# Leaks inside the system's GL driver, fontconfig and X libraries are theirs, not ours.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="abort_on_error=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# soak_short is left out here: it measures memory growth over 2,000 residents, which
# ASan's quarantine makes meaningless, and it took 85 s of CI's 45-minute budget; the
# code it drives is in the suite's other tests, and it runs in the normal build.
ctest --test-dir build-asan --output-on-failure -j2 -E '^soak_short$'

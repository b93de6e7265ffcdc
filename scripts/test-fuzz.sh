#!/usr/bin/env bash
# Fuzz suite: builds every target in fuzz/ with cargo-fuzz (libFuzzer + ASan) and runs each
# for MYNAKIT_FUZZ_SECONDS (default 20). Card-data targets start from the test vectors.
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
secs=${MYNAKIT_FUZZ_SECONDS:-20}
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  step "installing cargo-fuzz"
  quiet cargo install cargo-fuzz --locked --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1   # cargo-fuzz needs -Z flags; stable toolchain only here
cd fuzz
step "building fuzz targets"
quiet cargo fuzz build
mkdir -p corpus/card_data
cp ../test-vectors/pki/*.der ../test-vectors/cards/*/*.der corpus/card_data/ 2>/dev/null || true
passed=0; failed=0
for t in $(cargo fuzz list); do
  if cargo fuzz run "$t" -- -max_total_time="$secs" -print_final_stats=1 > "/tmp/mynakit-fuzz-$t.log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "/tmp/mynakit-fuzz-$t.log" | tail -1)
    step "$t: ok (${runs:-no count})"
    passed=$((passed + 1))
  else
    step "$t: FAILED (log /tmp/mynakit-fuzz-$t.log)"
    grep -E 'panicked|ERROR|SUMMARY' "/tmp/mynakit-fuzz-$t.log" | head -5 >&2 || true
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

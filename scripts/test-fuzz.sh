#!/usr/bin/env bash
# Fuzz smoke suite (CI): builds every target in fuzz/ with cargo-fuzz (libFuzzer + ASan),
# seeds the corpora (fuzz/make-seeds.py: golden vectors, virtual-card files and the real
# J-LIS test-card files when the myna-card crate is in the cargo registry) and runs each
# target for MYNAKIT_FUZZ_SECONDS (default 5; 24 targets: about 2 minutes of fuzzing plus
# the build, within ~6 minutes on 2 cores). The long campaign is scripts/fuzz-campaign.sh.
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
secs=${MYNAKIT_FUZZ_SECONDS:-5}
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  step "installing cargo-fuzz"
  quiet cargo install cargo-fuzz --locked --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1   # cargo-fuzz needs -Z flags; stable toolchain only here
if command -v python3 >/dev/null 2>&1; then
  step "seed corpora"
  python3 fuzz/make-seeds.py .
else
  step "python3 missing: targets start from empty corpora"
fi
cd fuzz
step "building fuzz targets"
quiet cargo fuzz build
passed=0; failed=0
for t in $(cargo fuzz list); do
  mkdir -p "corpus/$t"
  if cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -print_final_stats=1 \
      -rss_limit_mb=2048 > "/tmp/mynakit-fuzz-$t.log" 2>&1; then
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

#!/usr/bin/env bash
# Runs every MynaKit test suite on this machine, installing what each needs first.
# This is the README's test command and what .ci/run calls.
#
# Suites (each a script that installs its own tools, prints `N passed, N failed`
# for runners CI does not recognise, and exits non-zero on failure):
#   scripts/test-rust.sh    fmt, clippy -D warnings, cargo test, generator and docs drift
#   scripts/test-hygiene.sh MSRV build, feature matrix, cargo doc -D warnings, cargo deny, examples
#   scripts/test-fuzz.sh    short fuzzing runs of every parser
#   scripts/test-kotlin.sh  Kotlin bindings on the JVM (JUnit) + IsoDep compile check
#   scripts/test-android.sh Android link check: libmynakit_ffi.so for two ABIs (zig, stub bionic),
#                           exports, imports, 16 KB alignment, size; the AAR layout
#   scripts/test-swift.sh   Swift bindings (XCTest in a Debian trixie chroot)
#   scripts/test-pcsc.sh    PC/SC stack with the virtual card in vpcd, cross-checked with OpenSC
#   scripts/test-html.sh    `mynakit trace html` of every golden trace: page checks (CSP, no URL),
#                           headless Chromium screenshots checked non-blank (with negative controls)
# Set MYNAKIT_SUITES="rust kotlin" to run a subset.
set -euo pipefail
cd "$(dirname "$0")/.."

suites=${MYNAKIT_SUITES:-"rust hygiene fuzz kotlin android swift pcsc html"}
passed=0
failed=0
failed_names=()
for s in $suites; do
  script="scripts/test-$s.sh"
  if [ ! -x "$script" ]; then
    echo "== suite $s: $script missing" >&2
    failed=$((failed + 1)); failed_names+=("$s"); continue
  fi
  echo "== suite $s"
  start=$SECONDS
  if "$script"; then
    passed=$((passed + 1))
    echo "== suite $s passed in $((SECONDS - start)) s"
  else
    failed=$((failed + 1)); failed_names+=("$s")
    echo "== suite $s FAILED after $((SECONDS - start)) s"
  fi
done
echo "suites: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
  echo "failed suites: ${failed_names[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Rust suite: format, lints (warnings denied), every test of the workspace, the test-PKI
# generator's byte-for-byte check, and the benchmark figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# libpcsclite-dev lets --all-features build the PC/SC transport.
apt_ensure libpcsclite-dev pkg-config

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings
# The evidence goldens are validated against their JSON Schema by Python's jsonschema (an
# implementation independent of ours); installed here so that test cannot skip in CI.
python3 -c 'import jsonschema' 2>/dev/null || quiet python3 -m pip install --quiet --disable-pip-version-check jsonschema
export MYNAKIT_REQUIRE_JSONSCHEMA=1
step "cargo test"
cargo test --workspace --all-features
step "the default CLI needs no PC/SC library (pcsc is opt-in)"
# 1. The dependency graph: pcsc-sys must not be in the default CLI (cargo tree fails with
#    "did not match any packages" when it is absent; any output means it is there).
if tree=$(cargo tree --quiet -p mynakit-cli -e normal -i pcsc-sys 2>/dev/null) || [[ -n $tree ]]; then
    echo "FAIL: the default mynakit-cli build depends on pcsc-sys:" >&2
    echo "$tree" >&2
    exit 1
fi
# 2. A build where pkg-config cannot find libpcsclite: the PC/SC build must fail there (so the
#    environment really hides it), the default build and `demo` must work, and the binary must
#    not link libpcsclite.
no_pcsc() { PKG_CONFIG_PATH=/nonexistent PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_SYSROOT_DIR=/nonexistent "$@"; }
if no_pcsc cargo build --quiet -p mynakit-cli --features pcsc >/dev/null 2>&1; then
    echo "FAIL: libpcsclite is still found with PKG_CONFIG_* pointing nowhere; the check proves nothing" >&2
    exit 1
fi
no_pcsc cargo build --quiet -p mynakit-cli
no_pcsc cargo run --quiet -p mynakit-cli -- demo >/dev/null
if readelf -d "${CARGO_TARGET_DIR:-target}/debug/mynakit" | grep -i 'pcsclite'; then
    echo "FAIL: the default mynakit binary links libpcsclite" >&2
    exit 1
fi
echo "ok: no pcsc-sys in the default graph; built and ran demo with libpcsclite hidden from pkg-config; binary does not link it"
step "test vectors are what the generator makes"
cargo run --release --quiet -p mynakit-testgen -- --out test-vectors --check
step "golden traces are what the virtual card gives" && cargo run --quiet -p mynakit-cli -- trace regen --out test-vectors/traces --check
step "docs/benchmarks.md figures are re-measured"
scripts/bench-docs.sh --check

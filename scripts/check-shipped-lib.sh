#!/usr/bin/env bash
# The library a bank ships, libmynakit_ffi.so, holds no test material (issue 10): no test
# certificate, no test private key, no test CV CA key, no virtual-card data and nothing of the
# simulator, trace replay or testkit bindings; and it stays small.
#
#   scripts/check-shipped-lib.sh            (run by the android suite, scripts/test-android.sh,
#                                            after scripts/build-android.sh built the Android libraries)
#
# Libraries checked, each stripped:
#   x86_64 Linux       cargo build --release -p mynakit-ffi --lib (the workspace's release profile),
#                      GNU strip --strip-all
#   arm64-v8a, x86_64  Android: target/android/jni/<abi>/libmynakit_ffi.so, the release build
#                      scripts/build-android.sh links (zig link check) and strips with llvm-strip
# Checks (counted):
#   size       x86_64 Linux and arm64-v8a: at most 2,000,000 bytes stripped (x86_64 Android: reported)
#   material   the library's bytes contain none of the needles below
#   symbols    the dynamic symbol table has no symbol of the testkit (`mynakit_testkit`,
#              `virtual_card`/`virtualcard`, `trace_replay`/`tracereplay`, `replay_trace`,
#              `trace_result`, `test_trust_store`, any case; scripts/build-android.sh checks this
#              pattern against the generated testkit bindings)
#   control    NEGATIVE CONTROL: the same search over the testing library libmynakit_testkit_ffi.so
#              (debug build, stripped: the data is the same as in a release build, and the
#              debug build is the one the Kotlin/Swift suites already make) must find material of
#              every needle group and testkit symbols, so the check is able to fail.
# Needles (made from the repository's files, so a new test file is covered without editing this):
#   cert    every certificate file (X.509 or SPKI DER, CV certificate) under test-vectors/pki/, testkit/trust-anchors/jpki-test/,
#           test-vectors/cards/*/ and test-vectors/real-cards/*/: the whole DER, and its second
#           64-character base64 line (what a PEM copy would contain)
#   key     for every test private key (*.pk8 under test-vectors/): modulus, private exponent and
#           both primes, big-endian and little-endian (limb arrays of a compiled-in bignum)
#   cv      the virtual card's CV CA key ID (test-vectors/pki/cv-test-ca.keyid) and the J-LIS TEST
#           CV CA key IDs, moduli and key-list lines (test-vectors/real-cards/jlis-test/cv-ca-test.txt)
#   data    the virtual cards' files (test-vectors/cards/*/{text,face}/*, profile.json) of at
#           least 64 bytes with at least 16 distinct byte values (so that no generic byte run
#           can match by chance)
#   marker  strings only the simulator, trace replay or testkit bindings carry: `mynakit_testkit`,
#           `VirtualCardDevice`, `VirtualCardOptions`, `virtual_card_session`, `ShortReadBehaviour`,
#           `TraceReplay`, `replay_trace_operation`, `trace_result_differences`, `test_trust_store`,
#           `sim::`, `trace::`, `testkit/src/`, `ffi-testkit/`, `mynakit-testkit`, `MKTSTCA` and
#           the virtual card's root names (`MynaKit virtual card`, `TEST ONLY`). Not the bare
#           `VirtualCard`: the SDK's own API names the trust group `AnchorSet.VirtualCard` and the
#           policy flag `accept_virtual_card` (names, not material; the SDK has no such root).
# Prints `N passed, N failed` last; exits non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

LIMIT=2000000
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$TARGET_DIR/shipped-lib
ANDROID=${MYNAKIT_ANDROID_JNI:-$TARGET_DIR/android/jni}
rm -rf "$OUT"
mkdir -p "$OUT"

# --- the libraries -----------------------------------------------------------------------------
build_linux() {
    local start=$SECONDS
    cargo build -q --release -p mynakit-ffi --lib || return 1
    strip --strip-all -o "$OUT/libmynakit_ffi.x86_64-linux.so" "$TARGET_DIR/release/libmynakit_ffi.so" || return 1
    echo "    built in $((SECONDS - start)) s: $(stat -c %s "$TARGET_DIR/release/libmynakit_ffi.so") bytes as linked, $(stat -c %s "$OUT/libmynakit_ffi.x86_64-linux.so") stripped"
}
build_control() {
    cargo build -q -p mynakit-testkit-ffi || return 1
    strip --strip-all -o "$OUT/libmynakit_testkit_ffi.control.so" "$TARGET_DIR/debug/libmynakit_testkit_ffi.so" || return 1
    echo "    $(stat -c %s "$OUT/libmynakit_testkit_ffi.control.so") bytes stripped"
}

# --- the needles -------------------------------------------------------------------------------
make_needles() {
    python3 - "$OUT/needles.tsv" <<'PY'
import base64, glob, os, re, sys
from cryptography.hazmat.primitives.serialization import load_der_private_key

needles = []   # (group, name, bytes)
def add(group, name, data):
    needles.append((group, name, data))

def is_certificate(d):
    # An X.509 certificate or SPKI (a DER SEQUENCE) or a card-verifiable certificate (tag 7F21).
    return len(d) > 4 and (d[0] == 0x30 or d[:2] == b"\x7f\x21")

cert_files = sorted(set(
    glob.glob("test-vectors/pki/*.der") + glob.glob("testkit/trust-anchors/jpki-test/*")
    + glob.glob("test-vectors/cards/*/*.der") + glob.glob("test-vectors/real-cards/*/*.der")))
for f in cert_files:
    d = open(f, "rb").read()
    if not is_certificate(d):
        sys.exit(f"{f}: neither a DER SEQUENCE nor a CV certificate")
    add("cert", f, d)
    b64 = base64.b64encode(d).decode()
    if len(b64) >= 128:
        add("cert", f + " (base64 line 2)", b64[64:128].encode())

def be(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")
key_files = sorted(glob.glob("test-vectors/**/*.pk8", recursive=True))
for f in key_files:
    k = load_der_private_key(open(f, "rb").read(), password=None)
    p = k.private_numbers()
    for what, n in (("modulus", p.public_numbers.n), ("private exponent", p.d), ("prime 1", p.p), ("prime 2", p.q)):
        add("key", f"{f} {what}", be(n))
        add("key", f"{f} {what} (little-endian)", be(n)[::-1])

add("cv", "test-vectors/pki/cv-test-ca.keyid", open("test-vectors/pki/cv-test-ca.keyid", "rb").read())
for line in open("test-vectors/real-cards/jlis-test/cv-ca-test.txt", encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    key_id, modulus = line.split()[:2]
    label = f"J-LIS TEST CV CA {key_id}"
    add("cv", label + " key ID", bytes.fromhex(key_id))
    add("cv", label + " modulus", bytes.fromhex(modulus))
    add("cv", label + " key-list line", line[:120].encode())

data_files = sorted(set(glob.glob("test-vectors/cards/*/text/*") + glob.glob("test-vectors/cards/*/face/*")
                        + glob.glob("test-vectors/cards/*/profile.json")))
for f in data_files:
    if f.endswith(".pk8"):
        continue   # keys: the key group
    d = open(f, "rb").read()
    if len(d) >= 64 and len(set(d)) >= 16:
        # A long file is found by a 256-byte window from its middle as well as by its whole.
        add("data", f, d)
        if len(d) > 512:
            mid = len(d) // 2
            add("data", f + " (256 bytes from the middle)", d[mid:mid + 256])

for m in ["mynakit_testkit", "VirtualCardDevice", "VirtualCardOptions", "virtual_card_session",
          "ShortReadBehaviour", "TraceReplay", "replay_trace_operation", "trace_result_differences",
          "test_trust_store", "sim::", "trace::", "testkit/src/", "ffi-testkit/", "mynakit-testkit",
          "MKTSTCA", "MynaKit virtual card", "TEST ONLY"]:
    add("marker", m, m.encode())

for g, n, d in needles:
    if g != "marker" and len(d) < 16:
        sys.exit(f"needle too short to be specific: {g} {n}")
with open(sys.argv[1], "w") as out:
    for g, n, d in needles:
        out.write(f"{g}\t{n}\t{d.hex()}\n")
groups = {}
for g, _, _ in needles:
    groups[g] = groups.get(g, 0) + 1
print("    needles: " + ", ".join(f"{g} {c}" for g, c in groups.items())
      + f" (from {len(cert_files)} certificates, {len(key_files)} private keys, {len(data_files)} card files)")
PY
}

# search LIB MODE: MODE=none (no needle may be found) or control (every group must be found)
search() {
    python3 - "$OUT/needles.tsv" "$1" "$2" <<'PY'
import sys
needles_file, lib, mode = sys.argv[1:4]
blob = open(lib, "rb").read()
found, total = {}, {}
hits = []
for line in open(needles_file):
    g, name, h = line.rstrip("\n").split("\t")
    total[g] = total.get(g, 0) + 1
    if bytes.fromhex(h) in blob:
        found[g] = found.get(g, 0) + 1
        hits.append(f"{g}: {name}")
summary = ", ".join(f"{g} {found.get(g, 0)}/{total[g]}" for g in total)
print(f"    {lib.rsplit('/', 1)[-1]}: {len(blob)} bytes searched; found {summary}")
if mode == "none":
    for h in hits[:40]:
        print("      FOUND " + h)
    sys.exit(1 if hits else 0)
missing = [g for g in total if not found.get(g)]
if missing:
    print("      the control found nothing of: " + ", ".join(missing))
sys.exit(1 if missing else 0)
PY
}

TESTKIT_SYMBOLS='mynakit_testkit|virtual_?card|trace_?replay|replay_trace|trace_result|test_trust_store|trace_?recorder|secret_encodings'
# symbols LIB MODE: none (no testkit symbol may be exported) or control (some must be)
symbols() {
    local syms n sdk
    syms=$(readelf -W --dyn-syms "$1" | awk '$7 != "UND" && $8 != "" { sub(/@.*/, "", $8); print $8 }') || return 1
    n=$(grep -ciE "$TESTKIT_SYMBOLS" <<<"$syms" || true)
    sdk=$(grep -c '^uniffi_mynakit_ffi_' <<<"$syms" || true)
    echo "    $(basename "$1"): $n exported symbols match /$TESTKIT_SYMBOLS/i ($sdk of the SDK's uniffi_mynakit_ffi_*)"
    ((sdk > 0)) || { echo "      no SDK symbol: not a MynaKit FFI library?"; return 1; }
    if [[ $2 == none ]]; then
        ((n == 0)) || { grep -iE "$TESTKIT_SYMBOLS" <<<"$syms" | head -5 | sed 's/^/      /'; return 1; }
    else
        ((n > 0))
    fi
}

size_at_most() {
    local s
    s=$(stat -c %s "$1") || return 1
    echo "    $(basename "$(dirname "$1")")/$(basename "$1"): $s bytes stripped (limit $LIMIT)"
    ((s <= LIMIT))
}
size_report() {
    echo "    $1: $(stat -c %s "$1") bytes stripped"
}

have() { [[ -s $1 ]] || { echo "    $1 is missing: build it with scripts/build-android.sh (the android suite runs it first)"; return 1; }; }

check "needles from the test material" make_needles
check "x86_64 Linux: release libmynakit_ffi.so built and stripped" build_linux
check "control: libmynakit_testkit_ffi.so built and stripped" build_control

LINUX=$OUT/libmynakit_ffi.x86_64-linux.so
CONTROL=$OUT/libmynakit_testkit_ffi.control.so
if [[ -s $OUT/needles.tsv && -s $LINUX ]]; then
    check "x86_64 Linux: size <= $LIMIT bytes" size_at_most "$LINUX"
    check "x86_64 Linux: no test material" search "$LINUX" none
    check "x86_64 Linux: no testkit symbol exported" symbols "$LINUX" none
fi
for abi in arm64-v8a x86_64; do
    so=$ANDROID/$abi/libmynakit_ffi.so
    check "Android $abi: stripped library present" have "$so"
    if [[ -s $so && -s $OUT/needles.tsv ]]; then
        if [[ $abi == arm64-v8a ]]; then
            check "Android $abi: size <= $LIMIT bytes" size_at_most "$so"
        else
            size_report "$so"
        fi
        check "Android $abi: no test material" search "$so" none
        check "Android $abi: no testkit symbol exported" symbols "$so" none
    fi
done
if [[ -s $OUT/needles.tsv && -s $CONTROL ]]; then
    check "NEGATIVE CONTROL: the search finds every needle group in libmynakit_testkit_ffi.so" search "$CONTROL" control
    check "NEGATIVE CONTROL: testkit symbols found in libmynakit_testkit_ffi.so" symbols "$CONTROL" control
fi

((checks_failed == 0)) || echo "$PROG: failed: ${failed_names[*]}" >&2
echo "$checks_passed passed, $checks_failed failed"
((checks_failed == 0))

#!/usr/bin/env bash
# Linker wrapper for Rust's Android targets WITHOUT the Android NDK: a LINK CHECK, not the way the
# shipped library is built (that is the Gradle build with cargo-ndk and the real NDK, see
# docs/mobile.md). Used by scripts/build-android.sh as CARGO_TARGET_<TRIPLE>_LINKER.
#
# zig (PyPI `ziglang`, scripts/setup-zig.sh) provides clang + lld but no bionic libc, so:
#   1. a first link runs `zig cc -target <arch>-linux-android -nostdlib` without the system
#      libraries (-lc -lm -ldl -llog); a shared object may keep undefined symbols, and those are
#      exactly what the library needs from the system;
#   2. each undefined dynamic symbol is looked up in scripts/android-bionic-symbols.txt (which
#      bionic library exports it and since which API level); stub shared objects with the real
#      sonames (libc.so, libdl.so, liblog.so, libm.so) are generated holding those names only
#      (FUNC: an empty function, OBJECT: a data symbol);
#   3. the final link uses those stubs instead of -lc/-ldl/-llog/-lm, so the library records the
#      right DT_NEEDED entries. A symbol missing from the list stays undefined with no provider,
#      and scripts/build-android.sh reports it (the wrapper does not hide it).
# -lunwind becomes zig's own libunwind, compiled by scripts/build-android.sh into
# $MYNAKIT_ANDROID_UNWIND_DIR (static, as the NDK's libunwind.a is). -lgcc_s is dropped.
# -Wl,-z,max-page-size=$MYNAKIT_ANDROID_PAGE_SIZE (16384: Play's 16 KB pages) is added here, so the
# crates' rustflags (and with them cargo's build cache) stay the same as for `cargo check`.
#
# Environment: MYNAKIT_ZIG (the zig binary), MYNAKIT_ZIG_TARGET (aarch64-linux-android,
# x86_64-linux-android), MYNAKIT_ANDROID_UNWIND_DIR, MYNAKIT_ANDROID_PAGE_SIZE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${MYNAKIT_ZIG:?set MYNAKIT_ZIG to the zig binary}"
: "${MYNAKIT_ZIG_TARGET:?set MYNAKIT_ZIG_TARGET (aarch64-linux-android or x86_64-linux-android)}"
: "${MYNAKIT_ANDROID_UNWIND_DIR:?set MYNAKIT_ANDROID_UNWIND_DIR (holding libunwind.a)}"
: "${MYNAKIT_ANDROID_PAGE_SIZE:=16384}"
SYMBOLS=$here/android-bionic-symbols.txt

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=
args=()
prev=
for a in "$@"; do
    if [[ $prev == -o ]]; then out=$a; fi
    prev=$a
    case $a in
        -lc | -lm | -ldl | -llog | -lgcc_s) ;;          # replaced by the stubs below / not needed
        -lunwind) args+=(-l:libunwind.a) ;;              # zig's libunwind, built by build-android.sh
        *) args+=("$a") ;;
    esac
done
[[ -n $out ]] || { echo "android-link: no -o in the link command" >&2; exit 2; }

zcc=("$MYNAKIT_ZIG" cc -target "$MYNAKIT_ZIG_TARGET" -nostdlib)
args+=(-L "$MYNAKIT_ANDROID_UNWIND_DIR" "-Wl,-z,max-page-size=$MYNAKIT_ANDROID_PAGE_SIZE")

# Pass 1: without the system libraries.
"${zcc[@]}" "${args[@]}" -o "$tmp/pass1" -Wl,--allow-shlib-undefined

# The undefined dynamic symbols (name and type) of pass 1.
readelf -W --dyn-syms "$tmp/pass1" |
    awk '$7 == "UND" && $8 != "" { sub(/@.*/, "", $8); print $8, $4 }' | sort -u >"$tmp/und"

# Stubs, one per bionic library, holding the needed names found in the list (assembly, so no C
# declaration can clash with a compiler builtin such as memcpy).
for lib in libc libdl liblog libm; do : >"$tmp/$lib.s"; done
while read -r name type; do
    lib=$(awk -v s="$name" '$1 == s { print $2; exit }' "$SYMBOLS")
    [[ -n $lib ]] || continue
    if [[ $type == OBJECT ]]; then
        printf '.data\n.globl %s\n.type %s,@object\n.size %s,8\n%s:\n.zero 8\n' "$name" "$name" "$name" "$name"
    else
        printf '.text\n.globl %s\n.type %s,@function\n%s:\nret\n' "$name" "$name" "$name"
    fi >>"$tmp/$lib.s"
done <"$tmp/und"
stubs=()
for lib in libc libdl liblog libm; do
    "${zcc[@]}" -shared -Wl,-soname,$lib.so -o "$tmp/$lib.so" "$tmp/$lib.s"
    stubs+=("$tmp/$lib.so")
done

# Pass 2: the same link against the stubs.
"${zcc[@]}" "${args[@]}" "${stubs[@]}" -Wl,--allow-shlib-undefined

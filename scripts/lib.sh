# Shared helpers for scripts/setup-*.sh and scripts/swift-chroot.sh. Meant to be sourced, not run.
#   step MSG            print "<script>: MSG" (one line per step)
#   quiet CMD...        run CMD with its output captured; show the tail only on failure
#   apt_ensure PKG...   apt-get install the packages that are missing (update first only then)
#   chroot_mount ROOT / chroot_umount ROOT / swift_installed ROOT   for the Swift chroot

MYNAKIT_TOOLS=${MYNAKIT_TOOLS:-/var/cache/mynakit-tools}
PROG=$(basename "$0" .sh)

step() { echo "$PROG: $*"; }

quiet() {
    local log rc
    log=$(mktemp)
    if "$@" >"$log" 2>&1 </dev/null; then
        rm -f "$log"
    else
        rc=$?
        echo "$PROG: failed (exit $rc): $*" >&2
        tail -n 40 "$log" >&2
        rm -f "$log"
        return "$rc"
    fi
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }

apt_ensure() {
    local p missing=()
    for p in "$@"; do is_installed "$p" || missing+=("$p"); done
    if ((${#missing[@]} == 0)); then
        step "apt packages present: $*"
        return 0
    fi
    local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
    quiet "${apt[@]}" update
    quiet env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
    step "apt installed: ${missing[*]}"
}

# Chroot mounts for the Swift chroot (scripts/setup-swift.sh, scripts/swift-chroot.sh).
# /proc is required: without it every swift command fails to load libswiftCore.so.
# /dev is made a slave so unmounting inside the chroot never propagates back to the host.
chroot_mount() {
    local root=$1
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --make-rslave "$root/dev"
    mount -t sysfs sys "$root/sys"
}

# Processes whose root directory is ROOT, and stopping them (TERM, then KILL after 5 s): build
# tools such as swift-build start helpers in their own process groups, which would otherwise
# outlive an interrupted run and keep the mounts busy.
chroot_pids() {
    local p
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/root" 2>/dev/null) == "$1" ]] && echo "${p#/proc/}"
    done
    return 0
}
chroot_stop() {
    local root=$1 pids _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        mapfile -t pids < <(chroot_pids "$root")
        ((${#pids[@]} == 0)) && return 0
        kill -TERM "${pids[@]}" 2>/dev/null || true
        sleep 0.5
    done
    mapfile -t pids < <(chroot_pids "$root")
    ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.2
}

# Stop what runs in ROOT and unmount everything below it, deepest first; fail if anything is
# left mounted.
chroot_mounts() { awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts; }
chroot_umount() {
    local root=$1 mp mps
    chroot_stop "$root"
    mapfile -t mps < <(chroot_mounts "$root" | sort -r)
    for mp in "${mps[@]}"; do
        umount "$mp" 2>/dev/null || { echo "$PROG: $mp busy, detaching it" >&2; umount -l "$mp"; }
    done
    mapfile -t mps < <(chroot_mounts "$root")
    if ((${#mps[@]} > 0)); then
        echo "$PROG: still mounted under $root: ${mps[*]}" >&2
        return 1
    fi
}

# True when the chroot has swift. /usr/bin/swift there is an absolute symlink into the chroot,
# so from the host test the link itself, not its target.
swift_installed() { [[ -L $1/usr/bin/swift || -x $1/usr/bin/swift ]]; }

# Named checks for suites whose runner CI does not read: `check NAME CMD...` runs CMD and
# counts it in checks_passed / checks_failed (failed names in failed_names).
checks_passed=0
checks_failed=0
failed_names=()
check() {
    local name=$1
    shift
    step "$name"
    if "$@"; then
        checks_passed=$((checks_passed + 1))
    else
        checks_failed=$((checks_failed + 1))
        failed_names+=("$name")
        echo "$PROG: FAILED: $name" >&2
    fi
}

# The bindings drift check (a counted check), leaving the path of the FFI library in LIB.
# The library is built even when the bindings drifted, so the language tests still run.
LIB=
_gen_check() {
    local out
    out=$(scripts/gen-bindings.sh --check) || { echo "$out"; return 1; }
    echo "$out" | sed '$d'
    LIB=$(echo "$out" | tail -n 1)
}
check_bindings_and_library() {
    check "bindings match the library (gen-bindings --check)" _gen_check
    if [[ -z $LIB || ! -f $LIB ]]; then
        cargo build -q -p mynakit-ffi --features cli || exit 1
        LIB=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/libmynakit_ffi.so
    fi
}

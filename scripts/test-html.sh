#!/usr/bin/env bash
# HTML suite: `mynakit trace html` pages in a real browser (headless Chromium).
#
#   1. on CI (CI=true) installs the Debian package chromium when /usr/bin/chromium is missing,
#      and a Japanese font (fonts-ipafont-gothic) so decoded names render as text;
#   2. builds the CLI and writes the page of every golden trace (test-vectors/traces), and a
#      --diff page;
#   3. checks each page (scripts/html-check.py page): its CSP forbids every fetch and script
#      and allows its one style sheet by a SHA-256 computed here, independently; no URL;
#   4. takes a headless screenshot of each page (1280x2000) and checks that it is not blank
#      and shows the four status-word badge colours of the page's style sheet (which apply
#      only when the browser accepted the CSP hash), and that Chromium logged no CSP
#      violation;
#   5. negative controls, which must FAIL those checks: a blank white page, and a report
#      whose CSP names a wrong style hash (the browser refuses the style, and says so).
# Pages and screenshots stay in target/trace-html/ (or $MYNAKIT_HTML_OUT) for inspection.
# Prints `N passed, N failed`; exits non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CHROMIUM=/usr/bin/chromium
if [[ ${CI:-} == true ]]; then
    if [[ ! -x $CHROMIUM ]]; then
        apt_ensure chromium
    fi
    apt_ensure fonts-ipafont-gothic
fi
if [[ ! -x $CHROMIUM ]]; then
    echo "$PROG: $CHROMIUM is missing: install the Debian package chromium, or run with CI=true to let this script install it" >&2
    exit 1
fi

step "cargo build (CLI)"
cargo build --quiet -p mynakit-cli
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
MYNAKIT=$TARGET/debug/mynakit
OUT=${MYNAKIT_HTML_OUT:-$TARGET/trace-html}
mkdir -p "$OUT" # files of the same names are overwritten; nothing else there is touched
PROFILES=$(mktemp -d /tmp/mynakit-html.XXXXXX)
trap 'rm -rf "$PROFILES"' EXIT

# Screenshot PAGE to PNG; Chromium's log goes to PNG.log. A fresh profile each time.
shoot() {
    local page=$1 png=$2 profile
    profile=$(mktemp -d "$PROFILES/profile.XXXXXX")
    rm -f "$png"
    timeout --kill-after=10 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --screenshot="$png" --window-size=1280,2000 "file://$page" >"$png.log" 2>&1 || true
    rm -rf "$profile"
    if [[ ! -s $png ]]; then
        echo "$PROG: no screenshot of $page:" >&2
        tail -n 20 "$png.log" >&2
        return 1
    fi
}

# The badge colours of a page's style sheet (--ok, --warn, --err, --link), comma-separated.
badge_colours() {
    grep -oE -- '--(ok|warn|err|link): #[0-9a-f]{6};' "$1" | sed -E 's/.*#([0-9a-f]{6});/\1/' | paste -sd, -
}

# Chromium logs a CSP violation as a console message.
no_csp_violation() {
    if grep -q "Content Security Policy" "$1"; then
        echo "$PROG: Chromium reported a CSP violation:" >&2
        grep "Content Security Policy" "$1" >&2
        return 1
    fi
}

# One report: write it, check the page, take its screenshot, check the screenshot.
report() {
    local name=$1
    shift
    local page=$OUT/$name.html png=$OUT/$name.png colours
    # (`check` runs this in a condition, where set -e does not apply: every step returns.)
    "$MYNAKIT" trace html "$@" -o "$page" >/dev/null || return 1
    python3 scripts/html-check.py page "$page" || return 1
    colours=$(badge_colours "$page")
    [[ $(tr ',' '\n' <<<"$colours" | wc -l) -eq 4 ]] || { echo "$PROG: badge colours not found: $colours" >&2; return 1; }
    shoot "$page" "$png" || return 1
    no_csp_violation "$png.log" || return 1
    python3 scripts/html-check.py png "$png" --colours "$colours"
}

traces=(test-vectors/traces/*.trace.jsonl)
((${#traces[@]} >= 40)) || { echo "$PROG: only ${#traces[@]} golden traces found" >&2; exit 1; }
for t in "${traces[@]}"; do
    name=$(basename "$t" .trace.jsonl)
    check "report of $name" report "$name" "$t"
done
check "diff report (sign-auth vs sign-auth-wrong-pin)" report diff-sign-auth \
    test-vectors/traces/sign-auth.trace.jsonl --diff test-vectors/traces/sign-auth-wrong-pin.trace.jsonl

# Negative controls: the checks must reject these.
blank_fails() {
    local page=$OUT/control-blank.html png=$OUT/control-blank.png
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n' >"$page"
    shoot "$page" "$png" || return 1
    if python3 scripts/html-check.py png "$png"; then
        echo "$PROG: a blank page passed the screenshot check" >&2
        return 1
    fi
}
check "control: a blank white page fails the screenshot check" blank_fails

wrong_hash_fails() {
    local page=$OUT/control-wrong-hash.html png=$OUT/control-wrong-hash.png colours
    sed -E "s/style-src 'sha256-[^']*'/style-src 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='/" \
        "$OUT/text.html" >"$page" || return 1
    if python3 scripts/html-check.py page "$page"; then
        echo "$PROG: a page whose CSP does not match its style passed the page check" >&2
        return 1
    fi
    colours=$(badge_colours "$page")
    shoot "$page" "$png" || return 1
    if no_csp_violation "$png.log" 2>/dev/null; then
        echo "$PROG: Chromium applied a style the CSP does not allow (no violation logged)" >&2
        return 1
    fi
    if python3 scripts/html-check.py png "$png" --colours "$colours"; then
        echo "$PROG: an unstyled page passed the screenshot check" >&2
        return 1
    fi
}
check "control: a report whose style the CSP refuses fails the checks" wrong_hash_fails

echo "pages and screenshots: $OUT"
echo "$checks_passed passed, $checks_failed failed"
if ((checks_failed > 0)); then
    echo "$PROG: failed: ${failed_names[*]}" >&2
    exit 1
fi

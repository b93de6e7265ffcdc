#!/usr/bin/env bash
# Re-measures the benchmark and writes its tables into docs/benchmarks.md: the APDU table
# between the BEGIN/END bench markers, the time-on-card section (model parameters and
# modelled times, from cli/src/timing.rs) between the BEGIN/END time-on-card markers.
# With --check, fails when the committed figures differ from a fresh run.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/benchmarks.md
fresh=$(cargo run --quiet -p mynakit-cli -- bench --markdown)
fresh_time=$(cargo run --quiet -p mynakit-cli -- bench --time-markdown)
section() { awk -v b="<!-- BEGIN $1 -->" -v e="<!-- END $1 -->" '$0==b{f=1;next}$0==e{f=0}f' "$doc"; }
check_section() { # name, fresh text
  if ! grep -qxF "<!-- BEGIN $1 -->" "$doc"; then
    echo "bench-docs: $doc has no <!-- BEGIN $1 --> section" >&2
    return 1
  fi
  local current
  current=$(section "$1")
  if [ "$2" != "$current" ]; then
    echo "bench-docs: the $1 section of $doc is stale; run scripts/bench-docs.sh and commit" >&2
    diff <(echo "$current") <(echo "$2") >&2 || true
    return 1
  fi
}
if [ "${1:-}" = "--check" ]; then
  status=0
  check_section bench "$fresh" || status=1
  check_section time-on-card "$fresh_time" || status=1
  if [ $status -eq 0 ]; then
    echo "bench-docs: figures match a fresh run"
  fi
  exit $status
fi
# Timing varies from run to run, so it is re-measured here but not compared by --check.
timing="$(cargo run --quiet --release -p mynakit-cli -- bench --photo-timing) (release build, $(nproc)-core $(uname -m), $(date -u +%Y-%m-%d))"
tmp=$(mktemp)
awk -v fresh="$fresh" -v fresh_time="$fresh_time" -v timing="$timing" '
  /<!-- BEGIN bench -->/ {print; print fresh; skip=1; next}
  /<!-- END bench -->/ {skip=0}
  /<!-- BEGIN time-on-card -->/ {print; print fresh_time; skip=1; next}
  /<!-- END time-on-card -->/ {skip=0}
  /<!-- BEGIN timing -->/ {print; print timing; skip=1; next}
  /<!-- END timing -->/ {skip=0}
  !skip {print}' "$doc" > "$tmp"
mv "$tmp" "$doc"
echo "bench-docs: $doc updated"

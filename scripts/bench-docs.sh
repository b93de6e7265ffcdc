#!/usr/bin/env bash
# Re-measures the benchmark and writes its table into docs/benchmarks.md (between the
# BEGIN/END markers). With --check, fails when the committed figures differ from a fresh run.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/benchmarks.md
fresh=$(cargo run --quiet -p mynakit-cli -- bench --markdown)
current=$(awk '/<!-- BEGIN bench -->/{f=1;next}/<!-- END bench -->/{f=0}f' "$doc")
if [ "${1:-}" = "--check" ]; then
  if [ "$fresh" != "$current" ]; then
    echo "bench-docs: $doc is stale; run scripts/bench-docs.sh and commit" >&2
    diff <(echo "$current") <(echo "$fresh") >&2 || true
    exit 1
  fi
  echo "bench-docs: figures match a fresh run"
  exit 0
fi
# Timing varies from run to run, so it is re-measured here but not compared by --check.
timing="$(cargo run --quiet --release -p mynakit-cli -- bench --photo-timing) (release build, $(nproc)-core $(uname -m), $(date -u +%Y-%m-%d))"
tmp=$(mktemp)
awk -v fresh="$fresh" -v timing="$timing" '
  /<!-- BEGIN bench -->/ {print; print fresh; skip=1; next}
  /<!-- END bench -->/ {skip=0}
  /<!-- BEGIN timing -->/ {print; print timing; skip=1; next}
  /<!-- END timing -->/ {skip=0}
  !skip {print}' "$doc" > "$tmp"
mv "$tmp" "$doc"
echo "bench-docs: $doc updated"

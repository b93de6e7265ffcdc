#!/usr/bin/env bash
# Fuzz campaign: runs every fuzz target (or the ones named) to a number of executions and
# writes the figures to docs/security.md (between the campaign markers): target, execs,
# execs/s, coverage (cov = edges, ft = features, from libFuzzer's last status line),
# crashes, date and the command.
#
#   scripts/fuzz-campaign.sh RUNS [TARGET...]
#
# MYNAKIT_CAMPAIGN_MAX_SECONDS (optional) caps each target's time; a capped target then
# records the executions it really made, and the table says so. A crash stops that target
# (libFuzzer stops at the first), leaves its input in fuzz/artifacts/<target>/ and makes
# the script fail after the table is written.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
runs=${1:?usage: scripts/fuzz-campaign.sh RUNS [TARGET...]}
shift
max=${MYNAKIT_CAMPAIGN_MAX_SECONDS:-0}
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  step "installing cargo-fuzz"
  quiet cargo install cargo-fuzz --locked --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1
python3 fuzz/make-seeds.py . >/dev/null
root=$PWD
cd fuzz
step "building fuzz targets (release, ASan)"
quiet cargo fuzz build
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
logdir=${MYNAKIT_CAMPAIGN_LOGS:-/tmp/mynakit-campaign}
mkdir -p "$logdir"
rows=(); crashed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cap=()
  [ "$max" -gt 0 ] && cap=(-max_total_time="$max")
  cmd="cargo fuzz run $t corpus/$t -- -runs=$runs ${cap[*]} -print_final_stats=1 -rss_limit_mb=2048"
  step "$t: $cmd"
  start=$(date +%s.%N)
  set +e
  cargo fuzz run "$t" "corpus/$t" -- -runs="$runs" "${cap[@]}" -print_final_stats=1 \
    -rss_limit_mb=2048 > "$logdir/$t.log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  log="$logdir/$t.log"
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
  [ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tr -d '#' | tail -1)
  execs=${execs:-0}
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
  rate=${rate:-$(( execs / (secs > 0 ? secs : 1) ))}
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | awk '{ print $2 "/" $4 }')
  crashes=0
  if [ $rc -ne 0 ]; then crashes=1; crashed=$((crashed + 1)); fi
  note=""
  [ "$execs" -lt "$runs" ] && [ $rc -eq 0 ] && note=" (time cap ${max} s)"
  rows+=("| \`$t\` | $execs$note | $rate | ${cov:-?} | $crashes |")
  step "$t: $execs execs, $rate/s, cov/ft ${cov:-?}, crashes $crashes"
done
cd "$root"
date=$(date -u +%Y-%m-%d)
cores=$(nproc)
table=$(
  echo "<!-- campaign:begin (written by scripts/fuzz-campaign.sh) -->"
  echo "Campaign of $date on $cores cores (shared with other jobs), requested $runs executions per target"
  [ "$max" -gt 0 ] && echo "with at most $max s per target"
  echo "(command: \`MYNAKIT_CAMPAIGN_MAX_SECONDS=$max scripts/fuzz-campaign.sh $runs ${*:-}\`; each"
  echo "target runs \`cargo fuzz run <target> corpus/<target> -- -runs=$runs ...\`, seeds from \`fuzz/make-seeds.py\`)."
  echo
  echo "| target | execs | execs/s | cov/ft | crashes |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo "<!-- campaign:end -->"
)
python3 - "$table" <<'PY'
import re, sys
p = "docs/security.md"
s = open(p, encoding="utf-8").read()
block = sys.argv[1]
pat = re.compile(r"<!-- campaign:begin.*?<!-- campaign:end -->", re.S)
s = pat.sub(lambda _: block, s) if pat.search(s) else s.rstrip("\n") + "\n\n" + block + "\n"
open(p, "w", encoding="utf-8").write(s)
PY
echo "campaign: ${#targets[@]} targets, $crashed crashed; figures in docs/security.md"
[ "$crashed" -eq 0 ]

#!/usr/bin/env bash
# Benchmark of `aicall validate`: 10 000 tasks spread over 100 files.
#
# Target (issue 2) on the project's 2-core machine: under 0.25 s wall time
# and 80 MiB peak memory. Prints the figures of every run; exits 0 whatever
# they are (a benchmark reports, it does not judge).
#
#   bash bench/validate.sh            # 5 runs
#   RUNS=10 bash bench/validate.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
files=100
tasks_per_file=100

cargo build --release --locked --quiet
bin=target/release/aicall

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Realistic files: defaults, Chinese and ASCII names, both start kinds,
# retries, interpolation with defaults.
for f in $(seq -w 1 "$files"); do
  {
    printf '# yaml-language-server: $schema=../schemas/aicall-manifest.schema.json\n'
    printf 'version: 1\n'
    printf 'defaults:\n'
    printf '  agentId: "${AGENT_ID:-1180123456789%05d}"\n' "$((10#$f))"
    printf '  virtualNumber: "0327121220001"\n'
    printf '  callDays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]\n'
    printf '  callWindows:\n'
    printf '    - { start: "09:00", end: "12:00" }\n'
    printf '    - { start: "14:00", end: "18:00" }\n'
    printf 'tasks:\n'
    for t in $(seq 1 "$tasks_per_file"); do
      if (( t % 2 )); then
        printf '  - name: 续费提醒-%s-%03d\n' "$f" "$t"
        printf '    start: immediate\n'
        printf '    concurrency: %d\n' "$(( (t % 500) + 1 ))"
        printf '    retry: { reasons: [USER_BUSY, NO_ANSWER], times: 2, intervalMinutes: 30 }\n'
      else
        printf '  - name: renewal-reminder-%s-%03d\n' "$f" "$t"
        printf '    start: { at: "2030-12-01T09:00:00+08:00" }\n'
        printf '    callDays: [SATURDAY, SUNDAY]\n'
        printf '    callWindows:\n'
        printf '      - start: "10:00"\n'
        printf '        end: "11:30:00"\n'
      fi
    done
  } > "$dir/campaign-$f.yaml"
done

bytes=$(cat "$dir"/*.yaml | wc -c)
echo "input: $files files, $((files * tasks_per_file)) tasks, $bytes bytes"
echo "command: $bin validate <dir>   ($runs runs)"

"$bin" validate "$dir" > /dev/null # warm the page cache
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$dir/time" "$bin" validate "$dir" > "$dir/out"
  end=$(date +%s%N)
  rss_kib=$(tail -n 1 "$dir/time")
  printf 'run %d: wall %.3f s, peak RSS %.1f MiB  (%s)\n' "$run" \
    "$(echo "($end - $start) / 1000000000" | bc -l)" \
    "$(echo "$rss_kib / 1024" | bc -l)" "$(cat "$dir/out")"
done

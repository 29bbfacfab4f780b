#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, fuzzer instrumentation) in build-fuzz/ and runs
# each for SECONDS (default 60) on a copy of its seed corpus (fuzz/corpus/<target>/, kept clean).
# Prints execs, coverage and corpus size per target; exits 1 if any target found a crash, leak or
# timeout (the input is saved under build-fuzz/artifacts/<target>/).
#   scripts/fuzz.sh [SECONDS]          e.g. scripts/fuzz.sh 150
#   FUZZ_TARGETS="csv render" scripts/fuzz.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
targets=(${FUZZ_TARGETS:-csv layout regions render templates manifest columns stats plan marks})
build=build-fuzz
jobs="${JOBS:-2}"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang libclang-rt-dev)" >&2; exit 2; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
  -DEYEMAP_BUILD_FUZZ=ON -DEYEMAP_SANITIZE=address \
  -DEYEMAP_BUILD_TESTS=OFF -DEYEMAP_BUILD_EXAMPLES=OFF -DEYEMAP_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j"$jobs" $(printf 'fuzz_%s ' "${targets[@]}")

status=0
summary=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  art="$build/artifacts/$t/"
  mkdir -p "$work" "$art"
  dict=fuzz/csv.dict
  [ "$t" = regions ] && dict=fuzz/json.dict
  case "$t" in manifest | stats | plan) dict=fuzz/json.dict ;; esac
  [ "$t" = templates ] && dict=fuzz/mustache.dict
  log="$build/fuzz_$t.log"
  echo "fuzz.sh: $t for ${secs}s (log $log)" >&2
  set +e
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" -dict="$dict" -max_total_time="$secs" -max_len=8192 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  line="$t: ${secs}s, ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  if [ $rc -ne 0 ]; then
    line="$line: FAILED (exit $rc; see $log and $art)"
    status=1
  fi
  summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit $status

#!/usr/bin/env bash
# Builds everything with a sanitizer and runs the whole test suite under it.
#   scripts/sanitize.sh address   ASan + UBSan (build-asan/)
#   scripts/sanitize.sh thread    TSan (build-tsan/)
# Extra arguments go to ctest (e.g. -R ingest). Exits with ctest's status.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in
  address) build=build-asan ;;
  thread) build=build-tsan ;;
  *) echo "usage: scripts/sanitize.sh address|thread [ctest args...]" >&2; exit 2 ;;
esac
shift
jobs="${JOBS:-2}"
ctest_jobs="${CTEST_JOBS:-1}"  # tests of other modules share scratch files in one folder
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# No Python module: an instrumented extension inside an uninstrumented interpreter needs the
# sanitizer runtime preloaded and reports the interpreter's own allocations; the binding is thin and
# the C++ it calls is what the C++ tests exercise here.
# The Python tests that remain (colormap_reference's matplotlib check) use Debian's interpreter, as in
# scripts/test.sh, not another python3 that may come first on PATH (pyenv's has no matplotlib).
py=(); [ -x /usr/bin/python3 ] && py=(-DPython3_EXECUTABLE=/usr/bin/python3)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "${py[@]}" -DEYEMAP_SANITIZE="$kind" \
  -DEYEMAP_BUILD_BENCH=OFF -DEYEMAP_BUILD_PYTHON=OFF >/dev/null
ninja -C "$build" -j"$jobs"
supp="$(pwd)/scripts/sanitizers"
# Suppressions cover third-party libraries only (see the files); eyemap's own code is never suppressed.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp}"
cd "$build"
ctest --output-on-failure -j"$ctest_jobs" "$@"

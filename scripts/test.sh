#!/usr/bin/env bash
# Installs what is missing, builds (Release, with tests and examples) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ -x tests/browser/setup.sh ]; then tests/browser/setup.sh; fi
# EYEMAP_CMAKE_ARGS: extra configure options (CI passes -DEYEMAP_BUILD_BENCH=ON to keep benches compiling).
# The Python module and its tests use Debian's interpreter (python3-numpy, -pandas, -pytest, ...), not
# another python3 that may come first on PATH.
py=(); [ -x /usr/bin/python3 ] && py=(-DPython3_EXECUTABLE=/usr/bin/python3)
# EYEMAP_WERROR: a warning in eyemap's own sources fails the build, so a user's first build stays clean.
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Release "${py[@]}" -DEYEMAP_BUILD_TESTS=ON -DEYEMAP_WERROR=ON ${EYEMAP_CMAKE_ARGS:-} >/dev/null
cmake --build build-test -j"$(nproc)"
cd build-test && ctest --output-on-failure -j"$(nproc)"

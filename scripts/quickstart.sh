#!/usr/bin/env bash
# Quick start: install what is missing, build, generate the sample dataset and render every eyemap
# of every type with pages. Output: sample-out/data (the dataset), sample-out/site/sample (a run:
# svg/, pages/, index.html — open index.html in a browser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# The Python module and its tests use Debian's interpreter (python3-numpy, -pandas, -pytest, ...), not
# another python3 that may come first on PATH.
py=(); [ -x /usr/bin/python3 ] && py=(-DPython3_EXECUTABLE=/usr/bin/python3)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${py[@]}" -DEYEMAP_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
rm -rf sample-out
build/eyemap sample --out-dir sample-out/data
build/eyemap batch --data sample-out/data/data.csv --columns sample-out/data/columns.csv \
  --out-dir sample-out/site --run sample --pages --stats
echo "quickstart: open sample-out/site/sample/index.html (eyemaps in sample-out/site/sample/svg/)"

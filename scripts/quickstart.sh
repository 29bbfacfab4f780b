#!/usr/bin/env bash
# Quick start: install what is missing, build, generate the sample dataset and render every eyemap
# of every type with pages. Output: sample-out/data (the dataset), sample-out/site/sample (a run:
# svg/, pages/, index.html — open index.html in a browser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEYEMAP_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
rm -rf sample-out
build/eyemap sample --out-dir sample-out/data
build/eyemap batch --data sample-out/data/data.csv --columns sample-out/data/columns.csv \
  --out-dir sample-out/site --run sample --pages --stats
echo "quickstart: open sample-out/site/sample/index.html (eyemaps in sample-out/site/sample/svg/)"

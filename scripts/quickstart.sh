#!/usr/bin/env bash
# Quick start: install what is missing, build, generate the sample dataset and render all its eyemaps.
# Output: sample-out/data (the dataset) and sample-out/eyemaps (SVG files).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEYEMAP_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
rm -rf sample-out
build/eyemap sample --out-dir sample-out/data
types=$(tail -n +2 sample-out/data/data.csv | cut -d, -f1 | uniq)
for t in $types; do
  build/eyemap render --data sample-out/data/data.csv --columns sample-out/data/columns.csv \
    --type "$t" --out-dir sample-out/eyemaps 2>/dev/null
done
n=$(ls sample-out/eyemaps | wc -l)
echo "quickstart: rendered $n eyemaps into sample-out/eyemaps/ (open any .svg in a browser)"

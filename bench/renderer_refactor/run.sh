#!/usr/bin/env bash
# Instructions per type (12 SVG eyemaps) before and after the Renderer refactor, with callgrind
# (counts instructions, so a busy machine does not matter). Builds the library at REF (default
# 0cef3fb, the last commit before the refactor) in a temporary worktree, links both drivers, runs
# each with N = 3 and N = 6 passes over 6 types and prints the marginal instructions per type
# (warm caches: the difference between the two runs divided by 18 type renders).
#   bench/renderer_refactor/run.sh [REF] [NEW_LIB_BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/../.." && pwd)"
ref="${1:-0cef3fb}"; newb="${2:-$root/build-bench}"
work="$(mktemp -d)"; trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/old" "$ref"
cmake -S "$work/old" -B "$work/old/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEYEMAP_BUILD_TESTS=OFF -DEYEMAP_BUILD_EXAMPLES=OFF >/dev/null
ninja -C "$work/old/build" eyemap >/dev/null
[ -f "$newb/build.ninja" ] || cmake -S "$root" -B "$newb" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$newb" eyemap >/dev/null  # up to date with the headers the driver includes
libs="$(pkg-config --libs cairo libpng libdeflate) -lfmt -lpthread"
g++ -std=c++20 -O2 -I"$work/old/include" -I"$work/old/src" "$here/driver_before.cpp" "$work/old/build/libeyemap.a" $libs -o "$work/before"
g++ -std=c++20 -O2 -I"$root/include" -I"$newb/include" -I"$root/src" "$here/driver_after.cpp" "$newb/libeyemap.a" $libs -o "$work/after"
count() { valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$1" "$2" >/dev/null 2>"$work/err" ||
              { echo "run.sh: $1 $2 failed under valgrind:" >&2; tail -5 "$work/err" >&2; exit 1; }
          callgrind_annotate "$work/cg" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'; }
for v in before after; do
  a=$(count "$work/$v" 3); b=$(count "$work/$v" 6)
  echo "$v $(( (b - a) / 18 ))"
done | awk '{ print $1 ": " $2 " instructions per type"; v[NR] = $2 } END { printf "after / before: %.3f\n", v[2] / v[1] }'

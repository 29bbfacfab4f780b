#!/usr/bin/env bash
# Runs the failures of issue 25 ("Reliability, round 3") against an eyemap binary and prints one line
# per scenario: PASS (the rule holds) or FAIL (the failure the issue describes), with what was seen.
# Used to confirm that each regression test's scenario failed with the binary before the fixes
# (8aaac46) and passes now (docs/robustness.md, "Round 3: before and after").
#   scripts/issue25_before_after.sh BINARY SCRATCH_DIR [PYTHON_PACKAGE_DIR]
# The scenarios live in scripts/issue25/*.sh, one file per group of the issue's items, sourced in
# name order; PYTHON_PACKAGE_DIR (a folder holding the `eyemap` package built with BINARY, e.g.
# build/python) enables the Python scenarios, which use Debian's /usr/bin/python3.
# Scenarios make their own FIFOs and device-like nodes inside SCRATCH_DIR, never under /dev.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(realpath "$1")"
w="$2"
pydir="${3:+$(realpath "$3")}"
rm -rf "$w" && mkdir -p "$w" && cd "$w" || exit 2
hdr='neuron_type,region,side,hex1,hex2,synapses,cells'
rows() {  # rows TYPE [REGION]: 3 columns per side
    local t="$1" r="${2:-ME}" h s
    for h in 0 1 2; do for s in L R; do printf '%s,%s,%s,%s,0,%s,%s\n' "$t" "$r" "$s" "$h" $((5 + h)) $((1 + h)); done; done
}
say() { printf '%-5s %-5s %s\n' "$1" "$2" "$3"; }
verdict() { if [ "$2" = 1 ]; then say "$1" PASS "$3"; else say "$1" FAIL "$3"; fi; }
err() { cat "$@" 2> /dev/null | grep -m1 -a -E '^eyemap: (error|internal error)|terminate called|what\(\)|Error' | head -c 160; }
py() { [ -n "$pydir" ] && PYTHONPATH="$pydir" /usr/bin/python3 "$@"; }
{ echo "$hdr"; rows A; rows B LO; } > data.csv
for part in "$here"/issue25/*.sh; do
    [ -f "$part" ] || continue
    # shellcheck source=/dev/null
    (mkdir -p "$w/$(basename "$part" .sh)" && cd "$w/$(basename "$part" .sh)" && cp ../data.csv . && source "$part")
done

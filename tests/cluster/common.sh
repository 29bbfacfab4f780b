# Shared by the cluster tests: a fresh work folder removed on exit, a sample release and a
# one-machine reference run to compare against. Source after setting EYEMAP.
set -euo pipefail
: "${EYEMAP:?}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/eyemap-cluster-XXXXXX")"
_cleanups=()
_on_exit() {
    local rc=$? c
    for c in "${_cleanups[@]}"; do eval "$c" || true; done
    rm -rf "$WORK"
    return $rc
}
trap _on_exit EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

# make_release TYPES: WORK/s/{data,columns}.csv and the reference run WORK/out/ref (one machine).
make_release() {
    "$EYEMAP" sample --out-dir "$WORK/s" --types "$1" >/dev/null 2>&1
    "$EYEMAP" batch --data "$WORK/s/data.csv" --columns "$WORK/s/columns.csv" --out-dir "$WORK/out" --run ref \
        --pages --jobs 2 --quiet
}
# same_as_ref RUN: every file but the manifests byte for byte the reference run's, and no temp file.
# Only a one-machine run writes report.html (its timings) and links it from index.html: both are
# left out of the comparison, and the index compared without that link.
same_as_ref() {
    diff -r -q -x 'manifest*' -x report.html -x index.html "$WORK/out/ref" "$WORK/out/$1" >&2 ||
        fail "run $1 differs from the one-machine run"
    [ -f "$WORK/out/ref/report.html" ] || fail "the one-machine run wrote no report.html"
    diff <(sed 's| <a href="report.html" id="em-report-link">Run report</a>||' "$WORK/out/ref/index.html") "$WORK/out/$1/index.html" >&2 ||
        fail "run $1's index.html differs from the one-machine run's (but for the report link)"
    local n
    n=$(find "$WORK/out/ref" -type f ! -name 'manifest*' | wc -l)
    [ "$n" -gt 10 ] || fail "reference run has only $n files"
    if find "$WORK/out/$1" -name '.*.tmp-*' | grep -q .; then fail "run $1 has temporary files left"; fi
    note "run $1: $n files byte-identical to the one-machine run"
}

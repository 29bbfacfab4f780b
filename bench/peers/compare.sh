#!/usr/bin/env bash
# Peers a user would pick instead (matplotlib, rsvg-convert), measured interleaved in one run.
#   bench/peers/compare.sh [BUILD_DIR] [--reps N] [--out FILE.json]
# Installs python3-matplotlib and librsvg2-bin from Debian if missing. See compare.py for what is timed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build-bench}"
[ $# -gt 0 ] && shift
need=()
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || need+=(python3-matplotlib)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
exec /usr/bin/python3 "$here/compare.py" --eyemap "$build/eyemap" --bench "$build/bench/bench_pipeline" "$@"

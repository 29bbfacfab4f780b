#!/usr/bin/env bash
# Installs what tests/browser needs, quietly and only when missing:
#   - Debian's chromium (apt-get), used headless by the tests at /usr/bin/chromium;
#   - playwright-core from package-lock.json (npm ci), which drives it (it downloads no browser of its own),
#     and axe-core, the accessibility audit the suites inject into pages.
# Safe to run again: does nothing when both are in place and the lock file has not changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # An update first when the package is not known yet (fresh machine, empty lists).
  if ! apt-cache show "$@" >/dev/null 2>&1; then $sudo apt-get update -qq >/dev/null; fi
  $sudo apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x "${EYEMAP_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "setup.sh: installing chromium (apt)"
  apt_install chromium fonts-dejavu-core
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: installing nodejs and npm (apt)"
  apt_install nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js $(node --version) is too old for playwright-core (needs >= 20)" >&2
  exit 1
fi

# npm ci only when node_modules does not match the lock file (a stamp holds the lock file's hash).
stamp="$here/node_modules/.eyemap-lock-sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  echo "setup.sh: npm ci in tests/browser"
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
fi

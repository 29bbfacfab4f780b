#!/usr/bin/env bash
# Installs the Debian packages eyemap needs to build, test and benchmark (only those missing).
set -euo pipefail
pkgs=(
  cmake g++ ninja-build pkg-config                      # toolchain
  libfmt-dev libeigen3-dev libcairo2-dev libpng-dev     # library
  libdeflate-dev                                        # fast DEFLATE for PNG encoding
  libcli11-dev nlohmann-json3-dev libkainjow-mustache-dev
  catch2 libxml2-dev libxml2-utils                      # tests
  fonts-dejavu-core fontconfig                          # text in PNG/PDF
  fonts-liberation2                                     # figures: Liberation Sans, the metric twin of Arial (eyemap figure)
  librsvg2-bin poppler-utils                            # raster parity checks in tests
  libbenchmark-dev                                      # bench/
  slurm-wlm munge parallel                              # cluster tests (tests/cluster)
  pybind11-dev python3-dev python3-numpy python3-pandas python3-tqdm python3-venv python3-pytest python3-hypothesis jupyter-nbconvert python3-ipykernel  # Python module (python/) and its tests
  python3-matplotlib                                    # the colour-map reference test (tests/colormap_reference.py)
  python3-setuptools python3-pip python3-wheel          # pip install . / pip wheel (setup.py drives CMake)
)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

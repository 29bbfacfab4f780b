"""setuptools backend of pyproject.toml: builds the `_eyemap` extension with CMake (Release, that target only).

`pip install --no-build-isolation .` and `pip wheel --no-build-isolation --no-deps .` run this file with the
interpreter the module is for (sys.executable), which CMake then builds against. Debian-only: python3-setuptools
drives CMake here because scikit-build-core is not packaged in Debian bookworm.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE_DIR = Path(__file__).resolve().parent


def cmake_version() -> str:
    """The C++ project's version, so the wheel and the library never disagree."""
    text = (SOURCE_DIR / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(\s*eyemap\s+VERSION\s+([0-9][0-9.]*)", text)
    if not m:
        raise SystemExit("setup.py: no `project(eyemap VERSION x.y.z` in CMakeLists.txt")
    return m.group(1)


def check_runtime_deps() -> None:
    """Fail before anything is built or resolved when this interpreter cannot import numpy/pandas.

    Offline (--no-index) pip would otherwise stop later with a bare "No matching distribution found for
    numpy"; the usual cause is a venv made from another python3 (e.g. pyenv's, first on PATH)."""
    if os.environ.get("EYEMAP_SKIP_DEPS_CHECK") == "1":
        return
    missing = []
    for name in ("numpy", "pandas"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        ver = ".".join(map(str, sys.version_info[:3]))
        raise SystemExit(
            f"eyemap: this interpreter lacks {' and '.join(missing)}: {sys.executable} (Python {ver}).\n"
            f"Install into a venv made from Debian's Python, which has python3-numpy and python3-pandas:\n"
            f"    /usr/bin/python3 -m venv --system-site-packages VENV\n"
            f"    VENV/bin/python -m pip install --no-build-isolation .\n"
            f"or install {' '.join(missing)} into {sys.executable} first "
            f"(set EYEMAP_SKIP_DEPS_CHECK=1 to let pip resolve them itself).")


class CMakeExtension(Extension):
    def __init__(self, name: str, target: str):
        super().__init__(name, sources=[])
        self.target = target


class CMakeBuild(build_ext):
    """Configures the whole project once per build_temp (reused by later pip runs on the same checkout) and
    builds only the extension target; the .so CMake writes is copied to where setuptools packs it."""

    def build_extension(self, ext):
        if not isinstance(ext, CMakeExtension):
            return super().build_extension(ext)
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = ["cmake", "-S", str(SOURCE_DIR), "-B", str(build_dir),
                     "-DCMAKE_BUILD_TYPE=Release", "-DEYEMAP_BUILD_TESTS=OFF", "-DEYEMAP_BUILD_EXAMPLES=OFF",
                     "-DEYEMAP_BUILD_BENCH=OFF", "-DEYEMAP_BUILD_PYTHON=ON",
                     f"-DPython3_EXECUTABLE={sys.executable}"]
        if not (build_dir / "CMakeCache.txt").exists() and shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", ext.target, "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "eyemap").glob(f"{ext.target}*.so"))
        if len(built) != 1:
            raise SystemExit(f"setup.py: expected one {ext.target}*.so in {build_dir / 'python' / 'eyemap'}, found {built}")
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], dest)


if "sdist" not in sys.argv:
    check_runtime_deps()

setup(
    version=cmake_version(),
    ext_modules=[CMakeExtension("eyemap._eyemap", target="_eyemap")],
    cmdclass={"build_ext": CMakeBuild},
    # Not build/: that is where the README's CMake build lives; build-pip/ keeps pip's CMake tree apart.
    options={"build": {"build_base": str(SOURCE_DIR / "build-pip")}},
)

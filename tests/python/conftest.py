"""Shared fixtures of the Python tests (run by CTest with PYTHONPATH=build/python; see CMakeLists.txt).

Run by hand: PYTHONPATH=build/python EYEMAP_CLI=build/eyemap /usr/bin/python3 -m pytest tests/python
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("EYEMAP_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("EYEMAP_BUILD_DIR", SOURCE_DIR / "build"))
CLI = Path(os.environ.get("EYEMAP_CLI", BUILD_DIR / "eyemap"))
SHARED = Path(os.environ.get("EYEMAP_SHARED_DIR", SOURCE_DIR.parent / "shared"))
REAL = SHARED / "data" / "optic-lobe"


def pytest_collection_finish(session):
    # Exit code 5 (nothing collected) already fails under CTest; say why loudly too.
    if not session.items:
        raise pytest.UsageError("no tests collected: a test file that tests nothing is a failure here")


def run_cli(*args, **kw):
    r = subprocess.run([str(CLI), *map(str, args)], capture_output=True, **kw)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r


@pytest.fixture(scope="session")
def cli():
    assert CLI.exists(), f"the eyemap CLI is not built: {CLI}"
    return CLI


@pytest.fixture(scope="session")
def sample(tmp_path_factory, cli):
    """The CLI's deterministic sample release: data.csv (6 types, per-layer columns) and columns.csv."""
    d = tmp_path_factory.mktemp("sample")
    run_cli("sample", "--out-dir", d)
    return d


@pytest.fixture(scope="session")
def real():
    assert (REAL / "me_cells.csv").exists(), f"real data missing: {REAL}"
    return REAL


@pytest.fixture(scope="session")
def sample_frames(sample):
    import pandas as pd
    return pd.read_csv(sample / "data.csv"), pd.read_csv(sample / "columns.csv")


@pytest.fixture(scope="session")
def sample_ds(sample_frames):
    import eyemap
    df, lay = sample_frames
    return eyemap.Dataset.from_frame(df, lay)


@pytest.fixture(scope="session")
def python():
    return sys.executable

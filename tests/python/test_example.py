"""examples/report_page.py, the Python report builder, run on the real data."""
import os
import re
import subprocess
import sys

from conftest import REAL, SOURCE_DIR


def test_report_page(tmp_path):
    out = tmp_path / "Mi1.html"
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / "report_page.py"), "--data-dir", str(REAL), "--type", "Mi1",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    svgs = re.findall(r"<svg[^>]* id=\"([^\"]+)\"", page)
    assert len(svgs) == 3 and len(set(svgs)) == 3  # the real layout: side R, ME/LO/LOP; me_cells has cells only
    assert "<table>" in page and "Mi1" in page


def test_report_page_unknown_type(tmp_path):
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / "report_page.py"), "--data-dir", str(REAL), "--type", "mi1",
                        "--out", str(tmp_path / "x.html")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "did you mean 'Mi1'" in r.stderr

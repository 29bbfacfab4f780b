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


def test_value_maps(tmp_path):
    """examples/value_maps.py: signed and fractional per-column values from the real data, with NaN as no data."""
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / "value_maps.py"), "--data-dir", str(REAL), "--out-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"columnar_{reg}_R_{m}.{ext}" for reg, m in [("ME", "log2_ratio"), ("LO", "log2_ratio"), ("LOP", "log2_ratio"),
                                                                         ("ME", "per_cell")] for ext in ("svg", "png"))
    lo = (tmp_path / "columnar_LO_R_log2_ratio.svg").read_text()
    values = [float(v) for v in re.findall(r"log2\(syn / median\): (-?[\d.]+)\n", lo)]
    assert any(v < 0 for v in values) and any(v > 0 for v in values)  # signed
    lop = (tmp_path / "columnar_LOP_R_log2_ratio.svg").read_text()
    assert lop.count("log2(syn / median): no data") >= 32  # LOP's 32 columns with 0 synapses (and any without a row)
    assert "synapses per cell (ME): " in (tmp_path / "columnar_ME_R_per_cell.svg").read_text()

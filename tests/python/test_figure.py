"""Figures from Python: Renderer.figure, the same bytes as `eyemap figure`, notebook display (unique ids), errors."""
import json
import os
import re
import subprocess
import warnings

import pytest

import eyemap
from pathlib import Path

from conftest import run_cli


@pytest.fixture(scope="module")
def real_ds(real):
    return eyemap.Dataset.from_csv(real / "me_cells.csv", real / "columns.csv")


def test_figure_svg_is_the_cli_bytes(real, real_ds, tmp_path):
    fig = eyemap.Renderer().figure(real_ds, types=["Mi1", "Tm1"], sides="R", metrics="cells", width_mm=120, font_pt=6,
                                   formats=("svg", "pdf"))
    assert (fig.rows, fig.columns) == (2, 3)
    assert fig.width_mm == pytest.approx(120)
    assert 'width="120mm"' in fig.svg
    assert fig.pdf().startswith(b"%PDF-")
    run_cli("figure", "--data", real / "me_cells.csv", "--columns", real / "columns.csv", "--type", "Mi1,Tm1", "--side", "R",
            "--metric", "cells", "--width-mm", "120", "--font-pt", "6", "-o", tmp_path / "f.svg", "-o", tmp_path / "f.pdf")
    assert (tmp_path / "f.svg").read_text() == fig.svg
    assert (tmp_path / "f.pdf").read_bytes() == fig.pdf()
    # Hexagons keep their tooltips; a panel per type and region.
    assert fig.svg.count('class="em-panel"') == 6
    assert "<title>Column: " in fig.svg


def test_figure_save_and_png_dpi(real_ds, tmp_path):
    fig = eyemap.Renderer().figure(real_ds, rows="sides", columns="regions", types="Mi1", sides=["R"], metrics="cells",
                                   width_mm=90, background="#ffffff")
    png = fig.png(dpi=100)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == -(-90 / 25.4 * 100 // 1)  # ceil(90 mm at 100 dpi)
    p = fig.save(tmp_path / "fig.pdf")
    assert p.read_bytes() == fig.pdf()
    with pytest.raises(eyemap.InputError):
        fig.save(tmp_path / "fig.txt")
    assert not (tmp_path / "fig.txt").exists()


def test_figure_notebook_repr_unique_ids(real_ds):
    fig = eyemap.Renderer().figure(real_ds, types=["Mi1"], sides="R", metrics="cells", regions=["ME", "LO"], columns="regions")
    a, b = fig._repr_svg_(), fig._repr_html_()
    ids_a = set(re.findall(r' id="([^"]+)"', a))
    ids_b = set(re.findall(r' id="([^"]+)"', b))
    assert ids_a and ids_b and not ids_a & ids_b, "two displays share an SVG id"
    assert b.startswith('<div class="eyemap-figure"')
    assert "<script" not in a  # no layer buttons: a static picture with hexagon tooltips
    assert repr(fig).startswith("<eyemap.Figure 1 x 2 panels")


def test_figure_errors_name_the_keyword(real_ds):
    r = eyemap.Renderer()
    with pytest.raises(eyemap.InputError) as e:
        r.figure(real_ds, types=["Mi1"], width_mm=5)
    assert e.value.field == "width_mm"
    with pytest.raises(eyemap.InputError) as e:
        r.figure(real_ds, types=["Mii1"], sides="R")
    assert "did you mean 'Mi1'" in str(e.value)
    with pytest.raises(eyemap.InputError) as e:
        r.figure(real_ds, types=["Mi1"], rows="colour")
    assert e.value.field == "rows"
    with pytest.raises(eyemap.InputError) as e:
        r.figure(real_ds, types=["Mi1"], sides=["L", "R"])
    assert e.value.field == "sides"


def test_missing_font_warns(real_ds):
    fig = eyemap.Renderer().figure(real_ds, types=["Mi1"], sides="R", regions=["ME"], font_family="No Such Family Eyemap")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert fig.pdf().startswith(b"%PDF-")
    assert any("No Such Family Eyemap" in str(x.message) for x in w)


def test_notebook_shows_a_figure(tmp_path, real):
    """A real client: a notebook making the paper-style figure, executed headlessly (nbconvert)."""
    code = (f"import eyemap\nds = eyemap.Dataset.from_csv({str(real / 'me_cells.csv')!r}, {str(real / 'columns.csv')!r})\n"
            "fig = eyemap.Renderer().figure(ds, types=['Mi1', 'Tm1'], sides='R', metrics='cells', width_mm=180, font_pt=7)\n"
            "fig\n")
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": code},
                    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "fig"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "fig.ipynb").write_text(json.dumps(nb))
    r = subprocess.run(["/usr/bin/python3", "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                        "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=python3",
                        "--output", "executed.ipynb", str(tmp_path / "fig.ipynb")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=600,
                       env=dict(os.environ, PYTHONPATH=str(Path(eyemap.__file__).resolve().parents[1])))  # this build's package
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads((tmp_path / "executed.ipynb").read_text())
    outputs = [o for c in out["cells"] for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"], outputs
    html = ["".join(o["data"]["text/html"]) for o in outputs if "data" in o and "text/html" in o["data"]]
    svgs = [s for h in html for s in re.findall(r"<svg[^>]*>", h)]
    assert len(svgs) == 2
    assert all('width="180mm"' in s for s in svgs)
    ids = [re.search(r' id="([^"]+)"', s).group(1) for s in svgs]
    assert len(set(ids)) == 2


def test_figure_value_metric_words_and_panel_labels(real_ds):
    """labels= / units= are a value metric's words, as render() takes them; panel_labels= is --labels."""
    import pandas as pd
    df = pd.DataFrame({"neuron_type": ["A"] * 3 + ["B"] * 3, "region": ["ME"] * 6, "side": ["R"] * 6,
                       "hex1": [1, 2, 3] * 2, "hex2": [1, 1, 2] * 2, "coverage": [0.5, 1.5, 2.5, 1.0, 2.0, 3.0]})
    ds = eyemap.Dataset.from_frame(df)
    r = eyemap.Renderer()
    fig = r.figure(ds, types=["A", "B"], regions="ME", sides="R", labels={"coverage": "Coverage"}, units={"coverage": "%"},
                   panel_labels="panels")
    assert "Coverage (%)" in fig.svg
    assert "Coverage (%)" not in r.figure(ds, types=["A", "B"], regions="ME", sides="R").svg
    with pytest.raises(eyemap.InputError) as e:
        r.figure(real_ds, types=["Mi1"], sides="R", labels={"cells": "Cells!"})
    assert e.value.field == "labels"
    with pytest.raises(eyemap.InputError) as e:
        r.figure(ds, types=["A"], regions="ME", sides="R", labels={"nope": "x"})
    assert e.value.field == "labels"

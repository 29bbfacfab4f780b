"""The module's bytes are the CLI's: `eyemap render` and the module on the same input with the same
options give identical SVG, PNG and PDF files (data given to the module as a DataFrame and as CSV)."""
import pandas as pd
import pytest

import eyemap
from conftest import run_cli

CASES = [
    ([], {}, "svg"),
    (["--hex-size", "8", "--spacing", "1.3", "--margin", "5"], dict(hex_size=8, spacing=1.3, margin=5), "svg"),
    (["--color-scale", "percentile", "--color-scope", "region"], dict(color_scale="percentile", color_scope="region"), "svg"),
    (["--color-min", "0", "--color-max", "40"], dict(color_min=0, color_max=40), "svg"),
    (["--static"], dict(static=True), "svg"),
    (["--id", "myid", "--no-cache"], dict(svg_id="myid", caches=False), "svg"),
    (["--format", "png"], {}, "png"),
    (["--format", "png", "--scale", "2", "--layer", "3"], dict(png_scale=2, layer=3), "png"),
    (["--format", "pdf", "--layer", "1"], dict(layer=1), "pdf"),
]


@pytest.mark.parametrize("args,opts,fmt", CASES, ids=[" ".join(c[0]) or "default" for c in CASES])
def test_render_bytes_identical(sample, sample_ds, tmp_path, args, opts, fmt):
    out = tmp_path / "cli"
    run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Tm3",
            "--region", "ME", "--out-dir", out, *args)
    files = sorted(out.iterdir())
    assert len(files) == 4
    r = eyemap.Renderer(**opts)
    maps = sorted(r.render(sample_ds, "Tm3", region="ME", formats=[fmt]), key=lambda m: m.file_name(fmt))
    assert [m.file_name(fmt) for m in maps] == [f.name for f in files]
    for m, f in zip(maps, files):
        got = {"svg": lambda: m.svg.encode(), "png": m.png, "pdf": m.pdf}[fmt]()
        assert got == f.read_bytes(), f.name


def test_all_twelve_and_pdf_pages(sample, tmp_path):
    ds = eyemap.Dataset.from_csv(sample / "data.csv", sample / "columns.csv")
    run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Mi1", "--out-dir", tmp_path / "a")
    maps = eyemap.render(ds, "Mi1")
    assert len(maps) == 12
    for m in maps:
        assert m.svg.encode() == (tmp_path / "a" / m.file_name()).read_bytes()
    run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Mi1", "--format", "pdf",
            "--pdf-pages", "-o", tmp_path / "p.pdf")
    assert eyemap.Renderer().pdf_pages(ds, "Mi1") == (tmp_path / "p.pdf").read_bytes()


def test_real_data_frame(real, tmp_path):
    """The real medulla data read with pandas gives the CLI's bytes."""
    ds = eyemap.Dataset.from_frame(pd.read_csv(real / "me_cells.csv"), pd.read_csv(real / "columns.csv"))
    run_cli("render", "--data", real / "me_cells.csv", "--columns", real / "columns.csv", "--type", "Mi1", "--region", "ME",
            "--side", "R", "--metric", "cells", "-o", tmp_path / "mi1.svg")
    m = eyemap.Renderer().eyemap(ds, "Mi1", "ME", "R", "cells")
    assert m.svg.encode() == (tmp_path / "mi1.svg").read_bytes()
    assert m.counts["has_data"] + m.counts["no_data"] == 892

"""The public API: datasets from frames / arrays / CSV, rendering, Eyemap objects, grids, stats, caches, docs."""
import inspect
import json
import re

import numpy as np
import pandas as pd
import pytest

import eyemap


def test_version_matches_cpp(cli):
    import subprocess
    out = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert eyemap.__version__ in out
    assert re.fullmatch(r"\d+\.\d+\.\d+", eyemap.__version__)
    assert eyemap.__version__ == eyemap._eyemap.__version__


def test_dataset_from_frame(sample_ds, sample_frames):
    df, lay = sample_frames
    assert len(sample_ds) == len(df)
    assert sample_ds.types == list(dict.fromkeys(df.neuron_type))
    assert sample_ds.columns == {"synapses": True, "cells": True, "layer_synapses": True, "layer_cells": True}
    assert sample_ds.column_count == len(lay[["hex1", "hex2"]].drop_duplicates())
    assert sample_ds.type_rows("Tm3") == int((df.neuron_type == "Tm3").sum())
    assert "Tm3" in sample_ds and "nope" not in sample_ds
    assert len(sample_ds.requests("Tm3")) == 12
    assert sample_ds.requests("Tm3", region="ME", side="L") == [
        eyemap.Request("Tm3", "ME", "L", "synapses"), eyemap.Request("Tm3", "ME", "L", "cells")]
    assert set(sample_ds.regions) == {"ME", "LO", "LOP"}
    assert "Dataset" in repr(sample_ds)


def test_dataset_sources_agree(sample, sample_frames, sample_ds):
    """CSV, DataFrame, dict of arrays, layer lists, 2-D layer arrays, categoricals: the same SVG bytes."""
    df, lay = sample_frames
    ref = [e.svg for e in eyemap.render(eyemap.Dataset.from_csv(sample / "data.csv", sample / "columns.csv"), "Tm3")]
    assert [e.svg for e in eyemap.render(sample_ds, "Tm3")] == ref
    arrays = {c: df[c].to_numpy() for c in df.columns}
    lay_arrays = {c: lay[c].to_numpy() for c in lay.columns}
    assert [e.svg for e in eyemap.render(eyemap.Dataset.from_arrays(arrays, lay_arrays), "Tm3")] == ref
    lists = df.copy()
    lists["layer_synapses"] = [np.array([int(x) for x in s.split(";")]) for s in df.layer_synapses]
    lists["layer_cells"] = [[int(x) for x in s.split(";")] for s in df.layer_cells]
    for c in ("neuron_type", "region", "side"):
        lists[c] = lists[c].astype("category")
    lists["hex1"] = lists["hex1"].astype("int16")
    lists["synapses"] = lists["synapses"].astype("float64")
    lists["cells"] = lists["cells"].astype("Int64")
    lists["extra"] = "ignored"
    assert [e.svg for e in eyemap.render(eyemap.Dataset.from_frame(lists, lay), "Tm3")] == ref
    # only ME rows: a 2-D n x 10 layer array
    me = df[df.region == "ME"].reset_index(drop=True)
    two_d = {c: me[c].to_numpy() for c in ("neuron_type", "region", "side", "hex1", "hex2", "synapses")}
    two_d["layer_synapses"] = np.array([[int(x) for x in s.split(";")] for s in me.layer_synapses], dtype=np.int32)
    ds2 = eyemap.Dataset.from_arrays(two_d, lay_arrays)
    csv_me = eyemap.Dataset.from_csv(sample / "data.csv", sample / "columns.csv")
    assert ds2.columns["layer_synapses"] and not ds2.columns["cells"]
    assert len(eyemap.render(ds2, "Tm3", region="ME")) == 2
    assert csv_me.type_rows("Tm3") > ds2.type_rows("Tm3")


def test_from_csv_of_some_types(sample):
    """types= keeps only those types' rows (as render --type): the same bytes, the file's layout, the closest name."""
    whole = eyemap.Dataset.from_csv(sample / "data.csv", sample / "columns.csv")
    some = eyemap.Dataset.from_csv(sample / "data.csv", sample / "columns.csv", types="Tm3")
    assert some.types == ["Tm3"] and len(whole.types) > 1
    assert [e.svg for e in eyemap.render(some, "Tm3")] == [e.svg for e in eyemap.render(whole, "Tm3")]
    no_layout = eyemap.Dataset.from_csv(sample / "data.csv", types=["Tm3"])
    assert [e.svg for e in eyemap.render(no_layout, "Tm3")] == [e.svg for e in eyemap.render(eyemap.Dataset.from_csv(sample / "data.csv"), "Tm3")]
    with pytest.raises(eyemap.InputError, match="did you mean 'Tm3'"):
        eyemap.Dataset.from_csv(sample / "data.csv", types=["tm3"])


def test_layout_optional(sample_frames):
    df, _ = sample_frames
    ds = eyemap.Dataset.from_frame(df)  # columns seen in the data
    assert ds.column_count > 0 and len(eyemap.render(ds, "Mi1")) == 12


def test_custom_regions(sample_frames):
    df, lay = sample_frames
    extra = pd.DataFrame({"neuron_type": ["X"] * 2, "region": ["AME"] * 2, "side": ["R", "R"], "hex1": [1, 2],
                          "hex2": [1, 1], "synapses": [3, 4]})
    ds = eyemap.Dataset.from_frame(extra, regions={"AME": ["1", "2"]})
    assert ds.regions["AME"] == ["1", "2"] and "ME" in ds.regions
    assert [e.request for e in eyemap.render(ds, "X")] == [eyemap.Request("X", "AME", "R", "synapses")]
    ds2 = eyemap.Dataset.from_frame(extra, regions={"regions": [{"name": "AME", "layers": []}]})
    assert ds2.regions["AME"] == []
    assert len(eyemap.builtin_regions()["ME"]) == 10 and len(eyemap.builtin_regions()["LOP"]) == 4


def test_render_selection_and_objects(sample_ds, tmp_path):
    r = eyemap.Renderer()
    maps = r.render(sample_ds, "Tm3", formats=("svg", "png", "pdf"))
    assert [tuple(m.request[1:]) for m in maps[:2]] == [("ME", "L", "synapses"), ("ME", "L", "cells")]
    m = maps[0]
    assert m.neuron_type == "Tm3" and m.region == "ME" and m.side == "L" and m.metric == "synapses"
    assert m.counts["has_data"] + m.counts["no_data"] + m.counts["not_in_region"] == sample_ds.column_count
    assert m.svg.startswith("<svg") or m.svg.startswith("<?xml")
    assert m.png().startswith(b"\x89PNG") and m.pdf().startswith(b"%PDF")
    png2 = m.png(scale=2)
    w1 = int.from_bytes(m.png()[16:20], "big")
    assert int.from_bytes(png2[16:20], "big") == 2 * w1
    assert m.png(layer=3) != m.png()
    with pytest.warns(FutureWarning, match="'cell_count' is now called 'cells'"):
        one = r.eyemap(sample_ds, "Tm3", "LO", "R", "cell_count")  # the old name still works, with a note
    assert one.request == eyemap.Request("Tm3", "LO", "R", "cells")
    assert one.request == r.eyemap(sample_ds, "Tm3", "LO", "R", "cells").request
    assert one.file_name() == "Tm3_LO_R_cell_count.svg" and one.file_name("png").endswith(".png")
    for ext, magic in ((".svg", b"<"), (".png", b"\x89PNG"), (".pdf", b"%PDF")):
        p = one.save(tmp_path / f"x{ext}")
        assert p.read_bytes().lstrip()[: len(magic)] == magic
    assert one.save(tmp_path).name == "Tm3_LO_R_cell_count.svg"
    with pytest.raises(eyemap.InputError, match="format"):
        one.save(tmp_path / "x.gif")
    with pytest.raises(eyemap.FileError):
        one.save(tmp_path / "no" / "such" / "x.svg")
    assert r.pdf_pages(sample_ds, "Tm3").count(b"/Type /Page\n") + r.pdf_pages(sample_ds, "Tm3").count(b"/Type /Page ") >= 1
    assert "Eyemap" in repr(m)


def test_notebook_reprs_have_unique_ids(sample_ds):
    m = eyemap.render(sample_ds, "Mi1", region="ME", side="R", metric="cells")[0]
    ids = set()
    for s in (m._repr_svg_(), m._repr_html_(), m._repr_svg_(), m.display_svg()):
        found = set(re.findall(r'<svg[^>]* id="([^"]+)"', s))
        assert len(found) == 1 and not (found & ids)
        ids |= found
    assert re.search(r'<svg[^>]* id="([^"]+)"', m.svg).group(1) not in ids
    assert "<script" in m._repr_html_()  # interactive: tooltips and layer buttons
    assert m._repr_png_().startswith(b"\x89PNG")
    g = eyemap.show(sample_ds, "Mi1")
    html = g._repr_html_()
    assert len(g) == 12 and html.count("<svg") == 12
    gids = re.findall(r'<svg[^>]* id="([^"]+)"', html)
    assert len(set(gids)) == 12
    assert len(set(re.findall(r'<svg[^>]* id="([^"]+)"', g._repr_html_())) & set(gids)) == 0


def test_options_and_static(sample_ds):
    r = eyemap.Renderer(hex_size=8, spacing=1.3, margin=5, color_scale="percentile", color_scope="region", static=True,
                        style={"background": "#ffffff"}, caches={"metadata": False, "colours": {"max_entries": 10}})
    o = r.options
    assert o["hex_size"] == 8 and o["color_scale"] == "percentile" and o["static"] and o["style"]["background"] == "#ffffff"
    assert o["caches"]["metadata"]["enabled"] is False and o["caches"]["colours"]["max_entries"] == 10
    svg = r.render(sample_ds, "Tm3", region="ME", side="R", metric="synapses")[0].svg
    assert "<script" not in svg and "#ffffff" in svg
    f = eyemap.Renderer(color_min=0, color_max=50)
    assert f.options["color_scale"] == "fixed" and f.options["color_max"] == 50
    with pytest.raises(eyemap.InputError, match="color_max"):
        eyemap.Renderer(color_scale="fixed", color_min=1)
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Renderer(hex_size=500)
    assert e.value.field == "hex_size" or "hex" in str(e.value)
    assert eyemap.Renderer(color_scale="log").options["color_scale"] == "log"  # and "stddev": the field's methods
    assert eyemap.Renderer(color_scale="stddev").options["color_scale"] == "stddev"
    with pytest.raises(eyemap.InputError):
        eyemap.Renderer(color_scale="logarithmic")
    with pytest.raises(eyemap.InputError):
        eyemap.Renderer(svg_id="1bad")
    with pytest.raises(TypeError):
        eyemap.Renderer(nope=1)
    with pytest.raises(eyemap.InputError, match="svg|SVG|layer"):
        eyemap.Renderer(layer=2).render(sample_ds, "Tm3", formats=["svg"])
    lr = eyemap.Renderer(layer=2)
    m = lr.render(sample_ds, "Tm3", region="ME", side="R", metric="synapses", formats=["png"])[0]
    assert m.svg and m._repr_html_() and m.png() == eyemap.Renderer(layer=2).eyemap(sample_ds, "Tm3", "ME", "R", "synapses", formats=["png"]).png()


def test_stats_and_caches(sample_ds):
    r = eyemap.Renderer()
    r.render(sample_ds, "Tm3")
    r.render(sample_ds, "Mi1")
    s = r.stats()
    assert s["schema"] == "eyemap-stats/2"
    ops = {o["name"]: o for o in s["ops"]}
    assert ops["render_svg"]["count"] == 24 and ops["process"]["count"] == 2
    c = r.cache_stats()
    assert set(c) == {"coordinates", "colours", "metadata"}
    assert c["metadata"]["hits"] == 12 and c["metadata"]["misses"] == 12 and c["metadata"]["hit_rate"] == 0.5
    assert "render_svg" in r.stats_table()
    r.reset_statistics()
    assert r.cache_stats()["metadata"]["hits"] == 0 and r.cache_stats()["metadata"]["entries"] == 12
    r.clear_caches()
    assert r.cache_stats()["metadata"]["entries"] == 0
    off = eyemap.Renderer(caches=False)
    assert [e.svg for e in off.render(sample_ds, "Tm3")] == [e.svg for e in eyemap.render(sample_ds, "Tm3")]
    assert off.cache_stats()["metadata"]["hits"] == 0
    assert isinstance(r.settings_hash(), int) and r.settings_hash() != eyemap.Renderer(hex_size=7).settings_hash()


PUBLIC = [eyemap.Dataset.from_frame, eyemap.Dataset.from_arrays, eyemap.Dataset.from_csv, eyemap.Dataset.requests,
          eyemap.Dataset.type_rows, eyemap.Renderer, eyemap.Renderer.render, eyemap.Renderer.eyemap,
          eyemap.Renderer.pdf_pages, eyemap.Renderer.grid, eyemap.Renderer.stats, eyemap.Renderer.cache_stats,
          eyemap.Renderer.stats_table, eyemap.Renderer.reset_statistics, eyemap.Renderer.clear_caches,
          eyemap.Eyemap.png, eyemap.Eyemap.pdf, eyemap.Eyemap.save, eyemap.Eyemap.display_svg, eyemap.Eyemap.file_name,
          eyemap.EyemapGrid.html, eyemap.EyemapGrid.save, eyemap.render, eyemap.show, eyemap.run_batch,
          eyemap.builtin_regions, eyemap.Error, eyemap.InputError, eyemap.FileError]


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__qualname__)
def test_documented(fn):
    doc = inspect.getdoc(fn)
    assert doc and len(doc) > 20, fn
    import io
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        help(fn)
    assert doc.splitlines()[0] in buf.getvalue()
    if inspect.isfunction(fn) and fn.__name__ not in ("reset_statistics", "clear_caches"):
        assert "return" in doc.lower() or fn.__name__ == "__init__", fn  # says what it returns


def test_stub_matches_module():
    import ast
    import pathlib
    stub = pathlib.Path(eyemap.__file__).with_name("__init__.pyi")
    assert stub.exists() and pathlib.Path(eyemap.__file__).with_name("py.typed").exists()
    tree = ast.parse(stub.read_text())
    names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    names |= {t.id for n in tree.body if isinstance(n, (ast.AnnAssign,)) for t in [n.target] if isinstance(t, ast.Name)}
    names |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    missing = [n for n in eyemap.__all__ if n not in names]
    assert not missing, missing
    json.dumps(eyemap.__all__)


def test_frame_and_csv_give_the_same_table(tmp_path, sample_frames):
    # One validator: a frame and the same rows written as CSV read to the same dataset, and the same
    # bad value gives the same reason from both.
    df, _ = sample_frames
    small = df.head(200).reset_index(drop=True)
    path = tmp_path / "d.csv"
    small.to_csv(path, index=False)
    a, b = eyemap.Dataset.from_frame(small), eyemap.Dataset.from_csv(path)
    assert a.types == b.types and a.column_count == b.column_count and len(a) == len(b)
    for t in a.types:
        assert a.type_rows(t) == b.type_rows(t)
    bad = small.copy()
    bad["synapses"] = bad["synapses"].astype(object)
    bad.loc[3, "synapses"] = 2**53 + 1
    bad.to_csv(path, index=False)
    with pytest.raises(eyemap.InputError) as frame_err:
        eyemap.Dataset.from_frame(bad)
    with pytest.raises(eyemap.InputError) as csv_err:
        eyemap.Dataset.from_csv(path)
    assert frame_err.value.reason == csv_err.value.reason
    assert frame_err.value.line + 1 == csv_err.value.line  # the CSV's header is line 1


def test_binding_decides_no_side(sample_ds):
    # A side other than L or R was taken as R by the binding; it is an input error now.
    assert sample_ds._d.has_columns("ME", "L") in (True, False)
    with pytest.raises(eyemap.InputError, match="side must be"):
        sample_ds._d.has_columns("ME", "left")


def test_vocabulary_comes_from_the_library():
    assert eyemap.METRICS == ("synapses", "cells") and eyemap.FORMATS == ("svg", "png", "pdf")
    # The binding decides no words: an unknown side or metric is the library's input error, not a default.
    assert eyemap._eyemap._file_stem("Tm3", "ME", "L", "cells") == "Tm3_ME_L_cell_count"
    # Any other valid column name is a value metric, named as it is; a name no column can have is refused.
    assert eyemap._eyemap._file_stem("Tm3", "ME", "L", "synapse") == "Tm3_ME_L_synapse"
    with pytest.raises(eyemap.InputError, match="only letters, digits"):
        eyemap._eyemap._file_stem("Tm3", "ME", "L", "syn apse")
    with pytest.raises(eyemap.InputError, match="side must be L or R"):
        eyemap._eyemap._file_stem("Tm3", "ME", "X", "cells")

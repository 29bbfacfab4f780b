"""The option schema from Python: every option and Style key settable and readable, the same bytes as the
CLI for non-default values, did-you-mean errors, and the .pyi / docstring agreeing with the schema."""
import ast
import inspect
import math
import re

import pytest

import eyemap
from conftest import SOURCE_DIR, run_cli

SCHEMA = eyemap._eyemap.option_schema()
OPTIONS = [f for f in SCHEMA if f["group"] == "option"]
STYLE = [f for f in SCHEMA if f["group"] == "style"]
PALETTE = ["#000000", "#111111", "#222222", "#333333", "#444444", "#555555", "#666666"]


def non_default(f):
    """A valid value of the field that is not its default (as test_options.cpp picks them)."""
    t, d = f["type"], f["default"]
    if f["name"] == "color_min":
        return 2.0
    if f["name"] == "color_max":
        return 5.0
    if f["name"] == "png_scale":
        return 2.0
    if f["name"] == "centre":
        return 1.0  # None by default
    if t == "number":
        hi = float(f["range"].split("..")[1]) if ".." in f["range"] else d + 1
        return d + (hi - d) / 2
    if t == "int":
        return 7 if f["name"] == "bins" else 1
    if t in ("bool", "caches"):
        return not d
    if t == "colour":
        return "#123456"
    if t == "palette":
        return PALETTE
    if t == "choice":
        return next(c for c in f["choices"] if c not in (d, "fixed"))
    if t == "path":
        return str(SOURCE_DIR / "templates")
    if t == "string":
        return {"font_family": "DejaVu Serif", "colormap": "viridis", "column_link": "https://h/{roi}",
                "type_link": "https://h/{type}"}.get(f["name"], "abc")
    if t == "metric_looks":  # the eyemaps these tests draw are cell counts
        return ["cells:colormap=viridis", "cells:bins=7"]
    raise AssertionError(f"no value for {f['name']}")


def keywords(f, v):
    kw = {f["name"]: v}
    if f["name"] == "color_min":
        kw["color_max"] = 5.0
    if f["name"] == "color_max":
        kw["color_min"] = 2.0
    return kw


def test_schema_lists_every_option_and_style_field():
    names = [f["name"] for f in OPTIONS]
    assert set(names) == set(eyemap.Renderer().options), "Renderer.options and the schema disagree"
    assert [f["name"] for f in STYLE] == list(eyemap.Renderer().options["style"])
    assert "hex_opacity" in [f["name"] for f in STYLE]


@pytest.mark.parametrize("f", OPTIONS, ids=[f["name"] for f in OPTIONS])
def test_every_option_settable_and_readable(f):
    defaults = eyemap.Renderer().options
    if f["type"] == "style":
        return  # the style keys: below
    if f["type"] == "caches":
        assert all(c["enabled"] for c in defaults["caches"].values()) == f["default"]
        assert not any(c["enabled"] for c in eyemap.Renderer(caches=False).options["caches"].values())
        return
    assert defaults[f["name"]] == f["default"]
    v = non_default(f)
    got = eyemap.Renderer(**keywords(f, v)).options[f["name"]]
    assert got == v


@pytest.mark.parametrize("f", STYLE, ids=[f["name"] for f in STYLE])
def test_every_style_key_settable_and_readable(f):
    assert eyemap.Renderer().options["style"][f["name"]] == f["default"]
    v = non_default(f)
    r = eyemap.Renderer(style={f["name"]: v})
    assert r.options["style"][f["name"]] == v
    assert r.settings_hash() != eyemap.Renderer().settings_hash()


def test_hex_opacity_sets_the_svg(sample_ds):
    """The drifted field: style={"hex_opacity": 0.6} was "unknown style setting" before the schema."""
    svg = eyemap.Renderer(style={"hex_opacity": 0.6}).render(sample_ds, "Tm3", region="ME", side="R", metric="cell_count")[0].svg
    assert "opacity:.6}" in svg


def test_unknown_keys_get_did_you_mean():
    with pytest.raises(TypeError, match=r"unknown option 'hex_sise'; did you mean 'hex_size'\?"):
        eyemap.Renderer(hex_sise=3)  # Python's error for an unknown keyword, with the library's suggestion
    with pytest.raises(eyemap.InputError, match=r"did you mean 'hex_opacity'\?") as e:
        eyemap.Renderer(style={"hex_opacty": 0.6})
    assert e.value.field == "style.hex_opacty"
    with pytest.raises(eyemap.InputError, match=r"out of range \(0\.\.1\)") as e:
        eyemap.Renderer(style={"hex_opacity": 1.5})
    assert e.value.field == "style.hex_opacity"
    with pytest.raises(eyemap.InputError, match="needs both"):
        eyemap.Renderer(color_max=3)


def cli_args(f, v):
    if f["group"] == "style":
        text = ",".join(v) if isinstance(v, list) else str(v)
        return ["--style", f"{f['name']}={text}"]
    if f["type"] in ("bool", "caches"):
        return [f["flag"]]
    if f["type"] == "metric_looks":  # repeatable, one item each
        return [a for item in v for a in (f["flag"], item)]
    args = [f["flag"], str(v)]
    if f["name"] == "color_min":
        args += ["--color-max", "5"]
    if f["name"] == "color_max":
        args += ["--color-min", "2"]
    return args


# Not render's: the input's identity (the CLI's own: the data file's digest) and a type's link (batch's pages).
FIELDS = [f for f in SCHEMA if f["type"] != "style" and f["name"] not in ("input_digest", "type_link")]


@pytest.mark.parametrize("f", FIELDS, ids=[f"{f['group']}.{f['name']}" for f in FIELDS])
def test_same_bytes_as_the_cli(f, sample, sample_ds, tmp_path):
    """A non-default value of every field, given to the CLI (its flag or --style) and to Python: the same bytes."""
    v = non_default(f)
    fmt = "png" if f["name"] in ("png_scale", "layer") else "svg"
    out = tmp_path / f"x.{fmt}"
    run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Tm3", "--region", "ME",
            "--side", "R", "--metric", "cell_count", "-o", out, *cli_args(f, v))
    kw = {"style": {f["name"]: v}} if f["group"] == "style" else keywords(f, v)
    if f["name"] in ("dataset_label", "dataset_version"):  # a named dataset: the CLI adds the data file's digest
        digest = re.search(r'data-input="([0-9a-f]{16})"', out.read_text()).group(1)
        kw["input_digest"] = digest
    m = eyemap.Renderer(**kw).eyemap(sample_ds, "Tm3", "ME", "R", "cell_count", formats=[fmt])
    got = m.svg.encode() if fmt == "svg" else m.png()
    assert got == out.read_bytes()


# --- the stub and the docstring -------------------------------------------------------------------

PY_TYPES = {"number": "float", "int": "int", "bool": "bool", "string": "str", "colour": "str", "choice": "str",
            "palette": "Sequence[str]"}


def _stub():
    return ast.parse((SOURCE_DIR / "python" / "eyemap" / "__init__.pyi").read_text())


def test_pyi_renderer_keywords_follow_the_schema():
    cls = next(n for n in _stub().body if isinstance(n, ast.ClassDef) and n.name == "Renderer")
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    args = {a.arg: ast.unparse(a.annotation) for a in init.args.kwonlyargs}
    assert list(args) == [f["name"] for f in OPTIONS] + ["marks"]  # marks: data, not a schema option
    for f in OPTIONS:
        want = PY_TYPES.get(f["type"])
        if want:
            assert args[f["name"]] == (f"Optional[{want}]" if f["nullable"] else want), f["name"]


def test_pyi_style_settings_follow_the_schema():
    cls = next(n for n in _stub().body if isinstance(n, ast.ClassDef) and n.name == "StyleSettings")
    fields = {n.target.id: ast.unparse(n.annotation) for n in cls.body if isinstance(n, ast.AnnAssign)}
    assert fields == {f["name"]: PY_TYPES[f["type"]] for f in STYLE}


def test_docstring_names_every_field_with_its_default():
    doc = eyemap.Renderer.__doc__
    for f in SCHEMA:
        assert f"      {f['name']}=" in doc, f["name"]
        if f["default"] is not None and not (isinstance(f["default"], float) and math.isnan(f["default"])):
            assert f"{f['name']}={f['default']!r}" in doc, f["name"]


def test_signature_follows_the_schema():
    params = inspect.signature(eyemap.Renderer).parameters
    assert [(p.name, p.default) for p in params.values()] == [(f["name"], f["default"]) for f in OPTIONS] + [("marks", None)]


def test_colormap_and_bins_keywords(sample_ds):
    """Renderer(colormap=..., bins=...): read back, the map's bin colours in the SVG, errors naming the keyword."""
    r = eyemap.Renderer(colormap="viridis", bins=7)
    assert r.options["colormap"] == "viridis" and r.options["bins"] == 7
    svg = r.eyemap(sample_ds, "Tm3", "ME", "R", "cell_count").svg
    assert '"#21918c"' in svg  # viridis at 0.5, the middle of 7 bins, in the script's colours
    assert '"#fc9272"' not in svg  # no reds
    assert eyemap.Renderer(colormap="#000000,#ffffff", bins=2).options["colormap"] == "#000000,#ffffff"
    with pytest.raises(eyemap.InputError, match=r"did you mean 'viridis'\?") as e:
        eyemap.Renderer(colormap="virdis")
    assert e.value.field == "colormap" and e.value.value == "virdis"
    with pytest.raises(eyemap.InputError, match=r"out of range \(2\.\.12\)") as e:
        eyemap.Renderer(bins=13)
    assert e.value.field == "bins"
    with pytest.raises(eyemap.InputError, match="#rrggbb") as e:
        eyemap.Renderer(colormap="#ffffff,red")
    assert e.value.value == "red"
    with pytest.raises(eyemap.InputError, match="expected an integer"):
        eyemap.Renderer(bins=7.0)


def test_metric_looks_as_a_dict_or_items():
    """A metric's own look from Python as {metric: {key: value}}: the CLI's items, the same bytes."""
    a = eyemap.Renderer(metric_looks={"cells": {"colormap": "viridis", "bins": 7, "color_min": 0, "color_max": 2.5}})
    assert a.options["metric_looks"] == ["cells:colormap=viridis", "cells:bins=7", "cells:color_min=0", "cells:color_max=2.5"]
    b = eyemap.Renderer(metric_looks=a.options["metric_looks"])
    assert a.options == b.options
    with pytest.raises(eyemap.InputError, match="did you mean 'colormap'"):
        eyemap.Renderer(metric_looks={"cells": {"colormp": "viridis"}})
    with pytest.raises(eyemap.InputError, match="needs both"):
        eyemap.Renderer(metric_looks=["cells:color_min=1"])


def test_continuous_and_centre_keywords(sample, sample_ds, tmp_path):
    """Renderer(continuous=True, centre=...): read back, the same bytes as the CLI's --continuous/--centre, a
    gradient legend, errors naming the keyword."""
    r = eyemap.Renderer(colormap="viridis", continuous=True)
    assert r.options["continuous"] is True and r.options["centre"] is None
    m = r.eyemap(sample_ds, "Tm3", "ME", "R", "synapses")
    assert "<linearGradient" in m.svg and "parseInt(b.substr(2 * (layer - 1), 2), 36)" in m.svg
    assert "<linearGradient" not in eyemap.Renderer().eyemap(sample_ds, "Tm3", "ME", "R", "synapses").svg
    d = eyemap.Renderer(colormap="RdBu", centre=20.0, continuous=True)
    assert d.options["centre"] == 20.0
    for kw, args in (({"colormap": "viridis", "continuous": True}, ["--colormap", "viridis", "--continuous"]),
                     ({"colormap": "rdbu", "centre": 20.0, "continuous": True},
                      ["--colormap", "rdbu", "--centre", "20", "--continuous"]),
                     ({"colormap": "puor", "color_max": 30.0}, ["--colormap", "puor", "--color-max", "30"])):
        for fmt in ("svg", "png"):
            out = tmp_path / f"cli-{len(args)}.{fmt}"
            run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Tm3", "--region",
                    "ME", "--side", "R", "--metric", "synapses", "-o", out, *args)
            ours = eyemap.Renderer(**kw).eyemap(sample_ds, "Tm3", "ME", "R", "synapses", formats=[fmt])
            assert (ours.svg.encode() if fmt == "svg" else ours.png()) == out.read_bytes(), (kw, fmt)
    with pytest.raises(eyemap.InputError, match="linear and fixed") as e:
        eyemap.Renderer(centre=1.0, color_scale="percentile")
    assert e.value.field == "centre"
    with pytest.raises(eyemap.InputError, match="below the centre"):
        eyemap.Renderer(colormap="rdbu", color_min=5.0)
    with pytest.raises(eyemap.InputError):
        eyemap.Renderer(centre=float("inf"))

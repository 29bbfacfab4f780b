"""eyemap: hexagon eyemaps of connectome data (SVG, PNG, PDF), from Python.

A thin binding of the C++ library eyemap (same bytes as the ``eyemap`` command line for the same
input and options). Rendering runs in C++ with the GIL released, so Python threads render in
parallel.

    import pandas as pd, eyemap
    ds = eyemap.Dataset.from_frame(pd.read_csv("me_cells.csv"), layout=pd.read_csv("columns.csv"))
    maps = eyemap.Renderer().render(ds, "Mi1")        # every eyemap of the type (up to 12)
    maps[0].save("Mi1.svg"); maps[0].save("Mi1.png")  # format from the extension
    eyemap.show(ds, "Mi1")                            # a grid of interactive eyemaps in a notebook

Data: ``Dataset.from_frame`` (pandas), ``Dataset.from_arrays`` (dict of numpy arrays),
``Dataset.from_csv`` (files). Drawing: ``Renderer`` (every option of the command line), whose
``render`` returns ``Eyemap`` objects (``.svg``, ``.png()``, ``.pdf()``, ``.save()``, notebook
display). Release jobs: ``run_batch``. Errors: ``Error`` and its subclasses ``InputError``
(also a ValueError), ``FileError`` (also an OSError), ``InternalError``.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _eyemap
from ._errors import Error, FileError, InputError, InternalError, _with_rows

__version__: str = _eyemap.__version__

__all__ = [
    "__version__", "Error", "InputError", "FileError", "InternalError", "Request", "Dataset", "Renderer",
    "Eyemap", "EyemapGrid", "render", "show", "run_batch", "builtin_regions", "DATA_COLUMNS", "LAYOUT_COLUMNS",
]

#: Columns of a data frame, as in the data CSV: the first five are required.
DATA_COLUMNS: Tuple[str, ...] = ("neuron_type", "region", "side", "hex1", "hex2", "synapses", "cells",
                                 "layer_synapses", "layer_cells")
#: Columns of a layout frame (the columns that exist per region and side), as in columns.csv.
LAYOUT_COLUMNS: Tuple[str, ...] = ("region", "side", "hex1", "hex2")
_STRING_COLUMNS = ("neuron_type", "region", "side")
_LAYER_COLUMNS = ("layer_synapses", "layer_cells")

PathLike = Union[str, "os.PathLike[str]"]


class Request(NamedTuple):
    """Which eyemap: the neuron type, region (e.g. "ME"), side ("L" or "R") and metric
    ("synapse_density" or "cell_count")."""

    type: str
    region: str
    side: str
    metric: str


def builtin_regions() -> Dict[str, List[str]]:
    """Returns the built-in regions as a dict: ``{"ME": [layer names], "LO": [...], "LOP": [...]}``."""
    return {name: list(layers) for name, layers in _eyemap._builtin_regions()}


# --- regions and errors --------------------------------------------------------------------------

def _regions_json(regions: Any) -> Optional[str]:
    """None (built-in), a dict {name: [layer names]}, a region config dict {"regions": [...]}, a
    JSON string, or a path to a JSON file -> the JSON text the C++ parser reads."""
    if regions is None:
        return None
    if isinstance(regions, Mapping):
        if "regions" in regions and not isinstance(regions.get("regions"), (list, tuple)):
            raise InputError("regions: 'regions' must be a list", reason="must be a list", field="regions")
        if "regions" in regions:
            return json.dumps(regions)
        out = []
        for name, layers in regions.items():
            if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
                raise InputError(f"regions: region {name!r}: expected a list of layer names",
                                 reason="expected a list of layer names", field="regions", value=str(name))
            out.append({"name": str(name), "layers": [str(x) for x in layers]})
        return json.dumps({"regions": out})
    if isinstance(regions, (str, os.PathLike)):
        text = os.fspath(regions)
        if text.lstrip().startswith("{"):
            return text
        try:
            with open(text, encoding="utf-8") as f:
                return f.read()
        except OSError as e:
            raise FileError(f"{text}: cannot read the region config: {e.strerror or e}", reason=str(e), file=text) from None
    raise InputError(f"regions: expected a dict, a JSON string or a file path, got {type(regions).__name__}",
                     reason="expected a dict, a JSON string or a file path", field="regions")


class _Rows:
    """Maps errors of a frame source (line = 1-based position) to the frame's row labels."""

    def __init__(self, labels: Any, source: str) -> None:
        self.labels, self.source = labels, source

    def __enter__(self) -> "_Rows":
        return self

    def __exit__(self, tp: Any, err: Any, tb: Any) -> bool:
        if isinstance(err, Error):
            new = _with_rows(err, self.labels, self.source)
            if new is not err:
                raise new from None
        return False


# --- columns from pandas / numpy ------------------------------------------------------------------

def _is_categorical(x: Any) -> bool:
    return type(getattr(x, "dtype", None)).__name__ == "CategoricalDtype"


def _string_column(x: Any) -> Any:
    if _is_categorical(x):  # codes + categories: one conversion per category
        cat = x.cat if hasattr(x, "cat") else x
        cats = np.asarray(cat.categories.astype(object).to_numpy(), dtype=object)
        return (np.asarray(cat.codes, dtype=np.int64), cats)
    if hasattr(x, "to_numpy"):
        a = x.to_numpy()
    else:
        a = np.asarray(x) if isinstance(x, np.ndarray) else _object_array(x)
    if a.dtype.kind in "US":
        a = a.astype(object)
    elif a.dtype.kind != "O":
        a = a.astype(object)  # numbers etc.: the C++ check names the row and the type
    return a


def _object_array(values: Any) -> np.ndarray:
    values = list(values)
    a = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        a[i] = v
    return a


def _int_column(x: Any) -> Any:
    dtype = getattr(x, "dtype", None)
    if hasattr(x, "to_numpy") and dtype is not None and not isinstance(dtype, np.dtype):
        # pandas extension types (Int64, boolean, string, ...): NA -> NaN for the row check
        kind = getattr(dtype, "kind", "O")
        if kind in "iu":
            return x.to_numpy(dtype="float64", na_value=np.nan) if x.isna().any() else x.to_numpy(dtype="int64")
        return x.to_numpy(dtype=object)
    if hasattr(x, "to_numpy"):
        return x.to_numpy()
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        return _object_array(x)
    return np.asarray(x)


def _layer_column(x: Any) -> Any:
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return x
    if hasattr(x, "to_numpy"):
        a = x.to_numpy()
        return a if a.dtype.kind == "O" else a.astype(object)
    if isinstance(x, np.ndarray):
        return x if x.dtype.kind == "O" else x.astype(object)
    return _object_array(x)


def _columns(data: Mapping[str, Any], names: Sequence[str], required: Sequence[str], what: str, source: str) -> Dict[str, Any]:
    present = [str(c) for c in data.keys()]
    for c in present:
        if c in names:
            continue
        close = [m for m in difflib.get_close_matches(c, names, n=1, cutoff=0.75) if m not in present]
        if close:
            raise InputError(f"{source}: column '{c}': unknown column; did you mean '{close[0]}'?",
                             reason=f"unknown column; did you mean '{close[0]}'?", file=source, field=c)
    missing = [c for c in required if c not in present]
    if missing:
        raise InputError(f"{source}: column '{missing[0]}': missing required column ({what} needs: {', '.join(required)})",
                         reason=f"missing required column ({what} needs: {', '.join(required)})", file=source,
                         field=missing[0])
    out: Dict[str, Any] = {}
    n = None
    for c in names:
        if c not in data:
            continue
        col = data[c]
        if c in _STRING_COLUMNS:
            v = _string_column(col)
        elif c in _LAYER_COLUMNS:
            v = _layer_column(col)
        else:
            v = _int_column(col)
        length = len(v[0]) if isinstance(v, tuple) else len(v)
        if n is None:
            n = length
        elif length != n:
            raise InputError(f"{source}: column '{c}': has {length} values, the first column has {n}",
                             reason=f"has {length} values, the first column has {n}", file=source, field=c)
        out[c] = v
    return out


def _frame_columns(frame: Any, names: Sequence[str], required: Sequence[str], what: str, source: str) -> Tuple[Dict[str, Any], Any]:
    """(columns, row labels) of a pandas DataFrame or a mapping of arrays."""
    if hasattr(frame, "columns") and hasattr(frame, "index"):  # a DataFrame
        if getattr(frame.columns, "has_duplicates", False):
            dup = frame.columns[frame.columns.duplicated()][0]
            raise InputError(f"{source}: column '{dup}': appears twice", reason="column appears twice", file=source, field=str(dup))
        data = {str(c): frame[c] for c in frame.columns}
        return _columns(data, names, required, what, source), frame.index
    if isinstance(frame, Mapping):
        return _columns({str(k): v for k, v in frame.items()}, names, required, what, source), None
    raise InputError(f"{source}: expected a pandas DataFrame or a dict of arrays, got {type(frame).__name__}",
                     reason="expected a pandas DataFrame or a dict of arrays", file=source)


def _check_type_name(neuron_type: Any) -> None:
    if not isinstance(neuron_type, str):
        raise InputError(f"neuron_type: expected a string, got {type(neuron_type).__name__}",
                         reason="expected a string", field="neuron_type", value=repr(neuron_type))


# --- datasets ---------------------------------------------------------------------------------------

class Dataset:
    """The rows of a data release, grouped by neuron type, with its column layout.

    Make one with ``Dataset.from_frame`` (pandas), ``Dataset.from_arrays`` (dict of numpy arrays)
    or ``Dataset.from_csv`` (files). Immutable; safe to share between threads.
    """

    __slots__ = ("_d", "_labels", "_source")

    def __init__(self, _native: Any, _labels: Any = None) -> None:
        self._d = _native
        self._labels = _labels
        self._source = _native.source

    @classmethod
    def from_frame(cls, frame: Any, layout: Any = None, *, regions: Any = None, source: str = "DataFrame") -> "Dataset":
        """A dataset from a pandas DataFrame with the data CSV's columns (by name):

        ``neuron_type, region, side, hex1, hex2`` and optional ``synapses, cells, layer_synapses,
        layer_cells``. Integer columns may have any integer dtype (float only when every value is a
        whole number; pandas' nullable Int64 too). Layer columns hold per row a list / array of one
        value per layer of the row's region, or the CSV's ``"1;0;7"`` string, or are an n x layers
        integer array. String columns may be object, ``string`` or categorical dtype. Other
        columns are ignored (a near-miss of a known name is an error).

        layout: an optional frame (``region, side, hex1, hex2``) of the columns that exist per
        region and side; without it, the columns seen in the data. regions: extra or replacement
        region definitions, ``{"AME": ["1", "2"]}`` (see ``builtin_regions``), a region config
        dict / JSON text, or a path to a JSON file. source: the name errors give the frame.

        Raises InputError naming the column, the row (``.row`` = index label, ``.line`` = position
        + 1) and the value for a missing column, a wrong dtype, NaN, a negative or huge value, an
        unknown region or side, a wrong number of layer values or a duplicate row.
        Returns a Dataset.
        """
        cols, labels = _frame_columns(frame, DATA_COLUMNS, DATA_COLUMNS[:5], "a data frame", source)
        lay, lay_labels, lay_source = None, None, f"{source} layout"
        if layout is not None:
            lay, lay_labels = _frame_columns(layout, LAYOUT_COLUMNS, LAYOUT_COLUMNS, "a layout frame", lay_source)
        rj = _regions_json(regions)
        with _Rows(labels, source), _Rows(lay_labels, lay_source):
            native = _eyemap._dataset_from_columns(cols, lay, rj, source, lay_source)
        return cls(native, labels)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], layout: Optional[Mapping[str, Any]] = None, *, regions: Any = None,
                    source: str = "arrays") -> "Dataset":
        """A dataset from a dict of columns (numpy arrays or lists), named as in ``from_frame``;
        ``layout`` likewise a dict (``region, side, hex1, hex2``). Rows in errors are positions.
        Returns a Dataset."""
        return cls.from_frame(arrays, layout, regions=regions, source=source)

    @classmethod
    def from_csv(cls, data: PathLike, layout: Optional[PathLike] = None, *, regions: Any = None) -> "Dataset":
        """A dataset from the data CSV (``data``) and optionally the layout CSV (``layout``, e.g.
        columns.csv), read by the C++ reader exactly as ``eyemap render --data --columns`` does
        (errors give the file and line). Returns a Dataset."""
        native = _eyemap._dataset_from_csv(os.fspath(data), None if layout is None else os.fspath(layout), _regions_json(regions))
        return cls(native)

    @property
    def source(self) -> str:
        """The data file, or the label given to a frame (used in error messages)."""
        return self._source

    @property
    def types(self) -> List[str]:
        """Neuron types in order of first appearance."""
        return self._d.types()

    @property
    def columns(self) -> Dict[str, bool]:
        """Which optional columns the data has: {"synapses", "cells", "layer_synapses", "layer_cells"}."""
        return self._d.columns

    @property
    def regions(self) -> Dict[str, List[str]]:
        """The region definitions in force: {name: [layer names]}."""
        return {name: list(layers) for name, layers in self._d.regions}

    @property
    def column_count(self) -> int:
        """Columns of the grid every eyemap shows (both sides)."""
        return self._d.column_count

    def __len__(self) -> int:
        """Rows of data."""
        return self._d.rows

    def __contains__(self, neuron_type: object) -> bool:
        return isinstance(neuron_type, str) and self._d.has_type(neuron_type)

    def __repr__(self) -> str:
        return f"<eyemap.Dataset {self._source!r}: {len(self)} rows, {len(self.types)} types, {self.column_count} columns>"

    def type_rows(self, neuron_type: str) -> int:
        """Returns the number of rows of one type; InputError (with a "did you mean") for an unknown type."""
        _check_type_name(neuron_type)
        return self._d.type_rows(neuron_type)

    def requests(self, neuron_type: Optional[str] = None, region: Optional[str] = None, side: Optional[str] = None,
                 metric: Optional[str] = None) -> List[Request]:
        """Returns the eyemaps the layout and data allow, as a list of ``Request`` (type = ``neuron_type`` or ""),
        narrowed by region / side ("L", "R") / metric ("synapse_density", "cell_count") as
        ``eyemap render --region --side --metric`` does. InputError when nothing matches."""
        if neuron_type is not None:
            _check_type_name(neuron_type)
            self._d.type_rows(neuron_type)
        reqs, _ = self._d.select(region or "", side, metric)
        return [Request(neuron_type or "", *r) for r in reqs]


# --- eyemaps ---------------------------------------------------------------------------------------

_display_ids = itertools.count(1)
_display_lock = threading.Lock()


def _display_id(req: Request) -> str:
    with _display_lock:
        n = next(_display_ids)
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", f"{req.type}_{req.region}_{req.side}_{req.metric}")[:60]
    return f"em{n}-{stem}"


_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class Eyemap:
    """One rendered eyemap: ``request`` (type, region, side, metric), ``counts``, ``svg`` (str),
    ``png(scale)`` / ``pdf()`` bytes, ``save(path)``; displayed by notebooks (interactive SVG,
    each display with its own SVG id so several never clash)."""

    __slots__ = ("request", "counts", "_renderer", "_dataset", "_bytes")

    def __init__(self, request: Request, counts: Dict[str, int], renderer: "Renderer", dataset: Dataset,
                 data: Dict[str, Any]) -> None:
        self.request = request
        #: has_data / no_data: columns of the region with and without a value; not_in_region: the rest of the grid.
        self.counts = counts
        self._renderer = renderer
        self._dataset = dataset
        self._bytes = data  # format -> str (svg) or bytes (png, pdf)

    neuron_type = property(lambda self: self.request.type, doc="The neuron type.")
    region = property(lambda self: self.request.region, doc="The region, e.g. 'ME'.")
    side = property(lambda self: self.request.side, doc="'L' or 'R'.")
    metric = property(lambda self: self.request.metric, doc="'synapse_density' or 'cell_count'.")

    def __repr__(self) -> str:
        t, r, s, m = self.request
        return f"<eyemap.Eyemap {t} {r} {s} {m}: {self.counts['has_data']} columns with data>"

    def _render(self, fmt: str, **overrides: Any) -> Any:
        return self._renderer._render_one(self._dataset, self.request, fmt, overrides)

    @property
    def svg(self) -> str:
        """The SVG (interactive unless the renderer is static), the same bytes as ``eyemap render``."""
        data = self._bytes.get("svg")
        if data is None:
            over = {"layer": 0} if self._renderer._layer else {}
            data = self._bytes["svg"] = self._render("svg", **over)
        return data  # type: ignore[return-value]  (the binding hands SVG over as str)

    def png(self, scale: Optional[float] = None, layer: Optional[int] = None) -> bytes:
        """Returns PNG bytes at ``scale`` PNG pixels per canvas pixel (default: the renderer's png_scale),
        showing ``layer`` (default: the renderer's; 0 = all layers)."""
        if scale is None and layer is None and "png" in self._bytes:
            return self._bytes["png"]
        over: Dict[str, Any] = {}
        if scale is not None:
            over["png_scale"] = scale
        if layer is not None:
            over["layer"] = layer
        data = self._render("png", **over)
        if not over:
            self._bytes["png"] = data
        return data

    def pdf(self, layer: Optional[int] = None) -> bytes:
        """Returns PDF bytes (vector; the canvas in points), showing ``layer`` (default: the renderer's)."""
        if layer is None and "pdf" in self._bytes:
            return self._bytes["pdf"]
        data = self._render("pdf", **({} if layer is None else {"layer": layer}))
        if layer is None:
            self._bytes["pdf"] = data
        return data

    def file_name(self, fmt: str = "svg") -> str:
        """Returns the file name "<type>_<region>_<side>_<metric>.<fmt>", every part safe (as the CLI's)."""
        t, r, s, m = self.request
        return f"{_eyemap._file_stem(t, r, s, m)}.{fmt}"

    def save(self, path: PathLike, *, scale: Optional[float] = None, layer: Optional[int] = None) -> Path:
        """Writes the eyemap to ``path`` in the format its extension names (.svg, .png, .pdf;
        InputError otherwise). ``scale`` and ``layer`` as for ``png``. Returns the path. If
        ``path`` is a folder, the file is ``file_name("svg")`` inside it."""
        p = Path(path)
        if p.is_dir():
            p = p / self.file_name("svg")
        fmt = _FORMATS.get(p.suffix.lower())
        if fmt is None:
            raise InputError(f"{p}: cannot tell the format from the file name: use .svg, .png or .pdf",
                             reason="cannot tell the format from the file name: use .svg, .png or .pdf", field="path", value=str(p))
        if fmt == "svg":
            data = self.svg.encode("utf-8")
        elif fmt == "png":
            data = self.png(scale, layer)
        else:
            data = self.pdf(layer)
        try:
            with open(p, "wb") as f:
                f.write(data)
        except OSError as e:
            raise FileError(f"{p}: cannot write: {e.strerror or e}", reason=str(e), file=str(p)) from None
        return p

    def display_svg(self) -> str:
        """Returns the SVG (str) with an SVG id of its own (a fresh one each call), for inlining several copies
        of the same eyemap into one page or notebook without id clashes."""
        over: Dict[str, Any] = {"svg_id": _display_id(self.request)}
        if self._renderer._layer:
            over["layer"] = 0
        return self._render("svg", **over)  # type: ignore[return-value]

    def _repr_svg_(self) -> str:
        return self.display_svg()

    def _repr_html_(self) -> str:
        return f'<div class="eyemap" style="display:inline-block">{self.display_svg()}</div>'

    def _repr_png_(self) -> bytes:
        return self.png()


class EyemapGrid:
    """Several eyemaps shown as one grid (in a notebook: interactive, ids never clash).
    ``eyemaps`` is the list; ``html()`` the grid as an HTML fragment; ``save(path)`` a page."""

    def __init__(self, eyemaps: List[Eyemap], title: str = "", columns: int = 0) -> None:
        self.eyemaps = eyemaps
        self.title = title
        self.columns = columns

    def __len__(self) -> int:
        return len(self.eyemaps)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.eyemaps)

    def __getitem__(self, i: int) -> Eyemap:
        return self.eyemaps[i]

    def html(self) -> str:
        """Returns the grid as an HTML fragment (str): each eyemap's SVG inlined with an id of its own."""
        import html as _html
        cols = f"repeat({self.columns}, max-content)" if self.columns > 0 else "repeat(auto-fill, minmax(390px, max-content))"
        cells = "".join(
            f'<figure style="margin:0">{e.display_svg()}<figcaption style="font:12px sans-serif">'
            f'{_html.escape(" ".join(e.request))}</figcaption></figure>' for e in self.eyemaps)
        head = f'<h3 style="font-family:sans-serif">{_html.escape(self.title)}</h3>' if self.title else ""
        return f'{head}<div class="eyemap-grid" style="display:grid;grid-template-columns:{cols};gap:8px">{cells}</div>'

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: PathLike) -> Path:
        """Writes a standalone HTML page of the grid. Returns the path."""
        import html as _html
        p = Path(path)
        p.write_text(f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_html.escape(self.title)}</title></head>'
                     f"<body>{self.html()}</body></html>\n", encoding="utf-8")
        return p


# --- the renderer ------------------------------------------------------------------------------------

class Renderer:
    """Draws eyemaps with fixed options (every rendering option of the command line) and owns
    its caches and statistics. Safe to use from several threads at once; the GIL is released
    while it renders.

    Options (keywords; the CLI's name in brackets):
      hex_size=6 (--hex-size, 1..50), spacing=1.1 (--spacing, 1..3), margin=10 (--margin),
      min_width=380, min_height=410 (the per-region minimum canvas),
      color_scale="linear" | "percentile" | "stddev" | "log" | "fixed" (--color-scale), color_min / color_max
      (--color-min/--color-max: imply "fixed"; share one scale across eyemaps),
      color_scope="pooled" | "region" (--color-scope), static=False (--static: no script,
      tooltips or buttons), templates=None (--templates DIR), layer=0 (--layer: PNG/PDF show
      layer N), png_scale=1 (--scale), svg_id="" (--id; default derived from type, region,
      side, metric), style=None (dict of Style settings: palette [7 colours], background, text,
      hex_stroke, font_family, title_size, ...), caches=True (False: --no-cache; or a dict
      {"coordinates"|"colours"|"metadata": True/False or {"enabled", "max_entries", "max_bytes"}}).

    Raises InputError naming the option for a value out of range.
    """

    def __init__(self, *, hex_size: float = 6.0, spacing: float = 1.1, margin: float = 10.0, min_width: float = 380.0,
                 min_height: float = 410.0, color_scale: str = "linear", color_min: Optional[float] = None,
                 color_max: Optional[float] = None, color_scope: str = "pooled", static: bool = False,
                 templates: Optional[PathLike] = None, layer: int = 0, png_scale: float = 1.0, svg_id: str = "",
                 style: Optional[Mapping[str, Any]] = None, caches: Union[bool, Mapping[str, Any]] = True) -> None:
        opts = dict(hex_size=hex_size, spacing=spacing, margin=margin, min_width=min_width, min_height=min_height,
                    color_scale=color_scale, color_min=color_min, color_max=color_max, color_scope=color_scope,
                    static=static, templates=templates, layer=layer, png_scale=png_scale, svg_id=svg_id,
                    style=None if style is None else dict(style), caches=caches if isinstance(caches, bool) else dict(caches))
        self._r = _eyemap._Renderer(opts)
        self._layer = layer

    @property
    def options(self) -> Dict[str, Any]:
        """Every option in force (after defaults), as a dict of the constructor's keywords."""
        return self._r.options()

    def __repr__(self) -> str:
        o = self.options
        return (f"<eyemap.Renderer hex_size={o['hex_size']} color_scale={o['color_scale']!r} "
                f"color_scope={o['color_scope']!r} static={o['static']} layer={o['layer']} png_scale={o['png_scale']}>")

    def _native_render(self, dataset: Dataset, neuron_type: str, requests: Optional[List[Tuple[str, str, str]]],
                       formats: Sequence[str], overrides: Optional[Dict[str, Any]]) -> List[Any]:
        if not isinstance(dataset, Dataset):
            raise InputError(f"dataset: expected an eyemap.Dataset, got {type(dataset).__name__}",
                             reason="expected an eyemap.Dataset", field="dataset")
        _check_type_name(neuron_type)
        with _Rows(dataset._labels, dataset._source):
            return self._r.render(dataset._d, neuron_type, requests, list(formats), overrides)

    def _render_one(self, dataset: Dataset, req: Request, fmt: str, overrides: Dict[str, Any]) -> Any:
        out = self._native_render(dataset, req.type, [tuple(req[1:])], [fmt], overrides or None)
        return out[0][4]

    def render(self, dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
               metric: Optional[str] = None, formats: Sequence[str] = ("svg",)) -> List[Eyemap]:
        """Renders one type's eyemaps: all of them (up to 12: regions x sides x metrics the layout
        and data allow), or those of ``region`` / ``side`` ("L", "R") / ``metric``
        ("synapse_density", "cell_count"), as ``eyemap render --region --side --metric`` selects.
        ``formats``: any of "svg", "png", "pdf" rendered now (the others on demand).
        Returns a list of Eyemap in region, side, metric order. InputError for an unknown type
        (with a "did you mean"), region, side or metric, or a layer the eyemap lacks."""
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",")]
        reqs = dataset.requests(neuron_type, region, side, metric)
        out = self._native_render(dataset, neuron_type, [tuple(r[1:]) for r in reqs], formats, None)
        by_req: Dict[Tuple[str, str, str], Eyemap] = {}
        result: List[Eyemap] = []
        for region_, side_, metric_, fmt, data, has, no, notin in out:
            key = (region_, side_, metric_)
            e = by_req.get(key)
            if e is None:
                e = by_req[key] = Eyemap(Request(neuron_type, *key), {"has_data": has, "no_data": no, "not_in_region": notin},
                                         self, dataset, {})
                result.append(e)
            e._bytes[fmt] = data
        return result

    def eyemap(self, dataset: Dataset, neuron_type: str, region: str, side: str, metric: str,
               formats: Sequence[str] = ("svg",)) -> Eyemap:
        """Exactly one eyemap (``eyemap render --region R --side S --metric M``). Returns an Eyemap."""
        maps = self.render(dataset, neuron_type, region=region, side=side, metric=metric, formats=formats)
        return maps[0]

    def pdf_pages(self, dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
                  metric: Optional[str] = None) -> bytes:
        """One PDF with a page per selected eyemap (``eyemap render --format pdf --pdf-pages``). Returns bytes."""
        reqs = dataset.requests(neuron_type, region, side, metric)
        with _Rows(dataset._labels, dataset._source):
            return self._r.render_pdf_pages(dataset._d, neuron_type, [tuple(r[1:]) for r in reqs], None)

    def grid(self, dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
             metric: Optional[str] = None, columns: int = 0) -> EyemapGrid:
        """A type's eyemaps (selected as in ``render``) as one grid for a notebook (``columns`` per
        row; 0 = as many as fit). Returns an EyemapGrid."""
        return EyemapGrid(self.render(dataset, neuron_type, region=region, side=side, metric=metric), neuron_type, columns)

    def stats(self) -> Dict[str, Any]:
        """Returns the timing of every stage this renderer ran (process, layout, render_svg, render_png,
        encode_png, render_pdf, ...) as a dict (JSON schema eyemap-stats/2: "ops" list with count,
        total_ns, percentiles, bytes; "wall_ns"; "memory"). Renders with per-call changes (PNG
        scale, layer, display ids) are timed in short-lived renderers and are not included."""
        return json.loads(self._r.stats_json())

    def stats_table(self) -> str:
        """Returns the statistics and cache statistics as the aligned text tables of ``--stats``."""
        return self._r.stats_table()

    def cache_stats(self) -> Dict[str, Dict[str, Any]]:
        """Returns, per cache ("coordinates", "colours", "metadata"): hits, misses, hit_rate, insertions,
        evictions, entries, bytes, ... as a dict of dicts."""
        return self._r.cache_stats()

    def reset_statistics(self) -> None:
        """Timings and cache counters to zero (cache entries stay)."""
        self._r.reset_statistics()

    def clear_caches(self) -> None:
        """Drops every cache entry (output bytes are the same either way)."""
        self._r.clear_caches()

    def settings_hash(self) -> int:
        """Content hash of every option that shapes the output bytes."""
        return self._r.settings_hash()


def render(dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
           metric: Optional[str] = None, formats: Sequence[str] = ("svg",), **options: Any) -> List[Eyemap]:
    """``Renderer(**options).render(dataset, neuron_type, ...)``: one type's eyemaps. Returns a list of Eyemap."""
    return Renderer(**options).render(dataset, neuron_type, region=region, side=side, metric=metric, formats=formats)


def show(dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
         metric: Optional[str] = None, columns: int = 0, **options: Any) -> EyemapGrid:
    """A type's eyemaps as one grid for a notebook (the last expression of a cell displays it).
    ``options`` as for Renderer. Returns an EyemapGrid."""
    return Renderer(**options).grid(dataset, neuron_type, region=region, side=side, metric=metric, columns=columns)


# --- batch ------------------------------------------------------------------------------------------

def _progress_display(kind: str, enabled: Any) -> Optional[Callable[[Dict[str, int], bool], None]]:
    if not enabled:
        return None
    if callable(enabled):
        user = enabled
        return lambda c, final: user(c)
    from tqdm.auto import tqdm

    state: Dict[str, Any] = {}

    def update(c: Dict[str, int], final: bool) -> None:
        bar = state.get("bar")
        if bar is None:
            if kind == "file" and c["file_size"]:
                bar = tqdm(total=c["file_size"], unit="B", unit_scale=True, desc="eyemap batch")
            else:
                bar = tqdm(total=c["types_total"] or None, unit="type", desc="eyemap batch")
            state["bar"] = bar
        bar.n = c["bytes_read"] if kind == "file" and c["file_size"] else c["types_done"]
        bar.set_postfix(types=c["types_done"], eyemaps=c["eyemaps_done"], rows=c["rows_read"], refresh=False)
        bar.refresh()
        if final:
            bar.close()

    def call(c: Dict[str, int], final: bool) -> None:
        update(c, final)

    call.close = lambda: state["bar"].close() if "bar" in state else None  # type: ignore[attr-defined]
    return call


def run_batch(data: Any, *, layout: Any = None, regions: Any = None, out_dir: Optional[PathLike] = None,
              run: Optional[str] = None, resume: bool = False, sink: Any = None, formats: Union[str, Sequence[str]] = ("svg",),
              requests: Optional[Sequence[Tuple[str, str, str]]] = None, pages: bool = False, jobs: int = 0,
              shard: Optional[str] = None, renderer: Optional[Renderer] = None, progress: Any = True,
              progress_interval: float = 0.1, **options: Any) -> Dict[str, Any]:
    """The release job (``eyemap batch``): every type of ``data`` rendered in parallel.

    data: a data CSV path (streamed; ``layout`` then a layout CSV path, or None to take the columns
    seen in the data), a pandas DataFrame or dict of arrays (``layout`` a frame), or a Dataset.
    Out: ``out_dir`` (a folder of runs: files written atomically into out_dir/run, manifest,
    ``resume``, ``pages`` + index.html, as the CLI), else ``sink``: None (render, keep nothing:
    --sink null), "memory" (the result's "files" maps each path to its bytes) or a callable
    ``sink(neuron_type, path, data: bytes)`` (called from worker threads, with the GIL).
    formats: "svg,png,pdf" or a list; requests: (region, side, metric) tuples (default all);
    jobs: worker threads (0 = one per core); shard: "I/N". Render options: ``renderer=`` or the
    Renderer keywords (``png_scale`` = the CLI's --scale).
    progress: True (a tqdm.auto bar: terminal or notebook), False, or a callable(counters dict).
    Ctrl-C (KeyboardInterrupt) stops cleanly as the CLI does: workers finish or drop their type,
    a run folder's manifest records the finished types, no partial file is left; then the
    KeyboardInterrupt is raised.

    Returns a dict: rows_read, types_seen, types_in_shard, types_rendered, types_reused,
    eyemaps_rendered, files, bytes, cancelled, seconds, jobs; run, run_dir, manifest, index_types
    (with out_dir); files (sink="memory"); stats and caches (the renderer's statistics).
    """
    if renderer is None:
        renderer = Renderer(**options)
    elif options:
        raise InputError(f"give either renderer= or render options, not both ({', '.join(options)})",
                         reason="give either renderer= or render options, not both", field=next(iter(options)))
    labels, source = None, ""
    if isinstance(data, (str, os.PathLike)):
        inp: Any = os.fspath(data)
        kind = "file"
        lay = None if layout is None else os.fspath(layout)
    else:
        ds = data if isinstance(data, Dataset) else Dataset.from_frame(data, layout, regions=regions)
        inp, kind, lay = ds._d, "frame", None
        labels, source = ds._labels, ds._source
    if not isinstance(formats, str):
        formats = ",".join(formats)
    opts = {"formats": formats, "requests": None if requests is None else [tuple(r[-3:]) for r in requests],
            "pages": bool(pages), "jobs": int(jobs), "shard": shard, "run": run, "resume": bool(resume)}
    display = _progress_display(kind, progress)
    try:
        with _Rows(labels, source):
            result = _eyemap._run_batch(inp, lay, _regions_json(regions) if kind == "file" else None, renderer._r, opts,
                                        None if out_dir is None else os.fspath(out_dir), sink, display, progress_interval)
    finally:
        if display is not None and hasattr(display, "close"):
            display.close()  # type: ignore[attr-defined]
    result["stats"] = renderer.stats()
    result["caches"] = renderer.cache_stats()
    return result

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

import inspect
import itertools
import json
import os
import re
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

# Import-time checks: a missing numpy or an extension built for another Python is reported with the
# interpreter that ran and the fix, not as a bare "No module named ..." (often a venv of pyenv's python3).
import sys as _sys

_RUNNING = f"{_sys.executable} (Python {'.'.join(map(str, _sys.version_info[:3]))})"
_FIX = ("use a venv made from Debian's Python, which has python3-numpy and python3-pandas "
        "(`/usr/bin/python3 -m venv --system-site-packages VENV`, then VENV/bin/python), "
        "or install numpy and pandas into this interpreter")
try:
    import numpy as np
except ImportError as _e:
    raise ImportError(f"eyemap needs numpy (and pandas), which this interpreter cannot import: {_RUNNING}. "
                      f"Fix: {_FIX}.", name="numpy") from _e
try:
    from . import _eyemap
except ImportError as _e:
    raise ImportError(f"eyemap's compiled module _eyemap does not load in {_RUNNING}: {_e}. It was built for "
                      f"another Python (version or ABI); rebuild or reinstall it with this interpreter "
                      f"(`{_sys.executable} -m pip install --no-build-isolation .`).", name="eyemap._eyemap") from _e
from ._errors import Error, FileError, InputError, InternalError, _with_rows

__version__: str = _eyemap.__version__

__all__ = [
    "__version__", "Error", "InputError", "FileError", "InternalError", "Request", "Dataset", "Renderer",
    "Eyemap", "EyemapGrid", "Figure", "ComparedEyemap", "render", "show", "run_batch", "builtin_regions", "DATA_COLUMNS",
    "LAYOUT_COLUMNS", "METRICS", "FORMATS", "Marks", "read_marks",
]

#: Columns of a data frame, as in the data CSV: the first five are required.
DATA_COLUMNS: Tuple[str, ...] = ("neuron_type", "region", "side", "hex1", "hex2", "synapses", "cells",
                                 "layer_synapses", "layer_cells")
#: Columns of a layout frame (the columns that exist per region and side), as in columns.csv.
LAYOUT_COLUMNS: Tuple[str, ...] = ("region", "side", "hex1", "hex2")
_STRING_COLUMNS = ("neuron_type", "region", "side")
_LAYER_COLUMNS = ("layer_synapses", "layer_cells")

PathLike = Union[str, "os.PathLike[str]"]

#: The metric identifiers and eyemap formats, from the library's vocabulary (one place for both).
METRICS: Tuple[str, ...] = tuple(_eyemap._metrics())
# A comparison's defaults (compare, compare_colormap, label_a, label_b): the library's CompareOptions.
_COMPARE_DEFAULTS: Dict[str, str] = dict(_eyemap._compare_defaults())
_METRIC_LABELS: Dict[str, str] = _eyemap._metric_labels()
_FORMAT_TABLE = tuple(_eyemap._formats())  # (name, extension, media type) per eyemap format
FORMATS: Tuple[str, ...] = tuple(f[0] for f in _FORMAT_TABLE)


def _metric_id(metric: Optional[str]) -> Optional[str]:
    """The metric's identifier; an old name gets a FutureWarning with the library's note, anything
    else an InputError from the library."""
    if metric is None or not isinstance(metric, str):
        return metric
    ident, note = _eyemap._parse_metric(metric)
    if note:
        # Attributed to the user's line: the first frame outside this package.
        frame, level = sys._getframe(1), 2
        while frame is not None and frame.f_globals.get("__name__", "").startswith("eyemap"):
            frame, level = frame.f_back, level + 1
        warnings.warn(note, FutureWarning, stacklevel=level)
    return ident


class Request(NamedTuple):
    """Which eyemap: the neuron type, region (e.g. "ME"), side ("L" or "R") and metric
    ("synapses" or "cells"; the old names "synapse_density" and "cell_count" are accepted too)."""

    type: str
    region: str
    side: str
    metric: str


def builtin_regions() -> Dict[str, List[str]]:
    """Returns the built-in regions as a dict: ``{"ME": [layer names], "LO": [...], "LOP": [...]}``."""
    return {name: list(layers) for name, layers in _eyemap._builtin_regions()}


# --- regions and errors --------------------------------------------------------------------------

def _regions_json(regions: Any) -> Any:
    """None (built-in), a dict {name: [layer names]}, a region config dict {"regions": [...]}, a
    JSON string, or a path to a JSON file -> the JSON text the C++ parser reads, or for a path a
    Path: the library reads the file (regular files only, size limit), as the CLI's --regions."""
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
        return Path(text)
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
            # Exact: UInt64 as uint64 (2**63+5 is "too large", not negative as int64 made it); with
            # NA, Python ints and NaN (float64 rounded large values).
            if x.isna().any():
                return x.to_numpy(dtype=object, na_value=np.nan)
            return x.to_numpy(dtype="uint64" if kind == "u" else "int64")
        return x.to_numpy(dtype=object)
    return _plain_array(x)


def _plain_array(x: Any) -> Any:
    """A numpy-typed column as it is; lists and tuples as an object array (each value checked by the library)."""
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


def _is_numeric(x: Any) -> bool:
    """A numeric column (numpy or pandas' nullable Int64/Float64), booleans excluded."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return False
    return getattr(dtype, "kind", "O") in "iuf"


def _value_column(x: Any) -> Any:
    """A value column for the binding: floats and integers as they are, pandas' NA as NaN (no data)."""
    dtype = getattr(x, "dtype", None)
    if hasattr(x, "to_numpy") and dtype is not None and not isinstance(dtype, np.dtype):
        if getattr(dtype, "kind", "O") in "iuf":
            return x.to_numpy(dtype="float64", na_value=np.nan)
        return x.to_numpy(dtype=object)
    return _plain_array(x)


def _columns(data: Mapping[str, Any], names: Sequence[str],
             values: Optional[Sequence[str]] = None) -> Tuple[Dict[str, Any], List[str]]:
    """The known columns converted for the binding, and the other column names. Which columns are
    required, near names of known ones ("did you mean") and equal lengths are the library's checks,
    the CSV reader's. Value columns (metrics besides the counts) are ``values`` when given (each
    must be there), else every numeric column whose name can be a value column's; each with its
    ``layer_<name>`` column when there is one. ``__values__`` lists them for the binding."""
    out: Dict[str, Any] = {}
    for c in names:
        if c not in data:
            continue
        col = data[c]
        if c in _STRING_COLUMNS:
            out[c] = _string_column(col)
        elif c in _LAYER_COLUMNS:
            out[c] = _layer_column(col)
        else:
            out[c] = _int_column(col)
    taken = set(names)
    if "hex1" in names:  # a data table (a layout has no values)
        if values is None:
            chosen = [c for c in data if c not in taken and _is_numeric(data[c]) and _eyemap._value_column_name_ok(c)]
        else:
            if isinstance(values, str):
                values = [values]
            chosen = []
            for v in values:
                _eyemap._parse_metric(str(v))  # InputError for a name no value column can have
                if v in taken or v in chosen:
                    continue
                if v not in data:
                    raise InputError(f"values: no column '{v}' in the data (its columns: {', '.join(map(str, data))})",
                                     reason="no such column", field="values", value=str(v))
                chosen.append(str(v))
        for v in chosen:
            out[v] = _value_column(data[v])
            taken.add(v)
            if f"layer_{v}" in data:
                out[f"layer_{v}"] = _layer_column(data[f"layer_{v}"])
                taken.add(f"layer_{v}")
        if chosen:
            out["__values__"] = chosen
        if values is None:
            # Found by dtype, not named: they stay among the other columns for the library's near-name
            # check, so a misspelt count column ("Cells") is still an error, never silently a value.
            return out, [c for c in data if c not in taken or c in chosen]
    return out, [c for c in data if c not in taken]


def _frame_columns(frame: Any, names: Sequence[str], source: str,
                   values: Optional[Sequence[str]] = None) -> Tuple[Dict[str, Any], List[str], Any]:
    """(columns, other column names, row labels) of a pandas DataFrame or a mapping of arrays."""
    if hasattr(frame, "columns") and hasattr(frame, "index"):  # a DataFrame
        if getattr(frame.columns, "has_duplicates", False):
            dup = frame.columns[frame.columns.duplicated()][0]
            raise InputError(f"{source}: column '{dup}': appears twice", reason="column appears twice", file=source, field=str(dup))
        data = {str(c): frame[c] for c in frame.columns}
        return (*_columns(data, names, values), frame.index)
    if isinstance(frame, Mapping):
        return (*_columns({str(k): v for k, v in frame.items()}, names, values), None)
    raise InputError(f"{source}: expected a pandas DataFrame or a dict of arrays, got {type(frame).__name__}",
                     reason="expected a pandas DataFrame or a dict of arrays", file=source)


def _neuprint_columns(frame: Any, text: Sequence[str], numbers: Sequence[str], source: str) -> Tuple[Dict[str, Any], Any]:
    """A neuPrint frame's columns for the binding (the others are not read) and its row labels."""
    if hasattr(frame, "columns") and hasattr(frame, "index"):
        data, labels = {str(c): frame[c] for c in frame.columns}, frame.index
    elif isinstance(frame, Mapping):
        data, labels = {str(k): v for k, v in frame.items()}, None
    else:
        raise InputError(f"{source}: expected a pandas DataFrame or a dict of arrays, got {type(frame).__name__}",
                         reason="expected a pandas DataFrame or a dict of arrays", file=source)
    out = {c: _string_column(data[c]) for c in text if c in data}
    out.update({c: _int_column(data[c]) for c in numbers if c in data})
    return out, labels


def _roi_names(rois: Any) -> List[str]:
    if rois is None:
        return []
    if isinstance(rois, str):
        raise InputError("all_rois: expected a list of ROI names, got a string", reason="expected a list of ROI names", field="all_rois")
    return [str(r) for r in rois]


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

    __slots__ = ("_d", "_labels", "_source", "_report")

    def __init__(self, _native: Any, _labels: Any = None, _report: Optional[Dict[str, Any]] = None) -> None:
        self._d = _native
        self._labels = _labels
        self._source = _native.source
        self._report = _report

    @classmethod
    def from_frame(cls, frame: Any, layout: Any = None, *, values: Optional[Sequence[str]] = None, regions: Any = None,
                   source: str = "DataFrame") -> "Dataset":
        """A dataset from a pandas DataFrame with the data CSV's columns (by name):

        ``neuron_type, region, side, hex1, hex2`` and optional ``synapses, cells, layer_synapses,
        layer_cells``. Integer columns may have any integer dtype (float only when every value is a
        whole number; pandas' nullable Int64 too). Layer columns hold per row a list / array of one
        value per layer of the row's region, or the CSV's ``"1;0;7"`` string, or are an n x layers
        integer array. String columns may be object, ``string`` or categorical dtype.

        Value columns: any other numeric column (float or integer dtype, pandas' nullable ones too)
        is a value that can be drawn as a metric by its name (``metric="coverage"``): float64, any
        sign; NaN / NA / None is "no data in this column"; +-inf is an error; ``layer_<name>`` holds
        its per-layer values as for the counts. ``values``: the value columns to take (names; each
        must be there, and other columns are then ignored); default every numeric column whose name
        can be a metric's (a letter, then letters, digits, ``_ - .``). Drawn by default only when the
        data has neither count. Other columns are ignored (a near-miss of a known name is an error).

        layout: an optional frame (``region, side, hex1, hex2``) of the columns that exist per
        region and side; without it, the columns seen in the data. regions: extra or replacement
        region definitions, ``{"AME": ["1", "2"]}`` (see ``builtin_regions``), a region config
        dict / JSON text, or a path to a JSON file. source: the name errors give the frame.

        Raises InputError naming the column, the row (``.row`` = index label, ``.line`` = position
        + 1) and the value for a missing column, a wrong dtype, NaN, a negative or huge value, an
        unknown region or side, a wrong number of layer values or a duplicate row.
        Returns a Dataset.
        """
        cols, ignored, labels = _frame_columns(frame, DATA_COLUMNS, source, values)
        lay, lay_ignored, lay_labels, lay_source = None, [], None, f"{source} layout"
        if layout is not None:
            lay, lay_ignored, lay_labels = _frame_columns(layout, LAYOUT_COLUMNS, lay_source)
        rj = _regions_json(regions)
        with _Rows(labels, source), _Rows(lay_labels, lay_source):
            native = _eyemap._dataset_from_columns(cols, lay, rj, source, lay_source, ignored, lay_ignored)
        return cls(native, labels)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], layout: Optional[Mapping[str, Any]] = None, *,
                    values: Optional[Sequence[str]] = None, regions: Any = None, source: str = "arrays") -> "Dataset":
        """A dataset from a dict of columns (numpy arrays or lists), named as in ``from_frame``
        (value columns too); ``layout`` likewise a dict (``region, side, hex1, hex2``). Rows in
        errors are positions. Returns a Dataset."""
        return cls.from_frame(arrays, layout, values=values, regions=regions, source=source)

    @classmethod
    def from_csv(cls, data: PathLike, layout: Optional[PathLike] = None, *, values: Optional[Sequence[str]] = None,
                 regions: Any = None, types: Optional[Union[str, Sequence[str]]] = None) -> "Dataset":
        """A dataset from the data CSV (``data``) and optionally the layout CSV (``layout``, e.g.
        columns.csv), read by the C++ reader exactly as ``eyemap render --data --columns`` does
        (errors give the file and line). ``values``: value columns to read besides the counts, by
        name (as ``--metric coverage``: float64, empty or NaN = no data). ``types``: keep only these
        types' rows (a name or a list), as ``eyemap render --type`` does: every row is still read and
        checked and the layout is still every row's, but memory holds only theirs (a few types of a
        large release); a name the file lacks is an InputError naming the closest type. Returns a Dataset."""
        names = [values] if isinstance(values, str) else list(values or [])
        kept = [types] if isinstance(types, str) else list(types or [])
        native = _eyemap._dataset_from_csv(os.fspath(data), None if layout is None else os.fspath(layout), _regions_json(regions),
                                           [str(v) for v in names], [str(t) for t in kept])
        return cls(native)

    @classmethod
    def from_neuprint(cls, neurons: Any, roi_counts: Any, *, soma_side: str = "combined", synapses: str = "total",
                      all_rois: Optional[Sequence[str]] = None, regions: Any = None, source: str = "neuPrint") -> "Dataset":
        """A dataset from the two frames of neuprint-python's ``fetch_neurons`` (as they come):

        ``neurons`` (``bodyId``, ``type``, ``somaSide``, ...) and ``roi_counts`` (``bodyId``, ``roi``,
        ``pre``, ``post``, ...). The column ROIs ``(ME|LO|LOP)_[LR]_col_<hex1>_<hex2>`` (decimal, else
        hexadecimal, as neuView parses them) give per type, region, side and column ``cells`` (distinct
        bodies) and ``synapses``: pre + post (``synapses="total"``), or ``"pre"`` / ``"post"`` alone.
        soma_side: the neurons counted, as neuView's pages: ``"L"``, ``"R"`` or ``"combined"`` (all); a
        neuron's side is its ``rootSide`` where the frame has one (male CNS, hemibrain), else ``somaSide``.
        all_rois: every ROI name of the dataset (``fetch_all_rois()``): its column ROIs are the layout,
        so columns no neuron reaches are drawn too; without it, the columns seen.

        Other ROI rows are ignored and counted: ``import_report``. Raises InputError naming the frame
        and the columns it lacks, or the row, column and value of a bad value (docs/neuprint.md).
        Returns a Dataset."""
        nsrc, rsrc = f"{source} neurons", f"{source} roi_counts"
        ncols, nlabels = _neuprint_columns(neurons, ("type", "somaSide", "rootSide"), ("bodyId",), nsrc)
        rcols, rlabels = _neuprint_columns(roi_counts, ("roi",), ("bodyId", "pre", "post"), rsrc)
        with _Rows(nlabels, nsrc), _Rows(rlabels, rsrc):
            native, report = _eyemap._dataset_from_neuprint(ncols, rcols, soma_side, synapses, _roi_names(all_rois),
                                                            _regions_json(regions), nsrc, rsrc)
        return cls(native, None, report)

    @classmethod
    def from_neuview_layers(cls, layers: Any, neuron_type: str, *, all_rois: Optional[Sequence[str]] = None,
                            regions: Any = None, source: str = "neuView layers") -> "Dataset":
        """A dataset of one type from neuView's per-layer query result (its
        ``_build_column_layer_query``: one row per ``hex1, hex2, layer, region, side, bodyId`` with
        ``total_synapses``), summed as neuView's column analysis does: ``layer_synapses`` (per layer),
        ``layer_cells`` (distinct bodies per layer), ``synapses`` (the sum of the layers) and ``cells``
        (distinct bodies of the column). Rows without layer, region or side are dropped, as neuView
        drops them, and counted in ``import_report``. all_rois, regions: as for ``from_neuprint``.
        Returns a Dataset."""
        _check_type_name(neuron_type)
        cols, labels = _neuprint_columns(layers, ("region", "side"), ("hex1", "hex2", "layer", "total_synapses", "bodyId"), source)
        with _Rows(labels, source):
            native, report = _eyemap._dataset_from_neuview_layers(cols, neuron_type, _roi_names(all_rois), _regions_json(regions), source)
        return cls(native, None, report)

    @property
    def import_report(self) -> Dict[str, Any]:
        """For ``from_neuprint`` / ``from_neuview_layers``: the rows read and those left out (``rows``,
        ``not_column_roi``, ``not_selected``, ``no_layer``, a few ``examples`` of ROI names); else {}."""
        return dict(self._report) if self._report else {}

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
    def values(self) -> List[str]:
        """The value columns the data has (metrics besides the counts), in order: e.g. ["coverage"]."""
        return self._d.values

    @property
    def metrics(self) -> List[str]:
        """The metrics drawn when none is chosen: the counts the data has, or with neither its value columns."""
        return self._d.default_metrics

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
        narrowed by region / side ("L", "R") / metric ("synapses", "cells") as
        ``eyemap render --region --side --metric`` does. InputError when nothing matches."""
        metric = _metric_id(metric)
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


_FORMATS = {"." + ext: name for name, ext, _ in _FORMAT_TABLE}  # a file's extension -> its format


class Eyemap:
    """One rendered eyemap: ``request`` (type, region, side, metric), ``counts``, ``svg`` (str),
    ``png(scale)`` / ``pdf()`` bytes, ``save(path)``; displayed by notebooks (interactive SVG,
    each display with its own SVG id so several never clash)."""

    __slots__ = ("request", "counts", "_renderer", "_dataset", "_bytes", "_words")

    def __init__(self, request: Request, counts: Dict[str, int], renderer: "Renderer", dataset: Dataset,
                 data: Dict[str, Any]) -> None:
        self.request = request
        #: has_data / no_data: columns of the region with and without a value; not_in_region: the rest of the grid.
        self.counts = counts
        self._renderer = renderer
        self._dataset = dataset
        self._bytes = data  # format -> str (svg) or bytes (png, pdf)
        self._words: Optional[Tuple[str, str]] = None  # a value metric's (label, unit), for renders on demand

    neuron_type = property(lambda self: self.request.type, doc="The neuron type.")
    region = property(lambda self: self.request.region, doc="The region, e.g. 'ME'.")
    side = property(lambda self: self.request.side, doc="'L' or 'R'.")
    metric = property(lambda self: self.request.metric, doc="'synapses' or 'cells'.")

    def __repr__(self) -> str:
        t, r, s, m = self.request
        return f"<eyemap.Eyemap {t} {r} {s} {m}: {self.counts['has_data']} columns with data>"

    def _render(self, fmt: str, **overrides: Any) -> Any:
        return self._renderer._render_one(self._dataset, self.request, fmt, overrides, self._words)

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
        _eyemap._write_output(os.fsencode(p), data)  # atomic; FileError keeps the previous file
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

    def __init__(self, eyemaps: List[Eyemap], title: str = "", columns: int = 0, empty_maps: bool = True) -> None:
        self.eyemaps = eyemaps
        self.title = title
        self.columns = columns
        #: False: as the release pages, a region without data is one line "no data in LO", an eyemap
        #: without data "no data in LO (R, Synapse count)"; True: every eyemap drawn.
        self.empty_maps = empty_maps

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
        if self.empty_maps:
            cells = "".join(
                f'<figure style="margin:0">{e.display_svg()}<figcaption style="font:12px sans-serif">'
                f'{_html.escape(" ".join(e.request))}</figcaption></figure>' for e in self.eyemaps)
        else:
            cells = self._cells_without_empty_maps()
        head = f'<h3 style="font-family:sans-serif">{_html.escape(self.title)}</h3>' if self.title else ""
        return f'{head}<div class="eyemap-grid" style="display:grid;grid-template-columns:{cols};gap:8px">{cells}</div>'

    def _cells_without_empty_maps(self) -> str:
        # The release pages' wording (templates/page.html.mustache), in the grid's order.
        import html as _html
        font = "font:12px sans-serif"
        empty_regions = {e.region for e in self.eyemaps} - {e.region for e in self.eyemaps if e.counts["has_data"]}
        shown, out = set(), []
        for e in self.eyemaps:
            region = _html.escape(e.region)
            if e.region in empty_regions:
                if e.region not in shown:
                    shown.add(e.region)
                    out.append(f'<p class="em-nodata" style="{font}">no data in {region}</p>')
                continue
            caption = f'<figcaption style="{font}">{_html.escape(" ".join(e.request))}</figcaption>'
            if e.counts["has_data"]:
                out.append(f'<figure style="margin:0">{e.display_svg()}{caption}</figure>')
            else:
                label = _html.escape(_METRIC_LABELS.get(e.metric, e.metric))
                out.append(f'<figure style="margin:0"><p class="em-nodata" style="{font}">no data in {region} '
                           f'({_html.escape(e.side)}, {label})</p>{caption}</figure>')
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: PathLike) -> Path:
        """Writes a standalone HTML page of the grid. Returns the path."""
        import html as _html
        p = Path(path)
        page = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_html.escape(self.title)}</title></head>'
                f"<body>{self.html()}</body></html>\n")
        _eyemap._write_output(os.fsencode(p), page.encode("utf-8"))  # the same output rule as Eyemap.save
        return p


def _refuse_compare_keywords(**given: Any) -> None:
    """Comparison keywords without a baseline: an InputError (they would do nothing)."""
    defaults = {"compare": _COMPARE_DEFAULTS["compare"], "label_a": None, "label_b": None,
                "compare_colormap": _COMPARE_DEFAULTS["compare_colormap"]}
    for name, value in given.items():
        if value != defaults[name]:
            raise InputError(f"{name}: applies to a comparison: give baseline= or baseline_type=",
                             reason="applies to a comparison", field=name, value=str(value))


class ComparedEyemap:
    """One eyemap of a comparison (``Renderer.compare``): ``part`` "a", "b" or "difference", its
    ``request`` (the difference's metric is the derived one, e.g. "synapses_diff"), ``counts``,
    ``svg`` (str) / ``png`` / ``pdf`` bytes for the formats rendered, ``save(folder)``; notebooks show the SVG."""

    __slots__ = ("part", "request", "counts", "_stem", "_bytes")

    def __init__(self, part: str, request: "Request", counts: Dict[str, int], stem: str) -> None:
        self.part = part
        self.request = request
        self.counts = counts
        self._stem = stem
        self._bytes: Dict[str, Any] = {}

    def __repr__(self) -> str:
        r = self.request
        return f"<eyemap.ComparedEyemap {self.part} {r.type} {r.region} {r.side} {r.metric}>"

    def _get(self, fmt: str) -> Any:
        if fmt not in self._bytes:
            raise InputError(f"format '{fmt}' was not rendered: pass formats=[..., '{fmt}'] to compare()",
                             reason="not rendered", field="formats", value=fmt)
        return self._bytes[fmt]

    @property
    def svg(self) -> str:
        """The SVG (str), the same bytes as ``eyemap render --baseline``."""
        return self._get("svg")  # type: ignore[no-any-return]

    def png(self) -> bytes:
        """The PNG bytes (formats must include "png")."""
        return self._get("png")  # type: ignore[no-any-return]

    def pdf(self) -> bytes:
        """The PDF bytes (formats must include "pdf")."""
        return self._get("pdf")  # type: ignore[no-any-return]

    @property
    def file_name(self) -> str:
        """The file name ``eyemap render --baseline --out-dir`` writes for the SVG."""
        return self._stem + ".svg"

    def save(self, folder: Union[str, "os.PathLike[str]"]) -> List[str]:
        """Writes each rendered format into ``folder`` under the CLI's file names; returns the paths."""
        paths = []
        for fmt, data in self._bytes.items():
            path = os.path.join(os.fspath(folder), f"{self._stem}.{fmt}")
            with open(path, "wb") as f:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            paths.append(path)
        return paths

    def _repr_svg_(self) -> Optional[str]:
        return self._bytes.get("svg")


class Figure:
    """Many eyemaps in one picture (``Renderer.figure``; ``eyemap figure``): a grid of panels with
    one legend (or one per row or column), sized in millimetres with text in points. ``svg`` (str),
    ``pdf()`` / ``png(dpi)`` bytes, ``save(path)``; displayed by notebooks as SVG, each display with
    an SVG id of its own so several never clash."""

    __slots__ = ("_renderer", "_dataset", "_request", "_bytes", "width_mm", "height_mm", "rows", "columns", "_baseline")

    def __init__(self, renderer: "Renderer", dataset: Dataset, request: Dict[str, Any], baseline: Optional[Dataset] = None) -> None:
        self._renderer = renderer
        self._dataset = dataset
        self._baseline = baseline
        self._request = request
        self._bytes: Dict[str, Any] = {}
        self.width_mm = 0.0
        self.height_mm = 0.0
        self.rows = 0
        self.columns = 0

    def __repr__(self) -> str:
        return (f"<eyemap.Figure {self.rows} x {self.columns} panels ({self._request.get('rows', 'types')} x "
                f"{self._request.get('columns', 'regions')}), {self.width_mm:.1f} x {self.height_mm:.1f} mm>")

    def _render(self, fmt: str, **overrides: Any) -> Any:
        req = dict(self._request, **overrides)
        with _Rows(self._dataset._labels, self._dataset._source):
            out = self._renderer._r.render_figure(self._dataset._d, req, [fmt],
                                                  self._baseline._d if self._baseline is not None else None)
        f, data, w, h, rows, cols, note = out[0]
        self.width_mm, self.height_mm, self.rows, self.columns = w, h, rows, cols
        if note:
            warnings.warn(note, RuntimeWarning, stacklevel=3)
        return data

    @property
    def svg(self) -> str:
        """The SVG (str): width and height in mm, hexagons with their tooltips, the same bytes as ``eyemap figure``."""
        if "svg" not in self._bytes:
            self._bytes["svg"] = self._render("svg")
        return self._bytes["svg"]  # type: ignore[no-any-return]

    def pdf(self) -> bytes:
        """Returns the PDF bytes: one vector page of the figure's size, the font subset embedded."""
        if "pdf" not in self._bytes:
            self._bytes["pdf"] = self._render("pdf")
        return self._bytes["pdf"]  # type: ignore[no-any-return]

    def png(self, dpi: Optional[float] = None) -> bytes:
        """Returns PNG bytes at ``dpi`` pixels per inch (default: the figure's, 300)."""
        if dpi is not None:
            return self._render("png", dpi=dpi)  # type: ignore[no-any-return]
        if "png" not in self._bytes:
            self._bytes["png"] = self._render("png")
        return self._bytes["png"]  # type: ignore[no-any-return]

    def save(self, path: PathLike, *, dpi: Optional[float] = None) -> Path:
        """Writes the figure to ``path`` in the format its extension names (.svg, .png, .pdf;
        InputError otherwise), atomically. Returns the path."""
        p = Path(path)
        fmt = _FORMATS.get(p.suffix.lower())
        if fmt is None:
            raise InputError(f"{p}: cannot tell the format from the file name: use .svg, .png or .pdf",
                             reason="cannot tell the format from the file name: use .svg, .png or .pdf", field="path", value=str(p))
        data = self.svg.encode("utf-8") if fmt == "svg" else self.png(dpi) if fmt == "png" else self.pdf()
        _eyemap._write_output(os.fsencode(p), data)
        return p

    def display_svg(self) -> str:
        """Returns the SVG (str) with an SVG id of its own (a fresh one each call), for inlining several copies
        of the same figure into one page or notebook without id clashes."""
        with _display_lock:
            n = next(_display_ids)
        return self._render("svg", svg_id=f"fg{n}")  # type: ignore[no-any-return]

    def _repr_svg_(self) -> str:
        return self.display_svg()

    def _repr_html_(self) -> str:
        return f'<div class="eyemap-figure" style="display:inline-block">{self.display_svg()}</div>'


# --- the renderer ------------------------------------------------------------------------------------

_MARK_COLUMNS: Tuple[str, ...] = ("region", "side", "hex1", "hex2", "set", "style", "colour")


#: Column sets read for ``Renderer(marks=...)``: ``.sets`` [(name, style, colour)], ``.rows`` (a count).
Marks = _eyemap._Marks


def read_marks(marks: Any, *, regions: Any = None, source: str = "marks") -> "Marks":
    """Marks (column sets to draw) from a pandas DataFrame, a dict of arrays or a CSV path, as
    ``Renderer(marks=...)`` reads them, checked against ``regions`` (as ``Dataset.from_frame``'s:
    extra or replacement region definitions; default the built-in ones). Returns a Marks for
    ``Renderer(marks=...)``. Raises InputError naming the row, column and value."""
    return _marks(marks, source, _regions_json(regions))


def _marks(marks: Any, source: str = "marks", regions_json: Any = None) -> Any:
    """Renderer(marks=...) for the binding: None, Marks, a CSV path, or a frame / dict of arrays
    (converted only here; every rule is the library's marks reader's)."""
    if marks is None or isinstance(marks, _eyemap._Marks):
        return marks
    if isinstance(marks, (str, os.PathLike)):
        return _eyemap._read_marks(os.fspath(marks), regions_json)
    if hasattr(marks, "columns") and hasattr(marks, "index"):
        data, labels = {str(c): marks[c] for c in marks.columns}, marks.index
    elif isinstance(marks, Mapping):
        data, labels = {str(k): v for k, v in marks.items()}, None
    else:
        raise InputError(f"marks: expected a pandas DataFrame, a dict of arrays or a CSV path, got {type(marks).__name__}",
                         reason="expected a pandas DataFrame, a dict of arrays or a CSV path", field="marks")
    cols = {c: (_int_column(data[c]) if c in ("hex1", "hex2") else _string_column(data[c])) for c in _MARK_COLUMNS if c in data}
    ignored = [c for c in data if c not in _MARK_COLUMNS]
    with _Rows(labels, source):
        return _eyemap._marks_from_columns(cols, regions_json, source, ignored)


class Renderer:
    """Draws eyemaps with fixed options (every rendering option of the command line) and owns
    its caches and statistics. Safe to use from several threads at once; the GIL is released
    while it renders.

    Options are keywords, listed below from the library's one declaration of them
    (``eyemap._eyemap.option_schema()``); color_min / color_max imply color_scale="fixed", which
    needs both. ``style`` is a dict of the Style settings listed after the options; ``caches`` is
    True/False or {"coordinates"|"colours"|"metadata": True/False or {"enabled", "max_entries",
    "max_bytes"}}.

    ``marks``: column sets to mark on every eyemap and figure panel of their region and side (the
    CLI's ``--marks FILE``): a pandas DataFrame or a dict of arrays with columns ``region, side,
    hex1, hex2, set`` and optional ``style`` ("outline": the hexagon outlined, "marker": a dot in
    it, "dim": every other hexagon faded; default outline) and ``colour`` ("#rrggbb"; default the
    Okabe-Ito colours in order of the sets), given once per set; or a path to such a CSV. Each set
    gets a legend entry. Regions are the built-in ones (other regions: ``read_marks(..., regions=)``,
    whose Marks ``marks=`` takes too). At most 64 sets; a set's name is one line
    of 1..64 bytes. Errors name the row (``.row``), column and value, as ``Dataset.from_frame``'s.

    Raises InputError naming the option for a value out of range, TypeError for an unknown keyword
    (both with "did you mean").
    """

    def __init__(self, *, marks: Any = None, **options: Any) -> None:
        # The library fills the defaults and checks every keyword (with "did you mean").
        opts = {k: dict(v) if k in ("style", "caches") and isinstance(v, Mapping) else v for k, v in options.items()}
        native_marks = _marks(marks)
        try:
            self._r = _eyemap._Renderer(opts, native_marks)
        except InputError as e:
            if e.field in opts and e.field not in _OPTION_NAMES:  # an unknown keyword is a TypeError in Python
                raise TypeError(str(e)) from None
            raise
        self._layer = self._r.options()["layer"]

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

    def _render_one(self, dataset: Dataset, req: Request, fmt: str, overrides: Dict[str, Any],
                    words: Optional[Tuple[str, str]] = None) -> Any:
        out = self._native_render(dataset, req.type, [tuple(req[1:]) + (words or ())], [fmt], overrides or None)
        return out[0][4]

    def render(self, dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
               metric: Optional[Union[str, Sequence[str]]] = None, formats: Sequence[str] = ("svg",),
               labels: Optional[Mapping[str, str]] = None, units: Optional[Mapping[str, str]] = None) -> List[Eyemap]:
        """Renders one type's eyemaps: all of them (up to 12: regions x sides x metrics the layout
        and data allow), or those of ``region`` / ``side`` ("L", "R") / ``metric`` ("synapses",
        "cells", a value column's name, or a list of them), as ``eyemap render --region --side
        --metric`` selects. ``labels`` / ``units``: a value metric's words, {"coverage": "Coverage"},
        {"coverage": "%"}, shown as "Coverage (%)" (``--label``, ``--unit``).
        ``formats``: any of "svg", "png", "pdf" rendered now (the others on demand).
        Returns a list of Eyemap in region, side, metric order. InputError for an unknown type
        (with a "did you mean"), region, side or metric, or a layer the eyemap lacks."""
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",")]
        reqs = dataset.requests(neuron_type, region, side, metric)
        words: Dict[str, Tuple[str, str]] = {}
        for given, at in ((labels or {}, 0), (units or {}, 1)):
            for name, text in dict(given).items():
                if name not in {r.metric for r in reqs}:
                    raise InputError(f"{'units' if at else 'labels'}: '{name}' is not a metric drawn here",
                                     reason="not a metric drawn here", field="units" if at else "labels", value=str(name))
                pair = list(words.get(name, ("", "")))
                pair[at] = str(text)
                words[name] = (pair[0], pair[1])
        out = self._native_render(dataset, neuron_type, [tuple(r[1:]) + words.get(r.metric, ()) for r in reqs], formats, None)
        by_req: Dict[Tuple[str, str, str], Eyemap] = {}
        result: List[Eyemap] = []
        for region_, side_, metric_, fmt, data, has, no, notin in out:
            key = (region_, side_, metric_)
            e = by_req.get(key)
            if e is None:
                e = by_req[key] = Eyemap(Request(neuron_type, *key), {"has_data": has, "no_data": no, "not_in_region": notin},
                                         self, dataset, {})
                if metric_ in words:
                    e._words = words[metric_]
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

    def figure(self, dataset: Dataset, *, rows: str = "types", columns: str = "regions",
               types: Optional[Union[str, Sequence[str]]] = None, regions: Optional[Union[str, Sequence[str]]] = None,
               sides: Optional[Union[str, Sequence[str]]] = None, metrics: Optional[Union[str, Sequence[str]]] = None,
               layers: Optional[Sequence[int]] = None, width_mm: float = 180, font_pt: float = 7,
               font_family: str = "Liberation Sans", line_pt: float = 0.25, background: Optional[str] = None,
               legend: str = "figure", panel_labels: str = "axes", dpi: float = 300, svg_id: Optional[str] = None,
               formats: Sequence[str] = ("svg",), labels: Optional[Mapping[str, str]] = None,
               units: Optional[Mapping[str, str]] = None, baseline: Optional[Dataset] = None,
               baseline_type: Optional[str] = None, datasets: Optional[Union[str, Sequence[str]]] = None,
               compare: str = _COMPARE_DEFAULTS["compare"], label_a: Optional[str] = None, label_b: Optional[str] = None,
               compare_colormap: str = _COMPARE_DEFAULTS["compare_colormap"]) -> Figure:
        """Many eyemaps in one picture (``eyemap figure``): ``rows`` and ``columns`` each one of
        "types", "regions", "sides", "metrics", "layers", whose values ``types`` / ``regions`` /
        ``sides`` ("L", "R") / ``metrics`` / ``layers`` (0 = all layers) list (None: all the data has;
        layers must be listed); every other one takes one value. One colour scale per legend
        (``legend``: "figure", "row" or "column"), pooled over the values its panels draw.
        ``width_mm`` wide (the height follows), text ``font_pt`` points in ``font_family``, hexagon
        outlines ``line_pt`` points, ``background`` "#rrggbb" or None (transparent), ``panel_labels``
        "axes", "panels" or "none" (``--labels``), PNG at ``dpi``. ``labels`` / ``units``: a value
        metric's words, as ``render`` takes them ({"coverage": "Coverage"}, {"coverage": "%"}).
        ``formats`` are rendered now (the others on demand), so errors show here.
        Compare (``eyemap figure --baseline``): ``baseline`` is dataset B (or ``baseline_type`` a type
        of ``dataset`` itself); "datasets" may then be ``rows`` or ``columns``, with ``datasets`` among
        "a", "b", "difference" (default all three; off the axes: the difference). A and B share their
        legends' locked scale, the difference (``compare``: "difference" = A - B, or "log2") has its
        own, on ``compare_colormap`` centred at 0; ``label_a`` / ``label_b`` name the two.
        Returns a Figure; InputError names the keyword at fault."""
        if baseline is not None and not isinstance(baseline, Dataset):
            raise InputError(f"baseline: expected an eyemap.Dataset, got {type(baseline).__name__}",
                             reason="expected an eyemap.Dataset", field="baseline")
        if not isinstance(dataset, Dataset):
            raise InputError(f"dataset: expected an eyemap.Dataset, got {type(dataset).__name__}",
                             reason="expected an eyemap.Dataset", field="dataset")
        req: Dict[str, Any] = {"rows": rows, "columns": columns, "width_mm": width_mm, "font_pt": font_pt,
                               "font_family": font_family, "line_pt": line_pt, "background": background or "none",
                               "legend": legend, "labels": panel_labels, "dpi": dpi}
        for key, value in (("types", types), ("regions", regions), ("sides", sides), ("metrics", metrics)):
            if value is not None:
                req[key] = [value] if isinstance(value, str) else list(value)
        if metrics is not None:
            req["metrics"] = [_metric_id(m) for m in req["metrics"]]
        if labels or units:
            if metrics is None:
                req["metrics"] = list(dataset.metrics)
            words: Dict[str, Tuple[str, str]] = {}
            for given, at in ((labels or {}, 0), (units or {}, 1)):
                for name, text in dict(given).items():
                    pair = list(words.get(name, ("", "")))
                    pair[at] = str(text)
                    words[name] = (pair[0], pair[1])
            req["metric_words"] = words
        if layers is not None:
            req["layers"] = [layers] if isinstance(layers, int) else list(layers)
        if svg_id is not None:
            req["svg_id"] = svg_id
        if baseline_type is not None and baseline is None:
            baseline = dataset
        if baseline is not None:
            # label_a/label_b None: the library's defaults
            req.update({"compare": compare, "label_a": label_a, "label_b": label_b, "compare_colormap": compare_colormap})
            if baseline_type is not None:
                req["baseline_type"] = baseline_type
        else:
            _refuse_compare_keywords(compare=compare, label_a=label_a, label_b=label_b, compare_colormap=compare_colormap)
        if datasets is not None:
            if not isinstance(datasets, str) and not (isinstance(datasets, Sequence) and all(isinstance(d, str) for d in datasets)):
                raise InputError(f"datasets: expected 'a', 'b', 'difference' or a list of them, got {datasets!r}",
                                 reason="expected a, b or difference", field="datasets", value=repr(datasets))
            req["datasets"] = [datasets] if isinstance(datasets, str) else list(datasets)
        fig = Figure(self, dataset, req, baseline)
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",")]
        for f in formats:
            fig._bytes[f] = fig._render(f)
        return fig

    def compare(self, dataset: Dataset, neuron_type: str, baseline: Optional[Dataset] = None, *,
                baseline_type: Optional[str] = None, region: Optional[str] = None, side: Optional[str] = None,
                metric: Optional[Union[str, Sequence[str]]] = None, formats: Sequence[str] = ("svg",),
                compare: str = _COMPARE_DEFAULTS["compare"], label_a: str = _COMPARE_DEFAULTS["label_a"],
                label_b: str = _COMPARE_DEFAULTS["label_b"],
                compare_colormap: str = _COMPARE_DEFAULTS["compare_colormap"]) -> List["ComparedEyemap"]:
        """Compares a type of ``dataset`` (A) with the same type of ``baseline`` (B), or with type
        ``baseline_type`` (of ``baseline``, or of ``dataset`` when no baseline is given), as ``eyemap
        render --baseline`` does: per selected eyemap, A and B on one locked scale and their difference
        ("difference": A - B, a count missing on one side counting 0; "log2": log2(A/B) where both have
        data), on ``compare_colormap`` centred at 0. Returns a list of ComparedEyemap (``part`` "a", "b",
        "difference"), per eyemap in that order."""
        if baseline is None:
            if baseline_type is None:
                raise InputError("compare: give a baseline dataset or a baseline_type", reason="nothing to compare with",
                                 field="baseline")
            baseline = dataset
        for name, d in (("dataset", dataset), ("baseline", baseline)):
            if not isinstance(d, Dataset):
                raise InputError(f"{name}: expected an eyemap.Dataset, got {type(d).__name__}",
                                 reason="expected an eyemap.Dataset", field=name)
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",")]
        # On the two layouts together (a region or side only the baseline has is drawn too), as the CLI does.
        found: List[Tuple[str, str, str]] = []
        first_error: Optional[InputError] = None
        for d, name in ((dataset, neuron_type), (baseline, baseline_type or neuron_type)):
            try:
                for r in d.requests(name, region, side, metric):
                    if tuple(r[1:]) not in found:
                        found.append(tuple(r[1:]))
            except InputError as e:
                first_error = first_error or e
        if not found and first_error is not None:
            raise first_error
        reqs = found
        if metric is None:  # the default metrics: those both datasets have
            reqs = [r for r in reqs if r[2] in baseline.metrics and r[2] in dataset.metrics]
        opts = {"compare": compare, "label_a": label_a, "label_b": label_b, "compare_colormap": compare_colormap}
        if baseline_type is not None:
            opts["baseline_type"] = baseline_type
        with _Rows(dataset._labels, dataset._source):
            out = self._r.render_compare(dataset._d, baseline._d, neuron_type, opts, reqs, list(formats))
        result: List[ComparedEyemap] = []
        by_key: Dict[Tuple[str, str, str, str], ComparedEyemap] = {}
        for part, region_, side_, metric_, fmt, data, has, no, notin, file_name in out:
            key = (part, region_, side_, metric_)
            e = by_key.get(key)
            if e is None:
                stem = file_name.rsplit(".", 1)[0]
                e = by_key[key] = ComparedEyemap(part, Request(neuron_type, region_, side_, metric_),
                                                 {"has_data": has, "no_data": no, "not_in_region": notin}, stem)
                result.append(e)
            e._bytes[fmt] = data
        return result

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


_OPTION_NAMES = frozenset(f["name"] for f in _eyemap.option_schema() if f["group"] == "option")


def _schema_doc() -> str:
    """The options and Style settings of the schema as docstring lines."""
    def line(f: Dict[str, Any]) -> str:
        default = "None" if f["default"] is None else repr(f["default"])
        what = f["help"]
        if f["choices"]:
            what += " (" + " | ".join(repr(c) for c in f["choices"]) + ")"
        elif f["range"]:
            what += f" ({f['range']})"
        flag = f" [{f['flag']}]" if f["flag"] else ""
        return f"      {f['name']}={default}{flag}: {what}"
    schema = _eyemap.option_schema()
    return ("\n    Options:\n" + "\n".join(line(f) for f in schema if f["group"] == "option")
            + "\n\n    Style settings (style={...}; the CLI's --style KEY=VALUE):\n"
            + "\n".join(line(f) for f in schema if f["group"] == "style") + "\n")


def _schema_signature() -> inspect.Signature:
    """Renderer(...)'s keywords and defaults from the schema, for help() and IDEs (the stub has the types)."""
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    params += [inspect.Parameter(f["name"], inspect.Parameter.KEYWORD_ONLY, default=f["default"])
               for f in _eyemap.option_schema() if f["group"] == "option"]
    params.append(inspect.Parameter("marks", inspect.Parameter.KEYWORD_ONLY, default=None))  # data, not a schema option
    return inspect.Signature(params, return_annotation=None)


Renderer.__doc__ = (Renderer.__doc__ or "") + _schema_doc()
Renderer.__init__.__signature__ = _schema_signature()  # type: ignore[attr-defined]


def render(dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
           metric: Optional[Union[str, Sequence[str]]] = None, formats: Sequence[str] = ("svg",),
           labels: Optional[Mapping[str, str]] = None, units: Optional[Mapping[str, str]] = None, **options: Any) -> List[Eyemap]:
    """``Renderer(**options).render(dataset, neuron_type, ...)``: one type's eyemaps. Returns a list of Eyemap."""
    return Renderer(**options).render(dataset, neuron_type, region=region, side=side, metric=metric, formats=formats,
                                      labels=labels, units=units)


def show(dataset: Dataset, neuron_type: str, *, region: Optional[str] = None, side: Optional[str] = None,
         metric: Optional[str] = None, columns: int = 0, empty_maps: bool = False, **options: Any) -> EyemapGrid:
    """A type's eyemaps as one grid for a notebook (the last expression of a cell displays it).
    As the release pages: a region without data reads "no data in LO", an eyemap without data
    "no data in LO (R, Synapse count)"; ``empty_maps=True`` draws them as maps. ``options`` as for
    Renderer. Returns an EyemapGrid."""
    grid = Renderer(**options).grid(dataset, neuron_type, region=region, side=side, metric=metric, columns=columns)
    grid.empty_maps = empty_maps
    return grid


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
              progress_interval: float = 0.1, baseline: Optional[Dataset] = None, compare: str = _COMPARE_DEFAULTS["compare"],
              label_a: Optional[str] = None, label_b: Optional[str] = None, compare_colormap: str = _COMPARE_DEFAULTS["compare_colormap"],
              **options: Any) -> Dict[str, Any]:
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
    baseline: a Dataset each type is compared with (``eyemap batch --baseline``): pages get a compare
    section (A and B on one locked scale, their difference by ``compare``: "difference" or "log2", on
    ``compare_colormap``), the index a change column; ``label_a`` / ``label_b`` name the two.
    Ctrl-C (KeyboardInterrupt) stops cleanly as the CLI does: workers finish or drop their type,
    a run folder's manifest records the finished types, no partial file is left; then the
    KeyboardInterrupt is raised.

    Returns a dict: rows_read, types_seen, types_in_shard, types_rendered, types_reused,
    eyemaps_rendered, files, bytes, cancelled, seconds, jobs; run, run_dir, manifest, index_types
    (with out_dir); files (sink="memory"); stats and caches (the renderer's statistics).
    """
    if renderer is None:
        if isinstance(data, (str, os.PathLike)) and (options.get("dataset_label") or options.get("dataset_version")) \
                and not options.get("input_digest"):
            # A named dataset's input identity, as the CLI gives it: the data file's digest (the run manifest's).
            digest = _eyemap._data_file_digest(os.fspath(data))
            if digest:
                options["input_digest"] = digest
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
    if requests is not None:
        requests = [(*tuple(r[-3:-1]), _metric_id(r[-1])) for r in requests]
    opts = {"formats": formats, "requests": requests,
            "pages": bool(pages), "jobs": int(jobs), "shard": shard, "run": run, "resume": bool(resume)}
    if baseline is not None:
        if not isinstance(baseline, Dataset):
            raise InputError(f"baseline: expected an eyemap.Dataset, got {type(baseline).__name__}",
                             reason="expected an eyemap.Dataset", field="baseline")
        opts["baseline"] = baseline._d
        # label_a/label_b None: the library's defaults
        opts["compare"] = {"compare": compare, "label_a": label_a, "label_b": label_b, "compare_colormap": compare_colormap}
    else:
        _refuse_compare_keywords(compare=compare, label_a=label_a, label_b=label_b, compare_colormap=compare_colormap)
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

"""Errors: eyemap.Error subclasses naming the column, the row (DataFrame index label) and the value;
never a crash. Includes Hypothesis property tests on random frames."""
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eyemap


def frame(**over):
    base = {"neuron_type": ["A", "A", "B"], "region": ["ME", "ME", "LO"], "side": ["R", "R", "L"],
            "hex1": [1, 2, 3], "hex2": [4, 5, 6], "synapses": [1, 2, 3], "cells": [1, 1, 0]}
    base.update(over)
    return pd.DataFrame(base, index=["r0", "r1", "r2"])


def raises(df, field, row, match, cls=eyemap.InputError, **kw):
    with pytest.raises(cls) as e:
        eyemap.Dataset.from_frame(df, **kw)
    err = e.value
    assert isinstance(err, eyemap.Error) and isinstance(err, ValueError)
    assert err.field == field, str(err)
    assert err.row == row, str(err)
    assert err.kind == "input"
    assert match in str(err), str(err)
    if row is not None:
        assert repr(row) in str(err) and (not field or f"column '{field}'" in str(err))
    return err


def test_hierarchy():
    assert issubclass(eyemap.InputError, eyemap.Error) and issubclass(eyemap.InputError, ValueError)
    assert issubclass(eyemap.FileError, eyemap.Error) and issubclass(eyemap.FileError, OSError)
    assert issubclass(eyemap.InternalError, eyemap.Error)


def test_missing_column():
    df = frame().drop(columns=["hex2"])
    err = raises(df, "hex2", None, "missing required column")
    assert err.line == 0


def test_near_miss_column():
    df = frame().rename(columns={"synapses": "synapse"})
    raises(df, "synapse", None, "did you mean 'synapses'")


def test_nan_names_row():
    err = raises(frame(hex1=[1.0, float("nan"), 3.0]), "hex1", "r1", "NaN")
    assert err.line == 2


def test_float_not_integer():
    raises(frame(synapses=[1.0, 2.0, 2.5]), "synapses", "r2", "not an integer")


def test_negative_and_huge():
    raises(frame(synapses=[1, -2, 3]), "synapses", "r1", "negative")
    raises(frame(hex1=[1, 2, 5000]), "hex1", "r2", "out of range")
    raises(frame(cells=np.array([1, 2, 2**63 + 5], dtype=np.uint64)), "cells", "r2", "too large")
    raises(frame(cells=[1, 2, 10**30]), "cells", "r2", "too large")
    raises(frame(synapses=[1.0, 1e300, 3.0]), "synapses", "r1", "too large")


def test_wrong_dtypes():
    raises(frame(hex1=["1", "2", "3"]), "hex1", "r0", "expected an integer, got str")
    raises(frame(hex1=pd.to_datetime(["2020-01-01"] * 3)), "hex1", "r0", "expected integers")
    raises(frame(hex1=[True, False, True]), "hex1", "r0", "bool")
    raises(frame(side=[1, 2, 3]), "side", "r0", "expected a string, got int")
    raises(frame(cells=pd.array([1, None, 3], dtype="Int64")), "cells", "r1", "NaN")
    raises(frame(neuron_type=["A", None, "B"]), "neuron_type", "r1", "missing")
    raises(frame(neuron_type=pd.Categorical(["A", None, "B"])), "neuron_type", "r1", "missing")
    raises(frame(neuron_type=["A", "", "B"]), "neuron_type", "r1", "empty neuron type")


def test_unknown_region_side():
    raises(frame(region=["ME", "XX", "LO"]), "region", "r1", "unknown region")
    raises(frame(region=["ME", "me", "LO"]), "region", "r1", "did you mean 'ME'")
    raises(frame(side=["R", "right", "L"]), "side", "r1", "did you mean 'R'")
    raises(frame(side=["R", "Q", "L"]), "side", "r1", "side must be L or R")


def test_layers():
    ok = "1;2;3;4;5;6;7;8;9;10"
    raises(frame(layer_synapses=[ok, "1;2", "1;2;3;4;5;6;7"]), "layer_synapses", "r1", "2 layer values given (';'-separated), region ME has 10")
    raises(frame(layer_synapses=[ok, ok.replace("3", "x"), "1;2;3;4;5;6;7"]), "layer_synapses", "r1", "not a number")
    raises(frame(layer_synapses=[ok, ok, [1, 2, -3, 4, 5, 6, 7]]), "layer_synapses", "r2", "negative")
    raises(frame(layer_synapses=[ok, None, ok]), "layer_synapses", "r1", "missing")
    raises(frame(layer_synapses=[ok, 5, ok]), "layer_synapses", "r1", "got int")


def test_duplicates_name_both_rows():
    # The CSV reader's message: the key columns and values, and the line (position + 1) of the first.
    err = raises(frame(hex1=[1, 1, 3], hex2=[4, 4, 6]), "neuron_type,region,side,hex1,hex2", "r1", "duplicate row")
    assert "as line 1" in str(err) and err.line == 2 and err.value == "A,ME,R,1,4"


def test_counts_at_most_2_53():
    # A count is an integer in 0..2^53 for every reader; 2^53 itself is fine.
    eyemap.Dataset.from_frame(frame(synapses=[1, 2**53, 3]))
    raises(frame(synapses=[1, 2**53 + 1, 3]), "synapses", "r1", "too large (at most 9007199254740992)")
    raises(frame(cells=np.array([1, 2**63 - 1, 0], dtype=np.int64)), "cells", "r1", "too large")
    raises(frame(cells=np.array([1, 2**53 + 1, 0], dtype=np.uint64)), "cells", "r1", "too large")
    raises(frame(synapses=[1.0, 2.0**54, 3.0]), "synapses", "r1", "too large")
    ok = "1;2;3;4;5;6;7;8;9;10"
    raises(frame(layer_synapses=[ok, f"1;2;3;4;5;6;7;8;9;{2**53 + 1}", "1;2;3;4;5;6;7"]), "layer_synapses", "r1", "too large")
    raises(frame(layer_cells=[ok, [1, 2, 3, 4, 5, 6, 7, 8, 9, 2**60], [1] * 7]), "layer_cells", "r1", "too large")


def test_int64_max_counts_refused(tmp_path):
    # Two ME R columns of 2^63 - 1 summed to "total": -2 before; now the reader refuses each value.
    big = 2**63 - 1
    df = pd.DataFrame({"neuron_type": ["A", "A"], "region": ["ME", "ME"], "side": ["R", "R"], "hex1": [1, 2],
                       "hex2": [1, 1], "synapses": np.array([big, big], dtype=np.int64)})
    with pytest.raises(eyemap.InputError, match="too large") as e:
        eyemap.Dataset.from_frame(df)
    assert e.value.field == "synapses" and e.value.line == 1 and e.value.value == str(big)
    with pytest.raises(eyemap.InputError, match="too large"):
        eyemap.Dataset.from_arrays({k: df[k].to_numpy() for k in df.columns})
    csv = tmp_path / "big.csv"
    df.to_csv(csv, index=False)
    with pytest.raises(eyemap.InputError, match="too large") as e:
        eyemap.Dataset.from_csv(csv)
    assert e.value.field == "synapses" and e.value.line == 2


def test_metric_not_in_data_names_columns(tmp_path):
    # `cells` named `cell_count`: rendering cell counts is an error naming the data's value columns,
    # with the misnamed column as "did you mean"; so is rendering everything (the misspelling).
    df = frame().rename(columns={"cells": "cell_count"})
    ds = eyemap.Dataset.from_frame(df)
    with pytest.raises(eyemap.InputError, match="did you mean the column 'cell_count'") as e:
        eyemap.render(ds, "A", metric="cell_count")
    assert "the data's value columns: synapses" in str(e.value)
    with pytest.raises(eyemap.InputError, match="did you mean the column 'cell_count'"):
        eyemap.render(ds, "A")
    # The batch: from a frame, a CSV file, and with explicit requests; nothing is written.
    for data in (df, ds):
        with pytest.raises(eyemap.InputError, match="did you mean the column 'cell_count'"):
            eyemap.run_batch(data, out_dir=tmp_path, run="r", progress=False)
    path = tmp_path / "misnamed.csv"
    df.to_csv(path, index=False)
    with pytest.raises(eyemap.InputError, match="did you mean the column 'cell_count'"):
        eyemap.run_batch(path, out_dir=tmp_path, run="r", pages=True, progress=False)
    with pytest.raises(eyemap.InputError, match="the data's value columns: synapses"):
        eyemap.run_batch(ds, sink="memory", requests=[("ME", "R", "cell_count")], progress=False)
    assert not (tmp_path / "r").exists()
    only = frame().drop(columns=["synapses"]).rename(columns={"cells": "Cell_Count"})
    with pytest.raises(eyemap.InputError, match="no value column|did you mean"):
        eyemap.render(eyemap.Dataset.from_frame(only), "A")


def test_length_mismatch():
    with pytest.raises(eyemap.InputError, match="values"):
        eyemap.Dataset.from_arrays({"neuron_type": ["A"], "region": ["ME", "ME"], "side": ["R"], "hex1": [1], "hex2": [1]})


def test_layout_errors():
    lay = pd.DataFrame({"region": ["ME", "ME"], "side": ["R", "X"], "hex1": [1, 2], "hex2": [4, 5]}, index=[10, 11])
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_frame(frame(), lay)
    assert e.value.row == 11 and e.value.field == "side" and "layout" in str(e.value)


def test_unknown_type_and_requests():
    ds = eyemap.Dataset.from_frame(frame())
    with pytest.raises(eyemap.InputError, match="did you mean 'A'") as e:
        eyemap.render(ds, "a")
    assert e.value.field == "neuron_type" and e.value.value == "a"
    with pytest.raises(eyemap.InputError, match="unknown region"):
        eyemap.render(ds, "A", region="XX")
    with pytest.raises(eyemap.InputError, match="side"):
        eyemap.render(ds, "A", side="left")
    with pytest.raises(eyemap.InputError, match="metric"):
        eyemap.render(ds, "A", metric="volume")
    with pytest.raises(eyemap.InputError, match="format"):
        eyemap.render(ds, "A", formats=["gif"])
    with pytest.raises(eyemap.InputError):
        eyemap.render(ds, 5)


def test_row_not_in_layout_named_at_render():
    lay = pd.DataFrame({"region": ["ME", "ME", "LO"], "side": ["R", "R", "L"], "hex1": [1, 9, 3], "hex2": [4, 9, 6]})
    ds = eyemap.Dataset.from_frame(frame(), lay)
    with pytest.raises(eyemap.InputError, match="not in the layout") as e:
        eyemap.render(ds, "A")
    assert e.value.row == "r1"


def test_file_errors(tmp_path):
    with pytest.raises(eyemap.FileError) as e:
        eyemap.Dataset.from_csv(tmp_path / "missing.csv")
    assert isinstance(e.value, OSError) and e.value.file.endswith("missing.csv") and e.value.kind == "io"
    bad = tmp_path / "bad.csv"
    bad.write_text("neuron_type,region,side,hex1,hex2,cells\nA,ME,R,1,2,3\nA,ME,R,1,x,3\n")
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_csv(bad)
    assert e.value.line == 3 and e.value.field == "hex2" and e.value.value == "x" and e.value.row is None
    with pytest.raises(eyemap.FileError):
        eyemap.Dataset.from_frame(frame(), regions=tmp_path / "nope.json")
    with pytest.raises(eyemap.InputError):
        eyemap.Dataset.from_frame(frame(), regions='{"regions": 5}')


def test_not_a_frame():
    with pytest.raises(eyemap.InputError):
        eyemap.Dataset.from_frame([1, 2, 3])


# --- property tests: random frames never crash; every failure is an eyemap.Error --------------------

VALUES = st.one_of(st.integers(-10**20, 10**20), st.integers(-5, 50), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(max_size=4), st.none(), st.booleans(), st.just("1;2;3;4"), st.lists(st.integers(-2, 9), max_size=11))
COLUMN_NAMES = st.sampled_from(list(eyemap.DATA_COLUMNS) + ["synapse", "extra", "Region"])


@st.composite
def random_frames(draw):
    n = draw(st.integers(0, 6))
    names = draw(st.lists(COLUMN_NAMES, min_size=0, max_size=10, unique=True))
    if draw(st.booleans()):  # mostly valid key columns, so the deeper checks are reached
        names = list(dict.fromkeys(["neuron_type", "region", "side", "hex1", "hex2"] + names))
    cols = {}
    for c in names:
        kind = draw(st.sampled_from(["valid", "any", "int", "float"]))
        if kind == "valid" and c in ("neuron_type",):
            cols[c] = draw(st.lists(st.sampled_from(["A", "B", "Tm3"]), min_size=n, max_size=n))
        elif kind == "valid" and c == "region":
            cols[c] = draw(st.lists(st.sampled_from(["ME", "LO", "LOP"]), min_size=n, max_size=n))
        elif kind == "valid" and c == "side":
            cols[c] = draw(st.lists(st.sampled_from(["L", "R"]), min_size=n, max_size=n))
        elif kind in ("valid", "int"):
            cols[c] = np.array(draw(st.lists(st.integers(-4097, 5000), min_size=n, max_size=n)), dtype=np.int64)
        elif kind == "float":
            cols[c] = np.array(draw(st.lists(st.floats(), min_size=n, max_size=n)), dtype=np.float64)
        else:
            cols[c] = draw(st.lists(VALUES, min_size=n, max_size=n))
    return pd.DataFrame({k: pd.Series(v, dtype=object if isinstance(v, list) else None) for k, v in cols.items()})


@settings(max_examples=int(os.environ.get("EYEMAP_HYPOTHESIS_EXAMPLES", "400")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(random_frames(), st.sampled_from(["svg", "png", "pdf"]))
def test_random_frames_never_crash(df, fmt):
    try:
        ds = eyemap.Dataset.from_frame(df)
    except eyemap.Error as e:
        assert str(e)
        return
    for t in ds.types:
        try:
            for m in eyemap.render(ds, t, formats=[fmt]):
                # Columns with data are rows of the type (one row per column), and every hexagon
                # of the grid is counted once.
                c = m.counts
                assert c["has_data"] <= ds.type_rows(t)
                assert c["has_data"] + c["no_data"] + c["not_in_region"] == ds.column_count
        except eyemap.Error as e:
            assert str(e)


@settings(max_examples=int(os.environ.get("EYEMAP_HYPOTHESIS_EXAMPLES", "400")) // 2, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(["hex_size", "spacing", "margin", "color_scale", "color_min", "color_max",
                                        "color_scope", "layer", "png_scale", "svg_id", "static", "min_width"]),
                       st.one_of(st.integers(-100, 100), st.floats(), st.text(max_size=5), st.booleans(), st.none())))
def test_random_options_never_crash(opts):
    try:
        eyemap.Renderer(**opts)
    except eyemap.Error:
        pass


# --- issue 25, round 3 ---------------------------------------------------------------------------

def test_uint64_beyond_int64_is_too_large_not_negative():
    # pandas UInt64 2**63+5 was converted to int64 and reported as "negative count -9223372036854775803".
    # (from a numpy array: pandas 1.5 rounds a Python list's 2**63+5 to 2**63 when it builds the array)
    df = frame(synapses=pd.array(np.array([1, 2, 2**63 + 5], dtype=np.uint64), dtype="UInt64"))
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_frame(df)
    assert "too large" in str(e.value), str(e.value)
    assert "negative" not in str(e.value)
    assert e.value.row == "r2"
    assert str(2**63 + 5) in str(e.value)
    df = frame(synapses=pd.array([1, None, 2**62], dtype="UInt64"))  # with a missing value too
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_frame(df)
    assert e.value.row == "r1" and "missing" in str(e.value)
    ok = eyemap.Dataset.from_frame(frame(synapses=pd.array([1, 2, 3], dtype="UInt64")))
    assert sorted(ok.types) == ["A", "B"]


def test_option_value_quoted_once():
    # A string value was shown as its repr inside the message's quotes: value ''big''.
    for kw, shown in [({"color_scale": "viridis"}, "value 'viridis'"), ({"hex_size": "big"}, "value 'big'"),
                      ({"caches": "x"}, "value 'x'"), ({"style": {"hex_opacity": "x"}}, "value 'x'")]:
        with pytest.raises(eyemap.InputError) as e:
            eyemap.Renderer(**kw)
        assert shown in str(e.value), str(e.value)
        assert "''" not in str(e.value), str(e.value)
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Renderer(hex_size=[1])
    assert "value '[1]'" in str(e.value), str(e.value)  # anything else: its repr


def test_from_csv_regions_path_read_by_the_library(tmp_path):
    # regions=PATH was read in Python, without the CLI's checks: /dev/zero -> MemoryError after 1.3 GB.
    data = tmp_path / "d.csv"
    data.write_text("neuron_type,region,side,hex1,hex2,synapses,cells\nA,AME,R,0,0,1,1\n")
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_csv(data, regions="/dev/zero")
    assert "regular file" in str(e.value)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Dataset.from_csv(data, regions=fifo)  # hung in open()
    assert "FIFO" in str(e.value)
    (tmp_path / "folder").mkdir()
    with pytest.raises(eyemap.FileError) as e:
        eyemap.Dataset.from_csv(data, regions=tmp_path / "folder")
    assert "is a folder" in str(e.value)
    cfg = tmp_path / "regions.json"
    cfg.write_text('{"regions": [{"name": "AME", "layers": ["1", "2"]}]}')
    ds = eyemap.Dataset.from_csv(data, regions=cfg)
    assert "AME" in ds.regions
    assert "AME" in eyemap.Dataset.from_csv(data, regions=str(cfg)).regions

"""Value columns (issue 27): any numeric per-column value drawn as a metric by its name, from data
frames (float, integer, nullable, NaN, negative), dicts of arrays and CSV files; the same bytes as
the CLI; errors naming row, column and value; Hypothesis-generated frames."""
import math
import re
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eyemap
from conftest import REAL

COLS = [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]


def frame(values, name="coverage", **extra):
    n = len(values)
    data = {
        "neuron_type": ["A"] * n,
        "region": ["ME"] * n,
        "side": ["R"] * n,
        "hex1": [c[0] for c in COLS[:n]],
        "hex2": [c[1] for c in COLS[:n]],
        name: values,
    }
    data.update(extra)
    return pd.DataFrame(data)


def tooltips(svg, name="coverage"):
    """The value line of every in-region hexagon's tooltip, in order."""
    return re.findall(name + r": ([^\n]*)\nROI", svg)


def test_float_nan_negative_and_zero():
    ds = eyemap.Dataset.from_frame(frame([0.5, float("nan"), -1.25, 0.0, 2.0]))
    assert ds.values == ["coverage"]
    assert ds.metrics == ["coverage"]  # no count column: the value columns are drawn by default
    (e,) = eyemap.render(ds, "A", region="ME", side="R")
    assert e.metric == "coverage"
    assert e.counts["has_data"] == 4  # NaN is no data; 0 and negative values are data
    assert sorted(tooltips(e.svg)) == sorted(["0.5", "no data", "-1.25", "0", "2"])
    assert e.file_name() == "A_ME_R_coverage.svg"


def test_counts_stay_the_default_and_value_columns_come_by_name():
    df = frame([0.25, 0.5, 0.75], cells=[1, 0, 2])
    ds = eyemap.Dataset.from_frame(df)
    assert ds.metrics == ["cells"]
    assert [e.metric for e in eyemap.render(ds, "A")] == ["cells"]
    both = eyemap.render(ds, "A", metric=["coverage", "cells"])
    assert [e.metric for e in both] == ["coverage", "cells"]
    # A count frame without value columns renders the bytes it always did, whatever else it carries.
    plain = eyemap.Dataset.from_frame(df.drop(columns=["coverage"]))
    assert eyemap.render(plain, "A")[0].svg == both[1].svg


def test_nullable_integer_and_float_columns():
    df = frame([1, None, 3], name="n")
    df["n"] = df["n"].astype("Int64")
    df["f"] = pd.array([0.5, None, -0.5], dtype="Float64")
    ds = eyemap.Dataset.from_frame(df)
    assert ds.values == ["n", "f"]
    n, f = eyemap.render(ds, "A", metric=["n", "f"])
    assert tooltips(n.svg, "n") == ["1", "no data", "3"]
    assert tooltips(f.svg, "f") == ["0.5", "no data", "-0.5"]


def test_arrays_and_layer_values():
    arrays = {
        "neuron_type": np.array(["A", "A"], dtype=object),
        "region": np.array(["ME", "ME"], dtype=object),
        "side": np.array(["R", "R"], dtype=object),
        "hex1": np.array([1, 1]),
        "hex2": np.array([1, 2]),
        "diff": np.array([-1.0, 1.0]),
        "layer_diff": np.array([[0.5, -0.5] + [0.0] * 8, [np.nan] * 10]),
    }
    ds = eyemap.Dataset.from_arrays(arrays)
    (e,) = eyemap.render(ds, "A", metric="diff", colormap="rdbu")
    assert 'data-v="0.5 -0.5 0 0 0 0 0 0 0 0"' in e.svg
    assert e.svg.count("data-v=") == 1  # the all-NaN row has no layer data
    png = e.png(layer=1)
    assert png.startswith(b"\x89PNG")


def test_errors_name_row_column_and_value():
    df = frame([0.5, math.inf, 1.0])
    with pytest.raises(eyemap.InputError) as err:
        eyemap.Dataset.from_frame(df)
    assert err.value.field == "coverage"
    assert err.value.line == 2
    assert err.value.value == "inf"
    df = frame([0.5, "abc", 1.0])
    with pytest.raises(eyemap.InputError) as err:
        eyemap.Dataset.from_frame(df, values=["coverage"])
    assert "not a number" in str(err.value) and err.value.value == "abc"
    with pytest.raises(eyemap.InputError, match="no column 'coverag'"):
        eyemap.Dataset.from_frame(frame([1.0]), values=["coverag"])
    with pytest.raises(eyemap.InputError, match="part of every row's key"):
        eyemap.Dataset.from_frame(frame([1.0]), values=["hex1"])
    ds = eyemap.Dataset.from_frame(frame([1.0, 2.0]))
    with pytest.raises(eyemap.InputError, match="did you mean the column 'coverage'"):
        eyemap.render(ds, "A", metric="coverag")
    # A column whose name cannot be a metric's is left alone by default, taken by nobody.
    df = frame([1.0, 2.0])
    df["two words"] = [1.5, 2.5]
    assert eyemap.Dataset.from_frame(df).values == ["coverage"]


def test_same_bytes_as_the_cli(tmp_path, cli):
    df = pd.read_csv(REAL / "me_cells.csv")
    rng = np.random.default_rng(7)
    df["coverage"] = np.where(rng.random(len(df)) < 0.1, np.nan, rng.random(len(df)).round(4))
    df["diff"] = rng.normal(0, 2, len(df)).round(3)
    data = tmp_path / "vals.csv"
    df.to_csv(data, index=False)
    out = tmp_path / "out"
    subprocess.run([str(cli), "render", "--data", str(data), "--columns", str(REAL / "columns.csv"), "--type", "Mi1",
                    "--region", "ME", "--side", "R", "--metric", "coverage,diff", "--colormap", "viridis",
                    "--out-dir", str(out)], check=True, capture_output=True)
    layout = pd.read_csv(REAL / "columns.csv")
    for ds in (eyemap.Dataset.from_frame(df, layout), eyemap.Dataset.from_csv(data, REAL / "columns.csv", values=["coverage", "diff"])):
        maps = eyemap.render(ds, "Mi1", region="ME", side="R", metric=["coverage", "diff"], colormap="viridis")
        for e in maps:
            assert e.svg == (out / e.file_name()).read_text(), e.file_name()


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
cell = st.one_of(finite, st.just(float("nan")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cell, min_size=1, max_size=len(COLS)))
def test_hypothesis_frames(values):
    """Any finite or missing values: a well-formed eyemap whose tooltips hold each value in the
    eyemap's one format (or "no data"), whose column counts agree, and the same bytes twice."""
    ds = eyemap.Dataset.from_frame(frame(values))
    present = [v for v in values if not math.isnan(v)]
    if not present:
        (e,) = eyemap.render(ds, "A")
        assert e.counts["has_data"] == 0
        return
    (e,) = eyemap.render(ds, "A")
    assert e.counts["has_data"] == len(present)
    tips = tooltips(e.svg)
    assert tips.count("no data") == len(values) - len(present)
    numbers = [float(t) for t in tips if t != "no data"]
    largest = max(abs(v) for v in present)
    for got, want in zip(numbers, [v for v in values if not math.isnan(v)]):
        # Whole values exactly; others to three significant digits of the largest magnitude.
        tol = 0 if all(v == math.floor(v) for v in present) else 0.51 * 10 ** (math.floor(math.log10(largest)) - 2) + 1e-9 * largest
        assert abs(got - want) <= tol
    assert eyemap.render(ds, "A")[0].svg == e.svg


def test_labels_and_units():
    ds = eyemap.Dataset.from_frame(frame([0.5, 0.25]))
    (e,) = eyemap.render(ds, "A", labels={"coverage": "Coverage <T4>"}, units={"coverage": "%"})
    assert "Coverage &lt;T4&gt; (%): 0.5\nROI" in e.svg  # tooltips, escaped
    assert ">Coverage &lt;T4&gt; (%)</text>" in e.svg  # legend title
    assert e.png().startswith(b"\x89PNG")  # re-rendered on demand with the same words
    assert e.file_name() == "A_ME_R_coverage.svg"  # files keep the column's name
    with pytest.raises(eyemap.InputError, match="not a metric drawn here"):
        eyemap.render(ds, "A", labels={"other": "x"})
    with pytest.raises(eyemap.InputError, match="control characters"):
        eyemap.render(ds, "A", labels={"coverage": "a\nb"})

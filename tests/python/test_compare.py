"""Comparisons from Python: Renderer.compare and figures with a baseline, the same bytes as the CLI, errors."""
import pandas as pd
import pytest

import eyemap
from conftest import run_cli

LAYOUT = pd.DataFrame({"region": ["ME"] * 4, "side": ["R"] * 4, "hex1": [1, 1, 2, 2], "hex2": [1, 2, 1, 2]})


def frame(rows):
    return pd.DataFrame(rows, columns=["neuron_type", "region", "side", "hex1", "hex2", "synapses", "cells"])


A = frame([("T", "ME", "R", 1, 1, 10, 2), ("T", "ME", "R", 1, 2, 4, 1), ("T", "ME", "R", 2, 1, 6, 1)])
B = frame([("T", "ME", "R", 1, 1, 7, 1), ("T", "ME", "R", 1, 2, 4, 1), ("T", "ME", "R", 2, 2, 3, 1)])


def test_compare_parts_values_and_cli_bytes(tmp_path):
    a = eyemap.Dataset.from_frame(A, LAYOUT)
    b = eyemap.Dataset.from_frame(B, LAYOUT)
    maps = eyemap.Renderer().compare(a, "T", b, metric="synapses", label_a="male", label_b="female")
    assert [m.part for m in maps] == ["a", "b", "difference"]
    assert maps[2].request.metric == "synapses_diff"
    assert maps[0].file_name == "T_ME_R_synapse_density_a.svg"
    diff = maps[2].svg
    # A - B by hand: 3, 0, 6 (only in A), -3 (only in B).
    for col, value in (("1, 1", "3"), ("1, 2", "0"), ("2, 1", "6"), ("2, 2", "-3")):
        assert f"<title>Column: {col}\nmale \u2212 female synapses: {value}\n" in diff
    # The CLI writes the same bytes from the same data as CSV files.
    A.to_csv(tmp_path / "a.csv", index=False)
    B.to_csv(tmp_path / "b.csv", index=False)
    LAYOUT.to_csv(tmp_path / "layout.csv", index=False)
    run_cli("render", "--data", tmp_path / "a.csv", "--baseline", tmp_path / "b.csv", "--columns", tmp_path / "layout.csv",
            "--type", "T", "--metric", "synapses", "--label-a", "male", "--label-b", "female", "--out-dir", tmp_path / "out")
    for m in maps:
        assert (tmp_path / "out" / m.file_name).read_text() == m.svg
    assert maps[0].save(tmp_path) == [str(tmp_path / "T_ME_R_synapse_density_a.svg")]


def test_compare_two_types_and_errors():
    both = eyemap.Dataset.from_frame(pd.concat([A, B.assign(neuron_type="U")]), LAYOUT)
    maps = eyemap.Renderer().compare(both, "T", baseline_type="U", metric="synapses", compare="log2")
    assert maps[2].request.metric == "synapses_log2"
    with pytest.raises(eyemap.InputError, match="baseline"):
        eyemap.Renderer().compare(both, "T", baseline_type="V")
    with pytest.raises(eyemap.InputError, match="give a baseline"):
        eyemap.Renderer().compare(both, "T")
    with pytest.raises(eyemap.InputError, match="different labels"):
        eyemap.Renderer().compare(both, "T", baseline_type="U", label_a="x", label_b="x")
    with pytest.raises(eyemap.InputError, match="not rendered"):
        maps[0].png()


def test_figure_with_baseline_is_the_cli_bytes(tmp_path):
    a = eyemap.Dataset.from_frame(A, LAYOUT)
    b = eyemap.Dataset.from_frame(B, LAYOUT)
    fig = eyemap.Renderer().figure(a, baseline=b, rows="types", columns="datasets", sides="R", metrics="synapses",
                                   width_mm=120, label_a="v1", label_b="v2")
    assert (fig.rows, fig.columns) == (1, 3)
    assert ">v1<" in fig.svg and "v1 \u2212 v2" in fig.svg
    A.to_csv(tmp_path / "a.csv", index=False)
    B.to_csv(tmp_path / "b.csv", index=False)
    LAYOUT.to_csv(tmp_path / "layout.csv", index=False)
    run_cli("figure", "--data", tmp_path / "a.csv", "--baseline", tmp_path / "b.csv", "--columns", tmp_path / "layout.csv",
            "--rows", "types", "--cols", "datasets", "--side", "R", "--metric", "synapses", "--width-mm", "120",
            "--label-a", "v1", "--label-b", "v2", "-o", tmp_path / "f.svg")
    assert (tmp_path / "f.svg").read_text() == fig.svg
    with pytest.raises(eyemap.InputError, match="needs a comparison"):
        eyemap.Renderer().figure(a, rows="types", columns="datasets", sides="R")


def test_run_batch_with_a_baseline_is_the_cli_release(tmp_path):
    a = eyemap.Dataset.from_frame(A, LAYOUT)
    b = eyemap.Dataset.from_frame(B, LAYOUT)
    res = eyemap.run_batch(a, baseline=b, out_dir=tmp_path / "py", run="r", pages=True, label_a="male", label_b="female",
                           progress=False, requests=[("ME", "R", "synapses")])
    run_dir = tmp_path / "py" / "r"
    assert (run_dir / "svg" / "T_ME_R_synapses_diff.svg").exists()
    index = (run_dir / "index.html").read_text()
    assert "Change vs female" in index
    # |10-7| + |4-4| + |6-0| + |0-3| = 12 over 34
    assert f">{12 / 34:.3f}<" in index
    with pytest.raises(eyemap.InputError, match="applies to a comparison"):
        eyemap.run_batch(a, sink="memory", label_a="x", progress=False)

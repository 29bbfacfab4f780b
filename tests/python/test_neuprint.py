"""neuPrint's frames in (Dataset.from_neuprint, Dataset.from_neuview_layers) and show()'s "no data in LO".

The frames are built in the shapes neuprint-python's fetch_neurons returns (neurons_df, roi_counts_df)
and neuView's per-layer query returns (data_processing_service._build_column_layer_query), no network;
values are checked against hand-computed ones (tooltips) and against eyemap's CSV written by hand.
"""
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

import eyemap
from conftest import CLI

NAN = float("nan")


def neurons_df():
    # fetch_neurons' first frame (a subset of its columns, and somaSide as optic-lobe datasets have it).
    return pd.DataFrame({
        "bodyId": np.array([101, 102, 103, 104, 105], dtype=np.int64),
        "instance": ["Mi1_R", "Mi1_R", "Mi1_L", "Tm3_R", None],
        "type": ["Mi1", "Mi1", "Mi1", "Tm3", None],  # 105 is untyped
        "pre": [10, 1, 1, 1, 1], "post": [20, 2, 2, 2, 2],
        "downstream": [1, 1, 1, 1, 1], "upstream": [2, 2, 2, 2, 2],
        "status": ["Traced"] * 5,
        "somaSide": ["R", "R", "L", "R", "R"],
    })


def roi_counts_df():
    # fetch_neurons' second frame: one row per body and ROI.
    return pd.DataFrame({
        "bodyId": np.array([101, 102, 101, 103, 101, 104, 999, 105, 102, 103, 101], dtype=np.int64),
        "roi": ["ME_R_col_12_07", "ME_R_col_12_07", "ME_R_col_0a_0b", "ME_L_col_5_5", "ME(R)", "LO_R_col_3_4",
                "ME_R_col_1_1", "ME_R_col_1_1", "LOP_R_col_1_zz", "ME_R_col_12_07", "ME_R_layer_03"],
        "pre": [3, 2, 1, 4, 100, 0, 1, 1, 9, 1, 5],
        "post": [10, 5, 0, 4, 200, 7, 1, 1, 9, 1, 5],
        "downstream": [0] * 11, "upstream": [0] * 11,
    })


def layers_df():
    # neuView's per-layer query result: hex1, hex2, layer, region, side, total_synapses, bodyId, neuron_count.
    return pd.DataFrame({
        "hex1": [12, 12, 12, 12, 3, 5, 12, 1],
        "hex2": [7, 7, 7, 7, 4, 5, 7, 1],
        "layer": [1, 1, 3, NAN, 6, 2, 10, 2],  # NaN: outside the layers (neuView drops it)
        "region": ["ME", "ME", "ME", "ME", "LO", "ME", "ME", None],
        "side": ["R", "R", "R", "R", "R", "L", "R", None],
        "total_synapses": [4, 2, 5, 9, 7, 3, 1, 5],
        "bodyId": [101, 102, 101, 101, 104, 103, 103, 101],
        "neuron_count": [1] * 8,
    })


def tooltip(ds, type_, region, side, metric, h1, h2):
    svg = eyemap.Renderer().eyemap(ds, type_, region, side, metric).svg
    m = re.search(rf"<title>Column: {h1}, {h2}\n(?:Synapse|Cell) count: (\d+)\n", svg)
    return int(m.group(1)) if m else None


def test_from_neuprint_counts_per_column():
    ds = eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df())
    assert ds.types == ["Mi1", "Tm3"]
    assert tooltip(ds, "Mi1", "ME", "R", "synapses", 12, 7) == 22  # pre 3+2+1, post 10+5+1
    assert tooltip(ds, "Mi1", "ME", "R", "cells", 12, 7) == 3      # bodies 101, 102, 103
    assert tooltip(ds, "Mi1", "ME", "R", "synapses", 10, 11) == 1  # "0a", "0b": hexadecimal
    assert tooltip(ds, "Mi1", "ME", "L", "synapses", 5, 5) == 8
    assert tooltip(ds, "Tm3", "LO", "R", "cells", 3, 4) == 1
    assert ds.import_report == {"rows": 11, "not_column_roi": 3, "not_selected": 2, "no_layer": 0,
                                "examples": ["ME(R)", "LOP_R_col_1_zz", "ME_R_layer_03"]}


def test_from_neuprint_soma_side_and_count():
    r = eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df(), soma_side="R")
    assert tooltip(r, "Mi1", "ME", "R", "synapses", 12, 7) == 20
    assert tooltip(r, "Mi1", "ME", "R", "cells", 12, 7) == 2
    assert not r._d.has_columns("ME", "L")  # the left-soma neuron's column is not seen
    pre = eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df(), soma_side="L", synapses="pre")
    assert tooltip(pre, "Mi1", "ME", "L", "synapses", 5, 5) == 4
    assert tooltip(pre, "Mi1", "ME", "R", "synapses", 12, 7) == 1
    nd = neurons_df()
    nd["rootSide"] = [None, "L", "R", None, None]  # where given, before somaSide (neuView's adapters)
    root = eyemap.Dataset.from_neuprint(nd, roi_counts_df(), soma_side="R")
    assert tooltip(root, "Mi1", "ME", "R", "cells", 12, 7) == 2 and tooltip(root, "Mi1", "ME", "R", "synapses", 12, 7) == 15
    post = eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df(), synapses="post")
    assert tooltip(post, "Mi1", "ME", "R", "synapses", 12, 7) == 16
    with pytest.raises(eyemap.InputError, match="soma_side"):
        eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df(), soma_side="both")


def test_from_neuprint_text_dtypes_with_missing_values():
    # Categorical type with NaN (an untyped neuron), pandas "string" dtype with pd.NA: missing is empty.
    nd = neurons_df()
    nd["type"] = nd["type"].astype("category")
    nd["somaSide"] = pd.array(["R", "R", "L", "R", pd.NA], dtype="string")
    rc = roi_counts_df()
    rc["roi"] = rc["roi"].astype("category")
    for soma_side, want in (("combined", 22), ("R", 20)):
        ds = eyemap.Dataset.from_neuprint(nd, rc, soma_side=soma_side)
        assert ds.types == ["Mi1", "Tm3"]
        assert tooltip(ds, "Mi1", "ME", "R", "synapses", 12, 7) == want
        assert ds.import_report["not_selected"] == (2 if soma_side == "combined" else 4)


def test_from_neuprint_missing_columns_and_bad_values():
    with pytest.raises(eyemap.InputError, match="missing: type") as e:
        eyemap.Dataset.from_neuprint(neurons_df().drop(columns=["type"]), roi_counts_df())
    assert e.value.file == "neuPrint neurons"
    with pytest.raises(eyemap.InputError, match="missing: pre, post"):
        eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df().drop(columns=["pre", "post"]))
    rc = roi_counts_df()
    rc.loc[1, "post"] = -5
    with pytest.raises(eyemap.InputError, match="post") as e:
        eyemap.Dataset.from_neuprint(neurons_df(), rc)
    assert e.value.value == "-5" and e.value.line == 2
    with pytest.raises(eyemap.InputError, match="missing: total_synapses"):
        eyemap.Dataset.from_neuview_layers(layers_df().drop(columns=["total_synapses"]), "Mi1")


def test_from_neuview_layers_as_hand_written_csv(tmp_path):
    ds = eyemap.Dataset.from_neuview_layers(layers_df(), "Mi1")
    assert ds.columns == {"synapses": True, "cells": True, "layer_synapses": True, "layer_cells": True}
    assert ds.import_report["no_layer"] == 2 and ds.import_report["rows"] == 8
    assert tooltip(ds, "Mi1", "ME", "R", "synapses", 12, 7) == 12
    assert tooltip(ds, "Mi1", "ME", "R", "cells", 12, 7) == 3
    # The same table written by hand: the per-layer values as neuView's column analysis sums them.
    (tmp_path / "d.csv").write_text(
        "neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses,layer_cells\n"
        "Mi1,ME,L,5,5,3,1,0;3;0;0;0;0;0;0;0;0,0;1;0;0;0;0;0;0;0;0\n"
        "Mi1,ME,R,12,7,12,3,6;0;5;0;0;0;0;0;0;1,2;0;1;0;0;0;0;0;0;1\n"
        "Mi1,LO,R,3,4,7,1,0;0;0;0;0;7;0,0;0;0;0;0;1;0\n")
    want = eyemap.Dataset.from_csv(tmp_path / "d.csv")
    r = eyemap.Renderer()
    for region, side in (("ME", "R"), ("ME", "L"), ("LO", "R")):
        for metric in ("synapses", "cells"):
            assert r.eyemap(ds, "Mi1", region, side, metric).svg == r.eyemap(want, "Mi1", region, side, metric).svg


def test_cli_import_matches_from_neuprint(tmp_path):
    rois = ["ME_R_col_12_07", "ME_R_col_10_11", "ME_R_col_1_1", "ME_L_col_5_5", "LO_R_col_3_4", "LO_R_col_3_5", "ME(R)"]
    neurons_df().to_csv(tmp_path / "neurons.csv")
    roi_counts_df().to_csv(tmp_path / "roi_counts.csv")
    pd.Series(rois, name="roi").to_csv(tmp_path / "rois.csv", index=False)
    r = subprocess.run([str(CLI), "import", "--neurons", tmp_path / "neurons.csv", "--roi-counts", tmp_path / "roi_counts.csv",
                        "--all-rois", tmp_path / "rois.csv", "--out-dir", tmp_path / "out"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cli_ds = eyemap.Dataset.from_csv(tmp_path / "out" / "data.csv", tmp_path / "out" / "columns.csv")
    ds = eyemap.Dataset.from_neuprint(neurons_df(), roi_counts_df(), all_rois=rois)
    assert ds.column_count == cli_ds.column_count == 6
    rend = eyemap.Renderer()
    assert rend.eyemap(ds, "Mi1", "ME", "R", "synapses").svg == rend.eyemap(cli_ds, "Mi1", "ME", "R", "synapses").svg


def test_show_says_no_data_as_the_pages():
    # Mi1 has data in ME R only; the layout (every column ROI) has ME, LO and LOP on both sides.
    rois = ["ME_R_col_12_07", "ME_R_col_1_1", "ME_L_col_5_5", "LO_R_col_3_4", "LO_L_col_3_4", "LOP_R_col_1_1", "LOP_L_col_1_1"]
    nd = neurons_df()
    nd = nd[nd.bodyId.isin([101, 102])]
    rc = roi_counts_df()
    ds = eyemap.Dataset.from_neuprint(nd, rc[rc.roi.str.startswith("ME_R_col_12")], all_rois=rois)
    html = eyemap.show(ds, "Mi1")._repr_html_()
    assert html.count("<svg") == 2  # ME R: synapses and cells
    assert html.count('<p class="em-nodata"') == 4
    assert "no data in LO</p>" in html and "no data in LOP</p>" in html
    assert "no data in ME (L, Synapse count)" in html and "no data in ME (L, Cell count)" in html
    full = eyemap.show(ds, "Mi1", empty_maps=True)._repr_html_()
    assert full.count("<svg") == 12 and "no data in" not in full

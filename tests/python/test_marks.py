"""Renderer(marks=...): a DataFrame, a dict of arrays or a CSV path gives the CLI's bytes with --marks;
errors name the row, column and value; figures carry the marks too."""
import pandas as pd
import pytest

import eyemap
from conftest import run_cli


def _marks_frame(sample):
    """Four marks on the first ME R columns of the sample's layout: three sets, one name to escape."""
    lay = pd.read_csv(sample / "columns.csv")
    me_r = lay[(lay.region == "ME") & (lay.side == "R")].head(4)
    return pd.DataFrame({
        "region": ["ME"] * 4,
        "side": ["R"] * 4,
        "hex1": me_r.hex1.to_numpy(),
        "hex2": me_r.hex2.to_numpy(),
        "set": ['<b>&"x"', "Home", "Focus", "Focus"],
        "style": ["outline", "marker", "dim", None],
    })


@pytest.fixture(scope="module")
def marks_csv(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("marks") / "marks.csv"
    _marks_frame(sample).to_csv(path, index=False)
    return path


def _cli_svg(sample, tmp_path, *args):
    out = tmp_path / "cli.svg"
    run_cli("render", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--type", "Mi1", "--region", "ME",
            "--side", "R", "--metric", "synapses", *args, "-o", out)
    return out.read_text()


def test_marks_frame_gives_the_cli_bytes(sample, sample_ds, marks_csv, tmp_path):
    cli = _cli_svg(sample, tmp_path, "--marks", marks_csv)
    frame = eyemap.Renderer(marks=_marks_frame(sample)).eyemap(sample_ds, "Mi1", "ME", "R", "synapses").svg
    assert frame == cli
    assert "&lt;b&gt;&amp;&quot;x&quot;</text>" in frame
    assert frame.count('<g class="em-marks" pointer-events="none">') == 1
    # A dict of arrays and the CSV's path give the same bytes.
    as_dict = {k: list(v) for k, v in _marks_frame(sample).items()}
    assert eyemap.Renderer(marks=as_dict).eyemap(sample_ds, "Mi1", "ME", "R", "synapses").svg == cli
    assert eyemap.Renderer(marks=marks_csv).eyemap(sample_ds, "Mi1", "ME", "R", "synapses").svg == cli
    # Without marks: the output without them.
    plain = eyemap.Renderer().eyemap(sample_ds, "Mi1", "ME", "R", "synapses").svg
    assert plain == _cli_svg(sample, tmp_path)
    assert "em-marks" not in plain


def test_marks_in_png_pdf_and_settings_hash(sample, sample_ds):
    r = eyemap.Renderer(marks=_marks_frame(sample))
    plain = eyemap.Renderer()
    e, p = r.eyemap(sample_ds, "Mi1", "ME", "R", "synapses"), plain.eyemap(sample_ds, "Mi1", "ME", "R", "synapses")
    assert e.png() != p.png() and e.pdf() != p.pdf()
    assert r.settings_hash() != plain.settings_hash()


def test_marks_in_figures(sample, sample_ds):
    r = eyemap.Renderer(marks=_marks_frame(sample))
    fig = r.figure(sample_ds, types="Mi1", rows="sides", columns="regions", regions="ME", metrics="synapses", formats=("svg",))
    svg = fig.svg
    assert svg.count('<g class="em-mlegend">') == 1
    assert ">Home</text>" in svg


def test_marks_errors_name_the_row_column_and_value(sample):
    bad = _marks_frame(sample)
    bad.loc[2, "side"] = "X"
    with pytest.raises(eyemap.InputError) as e:
        eyemap.Renderer(marks=bad)
    assert e.value.field == "side" and e.value.value == "X" and e.value.line == 3
    missing = _marks_frame(sample).drop(columns=["set"])
    with pytest.raises(eyemap.InputError, match="missing required column"):
        eyemap.Renderer(marks=missing)
    empty_name = _marks_frame(sample)
    empty_name.loc[0, "set"] = ""
    with pytest.raises(eyemap.InputError, match="empty set name"):
        eyemap.Renderer(marks=empty_name)
    with pytest.raises(eyemap.InputError, match="expected a pandas DataFrame"):
        eyemap.Renderer(marks=42)


def test_read_marks_with_other_regions(sample):
    frame = pd.DataFrame({"region": ["AME"], "side": ["R"], "hex1": [1], "hex2": [2], "set": ["a"], "colour": ["#ABCDEF"]})
    with pytest.raises(eyemap.InputError, match="unknown region") as e:
        eyemap.Renderer(marks=frame)
    assert e.value.field == "region" and e.value.value == "AME"
    m = eyemap.read_marks(frame, regions={"AME": ["1", "2"]})
    assert isinstance(m, eyemap.Marks)
    assert m.sets == [("a", "outline", "#abcdef")] and m.rows == 1
    assert eyemap.Renderer(marks=m).settings_hash() != eyemap.Renderer().settings_hash()
    # The same Marks from the frame and from the CSV.
    assert eyemap.read_marks(_marks_frame(sample)).sets == [('<b>&"x"', "outline", "#0072b2"), ("Home", "marker", "#e69f00"),
                                                            ("Focus", "dim", "#009e73")]

"""The batch from Python: file or DataFrame in, run folder / memory / callable sink out, progress,
statistics, and Ctrl-C (SIGINT) stopping cleanly with a KeyboardInterrupt."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import eyemap
from conftest import run_cli


def test_memory_sink_matches_cli_batch(sample, sample_frames, tmp_path):
    df, lay = sample_frames
    res = eyemap.run_batch(df, layout=lay, sink="memory", jobs=2, progress=False)
    assert res["types_rendered"] == 6 and res["eyemaps_rendered"] == 72 and len(res["files"]) == 72
    assert not res["cancelled"] and res["rows_read"] == len(df)
    assert {o["name"] for o in res["stats"]["ops"]} >= {"render_svg", "process"}
    assert "metadata" in res["caches"]
    run_cli("batch", "--data", sample / "data.csv", "--columns", sample / "columns.csv", "--out-dir", tmp_path, "--run", "r",
            "-q")
    for path, data in res["files"].items():
        assert (tmp_path / "r" / path).read_bytes() == data, path


def test_file_input_to_run_folder(sample, tmp_path):
    seen = []
    res = eyemap.run_batch(sample / "data.csv", layout=sample / "columns.csv", out_dir=tmp_path, run="py", formats="svg,png",
                           pages=True, png_scale=2, progress=lambda c: seen.append(c), progress_interval=0.02)
    assert res["run"] == "py" and os.path.exists(res["manifest"]) and res["index_types"] == 6
    m = json.loads(open(res["manifest"]).read())
    assert m["complete"] and len(m["types"]) == 6
    assert len(list((tmp_path / "py" / "png").iterdir())) == 72
    again = eyemap.run_batch(sample / "data.csv", layout=sample / "columns.csv", out_dir=tmp_path, run="py", formats="svg,png",
                             pages=True, png_scale=2, resume=True, progress=False)
    assert again["types_reused"] == 6 and again["types_rendered"] == 0
    assert all("types_done" in c and "bytes_read" in c for c in seen)


def test_callable_sink_and_dataset_input(sample_ds):
    got = {}
    res = eyemap.run_batch(sample_ds, sink=lambda t, p, b: got.setdefault(p, (t, len(b))), requests=[("ME", "R", "cells")],
                           progress=False)
    assert len(got) == 6 and res["files"] == 6 and all(p.startswith("svg/") for p in got)


def test_tqdm_progress_in_terminal(sample_frames, capsys):
    df, lay = sample_frames
    eyemap.run_batch(df, layout=lay, progress=True, progress_interval=0.01)
    err = capsys.readouterr().err
    assert "eyemap batch" in err and "6/6" in err


def test_batch_errors(sample_frames, tmp_path):
    df, lay = sample_frames
    with pytest.raises(eyemap.InputError, match="format"):
        eyemap.run_batch(df, layout=lay, formats="gif", progress=False)
    with pytest.raises(eyemap.FileError):
        eyemap.run_batch(tmp_path / "none.csv", progress=False)
    with pytest.raises(eyemap.InputError, match="resume"):
        eyemap.run_batch(df, layout=lay, resume=True, progress=False)
    with pytest.raises(eyemap.InputError):
        eyemap.run_batch(df, layout=lay, sink=42, progress=False)
    with pytest.raises(ZeroDivisionError):  # a sink's exception comes back as itself
        eyemap.run_batch(df, layout=lay, sink=lambda t, p, b: 1 / 0, progress=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("neuron_type,region,side,hex1,hex2,cells\nA,ME,R,1,2,3\nA,ME,R,1,x,3\n")
    with pytest.raises(eyemap.InputError) as e:
        eyemap.run_batch(bad, progress=False)
    assert e.value.line == 3 and e.value.field == "hex2"


CHILD = textwrap.dedent("""
    import json, os, signal, sys, threading
    import eyemap
    out_dir, data, columns = sys.argv[1:4]
    fired = []
    def progress(c):
        # SIGINT to ourselves once a few types are done: Ctrl-C in the middle of the batch
        if c["types_done"] >= 3 and not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGINT)
    try:
        eyemap.run_batch(data, layout=columns, out_dir=out_dir, run="r", formats="svg,png,pdf", png_scale=3, jobs=1,
                         progress=progress, progress_interval=0.01)
    except KeyboardInterrupt:
        print(json.dumps({"interrupted": True, "fired": bool(fired)}))
        sys.exit(0)
    print(json.dumps({"interrupted": False, "fired": bool(fired)}))
""")


def test_keyboard_interrupt_stops_cleanly(cli, tmp_path, python):
    data = tmp_path / "big"
    run_cli("sample", "--out-dir", data, "--types", "40")
    r = subprocess.run([python, "-c", CHILD, str(tmp_path / "out"), str(data / "data.csv"), str(data / "columns.csv")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res == {"interrupted": True, "fired": True}
    m = json.loads((tmp_path / "out" / "r" / "manifest.json").read_text())
    assert m["cancelled"] and not m["complete"]
    done = len(m["types"])
    assert 3 <= done < 40
    files = [p for p in (tmp_path / "out" / "r").rglob("*") if p.is_file()]
    assert not [p for p in files if ".tmp" in p.name], "temporary files left"
    recorded = {o["path"] for t in m["types"] for o in t["outputs"]}
    on_disk = {str(p.relative_to(tmp_path / "out" / "r")) for p in files if p.suffix in (".svg", ".png", ".pdf")}
    # Every finished type's files are there; besides them at most the type being rendered when the
    # stop came (jobs=1), whose files are whole (written atomically) but not recorded: redone on resume.
    assert recorded <= on_disk
    extra_types = {p.split("/", 1)[1].split("_", 1)[0] for p in on_disk - recorded}
    assert len(extra_types) <= 1, extra_types
    # and the run resumes from there, like the CLI's
    r2 = subprocess.run([python, "-c", "import eyemap,sys,json; print(json.dumps(eyemap.run_batch(sys.argv[1], layout=sys.argv[2], "
                         "out_dir=sys.argv[3], run='r', resume=True, formats='svg,png,pdf', png_scale=3, progress=False)['types_reused']))",
                         str(data / "data.csv"), str(data / "columns.csv"), str(tmp_path / "out")],
                        capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0, r2.stderr
    assert int(r2.stdout) == done

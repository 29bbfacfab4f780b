"""Eyemap.save and EyemapGrid.save write through the library's one output function (issue 25, items 1 and 7):
atomic replace of a regular file (a write error keeps the previous file, no temporary file left), a link's
target replaced with the link kept, `cat >` into a FIFO, and a wait for a FIFO's reader that Ctrl-C ends."""
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import eyemap


@pytest.fixture(scope="module")
def one(sample_ds):
    return eyemap.Renderer().eyemap(sample_ds, "Tm3", "LO", "R", "cells")


def _child(script, sample, **kw):
    """Runs `script` in a fresh interpreter with `one` (an Eyemap of the sample) defined."""
    prelude = textwrap.dedent(f"""
        import os, signal, sys, resource
        import pandas as pd
        import eyemap
        df = pd.read_csv({str(sample / 'data.csv')!r}); lay = pd.read_csv({str(sample / 'columns.csv')!r})
        one = eyemap.Renderer().eyemap(eyemap.Dataset.from_frame(df, lay), "Tm3", "LO", "R", "cells")
    """)
    return subprocess.Popen([sys.executable, "-c", prelude + textwrap.dedent(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=os.environ.copy(), **kw)


def test_write_error_keeps_the_previous_file(sample, tmp_path):
    # Over a file-size limit every write fails (EFBIG; Python ignores SIGXFSZ): the old file must survive.
    target = tmp_path / "eyemap.svg"
    target.write_bytes(b"previous")
    p = _child(f"""
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, resource.RLIM_INFINITY))
        try:
            one.save({str(target)!r})
        except eyemap.FileError as e:
            print("FileError", e)
    """, sample)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err.decode()
    assert out.startswith(b"FileError") and str(target).encode() in out
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["eyemap.svg"]  # no temporary file left


def test_regular_file_link_and_fifo(one, tmp_path):
    plain = one.save(tmp_path / "plain.svg").read_bytes()
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "t.svg").write_bytes(b"old")
    (tmp_path / "link.svg").symlink_to("real/t.svg")
    one.save(tmp_path / "link.svg")
    assert (tmp_path / "link.svg").is_symlink()
    assert (tmp_path / "real" / "t.svg").read_bytes() == plain
    fifo = tmp_path / "fifo.svg"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    one.save(fifo)
    reader.join(timeout=30)
    assert got == [plain]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_grid_save_uses_the_same_rule(one, tmp_path):
    grid = eyemap.EyemapGrid([one], title="grid")
    (tmp_path / "real.html").write_text("old")
    (tmp_path / "link.html").symlink_to("real.html")
    grid.save(tmp_path / "link.html")
    assert (tmp_path / "link.html").is_symlink()
    assert "<!DOCTYPE html>" in (tmp_path / "real.html").read_text()


def test_fifo_without_reader_is_interrupted_by_ctrl_c(sample, tmp_path):
    fifo = tmp_path / "fifo.svg"
    os.mkfifo(fifo)
    p = _child(f"""
        print("saving", flush=True)
        try:
            one.save({str(fifo)!r})
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """, sample)
    assert p.stdout.readline() == b"saving\n"
    time.sleep(0.5)  # inside the wait for a reader
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail("save() to a FIFO without reader did not stop on SIGINT")
    assert p.returncode == 0, err.decode()
    assert out == b"interrupted\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

"""A real client: examples/eyemap_notebook.ipynb executed headlessly (jupyter nbconvert --execute with
Debian's python3-ipykernel); its saved outputs must hold the SVGs, with unique ids, and no error."""
import json
import os
import re
import shutil
import subprocess

from conftest import REAL, SOURCE_DIR


def test_notebook_executes_and_shows_eyemaps(tmp_path):
    nb = SOURCE_DIR / "examples" / "eyemap_notebook.ipynb"
    shutil.copy(nb, tmp_path / nb.name)
    env = dict(os.environ, EYEMAP_DATA=str(REAL))
    r = subprocess.run(["/usr/bin/python3", "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                        "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=python3",
                        "--output", "executed.ipynb", str(tmp_path / nb.name)],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads((tmp_path / "executed.ipynb").read_text())
    outputs = [o for c in out["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"], outputs
    html = ["".join(o["data"]["text/html"]) for o in outputs if "data" in o and "text/html" in o["data"]]
    svgs = [s for h in html for s in re.findall(r"<svg[^>]*>", h)]
    assert len(svgs) >= 1 + 1 + 1, len(svgs)  # Mi1 twice, then Tm1's grid
    ids = [re.search(r' id="([^"]+)"', s).group(1) for s in svgs]
    assert len(ids) == len(set(ids)), "two displays share an SVG id"
    assert all("<script" in h for h in html)  # interactive (tooltips, layer buttons)
    pngs = [o for o in outputs if "data" in o and "image/png" in o["data"]]
    assert pngs  # static viewers get a PNG too
    text = "".join("".join(o.get("text", "")) for o in outputs)
    assert "Dataset" in text

"""The README's Python commands run as written (pip install ., the wheel into a second venv, the notebook), offline.

One copy of the checkout (named eyemap/, beside a link to shared/) is built once: the README's `pip install .`
configures pip's CMake tree in it and the wheel block reuses that tree, so the set stays a single C++ build.
HOME is a temp folder, so ~/venv and ~/venv2 are fresh venvs and no user Jupyter kernel interferes.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD_DIR, SHARED, SOURCE_DIR
from test_install import other_python3

README = SOURCE_DIR / "README.md"


def readme_block(name):
    """The ```sh block right after `<!-- test_pip_install.py: NAME -->` in README.md, verbatim."""
    m = re.search(rf"<!-- test_pip_install\.py: {name} -->\n```sh\n(.*?)```", README.read_text(), re.S)
    assert m, f"README.md has no block marked {name}"
    return m.group(1)


def cmake_version():
    return re.search(r"project\(eyemap VERSION ([0-9.]+)", (SOURCE_DIR / "CMakeLists.txt").read_text()).group(1)


@pytest.fixture(scope="session")
def ws(tmp_path_factory):
    """A folder holding the checkout copy eyemap/ (without build trees) and shared/; the env the README runs in."""
    root = tmp_path_factory.mktemp("ws")

    def ignore(folder, names):
        if Path(folder) == SOURCE_DIR:
            return [n for n in names if n.startswith("build") or n in (".git", "dist")]
        return [n for n in names if n == "__pycache__" or n.endswith(".egg-info")]

    shutil.copytree(SOURCE_DIR, root / "eyemap", ignore=ignore, symlinks=True)
    (root / "shared").symlink_to(SHARED.resolve())
    (root / "home").mkdir()
    (root / "elsewhere").mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "EYEMAP_DATA") and not k.startswith("JUPYTER")}
    env.update(HOME=str(root / "home"), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               CMAKE_BUILD_PARALLEL_LEVEL="2", PYTHONDONTWRITEBYTECODE="1")
    return root, env


def run_block(ws, name, timeout=1200):
    root, env = ws
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block(name)], cwd=root, env=env,
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"README block {name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


RENDER = ("import eyemap, pandas, json, sys; "
          "df = pandas.DataFrame({'neuron_type': ['A'], 'region': ['ME'], 'side': ['R'], 'hex1': [1], 'hex2': [1], 'cells': [2]}); "
          "m = eyemap.render(eyemap.Dataset.from_frame(df), 'A')[0]; m.save('A.png'); "
          "print(json.dumps([eyemap.__file__, eyemap.__version__, m.svg[:200], sys.path]))")


def render_from(venv, ws):
    root, env = ws
    out = root / "elsewhere" / venv.name
    out.mkdir()
    r = subprocess.run([str(venv / "bin" / "python"), "-c", RENDER], cwd=out, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    path, version, svg, path_list = json.loads(r.stdout)
    assert (out / "A.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return Path(path), version, svg, path_list


@pytest.fixture(scope="session")
def installed(ws):
    run_block(ws, "install")
    return ws[0] / "home" / "venv"


def test_readme_pip_install_renders_from_elsewhere(installed, ws):
    path, version, svg, _ = render_from(installed, ws)
    assert path.is_relative_to(installed / "lib"), path
    assert version == cmake_version()
    assert "<svg" in svg
    site = path.parent
    assert {"__init__.py", "__init__.pyi", "py.typed", "_errors.py"} <= {p.name for p in site.iterdir()}
    r = subprocess.run([str(installed / "bin" / "python"), "-m", "pip", "show", "eyemap"], env=ws[1],
                       capture_output=True, text=True)
    assert f"Version: {cmake_version()}" in r.stdout and "Requires: numpy, pandas" in r.stdout, r.stdout


def test_readme_wheel_installs_into_second_venv(installed, ws):
    root, _ = ws
    run_block(ws, "wheel")
    wheels = list((root / "eyemap" / "dist").glob("eyemap-*.whl"))
    assert [w.name.split("-")[1] for w in wheels] == [cmake_version()], wheels
    assert re.search(r"-cp3\d+-cp3\d+-linux_\w+\.whl$", wheels[0].name), wheels[0].name
    venv2 = root / "home" / "venv2"
    path, version, svg, path_list = render_from(venv2, ws)
    assert path.is_relative_to(venv2 / "lib"), path
    # No build tree or checkout on the path: the wheel alone is imported.
    for p in path_list:
        for tree in (root / "eyemap", SOURCE_DIR, BUILD_DIR):
            assert not (p and Path(p).resolve().is_relative_to(tree.resolve())), (p, tree)
    assert version == cmake_version() and "<svg" in svg


def test_readme_notebook_command_uses_the_venv(installed, ws):
    root, _ = ws
    run_block(ws, "notebook", timeout=900)
    spec = json.loads((installed / "share" / "jupyter" / "kernels" / "eyemap-venv" / "kernel.json").read_text())
    assert spec["argv"][0].startswith(str(installed)), spec["argv"]
    out = json.loads((root / "eyemap" / "examples" / "executed.ipynb").read_text())
    # No PYTHONPATH here: `import eyemap` in the first cell only works in the venv's kernel.
    outputs = [o for c in out["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outputs and not [o for o in outputs if o["output_type"] == "error"], outputs
    text = "".join("".join(o.get("text", "")) for o in outputs)
    assert text.startswith(cmake_version()) and "Dataset" in text, text[:500]
    html = ["".join(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})]
    assert sum(h.count("<svg") for h in html) >= 3


def test_pip_install_into_venv_without_numpy_names_interpreter(ws):
    py = other_python3()
    if py is None:
        pytest.skip("no second python3 without numpy on PATH (pyenv's on CI machines)")
    root, env = ws
    venv = root / "home" / "other-venv"
    subprocess.run([str(py), "-m", "venv", "--system-site-packages", str(venv)], check=True, env=env)
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-build-isolation", "./eyemap"],
                       cwd=root, env=env, capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert f"lacks numpy and pandas: {venv / 'bin' / 'python'}" in out, out
    assert "/usr/bin/python3 -m venv --system-site-packages" in out, out
    assert "Configuring done" not in out and "Building CXX" not in out, out  # stopped before CMake ran

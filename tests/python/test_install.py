"""The documented install, for real: a venv with --system-site-packages (Debian's numpy/pandas),
`cmake --install build --component python --prefix VENV`, then `import eyemap` from another folder."""
import os
import subprocess
import sys

import pytest

from conftest import BUILD_DIR


def test_install_into_venv_and_import_elsewhere(tmp_path):
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True, env=env)
    r = subprocess.run(["cmake", "--install", str(BUILD_DIR), "--component", "python", "--prefix", str(venv)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import eyemap, numpy, pandas, json; "
            "df = pandas.DataFrame({'neuron_type': ['A'], 'region': ['ME'], 'side': ['R'], 'hex1': [1], 'hex2': [1], 'cells': [2]}); "
            "m = eyemap.render(eyemap.Dataset.from_frame(df), 'A')[0]; "
            "print(json.dumps([eyemap.__file__, eyemap.__version__, m.svg[:4]]))")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert r.returncode == 0, r.stderr
    import json
    path, version, head = json.loads(r.stdout)
    assert path.startswith(str(venv)), path
    import eyemap
    assert version == eyemap.__version__
    assert head in ("<svg", "<?xm")
    installed = {p.name for p in (venv / "lib").glob("python3*/site-packages/eyemap/*")}
    assert {"__init__.py", "__init__.pyi", "py.typed", "_errors.py"} <= installed
    assert any(n.startswith("_eyemap") and n.endswith(".so") for n in installed)


# --- the wrong interpreter is named, not discovered (issue 24) -------------------------------------------

def clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def built_for():
    """The interpreter the build tree's module was built for (its CMake cache)."""
    import re
    text = (BUILD_DIR / "CMakeCache.txt").read_text()
    return re.search(r"^Python3_EXECUTABLE:[A-Z]+=(.*)$", text, re.M).group(1)


def other_python3():
    """The first python3 on PATH that is not Debian's and cannot import numpy (pyenv's here), or None."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d, "python3")
        if not os.path.exists(p):
            continue
        r = subprocess.run([p, "-c", "import os, sys; print(os.path.realpath(sys.executable))\nimport numpy"],
                           capture_output=True, text=True, env=clean_env())
        real = r.stdout.strip()
        if r.returncode != 0 and real and real != os.path.realpath("/usr/bin/python3"):
            return real  # not a pyenv shim: the interpreter itself
    return None


def other_version_python3():
    """A python3 of another minor version than Debian's (pyenv's versions), or None."""
    import glob
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for p in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3"))):
        r = subprocess.run([p, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True,
                           text=True, env=clean_env())
        if r.returncode == 0 and r.stdout.strip() not in (mine, "") and int(r.stdout.strip().split(".")[1]) >= 8:
            return p
    return None


def install_into(python, venv, *venv_args):
    subprocess.run([python, "-m", "venv", *venv_args, str(venv)], check=True, env=clean_env(), capture_output=True)
    return subprocess.run(["cmake", "--install", str(BUILD_DIR), "--component", "python", "--prefix", str(venv)],
                          capture_output=True, text=True, env=clean_env())


def assert_refused(r, venv):
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert f"the environment's interpreter: {venv}/bin/python3" in out, out
    assert f"the module was built for: {built_for()}" in out, out
    assert f"{built_for()} -m venv --system-site-packages VENV" in out, out  # the fix
    assert not list(venv.glob("lib/python3*/site-packages/eyemap")), "installed anyway"
    return out


def test_cmake_install_into_venv_without_numpy_is_refused(tmp_path):
    venv = tmp_path / "bare"
    out = assert_refused(install_into("/usr/bin/python3", venv), venv)  # no --system-site-packages: no numpy
    assert "its Python lacks numpy and pandas" in out, out


def test_cmake_install_into_venv_of_other_python3_is_refused(tmp_path):
    py = other_python3()
    if py is None:
        pytest.skip("no second python3 without numpy on PATH (pyenv's on CI machines)")
    venv = tmp_path / "pyenv-venv"
    out = assert_refused(install_into(py, venv, "--system-site-packages"), venv)
    assert "lacks numpy" in out and os.path.realpath(py) in out, out


def test_cmake_install_into_venv_of_other_version_is_refused(tmp_path):
    py = other_version_python3()
    if py is None:
        pytest.skip("no python3 of another minor version (pyenv's versions on CI machines)")
    venv = tmp_path / "other-version"
    out = assert_refused(install_into(py, venv), venv)
    assert "cannot load this build (extension suffix" in out, out


def test_import_without_numpy_names_interpreter_and_fix(tmp_path):
    venv = tmp_path / "bare"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True, env=clean_env())
    env = dict(clean_env(), PYTHONPATH=str(BUILD_DIR / "python"))
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import eyemap"], capture_output=True, text=True,
                       env=env, cwd=tmp_path)
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    v = ".".join(map(str, sys.version_info[:3]))
    assert last.startswith("ImportError: eyemap needs numpy"), r.stderr
    assert f"{venv}/bin/python (Python {v})" in last, last
    assert "python3-numpy" in last and "/usr/bin/python3 -m venv --system-site-packages VENV" in last, last

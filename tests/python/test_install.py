"""The documented install, for real: a venv with --system-site-packages (Debian's numpy/pandas),
`cmake --install build --component python --prefix VENV`, then `import eyemap` from another folder."""
import os
import subprocess
import sys

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

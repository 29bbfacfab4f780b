#!/usr/bin/python3
"""Peers a user would pick instead, measured in one run, interleaved (A B A B ...), medians and ratios.

  compare.py --eyemap BUILD/eyemap --bench BUILD/bench/bench_pipeline [--reps 10] [--out FILE.json]

Input: the real optic-lobe data (../shared/data/optic-lobe): column_synapses.csv (the real per-column
synapse totals; a constant neuron_type column "columnar" is prepended) and columns.csv, ME side R:
892 hexagons with real values. Our SVG of that eyemap is what the peers draw (mpl_hexes.py reads its
centres and fills; rsvg-convert rasterises it).

Each round runs, in this order:
  process level (a user's command, start-up and input reading included; wall and CPU of the child):
    ours_svg_cli   eyemap render --format svg          mpl_svg_proc   mpl_hexes.py --once svg
    ours_png_cli   eyemap render --format png          mpl_png_proc   mpl_hexes.py --once png
    rsvg_png       rsvg-convert ours.svg -o x.png      (the other way to get our PNG)
  in process (warm, CPU time):
    ours           bench_pipeline BM_E2E_Eyemap (svg, png: process + layout + output of one
                   892-hexagon eyemap, synthetic per-layer values on the same layout)
    mpl            mpl_hexes.py --reps 2 (draw + save into memory, after a warm-up draw)
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data", "optic-lobe"))
PY = "/usr/bin/python3"


def run(cmd, **kw):
    """Runs cmd; returns (wall s, child CPU s, stdout)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    wall = time.perf_counter() - w0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"compare: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[:500]}")
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p.stdout


def machine():
    model = ""
    try:
        for line in subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "loadavg": list(os.getloadavg()), "python": platform.python_version()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eyemap", required=True)
    ap.add_argument("--bench", required=True, help="bench_pipeline binary (in-process figures of ours)")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--out")
    a = ap.parse_args()

    import matplotlib  # noqa: F401  (fail early with a clear message)

    tmp = tempfile.mkdtemp(prefix="eyemap-peers-")
    data = os.path.join(tmp, "syn.csv")
    with open(os.path.join(SHARED, "column_synapses.csv")) as f, open(data, "w") as out:
        for i, line in enumerate(f):
            out.write(("neuron_type," if i == 0 else "columnar,") + line)
    common = [a.eyemap, "render", "--data", data, "--columns", os.path.join(SHARED, "columns.csv"), "--type", "columnar",
              "--region", "ME", "--side", "R", "--metric", "synapse_density"]
    ours_svg = os.path.join(tmp, "ours.svg")
    ours_png = os.path.join(tmp, "ours.png")
    run(common + ["--format", "svg", "-o", ours_svg])
    run(common + ["--format", "png", "-o", ours_png])
    mpl = [PY, os.path.join(HERE, "mpl_hexes.py"), ours_svg]
    rsvg_png = os.path.join(tmp, "rsvg.png")
    t = {k: [] for k in ["ours_svg_cli", "mpl_svg_proc", "ours_png_cli", "mpl_png_proc", "rsvg_png"]}
    cpu = {k: [] for k in t}
    inproc = {"ours_svg": [], "ours_png": [], "mpl_svg": [], "mpl_png": []}
    sizes = {}
    load_start = os.getloadavg()
    for _ in range(a.reps):
        for key, cmd in [("ours_svg_cli", common + ["--format", "svg", "-o", ours_svg]),
                         ("mpl_svg_proc", mpl + ["--once", "svg", "--out-dir", tmp]),
                         ("ours_png_cli", common + ["--format", "png", "-o", ours_png]),
                         ("mpl_png_proc", mpl + ["--once", "png", "--out-dir", tmp]),
                         ("rsvg_png", ["rsvg-convert", ours_svg, "-o", rsvg_png])]:
            w, c, _ = run(cmd)
            t[key].append(w)
            cpu[key].append(c)
        _, _, out = run([a.bench, "--benchmark_filter=^BM_E2E_Eyemap/svg0_png1_pdf2:[01]$", "--benchmark_min_time=0.05",
                         "--benchmark_format=json"])
        for b in json.loads(out)["benchmarks"]:
            key = "ours_svg" if b["name"].endswith(":0") else "ours_png"
            inproc[key].append(b["cpu_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}[b["time_unit"]])
        _, _, out = run(mpl + ["--reps", "2"])
        m = json.loads(out)
        inproc["mpl_svg"].append(statistics.median(m["svg"]["cpu_s"]))
        inproc["mpl_png"].append(statistics.median(m["png"]["cpu_s"]))
        sizes["mpl_svg"], sizes["mpl_png"] = m["svg"]["bytes"], m["png"]["bytes"]
    sizes["ours_svg"] = os.path.getsize(ours_svg)
    sizes["ours_png"] = os.path.getsize(ours_png)
    sizes["rsvg_png"] = os.path.getsize(rsvg_png)

    med = lambda v: statistics.median(v)  # noqa: E731
    ms = lambda v: round(med(v) * 1e3, 3)  # noqa: E731
    res = {
        "machine": machine() | {"loadavg_start": list(load_start)},
        "reps": a.reps,
        "input": "real column_synapses.csv + columns.csv, ME side R, 892 hexagons",
        "process_level_ms": {k: {"wall_median": ms(t[k]), "cpu_median": ms(cpu[k])} for k in t},
        "in_process_cpu_ms": {k: ms(v) for k, v in inproc.items()},
        "bytes": sizes,
        "ratios": {
            "mpl_svg_over_ours_in_process": med(inproc["mpl_svg"]) / med(inproc["ours_svg"]),
            "mpl_png_over_ours_in_process": med(inproc["mpl_png"]) / med(inproc["ours_png"]),
            "mpl_svg_over_ours_process_wall": med(t["mpl_svg_proc"]) / med(t["ours_svg_cli"]),
            "mpl_png_over_ours_process_wall": med(t["mpl_png_proc"]) / med(t["ours_png_cli"]),
            "rsvg_over_ours_png_process_wall": med(t["rsvg_png"]) / med(t["ours_png_cli"]),
            "rsvg_over_ours_png_process_cpu": med(cpu["rsvg_png"]) / med(cpu["ours_png_cli"]),
        },
        "raw": {"process_wall_s": t, "process_cpu_s": cpu, "in_process_cpu_s": inproc},
    }
    text = json.dumps(res, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(json.dumps({k: res[k] for k in ["machine", "process_level_ms", "in_process_cpu_ms", "bytes", "ratios"]}, indent=1))


if __name__ == "__main__":
    main()

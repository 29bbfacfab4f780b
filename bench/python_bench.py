#!/usr/bin/python3
"""Benchmarks of the Python module (issue 14); figures in bench/README.md, section "Python".

    PYTHONPATH=build/python bench/python_bench.py [--build build] [--rounds 15] [--types 1000] [--skip-release]

1. Python overhead: the 12 SVG eyemaps of one type rendered through `import eyemap` (dataset from a
   DataFrame, built once) vs the same through the C++ API (a tiny C++ program compiled here against
   build/libeyemap.a, driven over a pipe; it times its own Renderer::render calls), interleaved in one
   run: each round one block of Python renders, then one block of C++ renders. Medians.
2. A 1,000-type release (`eyemap sample --types 1000`): pandas read_csv, Dataset.from_frame (rows/s),
   then all SVGs through the module into memory (results held, then dropped): eyemaps/s with 1 and 2
   Python threads (each thread a share of the types; one shared Renderer), and run_batch from the
   Dataset with jobs=1 / 2 and an in-memory sink.
3. matplotlib (bench/peers/mpl_hexes.py) drawing the same 892 hexagons as our ME side R eyemap of the
   real per-column synapse totals (column_synapses.csv, through the module), SVG and PNG, interleaved.
Prints a JSON object and a text summary.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

import eyemap

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL = ROOT.parent / "shared" / "data" / "optic-lobe"

CPP = r"""
// Renders one type's eyemaps (SVG) through the C++ API each time a line arrives on stdin; prints ns.
#include <chrono>
#include <ctime>
#include <iostream>
#include <string>
#include <eyemap/eyemap.hpp>
int main(int argc, char** argv) {
    const eyemap::Dataset ds = eyemap::load_dataset(argv[1], std::optional<std::filesystem::path>(argv[2]));
    const eyemap::Renderer r;
    const std::string type = argv[3];
    const int block = std::stoi(argv[4]);
    std::size_t bytes = 0;
    const auto cpu_ns = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
    };
    for (std::string line; std::getline(std::cin, line);) {
        const auto t0 = std::chrono::steady_clock::now();
        const long long c0 = cpu_ns();
        for (int i = 0; i < block; ++i)
            for (const auto& e : r.render(ds, type)) bytes += e.bytes.size();
        const long long cpu = cpu_ns() - c0;
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
        std::cout << ns << " " << cpu << " " << bytes << std::endl;
    }
}
"""


def build_cpp(build: Path, out: Path) -> Path:
    src = out / "cpp_render.cpp"
    src.write_text(CPP)
    exe = out / "cpp_render"
    libs = subprocess.run(["pkg-config", "--libs", "cairo", "libpng", "libdeflate"], capture_output=True, text=True,
                          check=True).stdout.split()
    subprocess.run(["g++", "-O2", "-std=c++20", f"-I{ROOT / 'include'}", f"-I{build / 'include'}", str(src),
                    str(build / "libeyemap.a"), "-lfmt", *libs, "-lpthread", "-o", str(exe)], check=True)
    return exe


def median_ms(xs):
    return statistics.median(xs) * 1e3


def overhead(build, sample, rounds, block, type_name="Tm3"):
    exe = build_cpp(build, sample)
    cpp = subprocess.Popen([str(exe), str(sample / "data.csv"), str(sample / "columns.csv"), type_name, str(block)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    df, lay = pd.read_csv(sample / "data.csv"), pd.read_csv(sample / "columns.csv")
    t0 = time.perf_counter()
    ds = eyemap.Dataset.from_frame(df, lay)
    from_frame_s = time.perf_counter() - t0
    r = eyemap.Renderer()

    # Times per block: wall and the calling thread's CPU time (the render runs in the calling thread
    # in both; CPU time is what load on the shared machine disturbs least).
    def py_block():
        t, c = time.perf_counter(), time.thread_time()
        for _ in range(block):
            sum(len(m.svg) for m in r.render(ds, type_name))
        return (time.perf_counter() - t) / block, (time.thread_time() - c) / block

    def cpp_block():
        cpp.stdin.write("go\n")
        cpp.stdin.flush()
        ns, cpu, _ = cpp.stdout.readline().split()
        return int(ns) / 1e9 / block, int(cpu) / 1e9 / block

    py_block(), cpp_block()  # warm both (caches, page faults)
    py, cc, pyc, ccc = [], [], [], []
    for _ in range(rounds):
        w, c = py_block()
        py.append(w), pyc.append(c)
        w, c = cpp_block()
        cc.append(w), ccc.append(c)
    cpp.stdin.close()
    cpp.wait()
    # Frame -> dataset for the type's rows alone (what a report builder pays per type it loads).
    one = df[df.neuron_type == type_name]
    t0 = time.perf_counter()
    for _ in range(block):
        eyemap.Dataset.from_frame(one, lay)
    type_frame_s = (time.perf_counter() - t0) / block
    return {"type": type_name, "eyemaps": len(r.render(ds, type_name)), "rows_of_type": len(one), "rounds": rounds,
            "block": block, "python_ms": median_ms(py), "cpp_ms": median_ms(cc), "ratio": statistics.median(py) / statistics.median(cc),
            "python_cpu_ms": median_ms(pyc), "cpp_cpu_ms": median_ms(ccc), "ratio_cpu": statistics.median(pyc) / statistics.median(ccc),
            "ratio_per_round": [p / c for p, c in zip(py, cc)], "ratio_cpu_per_round": [p / c for p, c in zip(pyc, ccc)], "sample_from_frame_ms": from_frame_s * 1e3,
            "sample_rows": len(df), "type_from_frame_ms": type_frame_s * 1e3}


def release(cli, tmp, types):
    d = tmp / f"release{types}"
    subprocess.run([str(cli), "sample", "--out-dir", str(d), "--types", str(types)], check=True, capture_output=True)
    t0 = time.perf_counter()
    df = pd.read_csv(d / "data.csv")
    lay = pd.read_csv(d / "columns.csv")
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = eyemap.Dataset.from_frame(df, lay)
    frame_s = time.perf_counter() - t0
    rows = len(df)
    del df
    gc.collect()
    out = {"types": types, "rows": rows, "read_csv_s": read_s, "from_frame_s": frame_s, "from_frame_rows_per_s": rows / frame_s}
    names = ds.types

    def render_share(r, share, counts):
        n = 0
        for t in share:
            maps = r.render(ds, t)  # the in-memory sink: results held until the next type
            n += len(maps)
        counts.append(n)

    for threads in (1, 2):
        r = eyemap.Renderer()
        render_share(r, names[:5], [])  # warm the frame cache
        counts = []
        shares = [names[i::threads] for i in range(threads)]
        ths = [threading.Thread(target=render_share, args=(r, s, counts)) for s in shares]
        t0, c0 = time.perf_counter(), time.process_time()
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        s, cpu = time.perf_counter() - t0, time.process_time() - c0
        out[f"threads_{threads}"] = {"seconds": s, "cpu_s": cpu, "eyemaps": sum(counts), "eyemaps_per_s": sum(counts) / s,
                                     "rows_per_s": rows / s, "load": os.getloadavg()[0]}
    for jobs in (1, 2):
        res = eyemap.run_batch(ds, sink=lambda t, p, b: None, jobs=jobs, progress=False)
        out[f"batch_jobs_{jobs}"] = {"seconds": res["seconds"], "eyemaps": res["eyemaps_rendered"],
                                     "eyemaps_per_s": res["eyemaps_rendered"] / res["seconds"], "load": os.getloadavg()[0]}
    return out


def peers(tmp, rounds):
    sys.path.insert(0, str(HERE / "peers"))
    import mpl_hexes  # noqa: E402  (bench/peers/mpl_hexes.py)
    cs = pd.read_csv(REAL / "column_synapses.csv")
    cs = cs[cs.region == "ME"].assign(neuron_type="columns")
    ds = eyemap.Dataset.from_frame(cs, pd.read_csv(REAL / "columns.csv"))
    r = eyemap.Renderer()
    m = r.eyemap(ds, "columns", "ME", "R", "synapse_density")
    svg_path = tmp / "ours.svg"
    svg_path.write_text(m.svg)
    width, height, radius, hexes = mpl_hexes.read_ours(str(svg_path))

    def ours(fmt):
        t = time.perf_counter()
        e = r.eyemap(ds, "columns", "ME", "R", "synapse_density", formats=[fmt])
        data = e.svg.encode() if fmt == "svg" else e.png()
        return time.perf_counter() - t, len(data)

    def theirs(fmt):
        t = time.perf_counter()
        data = mpl_hexes.draw(width, height, radius, hexes, fmt)
        return time.perf_counter() - t, len(data)

    times = {k: [] for k in ("ours_svg", "mpl_svg", "ours_png", "mpl_png")}
    size = {}
    for fmt in ("svg", "png"):
        ours(fmt), theirs(fmt)  # warm-up
    for _ in range(rounds):
        for fmt in ("svg", "png"):
            for who, fn in (("ours", ours), ("mpl", theirs)):
                s, n = fn(fmt)
                times[f"{who}_{fmt}"].append(s)
                size[f"{who}_{fmt}"] = n
    import matplotlib
    res = {"hexagons": len(hexes), "matplotlib": matplotlib.__version__, "rounds": rounds}
    for k, v in times.items():
        res[f"{k}_ms"] = median_ms(v)
        res[f"{k}_bytes"] = size[k]
    res["ratio_svg"] = res["mpl_svg_ms"] / res["ours_svg_ms"]
    res["ratio_png"] = res["mpl_png_ms"] / res["ours_png_ms"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--block", type=int, default=5)
    ap.add_argument("--types", type=int, default=1000)
    ap.add_argument("--skip-release", action="store_true")
    a = ap.parse_args()
    cli = a.build / "eyemap"
    res = {"eyemap": eyemap.__version__, "python": sys.version.split()[0], "cpus": os.cpu_count(),
           "load_start": os.getloadavg()[0], "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        subprocess.run([str(cli), "sample", "--out-dir", str(tmp)], check=True, capture_output=True)
        res["overhead"] = overhead(a.build, tmp, a.rounds, a.block)
        o = res["overhead"]
        print(f"overhead: {o['eyemaps']} eyemaps of {o['type']}: python {o['python_ms']:.2f} ms, C++ {o['cpp_ms']:.2f} ms, "
              f"ratio {o['ratio']:.3f} wall; CPU {o['python_cpu_ms']:.2f} vs {o['cpp_cpu_ms']:.2f} ms, ratio {o['ratio_cpu']:.3f} "
              f"(target <= 1.2); frame -> dataset: {o['type_from_frame_ms']:.2f} ms for the type's "
              f"{o['rows_of_type']} rows", file=sys.stderr)
        res["peers"] = peers(tmp, a.rounds)
        p = res["peers"]
        print(f"matplotlib {p['matplotlib']}: SVG {p['ours_svg_ms']:.2f} vs {p['mpl_svg_ms']:.1f} ms ({p['ratio_svg']:.0f}x), "
              f"PNG {p['ours_png_ms']:.2f} vs {p['mpl_png_ms']:.1f} ms ({p['ratio_png']:.1f}x)", file=sys.stderr)
        if not a.skip_release:
            res["release"] = release(cli, tmp, a.types)
            r = res["release"]
            print(f"release: {r['rows']} rows, read_csv {r['read_csv_s']:.1f} s, from_frame {r['from_frame_s']:.2f} s "
                  f"({r['from_frame_rows_per_s'] / 1e6:.2f} M rows/s)", file=sys.stderr)
            for k in ("threads_1", "threads_2", "batch_jobs_1", "batch_jobs_2"):
                cpu = f", CPU {r[k]['cpu_s']:.2f} s" if "cpu_s" in r[k] else ""
                print(f"  {k}: {r[k]['eyemaps']} eyemaps in {r[k]['seconds']:.2f} s = {r[k]['eyemaps_per_s']:.0f} eyemaps/s{cpu} "
                      f"(load {r[k]['load']:.1f})", file=sys.stderr)
    res["load_end"] = os.getloadavg()[0]
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

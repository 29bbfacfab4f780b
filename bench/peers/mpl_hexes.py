#!/usr/bin/python3
"""The peer a user would write instead: matplotlib drawing the same hexagons as one of our SVG eyemaps.

Reads an SVG written by `eyemap render` (hexagon centres, fills, canvas size and hexagon radius), draws
the same flat-topped hexagons with the same fills and stroke on a canvas of the same pixel size with a
PolyCollection (matplotlib's fastest way to draw many polygons), and saves SVG and PNG into memory.
No titles, legend, tooltips or buttons: the peer does less than we do.

  mpl_hexes.py OURS.svg [--reps N] [--out-dir DIR] [--once svg|png]

--once FORMAT: draw one figure in that format and exit (for timing a whole process, import included).
Otherwise prints one JSON object: per format, the in-process times (seconds, CPU and wall) of the
--reps warm draws (a first draw of each format is done and not counted), and the bytes produced.
"""
import argparse
import io
import json
import math
import re
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402


def read_ours(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', text)
    width, height = float(m.group(1)), float(m.group(2))
    m = re.search(r'<path id="[^"]*-h" d="M([\d.]+),0', text)
    radius = float(m.group(1))
    hexes = [(float(x), float(y), fill) for x, y, fill in
             re.findall(r'<use href="#[^"]*-h" x="(-?[\d.]+)" y="(-?[\d.]+)" fill="(#[0-9a-fA-F]{6})"', text)]
    return width, height, radius, hexes


def draw(width, height, radius, hexes, fmt):
    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # SVG's y axis points down
    ax.set_axis_off()
    fig.patch.set_facecolor("#f4f4f4")
    shape = [(radius * math.cos(math.radians(a)), radius * math.sin(math.radians(a))) for a in range(0, 360, 60)]
    polys = [[(x + dx, y + dy) for dx, dy in shape] for x, y, _ in hexes]
    coll = PolyCollection(polys, facecolors=[f for _, _, f in hexes], edgecolors="#c8c8c8", linewidths=0.5 * 72 / dpi)
    ax.add_collection(coll)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor=fig.get_facecolor())
    plt.close(fig)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("svg")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out-dir")
    ap.add_argument("--once", choices=["svg", "png"])
    a = ap.parse_args()
    width, height, radius, hexes = read_ours(a.svg)
    if not hexes:
        sys.exit(f"no hexagons found in {a.svg}")
    if a.once:
        data = draw(width, height, radius, hexes, a.once)
        if a.out_dir:
            open(f"{a.out_dir}/mpl.{a.once}", "wb").write(data)
        return
    result = {"hexagons": len(hexes), "width": width, "height": height}
    for fmt in ("svg", "png"):
        data = draw(width, height, radius, hexes, fmt)  # warm-up: font cache, backend set-up
        cpu, wall = [], []
        for _ in range(a.reps):
            c0, w0 = time.process_time(), time.perf_counter()
            data = draw(width, height, radius, hexes, fmt)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        result[fmt] = {"cpu_s": cpu, "wall_s": wall, "bytes": len(data)}
        if a.out_dir:
            open(f"{a.out_dir}/mpl.{fmt}", "wb").write(data)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

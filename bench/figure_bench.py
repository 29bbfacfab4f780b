#!/usr/bin/python3
"""A 3 x 6 figure (18 panels, the real optic-lobe layout) in SVG, PDF and PNG at 300 dpi: eyemap's
Renderer.figure against matplotlib drawing the same 18 panels (the hexagon centres, fills and panel
transforms read from our SVG, one PolyCollection per panel, as bench/peers/mpl_hexes.py draws one eyemap).

  PYTHONPATH=build/python bench/figure_bench.py [--data DIR] [--reps N]

Rows: ME, LO, LOP; columns: six ME types of me_cells.csv (cells, side R); 180 mm wide, 7 pt. The data
has cell counts in ME only, so LO and LOP panels show the real layout without values (white, grey):
every panel has every column of the layout. matplotlib draws no labels, legend or tooltips (it does less).
Prints a table: per format the median wall time of --reps warm runs (after one not counted) and bytes.
"""
import argparse
import io
import math
import re
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

import eyemap  # noqa: E402

TYPES = ["Mi1", "Mi4", "Mi9", "Tm1", "Tm2", "Tm9"]


def panels_of(svg):
    """Per panel: (translate x, translate y, scale, hexagon radius, [(x, y, fill)]) from our figure SVG."""
    out = []
    for m in re.finditer(r'<g id="[^"]*" class="em-panel"[^>]*>\n<defs><path id="[^"]*-h" d="M([\d.]+),0[^"]*"/></defs>\n'
                         r'<g class="em-hexes" transform="translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+)\)">(.*?)</g>', svg, re.S):
        hexes = [(float(x), float(y), f) for x, y, f in re.findall(r'<use href="#[^"]*" x="(-?[\d.]+)" y="(-?[\d.]+)" fill="(#[0-9a-f]{6})"',
                                                                   m.group(5))]
        out.append((float(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(1)), hexes))
    return out


def mpl_draw(width_pt, height_pt, panels, fmt, dpi):
    fig = plt.figure(figsize=(width_pt / 72, height_pt / 72), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width_pt)
    ax.set_ylim(height_pt, 0)
    ax.set_axis_off()
    for tx, ty, k, r, hexes in panels:
        shape = [(k * r * math.cos(math.radians(a)), k * r * math.sin(math.radians(a))) for a in range(0, 360, 60)]
        polys = [[(tx + k * x + dx, ty + k * y + dy) for dx, dy in shape] for x, y, _ in hexes]
        ax.add_collection(PolyCollection(polys, facecolors=[f for _, _, f in hexes], edgecolors="#c8c8c8", linewidths=0.25,
                                         alpha=0.8))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def timed(fn, reps):
    fn()  # warm-up: caches, fonts, backends
    times, data = [], b""
    for _ in range(reps):
        t0 = time.perf_counter()
        data = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(data if isinstance(data, (bytes, bytearray)) else data.encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/optic-lobe"))
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    ds = eyemap.Dataset.from_csv(Path(a.data) / "me_cells.csv", Path(a.data) / "columns.csv")
    r = eyemap.Renderer()
    kw = dict(rows="regions", columns="types", types=TYPES, sides="R", metrics="cells", width_mm=180, font_pt=7,
              background="#ffffff", dpi=300)
    fig = r.figure(ds, **kw)
    panels = panels_of(fig.svg)
    assert len(panels) == 18, len(panels)
    width_pt, height_pt = fig.width_mm / 25.4 * 72, fig.height_mm / 25.4 * 72
    hexagons = sum(len(p[4]) for p in panels)
    print(f"3 x 6 figure, {hexagons} hexagons, {fig.width_mm:.0f} x {fig.height_mm:.1f} mm, median of {a.reps} warm runs")
    print(f"{'format':8} {'eyemap ms':>10} {'bytes':>10} {'matplotlib ms':>14} {'bytes':>10} {'ratio':>6}")
    for fmt in ("svg", "pdf", "png"):
        ours_t, ours_b = timed(lambda: r.figure(ds, formats=(fmt,), **kw)._bytes[fmt], a.reps)
        mpl_t, mpl_b = timed(lambda: mpl_draw(width_pt, height_pt, panels, fmt, 300), a.reps)
        print(f"{fmt + (' 300dpi' if fmt == 'png' else ''):8} {ours_t * 1e3:10.1f} {ours_b:10d} {mpl_t * 1e3:14.1f} {mpl_b:10d} "
              f"{mpl_t / ours_t:6.1f}x")


if __name__ == "__main__":
    main()

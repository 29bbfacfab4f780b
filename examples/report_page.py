#!/usr/bin/python3
"""A report builder in Python: the real optic-lobe data read with pandas, one type's eyemaps
rendered through `import eyemap`, one self-contained HTML page written (the Python twin of
examples/report_page.cpp).

    PYTHONPATH=build/python examples/report_page.py --type Mi1 --out Mi1.html
    examples/report_page.py --data-dir ../shared/data/optic-lobe --type Tm1 --color-scale percentile --out Tm1.html
"""
import argparse
import html
import sys
import time
from pathlib import Path

import pandas as pd

import eyemap

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "optic-lobe"


def build_page(ds: eyemap.Dataset, neuron_type: str, renderer: eyemap.Renderer) -> str:
    maps = renderer.render(ds, neuron_type)
    rows = "".join(
        f"<tr><td>{html.escape(m.region)}</td><td>{m.side}</td><td>{m.metric}</td>"
        f"<td>{m.counts['has_data']}</td><td>{m.counts['no_data']}</td></tr>" for m in maps)
    # Each SVG's ids are derived from type/region/side/metric, so the eyemaps of one page never clash.
    figures = "".join(f'<figure>{m.svg}<figcaption>{html.escape(" ".join(m.request))}</figcaption></figure>' for m in maps)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(neuron_type)}: eyemaps</title>
<style>body{{font-family:sans-serif;margin:2em}} .grid{{display:flex;flex-wrap:wrap;gap:12px}}
figure{{margin:0}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:2px 8px}}</style></head>
<body><main><h1>{html.escape(neuron_type)}</h1>
<p>{ds.type_rows(neuron_type)} rows of {html.escape(ds.source)}; {ds.column_count} columns; eyemap {eyemap.__version__}.</p>
<table><tr><th scope="col">region</th><th scope="col">side</th><th scope="col">metric</th><th scope="col">columns with data</th><th scope="col">without</th></tr>{rows}</table>
<div class="grid">{figures}</div>
</main></body></html>
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="folder with me_cells.csv and columns.csv")
    ap.add_argument("--type", default="Mi1", help="neuron type (default Mi1)")
    ap.add_argument("--out", type=Path, default=Path("report.html"), help="HTML page to write")
    ap.add_argument("--color-scale", default="linear", choices=["linear", "percentile"])
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    cells = pd.read_csv(a.data_dir / "me_cells.csv")
    layout = pd.read_csv(a.data_dir / "columns.csv")
    try:
        ds = eyemap.Dataset.from_frame(cells, layout, source="me_cells.csv")
        page = build_page(ds, a.type, eyemap.Renderer(color_scale=a.color_scale))
    except eyemap.Error as e:
        print(f"report_page: {e}", file=sys.stderr)
        return 2
    a.out.write_text(page, encoding="utf-8")
    print(f"report_page: wrote {a.out} ({len(page)} bytes, {page.count('<svg')} eyemaps) in {time.perf_counter() - t0:.2f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

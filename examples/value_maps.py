#!/usr/bin/env python3
"""Any per-column number as an eyemap: value maps from the real optic-lobe data.

    value_maps.py --data-dir ../shared/data/optic-lobe --out-dir out/

From column_synapses.csv (the synapses of the columnar cells in each column, per region) and
me_cells.csv (cells of 15 columnar types per medulla column), with pandas:
- log2_ratio: log2 of a column's synapses over its region's median (signed: above or below the
  typical column), on the diverging RdBu map, continuous and centred at 0; columns with 0 synapses have no
  ratio (no data, white);
- per_cell: medulla synapses per columnar cell counted in the column, on viridis, with a unit.
Columns of the layout outside the region are grey. Writes columnar_<region>_R_log2_ratio.{svg,png}
for ME, LO, LOP and columnar_ME_R_per_cell.{svg,png}; exit status 2 on bad input.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import eyemap

TYPE = "columnar"  # one "type": every columnar cell together


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="folder with column_synapses.csv, me_cells.csv, columns.csv")
    ap.add_argument("--out-dir", type=Path, required=True)
    a = ap.parse_args()
    try:
        syn = pd.read_csv(a.data_dir / "column_synapses.csv")
        cells = pd.read_csv(a.data_dir / "me_cells.csv")
        layout = pd.read_csv(a.data_dir / "columns.csv")
        key = ["region", "side", "hex1", "hex2"]
        median = syn.groupby("region")["synapses"].transform(lambda s: s[s > 0].median())
        syn["log2_ratio"] = np.log2(syn["synapses"].where(syn["synapses"] > 0) / median)  # 0 synapses: NaN, no data
        per_column = cells.groupby(key, as_index=False)["cells"].sum()
        syn = syn.merge(per_column, on=key, how="left")
        syn["per_cell"] = syn["synapses"] / syn["cells"]  # NaN outside ME (no cells counted there)
        syn.insert(0, "neuron_type", TYPE)
        ds = eyemap.Dataset.from_frame(syn.drop(columns=["synapses", "cells"]), layout, values=["log2_ratio", "per_cell"])
        a.out_dir.mkdir(parents=True, exist_ok=True)
        maps = eyemap.render(ds, TYPE, side="R", metric="log2_ratio", colormap="rdbu", continuous=True,
                             labels={"log2_ratio": "log2(syn / median)"})
        maps += eyemap.render(ds, TYPE, region="ME", side="R", metric="per_cell", colormap="viridis",
                              labels={"per_cell": "synapses per cell"}, units={"per_cell": "ME"})
        for e in maps:
            for path in (e.save(a.out_dir / e.file_name("svg")), e.save(a.out_dir / e.file_name("png"))):
                print(f"wrote {path} ({e.counts['has_data']} columns with data)")
    except eyemap.InputError as e:
        print(f"value_maps.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

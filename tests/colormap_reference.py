#!/usr/bin/python3
"""The colour-map reference test: every map eyemap has, sampled by tests/colormap_dump, against matplotlib.

Usage (CTest runs it): /usr/bin/python3 tests/colormap_reference.py BUILD/tests/colormap_dump

For every named map and a few listed-colour maps it compares, per channel:
- with matplotlib's cmap(t, bytes=True): within 1 (bytes=True truncates, eyemap rounds);
- with matplotlib's float colour rounded to nearest (floor(v * 255 + 0.5)): exactly, so one wrong
  table entry fails even when it is off by one.
It fails (never skips) when matplotlib is missing: the reference is Debian's python3-matplotlib.
"""
import subprocess
import sys
from collections import defaultdict

try:
    import matplotlib  # first: it needs numpy, so its absence is the one to name
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap
except ImportError as e:
    sys.exit(f"FAIL: the colour-map reference test needs matplotlib ({e}); install python3-matplotlib "
             "(apt-get install python3-matplotlib, or scripts/deps.sh) and run it with /usr/bin/python3")

# eyemap's names -> matplotlib's. A named map missing here fails the test: every map needs a reference.
MATPLOTLIB_NAMES = {"reds": "Reds", "viridis": "viridis", "cividis": "cividis", "magma": "magma", "inferno": "inferno",
                    "plasma": "plasma", "greys": "Greys", "rdbu": "RdBu", "puor": "PuOr"}
LISTS = 4  # listed-colour maps colormap_dump prints


def reference_map(name):
    if name.startswith("#"):
        return LinearSegmentedColormap.from_list("listed", [c.strip() for c in name.split(",")], N=256)
    if name not in MATPLOTLIB_NAMES:
        raise SystemExit(f"FAIL: no matplotlib reference for the map '{name}': add it to MATPLOTLIB_NAMES")
    return matplotlib.colormaps[MATPLOTLIB_NAMES[name]]


def main(dump):
    out = subprocess.run([dump], check=True, capture_output=True, text=True).stdout
    rows = defaultdict(list)  # map -> rows
    for line in out.splitlines():
        what, name, n, i, t, r, g, b = line.split("\t")
        rows[name].append((what, int(n), int(i), float(t), (int(r), int(g), int(b))))
    named = [m for m in rows if not m.startswith("#")]
    failures, checked = [], 0
    if sorted(named) != sorted(MATPLOTLIB_NAMES) or len(rows) != len(named) + LISTS:
        failures.append(f"maps dumped: {sorted(named)} and {len(rows) - len(named)} lists; "
                        f"expected {sorted(MATPLOTLIB_NAMES)} and {LISTS} lists")
    for name, samples in rows.items():
        cmap = reference_map(name)
        counts = defaultdict(int)
        for what, n, i, t, got in samples:
            counts[what] += 1
            if what == "classes":  # a published n-class set, not a sample (tests/test_colormap.cpp checks those)
                continue
            if what == "table":
                ref_float = cmap(np.array([i], dtype=np.int64))[0][:3]  # integer index: the table's entry
                ref_bytes = cmap(np.array([i], dtype=np.int64), bytes=True)[0][:3]
            else:
                ref_float = cmap(t)[:3]
                ref_bytes = cmap(t, bytes=True)[:3]
            rounded = tuple(int(np.floor(v * 255 + 0.5)) for v in ref_float)
            checked += 1
            label = f"{name[:40]} {what} n={n} i={i} t={t!r}"
            if any(abs(int(x) - y) > 1 for x, y in zip(ref_bytes, got)):
                failures.append(f"{label}: eyemap {got}, matplotlib bytes=True {tuple(int(x) for x in ref_bytes)} (more than 1 apart)")
            elif rounded != got:
                failures.append(f"{label}: eyemap {got}, matplotlib rounded {rounded}")
        want = {"lut": 256, "fine": 1001, "table": 256}
        for what, k in want.items():
            if counts[what] != k:
                failures.append(f"{name[:40]}: {counts[what]} '{what}' samples, expected {k}")
        if counts["bins"] + counts["classes"] != sum(range(2, 13)):
            failures.append(f"{name[:40]}: {counts['bins'] + counts['classes']} bin colours, expected {sum(range(2, 13))}")
    for f in failures[:40]:
        print("FAIL:", f)
    if failures:
        print(f"{len(failures)} of {checked} samples or counts differ from matplotlib {matplotlib.__version__}")
        return 1
    print(f"colour maps: {checked} samples of {len(rows)} maps agree with matplotlib {matplotlib.__version__} "
          "(exactly after rounding; within 1 of bytes=True)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: colormap_reference.py PATH/TO/colormap_dump")
    sys.exit(main(sys.argv[1]))

#!/usr/bin/env python3
"""Instructions per call of functions in callgrind profiles (machine load does not change them).

    for t in 2 6; do valgrind --tool=callgrind --callgrind-out-file=cg.$t build/bench/bench_raster \
        --benchmark_filter='BM_Png/1$' --benchmark_min_time=$t; done
    bench/cg_per_call.py cg.2 cg.6 -- render_png encode_png limit_colours

For each name (the start of a demangled function name, eyemap:: optional): calls and inclusive instructions
summed over every call site in each profile; with two profiles of the same program run for
different lengths, the marginal cost per call, (Ir2 - Ir1) / (calls2 - calls1), which leaves out
one-time costs (font loading, first-use tables) that a single profile's average would include.
"""
import re
import sys


def main() -> int:
    if "--" not in sys.argv[1:] or sys.argv.index("--") < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    sep = sys.argv.index("--")
    files, wanted = sys.argv[1:sep], sys.argv[sep + 1:]
    results = [profile(f, wanted) for f in files]
    for w in wanted:
        row = [f"{w}:"] + [f"{r[w][0]} calls {r[w][1]:,} Ir" for r in results]
        if len(results) == 2:
            (n1, i1), (n2, i2) = results[0][w], results[1][w]
            row.append(f"marginal {(i2 - i1) / (n2 - n1) / 1e6:.3f} M per call" if n2 != n1 else "marginal: same call count")
        elif results[0][w][0]:
            row.append(f"average {results[0][w][1] / results[0][w][0] / 1e6:.3f} M per call")
        print("  ".join(row))
    return 0


# A name matches where the function's own name begins (not inside a template argument).
PREFIXES = ("", "eyemap::", "eyemap::(anonymous namespace)::", "eyemap::detail::")


def profile(path, wanted):
    names = {}  # compressed id -> name
    totals = {w: [0, 0] for w in wanted}  # name -> [calls, inclusive Ir]
    pending = None  # the name of the cfn whose calls= line comes next
    calls = 0
    expect_cost = False
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("cfn="):
                m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line.strip())
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    pending = names.get(m.group(1), "")
                else:
                    pending = line.strip()[4:]
            elif line.startswith("fn="):
                m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.strip())
                if m and m.group(2):
                    names[m.group(1)] = m.group(2)
            elif line.startswith("calls="):
                calls = int(line.split("=")[1].split()[0])
                expect_cost = True
            elif expect_cost:
                expect_cost = False
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                for w, t in totals.items():
                    if pending and any(pending.startswith(prefix + w) for prefix in PREFIXES):
                        t[0] += calls
                        t[1] += cost
    return totals


if __name__ == "__main__":
    sys.exit(main())

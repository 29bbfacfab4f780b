#!/usr/bin/env bash
# The whole benchmark suite in one command:
#   bench/run_all.sh [--no-build] [--quick] [--summarize-only] [--build-dir DIR] [--results DIR]
#
# 1. builds the bench binaries and the CLI (Release, -DEYEMAP_BUILD_BENCH=ON, ninja -j2) in build-bench/;
# 2. runs every bench/bench_* binary (Google Benchmark, repetitions with median aggregates; JSON per
#    binary in BUILD/bench-raw/, or RESULTS/raw/ with --results);
# 3. runs the peers (bench/peers/compare.sh: matplotlib and rsvg-convert, interleaved, 10 reps) and
#    bench/batch_e2e.sh when it exists;
# 4. writes RESULTS/latest.json (every median, the derived figures, targets met / not met, machine,
#    date) and RESULTS/latest.txt (the same as text).
# Default RESULTS: bench/results. --summarize-only: only step 4, from BUILD/bench-raw. --quick: fewer repetitions and shorter runs (a smoke test, not figures).
# Wall time on the shared 2-core machine: about 5-8 minutes without the build (see bench/README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-bench"
results="$root/bench/results"
do_build=1
quick=0
summarize_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) do_build=0 ;;
    --quick) quick=1 ;;
    --summarize-only) summarize_only=1; do_build=0 ;;
    --build-dir) build="$2"; shift ;;
    --results) results="$2"; shift ;;
    *) echo "run_all: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# Per-binary JSON and text output: in the build folder for the default (committed) results folder, else
# next to the results.
if [ "$results" = "$root/bench/results" ]; then raw="$build/bench-raw"; else raw="$results/raw"; fi
mkdir -p "$raw" "$results"
t_start=$(date +%s)
log() { echo "[run_all $(( $(date +%s) - t_start ))s] $*" >&2; }
suite_seconds=0
if [ $summarize_only -eq 0 ]; then
rm -f "$raw"/*.json "$raw"/*.txt

if [ $do_build -eq 1 ]; then
  log "building (Release) in $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEYEMAP_BUILD_BENCH=ON -DEYEMAP_BUILD_TESTS=OFF \
    $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
  ninja -C "$build" -j2 >/dev/null
fi
t_suite=$(date +%s)

if [ $quick -eq 1 ]; then reps=2; min_time=0.02; scale_reps=1; else reps=5; min_time=0.1; scale_reps=3; fi
common=(--benchmark_repetitions=$reps --benchmark_report_aggregates_only=true --benchmark_min_time=$min_time)

run_bench() {  # name extra-args...
  local name="$1"; shift
  local bin="$build/bench/$name"
  [ -x "$bin" ] || { log "missing $bin"; echo "$name" >> "$raw/missing.txt"; return 0; }
  log "$name"
  if ! "$bin" "$@" --benchmark_out="$raw/$name.json" --benchmark_out_format=json > "$raw/$name.txt" 2>&1; then
    log "$name FAILED (see $raw/$name.txt)"; echo "$name" >> "$raw/failed.txt"
  fi
}

# Ours first, in a fixed order; then every other bench_* binary (others' benches) with the same settings.
run_bench bench_svg "${common[@]}"
run_bench bench_ingest "${common[@]}"
run_bench bench_pipeline "${common[@]}"
run_bench bench_scaling --benchmark_repetitions=$scale_reps --benchmark_report_aggregates_only=true --benchmark_min_time=$min_time
for src in "$root"/bench/bench_*.cpp; do
  name="$(basename "$src" .cpp)"
  case "$name" in bench_svg|bench_ingest|bench_pipeline|bench_scaling) continue ;; esac
  run_bench "$name" --benchmark_repetitions=$scale_reps --benchmark_report_aggregates_only=true --benchmark_min_time=$min_time
done
for expected in bench_cache bench_caches bench_raster; do
  [ -f "$root/bench/$expected.cpp" ] || echo "$expected.cpp" >> "$raw/missing.txt"
done

log "peers"
peer_reps=10; [ $quick -eq 1 ] && peer_reps=2
if ! "$root/bench/peers/compare.sh" "$build" --reps $peer_reps --out "$raw/peers.json" > "$raw/peers.txt" 2>&1; then
  log "peers FAILED (see $raw/peers.txt)"; echo "peers" >> "$raw/failed.txt"
fi

if [ -f "$root/bench/batch_e2e.sh" ]; then
  log "batch_e2e.sh"
  batch_args=(--eyemap "$build/eyemap"); [ $quick -eq 1 ] && batch_args+=(--quick)
  # The batch targets are about SVG; PNG batches of 12,000 eyemaps would take the suite past 10 minutes
  # (run bench/batch_e2e.sh alone for them).
  grep -q -- '--svg-only' "$root/bench/batch_e2e.sh" && batch_args+=(--svg-only)
  if ! bash "$root/bench/batch_e2e.sh" "${batch_args[@]}" > "$raw/batch_e2e.txt" 2>&1; then
    log "batch_e2e.sh FAILED (see $raw/batch_e2e.txt)"; echo "batch_e2e.sh" >> "$raw/failed.txt"
  fi
else
  log "bench/batch_e2e.sh missing"; echo "batch_e2e.sh" >> "$raw/missing.txt"
fi
t_end=$(date +%s)
suite_seconds=$((t_end - t_suite))
echo "$suite_seconds" > "$raw/suite_seconds"
# What the run was made from, recorded now (a later --summarize-only keeps it).
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "git=$(git -C "$root" rev-parse --short HEAD)"
  echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  git -C "$root" status --porcelain -- include src bench templates CMakeLists.txt | { grep -v 'bench/results' || true; } | sed 's/^.. /uncommitted=/'
} > "$raw/run_meta.txt"
fi
[ -f "$raw/suite_seconds" ] && suite_seconds=$(cat "$raw/suite_seconds")

log "summarising"
SUITE_SECONDS=$suite_seconds QUICK=$quick /usr/bin/python3 - "$raw" "$results" "$root" <<'PY'
import glob, json, math, os, platform, subprocess, sys, time
raw, results, root = sys.argv[1:4]

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return ""

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
benches = {}   # binary -> {name: {"cpu_ms", "real_ms", counters...}} (median aggregates)
context = {}
for path in sorted(glob.glob(os.path.join(raw, "bench_*.json"))):
    binary = os.path.basename(path)[:-5]
    try:
        d = json.load(open(path))
    except ValueError:
        continue
    context = context or d.get("context", {})
    out = {}
    for b in d.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        u = UNIT.get(b.get("time_unit", "ns"), 1e-9)
        e = {"cpu_ms": b["cpu_time"] * u * 1e3, "real_ms": b["real_time"] * u * 1e3}
        skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations", "real_time",
                "cpu_time", "time_unit", "family_index", "per_family_instance_index", "aggregate_name", "aggregate_unit",
                "label", "error_occurred", "error_message"}
        for k, v in b.items():
            if k not in skip and isinstance(v, (int, float)):
                e[k] = v
        out[name] = e
    benches[binary] = out

def get(binary, name, key="cpu_ms"):
    return benches.get(binary, {}).get(name, {}).get(key)

peers = json.load(open(os.path.join(raw, "peers.json"))) if os.path.exists(os.path.join(raw, "peers.json")) else None
batch_txt = open(os.path.join(raw, "batch_e2e.txt")).read() if os.path.exists(os.path.join(raw, "batch_e2e.txt")) else None
missing = open(os.path.join(raw, "missing.txt")).read().split() if os.path.exists(os.path.join(raw, "missing.txt")) else []
failed = open(os.path.join(raw, "failed.txt")).read().split() if os.path.exists(os.path.join(raw, "failed.txt")) else []

# Scaling: least-squares slope of log(y) on log(n), and the local slope of every step.
def fit(points):
    pts = [(math.log(n), math.log(y)) for n, y in points if y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx

def local(points):
    return [{"from": a[0], "to": b[0], "slope": round(math.log(b[1] / a[1]) / math.log(b[0] / a[0]), 3)}
            for a, b in zip(points, points[1:]) if a[1] and b[1]]

scaling = {}
for fam in ["BM_Scale_Svg", "BM_Scale_Process", "BM_Scale_Grid", "BM_Scale_Layout", "BM_Scale_SvgWrite", "BM_Scale_CopyOnly", "BM_Scale_Png"]:
    rows = sorted((int(k.split("n:")[1].split("/")[0]), v) for k, v in benches.get("bench_scaling", {}).items()
                  if k.startswith(fam + "/n:"))
    if not rows:
        continue
    t = [(n, v["cpu_ms"]) for n, v in rows]
    b = [(n, v.get("bytes")) for n, v in rows if v.get("bytes")]
    scaling[fam] = {
        "n": [n for n, _ in rows],
        "cpu_ms": [round(v["cpu_ms"], 4) for _, v in rows],
        "ns_per_hexagon": [round(v["cpu_ms"] * 1e6 / n, 1) for n, v in rows],
        "bytes_per_hexagon": [round(v["bytes"] / n, 1) for n, v in rows if v.get("bytes")],
        "slope_time": round(fit(t), 3) if fit(t) is not None else None,
        "slope_time_1e3_up": round(fit([p for p in t if p[0] >= 1000]), 3) if fit([p for p in t if p[0] >= 1000]) is not None else None,
        "slope_bytes": round(fit(b), 3) if b and fit(b) is not None else None,
        "local_slopes_time": local(t),
        "max_local_slope_time": max((s["slope"] for s in local(t)), default=None),
    }

fig = {}
def put(key, value, unit, source, note=""):
    if value is not None:
        fig[key] = {"value": round(value, 4) if isinstance(value, float) else value, "unit": unit, "source": source, "note": note}

put("svg_eyemap_cpu_ms", get("bench_svg", "BM_SvgEyemap/1"), "ms", "bench_svg BM_SvgEyemap/1", "one 892-hexagon ME eyemap, stats on")
put("svg_eyemap_real_ms", get("bench_svg", "BM_SvgEyemap/1", "real_ms"), "ms", "bench_svg BM_SvgEyemap/1 (wall)")
put("svg_bytes", get("bench_svg", "BM_SvgEyemap/1", "bytes"), "B", "bench_svg BM_SvgEyemap/1")
put("svg_bytes_per_hexagon", get("bench_svg", "BM_SvgEyemap/1", "bytes_per_hexagon"), "B", "bench_svg BM_SvgEyemap/1")
put("svg_frame_expand_cpu_ms", get("bench_svg", "BM_SvgFrameExpand"), "ms", "bench_svg BM_SvgFrameExpand", "metadata cache miss")
put("svg_hexagons_cpu_ms", get("bench_svg", "BM_SvgHexagons"), "ms", "bench_svg BM_SvgHexagons")
put("baseline_format_only_cpu_ms", get("bench_svg", "BM_BaselineFormatOnly"), "ms", "bench_svg BM_BaselineFormatOnly")
put("baseline_copy_only_cpu_ms", get("bench_svg", "BM_BaselineCopyOnly"), "ms", "bench_svg BM_BaselineCopyOnly")
for k in ["svg_over_format", "svg_over_copy", "svg_over_format_plus_copy"]:
    put(k, get("bench_svg", "BM_Ratio_SvgVsBaselines", k), "x", "bench_svg BM_Ratio_SvgVsBaselines (interleaved, thread CPU)")
put("stats_overhead_svg_pct", get("bench_svg", "BM_Ratio_SvgStatsOnVsOff", "overhead_pct"), "%", "bench_svg BM_Ratio_SvgStatsOnVsOff (interleaved)")
put("stats_overhead_type12_pct", get("bench_pipeline", "BM_Ratio_Type12StatsOnVsOff", "overhead_pct"), "%", "bench_pipeline BM_Ratio_Type12StatsOnVsOff (interleaved)")
on, off = get("bench_svg", "BM_SvgEyemap/1"), get("bench_svg", "BM_SvgEyemap/0")
if on and off:
    put("stats_overhead_svg_pairs_pct", 100 * (on / off - 1), "%", "bench_svg BM_SvgEyemap/1 vs /0 (separate runs)")
P = "bench_pipeline"
put("process_eyemap_cpu_ms", get(P, "BM_Stage_Process_Eyemap"), "ms", P + " BM_Stage_Process_Eyemap")
put("process_type12_cpu_ms", get(P, "BM_Stage_Process_Type12"), "ms", P + " BM_Stage_Process_Type12")
put("grid_compute_cpu_ms", get(P, "BM_Stage_Grid_Compute"), "ms", P + " BM_Stage_Grid_Compute", "layout without the coordinate cache")
put("grid_cached_cpu_ms", get(P, "BM_Stage_Grid_Cached"), "ms", P + " BM_Stage_Grid_Cached", "layout with the coordinate cache, warm")
put("grid_compute_over_cached", get(P, "BM_Ratio_GridComputeVsCached", "compute_over_cached"), "x", P + " BM_Ratio_GridComputeVsCached (interleaved)")
put("layout_eyemap_cpu_ms", get(P, "BM_Stage_Layout_Eyemap"), "ms", P + " BM_Stage_Layout_Eyemap")
put("png_draw_1x_cpu_ms", get(P, "BM_Stage_PngDraw_Eyemap/scale:1"), "ms", P + " BM_Stage_PngDraw_Eyemap/scale:1")
put("png_encode_1x_cpu_ms", get(P, "BM_Stage_PngEncode_Eyemap/scale:1"), "ms", P + " BM_Stage_PngEncode_Eyemap/scale:1")
put("png_1x_bytes", get(P, "BM_Stage_PngEncode_Eyemap/scale:1", "bytes"), "B", P + " BM_Stage_PngEncode_Eyemap/scale:1")
put("png_draw_2x_cpu_ms", get(P, "BM_Stage_PngDraw_Eyemap/scale:2"), "ms", P + " BM_Stage_PngDraw_Eyemap/scale:2")
put("png_encode_2x_cpu_ms", get(P, "BM_Stage_PngEncode_Eyemap/scale:2"), "ms", P + " BM_Stage_PngEncode_Eyemap/scale:2")
put("pdf_eyemap_cpu_ms", get(P, "BM_Stage_Pdf_Eyemap"), "ms", P + " BM_Stage_Pdf_Eyemap")
put("pdf_bytes", get(P, "BM_Stage_Pdf_Eyemap", "bytes"), "B", P + " BM_Stage_Pdf_Eyemap")
for f, nm in [(0, "svg"), (1, "png"), (2, "pdf")]:
    put(f"e2e_eyemap_{nm}_cpu_ms", get(P, f"BM_E2E_Eyemap/svg0_png1_pdf2:{f}"), "ms", P + f" BM_E2E_Eyemap/svg0_png1_pdf2:{f}")
put("e2e_type12_svg_cpu_ms", get(P, "BM_E2E_Type12/svg0_png1_pdf2:0/caches:1"), "ms", P + " BM_E2E_Type12 svg, caches on")
put("e2e_type12_svg_nocache_cpu_ms", get(P, "BM_E2E_Type12/svg0_png1_pdf2:0/caches:0"), "ms", P + " BM_E2E_Type12 svg, caches off")
put("e2e_type12_png_cpu_ms", get(P, "BM_E2E_Type12/svg0_png1_pdf2:1/caches:1"), "ms", P + " BM_E2E_Type12 png 1x")
put("e2e_type12_pdf_cpu_ms", get(P, "BM_E2E_Type12/svg0_png1_pdf2:2/caches:1"), "ms", P + " BM_E2E_Type12 pdf")
put("type12_caches_off_over_on", get(P, "BM_Ratio_Type12CachesOffVsOn", "off_over_on"), "x", P + " BM_Ratio_Type12CachesOffVsOn (interleaved)")
I = "bench_ingest"
for n in ["BM_IngestTable_Generated", "BM_IngestStream_Generated", "BM_IngestReal_ColumnsCsv", "BM_IngestReal_MeCellsCsv",
          "BM_IngestReal_ColumnSynapsesCsv"]:
    put("ingest_rows_per_s:" + n[3:], get(I, n, "items_per_second"), "rows/s", I + " " + n)
R = "bench_raster"
put("raster:png_1x_cpu_ms", get(R, "BM_Png/1"), "ms", R + " BM_Png/1", "draw + encode (the raster owner's bench)")
put("raster:png_1x_bytes", get(R, "BM_Png/1", "bytes"), "B", R + " BM_Png/1")
put("raster:png_draw_1x_cpu_ms", get(R, "BM_PngDrawOnly/1"), "ms", R + " BM_PngDrawOnly/1")
put("raster:png_encode_1x_cpu_ms", get(R, "BM_PngEncodeOnly/1"), "ms", R + " BM_PngEncodeOnly/1")
put("raster:png_2x_cpu_ms", get(R, "BM_Png/2"), "ms", R + " BM_Png/2")
put("raster:pdf_cpu_ms", get(R, "BM_Pdf"), "ms", R + " BM_Pdf")
C = "bench_caches"
for name in ["BM_Types100/caches:7/warm:0", "BM_Type12Linear/caches:7/warm:0", "BM_Type12Percentile/caches:7/warm:0"]:
    for k, v in benches.get(C, {}).get(name, {}).items():
        if k.startswith("hit_"):
            put(f"caches:{name}:{k}", v, "rate", C + " " + name, "hit rate from empty caches (all hit rates: benchmarks section)")
cold, warm = get(C, "BM_Type12Linear/caches:7/warm:0"), get(C, "BM_Type12Linear/caches:7/warm:1")
if cold and warm:
    put("caches_type12_cold_over_warm", cold / warm, "x", C + " BM_Type12Linear caches:7 warm:0 / warm:1")
off7 = get(C, "BM_Type12Linear/caches:0/warm:0")
if off7 and warm:
    put("caches_type12_off_over_warm", off7 / warm, "x", C + " BM_Type12Linear caches:0 / caches:7 warm:1")
c100, w100, o100 = get(C, "BM_Types100/caches:7/warm:0"), get(C, "BM_Types100/caches:7/warm:1"), get(C, "BM_Types100/caches:0/warm:0")
if c100 and w100:
    put("caches_types100_cold_over_warm", c100 / w100, "x", C + " BM_Types100 caches:7 warm:0 / warm:1")
if o100 and c100:
    put("caches_types100_off_over_cold", o100 / c100, "x", C + " BM_Types100 caches:0 / caches:7 warm:0", "a batch of 100 types from empty caches")
if peers:
    for k, v in peers["ratios"].items():
        put("peers:" + k, v, "x", "bench/peers/compare.sh")
    for k, v in peers["in_process_cpu_ms"].items():
        put("peers:in_process:" + k, v, "ms", "bench/peers/compare.sh (median of rounds)")
    for k, v in peers["process_level_ms"].items():
        put("peers:process:" + k + ":wall", v["wall_median"], "ms", "bench/peers/compare.sh")
        put("peers:process:" + k + ":cpu", v["cpu_median"], "ms", "bench/peers/compare.sh")
    for k, v in peers["bytes"].items():
        put("peers:bytes:" + k, v, "B", "bench/peers/compare.sh")

def target(name, value, limit, cmp="<=", unit=""):
    if value is None:
        return {"target": name, "status": "not measured"}
    ok = value <= limit if cmp == "<=" else value >= limit
    return {"target": name, "measured": round(value, 4), "limit": limit, "unit": unit, "status": "met" if ok else "not met",
            "ratio_to_limit": round(value / limit, 3) if limit else None}

png_ms = None
if fig.get("png_draw_1x_cpu_ms") and fig.get("png_encode_1x_cpu_ms"):
    png_ms = fig["png_draw_1x_cpu_ms"]["value"] + fig["png_encode_1x_cpu_ms"]["value"]
    put("png_1x_draw_plus_encode_cpu_ms", png_ms, "ms", P + " draw + encode, scale 1")
g = lambda k: fig.get(k, {}).get("value")  # noqa: E731
targets = [
    target("SVG per 892-hexagon eyemap <= 0.2 ms", g("svg_eyemap_cpu_ms"), 0.2, unit="ms"),
    target("SVG <= 250 B per hexagon", g("svg_bytes_per_hexagon"), 250, unit="B"),
    target("PNG 1x <= 2.5 ms (draw + encode)", png_ms, 2.5, unit="ms"),
    target("PNG 1x <= 80 KB (the field's 80-89 KB, low end)", (g("png_1x_bytes") or 0) / 1000 or None, 80, unit="KB"),
    target("PNG 1x <= 89 KB (the field's 80-89 KB, high end)", (g("png_1x_bytes") or 0) / 1000 or None, 89, unit="KB"),
    target("stats overhead on the SVG path <= 2 %", g("stats_overhead_svg_pct"), 2, unit="%"),
    target("SVG within 1.5x of format-only", g("svg_over_format"), 1.5, unit="x"),
]

load = os.getloadavg()
meta = {"uncommitted": []}
if os.path.exists(os.path.join(raw, "run_meta.txt")):
    for line in open(os.path.join(raw, "run_meta.txt")):
        k, _, v = line.rstrip("\n").partition("=")
        if k == "uncommitted":
            meta["uncommitted"].append(v)
        elif k:
            meta[k] = v
    load = [float(x) for x in meta.get("loadavg", "0 0 0").split()]
    meta["uncommitted"] = [x for x in meta["uncommitted"] if x]
out = {
    "schema": "eyemap-bench/1",
    "date": meta.get("date") or time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "git": meta.get("git") or sh(f"git -C {root} rev-parse --short HEAD"),
    "machine": {"nproc": os.cpu_count(), "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"), "mem": sh("free -g | awk '/Mem:/{print $2\" GiB\"}'"),
                "loadavg_end": [round(x, 2) for x in load], "kernel": platform.release(),
                "benchmark_context": {k: context.get(k) for k in ["num_cpus", "mhz_per_cpu", "load_avg", "library_build_type"]}},
    "uncommitted_at_run": meta["uncommitted"],
    "command": "bench/run_all.sh" + (" --quick" if os.environ.get("QUICK") == "1" else ""),
    "suite_seconds": int(os.environ.get("SUITE_SECONDS", "0")),
    "note": "times are the median of repetitions of the benchmark's CPU time (the machine is shared: wall time is "
            "inflated by other engineers' builds); ratios are measured interleaved inside one benchmark",
    "figures": fig, "targets": targets, "scaling": scaling, "missing": missing, "failed": failed,
    "benchmarks": benches, "peers": peers, "batch_e2e_output": batch_txt,
}
os.makedirs(results, exist_ok=True)
json.dump(out, open(os.path.join(results, "latest.json"), "w"), indent=1)

L = []
L.append(f"eyemap benchmark suite -- {out['date']} -- git {out['git']}")
m = out["machine"]
L.append(f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem']}; load average at the end {m['loadavg_end']}; suite {out['suite_seconds']} s")
L.append(f"command: {out['command']}")
if out["uncommitted_at_run"]:
    L.append("uncommitted in the tree during the run (built into the binaries): " + ", ".join(out["uncommitted_at_run"]))
L.append(out["note"])
L.append("")
L.append("TARGETS")
for t in targets:
    if t["status"] == "not measured":
        L.append(f"  {t['target']:<50} not measured")
    else:
        L.append(f"  {t['target']:<50} {t['measured']:>10} {t['unit']:<3} {t['status']:<8} (x{t['ratio_to_limit']} of the limit)")
L.append("")
L.append("FIGURES")
for k, v in fig.items():
    L.append(f"  {k:<58} {v['value']:>14} {v['unit']:<6} {v['source']}")
L.append("")
L.append("SCALING (CPU time per eyemap vs hexagons; slope of log time on log n; 1.0 = linear)")
for fam, s in scaling.items():
    L.append(f"  {fam}: slope {s['slope_time']} (n >= 1000: {s['slope_time_1e3_up']}), bytes slope {s['slope_bytes']}, "
             f"max local slope {s['max_local_slope_time']}")
    L.append("    n:            " + " ".join(f"{n:>9}" for n in s["n"]))
    L.append("    ns/hexagon:   " + " ".join(f"{x:>9}" for x in s["ns_per_hexagon"]))
    if s["bytes_per_hexagon"]:
        L.append("    B/hexagon:    " + " ".join(f"{x:>9}" for x in s["bytes_per_hexagon"]))
L.append("")
if missing:
    L.append("MISSING: " + ", ".join(missing))
if failed:
    L.append("FAILED: " + ", ".join(failed))
L.append("")
L.append("ALL BENCHMARKS (median CPU ms, median wall ms, counters)")
for binary, bs in benches.items():
    L.append(f"  [{binary}]")
    for name, e in bs.items():
        extra = " ".join(f"{k}={v:.4g}" for k, v in e.items() if k not in ("cpu_ms", "real_ms"))
        L.append(f"    {name:<56} {e['cpu_ms']:>11.5g} {e['real_ms']:>11.5g}  {extra}")
if batch_txt:
    L.append("")
    L.append("BATCH (bench/batch_e2e.sh output)")
    L.extend("  " + line for line in batch_txt.splitlines())
open(os.path.join(results, "latest.txt"), "w").write("\n".join(L) + "\n")
print("\n".join(L[:60]))
PY
log "done: $results/latest.json, $results/latest.txt"

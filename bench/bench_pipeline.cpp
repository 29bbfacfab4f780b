// The pipeline stage by stage and end to end, on the real 892-column layout made two-sided (so a type
// has all 12 eyemaps) with deterministic synthetic per-layer values (bench_common.hpp).
//
//   BM_Stage_*   one stage of one eyemap (ME, side R, synapses) or of one type's 12 eyemaps
//   BM_E2E_*     rows of a type in, finished bytes out: per eyemap and per type (12 eyemaps)
//   BM_Ratio_*   two variants timed alternately (A B A B) inside each iteration; the counter is B/A or
//                A/B, so machine load hits both sides alike
//
// The coordinate cache (eyemap/caches.hpp) is on by default; "nocache" variants switch it (and the
// other caches) off, so every eyemap recomputes its grid, scales and SVG frame.
#include <benchmark/benchmark.h>

#include <cstring>

#include "bench_common.hpp"
#include "eyemap/stats.hpp"

#if __has_include("renderer/caches.hpp")
#include "renderer/caches.hpp"
#define EYEMAP_BENCH_HAVE_CACHES 1
#endif
#if __has_include("render/raster.hpp")
#include "render/raster.hpp"
#define EYEMAP_BENCH_HAVE_RASTER 1
#endif

using namespace eyemap;

namespace {

const Dataset& dataset() {
    static const Dataset ds = bench::real_two_sided_dataset(1, 7);
    return ds;
}

const TypeRows& type0() { return dataset().types.at(0); }

void set_caches(bool on) {
#ifdef EYEMAP_BENCH_HAVE_CACHES
    configure_caches(CachesConfig{}.set_enabled(on));
#else
    (void)on;
#endif
}

// ---------------------------------------------------------------------------------------------
// Stages

void BM_Stage_Process_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const EyemapRequest req = bench::me_request();
    for (auto _ : state)
        benchmark::DoNotOptimize(process_type(type0().neuron_type, type0().rows, ds.columns, ds.layout, std::span(&req, 1)));
    state.counters["rows"] = static_cast<double>(type0().rows.size());
}
BENCHMARK(BM_Stage_Process_Eyemap)->Unit(benchmark::kMicrosecond);

void BM_Stage_Process_Type12(benchmark::State& state) {
    const auto& ds = dataset();
    const auto reqs = all_requests(ds.layout, ds.columns);
    for (auto _ : state) benchmark::DoNotOptimize(process_type(type0().neuron_type, type0().rows, ds.columns, ds.layout, reqs));
    state.counters["eyemaps"] = static_cast<double>(reqs.size());
}
BENCHMARK(BM_Stage_Process_Type12)->Unit(benchmark::kMicrosecond);

// Grid coordinates of one side: computed (what a cache miss or a cache that is off costs) ...
void BM_Stage_Grid_Compute(benchmark::State& state) {
    const auto& ds = dataset();
    for (auto _ : state) benchmark::DoNotOptimize(compute_grid(ds.layout, Geometry{}, Side::R));
    state.counters["columns"] = static_cast<double>(ds.layout.universe.size());
}
BENCHMARK(BM_Stage_Grid_Compute)->Unit(benchmark::kMicrosecond);

// ... and through the coordinate cache, warm (what every eyemap after the first of a side costs).
void BM_Stage_Grid_Cached(benchmark::State& state) {
    const auto& ds = dataset();
    set_caches(true);
    grid_for(ds.layout, Geometry{}, Side::R);
    for (auto _ : state) benchmark::DoNotOptimize(grid_for(ds.layout, Geometry{}, Side::R));
}
BENCHMARK(BM_Stage_Grid_Cached)->Unit(benchmark::kMicrosecond);

// The rest of the layout stage (canvas, titles, legend, buttons) on a ready grid.
void BM_Stage_Layout_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const EyemapRequest req = bench::me_request();
    auto data = std::move(process_type(type0().neuron_type, type0().rows, ds.columns, ds.layout, std::span(&req, 1)).at(0));
    const auto grid = std::make_shared<const GridCoordinates>(compute_grid(ds.layout, Geometry{}, Side::R));
    for (auto _ : state) {
        Scene s = layout_eyemap(std::move(data), grid, Geometry{});
        benchmark::DoNotOptimize(s.width);
        data = std::move(s.data);  // vectors moved back: no copy inside the loop
    }
}
BENCHMARK(BM_Stage_Layout_Eyemap)->Unit(benchmark::kMicrosecond);

// Process + layout for the 12 eyemaps of a type: caches on (warm) and off.
void BM_Stage_BuildScenes_Type12(benchmark::State& state) {
    const auto& ds = dataset();
    set_caches(state.range(0) != 0);
    for (auto _ : state) benchmark::DoNotOptimize(build_scenes(ds.layout, ds.columns, type0(), {}));
    set_caches(true);
}
BENCHMARK(BM_Stage_BuildScenes_Type12)->ArgName("caches")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

void BM_Stage_Svg_Eyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        write_svg(scene, buf);
        benchmark::DoNotOptimize(buf.data());
    }
    state.counters["bytes"] = static_cast<double>(buf.size());
    state.counters["bytes_per_hexagon"] = static_cast<double>(buf.size()) / static_cast<double>(scene.data.status.size());
}
BENCHMARK(BM_Stage_Svg_Eyemap)->Unit(benchmark::kMicrosecond);

#ifdef EYEMAP_BENCH_HAVE_RASTER
void BM_Stage_PngDraw_Eyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    RasterOptions o;
    o.scale = static_cast<double>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(render_image(scene, o));
}
BENCHMARK(BM_Stage_PngDraw_Eyemap)->ArgName("scale")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_Stage_PngEncode_Eyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    RasterOptions o;
    o.scale = static_cast<double>(state.range(0));
    const RasterImage img = render_image(scene, o);
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto png = encode_png(img, o.png);
        bytes = png.size();
        benchmark::DoNotOptimize(png.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Stage_PngEncode_Eyemap)->ArgName("scale")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_Stage_Pdf_Eyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto pdf = render_pdf(scene);
        bytes = pdf.size();
        benchmark::DoNotOptimize(pdf.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Stage_Pdf_Eyemap)->Unit(benchmark::kMicrosecond);
#endif

// ---------------------------------------------------------------------------------------------
// End to end: a type's rows in, bytes out.

enum Fmt : int { kSvg = 0, kPng = 1, kPdf = 2 };

std::size_t render_one(const Scene& s, int f, fmt::memory_buffer& buf) {
    switch (f) {
#ifdef EYEMAP_BENCH_HAVE_RASTER
        case kPng: return render_png(s).size();
        case kPdf: return render_pdf(s).size();
#endif
        default:
            buf.clear();
            write_svg(s, buf);
            return buf.size();
    }
}

// One eyemap (ME, R, synapses): process (the pooled scale reads all of the type's rows) + layout + output.
void BM_E2E_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const EyemapRequest req = bench::me_request();
    const int f = static_cast<int>(state.range(0));
    fmt::memory_buffer buf;
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto scenes = build_scenes(ds.layout, ds.columns, type0(), std::span(&req, 1));
        bytes = render_one(scenes[0], f, buf);
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_E2E_Eyemap)->ArgName("svg0_png1_pdf2")->Arg(kSvg)
#ifdef EYEMAP_BENCH_HAVE_RASTER
    ->Arg(kPng)->Arg(kPdf)
#endif
    ->Unit(benchmark::kMicrosecond);

// All 12 eyemaps of a type. caches: 1 = on and warm, 0 = all caches off.
void BM_E2E_Type12(benchmark::State& state) {
    const auto& ds = dataset();
    const int f = static_cast<int>(state.range(0));
    set_caches(state.range(1) != 0);
    fmt::memory_buffer buf;
    std::size_t bytes = 0, n = 0;
    for (auto _ : state) {
        auto scenes = build_scenes(ds.layout, ds.columns, type0(), {});
        bytes = 0;
        for (const auto& s : scenes) bytes += render_one(s, f, buf);
        n = scenes.size();
        benchmark::DoNotOptimize(bytes);
    }
    set_caches(true);
    state.counters["eyemaps"] = static_cast<double>(n);
    state.counters["bytes"] = static_cast<double>(bytes);
    state.counters["per_eyemap_us"] = benchmark::Counter(static_cast<double>(n) * 1e-6,
                                                         benchmark::Counter::kIsIterationInvariantRate |
                                                             benchmark::Counter::kInvert);
}
BENCHMARK(BM_E2E_Type12)->ArgNames({"svg0_png1_pdf2", "caches"})->Args({kSvg, 1})->Args({kSvg, 0})
#ifdef EYEMAP_BENCH_HAVE_RASTER
    ->Args({kPng, 1})->Args({kPdf, 1})
#endif
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Interleaved ratios

// Coordinate cache: computing the grid vs a warm lookup, alternately.
void BM_Ratio_GridComputeVsCached(benchmark::State& state) {
    const auto& ds = dataset();
    set_caches(true);
    grid_for(ds.layout, Geometry{}, Side::R);
    double compute = 0, cached = 0;
    for (auto _ : state) {
        compute += bench::time_block_ns([&] { benchmark::DoNotOptimize(compute_grid(ds.layout, Geometry{}, Side::R)); }, 8);
        cached += bench::time_block_ns([&] { benchmark::DoNotOptimize(grid_for(ds.layout, Geometry{}, Side::R)); }, 8);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters["compute_us"] = compute / it / 1e3;
    state.counters["cached_us"] = cached / it / 1e3;
    state.counters["compute_over_cached"] = compute / cached;
}
BENCHMARK(BM_Ratio_GridComputeVsCached)->Unit(benchmark::kMicrosecond);

// A type's 12 SVG eyemaps with every cache off vs on and warm, alternately.
void BM_Ratio_Type12CachesOffVsOn(benchmark::State& state) {
    const auto& ds = dataset();
    fmt::memory_buffer buf;
    auto run = [&] {
        auto scenes = build_scenes(ds.layout, ds.columns, type0(), {});
        for (const auto& s : scenes) render_one(s, kSvg, buf);
    };
    double off = 0, on = 0;
    for (auto _ : state) {
        set_caches(false);
        off += bench::time_block_ns(run, 2);
        set_caches(true);
        run();  // fill
        on += bench::time_block_ns(run, 2);
    }
    set_caches(true);
    const double it = static_cast<double>(state.iterations());
    state.counters["off_ms"] = off / it / 1e6;
    state.counters["on_ms"] = on / it / 1e6;
    state.counters["off_over_on"] = off / on;
}
BENCHMARK(BM_Ratio_Type12CachesOffVsOn)->Unit(benchmark::kMillisecond);

// Timing statistics on vs off for a whole type (12 eyemaps: process, layout, SVG), alternately.
void BM_Ratio_Type12StatsOnVsOff(benchmark::State& state) {
    const auto& ds = dataset();
    fmt::memory_buffer buf;
    auto run = [&] {
        auto scenes = build_scenes(ds.layout, ds.columns, type0(), {});
        for (const auto& s : scenes) render_one(s, kSvg, buf);
    };
    double on = 0, off = 0;
    for (auto _ : state) {
        set_stats_enabled(true);
        on += bench::time_block_ns(run, 2);
        set_stats_enabled(false);
        off += bench::time_block_ns(run, 2);
    }
    set_stats_enabled(true);
    state.counters["overhead_pct"] = 100.0 * (on / off - 1.0);
}
BENCHMARK(BM_Ratio_Type12StatsOnVsOff)->Unit(benchmark::kMillisecond);

}  // namespace

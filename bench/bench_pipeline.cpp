// The pipeline stage by stage and end to end, on the real 892-column layout made two-sided (so a type
// has all 12 eyemaps) with deterministic synthetic per-layer values (bench_common.hpp).
//
//   BM_Stage_*   one stage of one eyemap (ME, side R, synapses) or of one type's 12 eyemaps: the stage
//                functions (src/process, src/layout, src/render), untimed by the library; caches, where
//                a stage goes through one, are an eyemap::Caches of the benchmark's own
//   BM_E2E_*     rows of a type in, finished bytes out, through eyemap::Renderer (its streaming render,
//                as the batch calls it): per eyemap and per type (12 eyemaps)
//   BM_Ratio_*   two variants timed alternately (A B A B) inside each iteration; the counter is B/A or
//                A/B, so machine load hits both sides alike
//
// The caches (src/renderer/caches.hpp) are per renderer and on by default; "nocache" / caches:0
// variants use a renderer (or Caches) with every cache off, so every eyemap recomputes its grid,
// scales and SVG frame.
#include <benchmark/benchmark.h>

#include <cstring>

#include "bench_common.hpp"
#include "eyemap/stats.hpp"
#include "renderer/caches.hpp"

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
const ColumnIndex& index0() { return *dataset().index; }

RenderOptions with_caches(bool on) {
    RenderOptions o;
    o.caches.set_enabled(on);
    return o;
}

// ---------------------------------------------------------------------------------------------
// Stages

void BM_Stage_Process_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const EyemapRequest req = bench::me_request();
    for (auto _ : state)
        benchmark::DoNotOptimize(process_type(type0().neuron_type, type0().rows, ds.columns, index0(), std::span(&req, 1)));
    state.counters["rows"] = static_cast<double>(type0().rows.size());
}
BENCHMARK(BM_Stage_Process_Eyemap)->Unit(benchmark::kMicrosecond);

void BM_Stage_Process_Type12(benchmark::State& state) {
    const auto& ds = dataset();
    const auto reqs = all_requests(index0(), ds.columns);
    for (auto _ : state) benchmark::DoNotOptimize(process_type(type0().neuron_type, type0().rows, ds.columns, index0(), reqs));
    state.counters["eyemaps"] = static_cast<double>(reqs.size());
}
BENCHMARK(BM_Stage_Process_Type12)->Unit(benchmark::kMicrosecond);

// Grid coordinates of one side: computed (what a cache miss or a cache that is off costs) ...
void BM_Stage_Grid_Compute(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(compute_grid(index0(), Geometry{}, Side::R));
    state.counters["columns"] = static_cast<double>(column_count(index0()));
}
BENCHMARK(BM_Stage_Grid_Compute)->Unit(benchmark::kMicrosecond);

// ... and through the coordinate cache, warm (what every eyemap after the first of a side costs).
void BM_Stage_Grid_Cached(benchmark::State& state) {
    Caches caches{CacheOptions{}};
    caches.grid(index0(), Geometry{}, Side::R);
    for (auto _ : state) benchmark::DoNotOptimize(caches.grid(index0(), Geometry{}, Side::R));
}
BENCHMARK(BM_Stage_Grid_Cached)->Unit(benchmark::kMicrosecond);

// The rest of the layout stage (canvas, titles, legend, buttons) on a ready grid.
void BM_Stage_Layout_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const EyemapRequest req = bench::me_request();
    auto data = std::move(process_type(type0().neuron_type, type0().rows, ds.columns, index0(), std::span(&req, 1)).at(0));
    const auto grid = std::make_shared<const GridCoordinates>(compute_grid(index0(), Geometry{}, Side::R));
    for (auto _ : state) {
        Scene s = layout_eyemap(std::move(data), grid, Geometry{});
        benchmark::DoNotOptimize(s.width);
        data = std::move(s.data);  // vectors moved back: no copy inside the loop
    }
}
BENCHMARK(BM_Stage_Layout_Eyemap)->Unit(benchmark::kMicrosecond);

// Process + layout for the 12 eyemaps of a type, as the renderer chains them: caches on (warm) and off.
void BM_Stage_BuildScenes_Type12(benchmark::State& state) {
    const auto& ds = dataset();
    Caches caches{CacheOptions{}.set_enabled(state.range(0) != 0)};
    bench::build_scenes(index0(), ds.columns, type0(), {}, {}, &caches);  // warm
    for (auto _ : state) benchmark::DoNotOptimize(bench::build_scenes(index0(), ds.columns, type0(), {}, {}, &caches));
}
BENCHMARK(BM_Stage_BuildScenes_Type12)->ArgName("caches")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// The renderer's SVG step: frame from the metadata cache (a hit), hexagons, legend, timed as render_svg.
void BM_Stage_Svg_Eyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    bench::SvgStep svg;
    fmt::memory_buffer buf;
    svg.write(scene, buf);  // the frame into the cache, untimed
    for (auto _ : state) {
        svg.write(scene, buf);
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
// End to end: a type's rows in, bytes out, through the Renderer.

enum Fmt : int { kSvg = 0, kPng = 1, kPdf = 2 };
constexpr OutputFormat kFormats[] = {OutputFormat::svg, OutputFormat::png, OutputFormat::pdf};
std::span<const OutputFormat> format(int f) { return std::span(&kFormats[f], 1); }

// One eyemap (ME, R, synapses): process (the pooled scale reads all of the type's rows) + layout + output.
// Caches on and warm (the renderer is reused), as for every type of a release after the first.
void BM_E2E_Eyemap(benchmark::State& state) {
    const auto& ds = dataset();
    const Renderer renderer;
    const EyemapRequest req = bench::me_request();
    const int f = static_cast<int>(state.range(0));
    std::size_t bytes = 0;
    for (auto _ : state) {
        bytes = bench::render_type(renderer, ds, type0(), std::span(&req, 1), format(f));
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
    const Renderer renderer(with_caches(state.range(1) != 0));
    std::size_t bytes = 0, n = 0;
    for (auto _ : state) {
        bytes = bench::render_type(renderer, ds, type0(), {}, format(f), &n);
        benchmark::DoNotOptimize(bytes);
    }
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
    Caches caches{CacheOptions{}};
    caches.grid(index0(), Geometry{}, Side::R);
    double compute = 0, cached = 0;
    for (auto _ : state) {
        compute += bench::time_block_ns([&] { benchmark::DoNotOptimize(compute_grid(index0(), Geometry{}, Side::R)); }, 8);
        cached += bench::time_block_ns([&] { benchmark::DoNotOptimize(caches.grid(index0(), Geometry{}, Side::R)); }, 8);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters["compute_us"] = compute / it / 1e3;
    state.counters["cached_us"] = cached / it / 1e3;
    state.counters["compute_over_cached"] = compute / cached;
}
BENCHMARK(BM_Ratio_GridComputeVsCached)->Unit(benchmark::kMicrosecond);

// A type's 12 SVG eyemaps with every cache off vs on and warm, alternately (two renderers).
void BM_Ratio_Type12CachesOffVsOn(benchmark::State& state) {
    const auto& ds = dataset();
    const Renderer off_r(with_caches(false)), on_r(with_caches(true));
    const auto svg = format(kSvg);
    bench::render_type(on_r, ds, type0(), {}, svg);  // fill
    double off = 0, on = 0;
    for (auto _ : state) {
        off += bench::time_block_ns([&] { benchmark::DoNotOptimize(bench::render_type(off_r, ds, type0(), {}, svg)); }, 2);
        on += bench::time_block_ns([&] { benchmark::DoNotOptimize(bench::render_type(on_r, ds, type0(), {}, svg)); }, 2);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters["off_ms"] = off / it / 1e6;
    state.counters["on_ms"] = on / it / 1e6;
    state.counters["off_over_on"] = off / on;
}
BENCHMARK(BM_Ratio_Type12CachesOffVsOn)->Unit(benchmark::kMillisecond);

// The renderer's timing statistics on vs off for a whole type (12 eyemaps: process, layout, SVG), alternately.
void BM_Ratio_Type12StatsOnVsOff(benchmark::State& state) {
    const auto& ds = dataset();
    const Renderer renderer;
    const auto svg = format(kSvg);
    auto run = [&] { benchmark::DoNotOptimize(bench::render_type(renderer, ds, type0(), {}, svg)); };
    run();  // caches warm
    double on = 0, off = 0;
    for (auto _ : state) {
        renderer.stats().set_enabled(true);
        on += bench::time_block_ns(run, 2);
        renderer.stats().set_enabled(false);
        off += bench::time_block_ns(run, 2);
    }
    renderer.stats().set_enabled(true);
    state.counters["overhead_pct"] = 100.0 * (on / off - 1.0);
}
BENCHMARK(BM_Ratio_Type12StatsOnVsOff)->Unit(benchmark::kMillisecond);

// Issue 27's budget for a binned named map: one eyemap (ME, R, synapses; rows in, bytes out through the
// Renderer, caches on and warm) with --colormap viridis --bins 7 vs today's default (reds, 5 bins),
// alternately (blocks of A then B in every iteration; two renderers, one per setting). Arg: 0 SVG, 1 PNG.
// viridis_over_reds - 1 is the cost of the map and its bins; the budget is <= 10 % in SVG and in PNG.
void BM_Ratio_EyemapViridis7VsReds5(benchmark::State& state) {
    const auto& ds = dataset();
    RenderOptions vo;
    vo.colormap = "viridis";
    vo.scale.bins = 7;
    const Renderer reds_r, viridis_r(vo);
    const EyemapRequest req = bench::me_request();
    const auto f = format(static_cast<int>(state.range(0)));
    bench::interleaved_ratio(
        state, "reds5", [&] { return bench::render_type(reds_r, ds, type0(), std::span(&req, 1), f); }, "viridis7",
        [&] { return bench::render_type(viridis_r, ds, type0(), std::span(&req, 1), f); }, "viridis_over_reds", state.range(0) == kSvg ? 8 : 2);
}
BENCHMARK(BM_Ratio_EyemapViridis7VsReds5)->ArgName("svg0_png1")->Arg(kSvg)
#ifdef EYEMAP_BENCH_HAVE_RASTER
    ->Arg(kPng)
#endif
    ->Unit(benchmark::kMicrosecond);

// Issue 27's budget for a continuous map: the same eyemap with --colormap viridis --continuous (256 levels,
// a gradient legend, two base-36 digits per layer in the SVG) vs today's default (reds, 5 bins), interleaved
// as above. Arg: 0 SVG, 1 PNG. continuous_over_reds - 1 is the cost; the budget is <= 10 % in SVG and
// <= 50 % in PNG (more than 256 colours on the canvas: the PNG may leave the palette encoder for RGB).
void BM_Ratio_EyemapContinuousVsReds5(benchmark::State& state) {
    const auto& ds = dataset();
    RenderOptions co;
    co.colormap = "viridis";
    co.scale.continuous = true;
    const Renderer reds_r, cont_r(co);
    const EyemapRequest req = bench::me_request();
    const auto f = format(static_cast<int>(state.range(0)));
    bench::interleaved_ratio(
        state, "reds5", [&] { return bench::render_type(reds_r, ds, type0(), std::span(&req, 1), f); }, "continuous",
        [&] { return bench::render_type(cont_r, ds, type0(), std::span(&req, 1), f); }, "continuous_over_reds", state.range(0) == kSvg ? 8 : 2);
}
BENCHMARK(BM_Ratio_EyemapContinuousVsReds5)->ArgName("svg0_png1")->Arg(kSvg)
#ifdef EYEMAP_BENCH_HAVE_RASTER
    ->Arg(kPng)
#endif
    ->Unit(benchmark::kMicrosecond);

}  // namespace

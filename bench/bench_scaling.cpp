// Scaling: one eyemap of n hexagons, n = 10^2 .. 10^6 (a hexagonal patch, nearest rings first, built in
// memory with one row per column, ~7/8 of them with data, 10 layers; bench_common.hpp).
//
//   BM_Scale_Svg/n        process + layout (grid computed, no cache) + SVG: the whole per-eyemap cost.
//                         The stages chained as the renderer chains them, with the renderer's SVG step
//                         (bench::SvgStep: frame from the metadata cache, a hit) rather than through
//                         eyemap::Renderer itself, whose per-thread output buffer is not kept above
//                         16 MB (n >~ 10^5): it would pay the buffer's growth at every large size.
//   BM_Scale_Process/n, BM_Scale_Grid/n, BM_Scale_Layout/n, BM_Scale_SvgWrite/n   the stages alone
//   BM_Scale_CopyOnly/n   memcpy of the same SVG bytes: the memory hierarchy's share of any step
//   BM_Scale_Png/n        drawing + PNG encoding at 1x, up to 10^5 hexagons (cairo's image limits)
//
// Every size is measured the same way: the output buffer is reused and warmed up before timing (at
// 10^6 the suite runs one iteration per repetition, and a first write into a fresh 186 MB buffer pays
// its growth and page faults, which the small sizes amortise over thousands of iterations). Process's
// per-column arrays are handed back after each eyemap and filled again (EyemapArrays), as
// Renderer::render does per thread, and warmed up the same way; its working arrays are kept per thread
// by process_type itself. Other stage allocations (grid, layout, PNG surfaces) are made per call at
// every size, as the library does. The rows (ColumnRow, as ingest makes them) are built once, untimed.
//
// Counters: hexagons, bytes, bytes_per_hexagon, ns_per_hexagon. bench/run_all.sh fits the slope of
// log(time) and log(bytes) against log(n) from these and prints the local slope of every decade step.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>

#include "bench_common.hpp"

#if __has_include("render/raster.hpp")
#include "render/raster.hpp"
#define EYEMAP_BENCH_HAVE_RASTER 1
#endif

using namespace eyemap;

namespace {

const bench::Patch& patch(std::size_t n) {
    static std::map<std::size_t, std::unique_ptr<bench::Patch>> cache;
    auto& p = cache[n];
    if (!p) p = std::make_unique<bench::Patch>(bench::hex_patch(n));
    return *p;
}

// `reuse`: the arrays of the eyemap drawn before, as Renderer::render hands them back per thread.
EyemapData process(const bench::Patch& p, EyemapArrays* reuse = nullptr) {
    const EyemapRequest req = bench::me_request();
    return std::move(process_type(p.type.neuron_type, p.type.rows, p.columns, p.prepared, std::span(&req, 1), {}, {}, reuse).at(0));
}

Scene scene_of(const bench::Patch& p, EyemapArrays* reuse = nullptr) {
    auto grid = std::make_shared<const GridCoordinates>(compute_grid(p.prepared, Geometry{}, Side::R));
    return layout_eyemap(process(p, reuse), std::move(grid), Geometry{});
}

void per_hexagon(benchmark::State& state, std::size_t n, std::size_t bytes) {
    state.counters["hexagons"] = static_cast<double>(n);
    state.counters["ns_per_hexagon"] =
        benchmark::Counter(static_cast<double>(n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    if (bytes) {
        state.counters["bytes"] = static_cast<double>(bytes);
        state.counters["bytes_per_hexagon"] = static_cast<double>(bytes) / static_cast<double>(n);
    }
}

void BM_Scale_Svg(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    bench::SvgStep svg;
    fmt::memory_buffer buf;
    EyemapArrays arrays;
    {  // untimed: the reused output buffer and arrays have their capacity, as in a batch; the frame is cached
        Scene s = scene_of(p, &arrays);
        svg.write(s, buf);
        arrays.give(std::move(s.data));
    }
    for (auto _ : state) {
        Scene s = scene_of(p, &arrays);
        svg.write(s, buf);
        benchmark::DoNotOptimize(buf.data());
        arrays.give(std::move(s.data));
    }
    per_hexagon(state, p.layout.entries.size(), buf.size());
}

void BM_Scale_Process(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    EyemapArrays arrays;
    arrays.give(process(p, &arrays));  // untimed warm-up, as for the output buffers
    for (auto _ : state) {
        EyemapData d = process(p, &arrays);
        benchmark::DoNotOptimize(d.fill.data());
        arrays.give(std::move(d));
    }
    per_hexagon(state, p.layout.entries.size(), 0);
}

void BM_Scale_Grid(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(compute_grid(p.prepared, Geometry{}, Side::R));
    per_hexagon(state, p.layout.entries.size(), 0);
}

void BM_Scale_Layout(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    auto data = process(p);
    const auto grid = std::make_shared<const GridCoordinates>(compute_grid(p.prepared, Geometry{}, Side::R));
    for (auto _ : state) {
        Scene s = layout_eyemap(std::move(data), grid, Geometry{});
        benchmark::DoNotOptimize(s.width);
        data = std::move(s.data);
    }
    per_hexagon(state, p.layout.entries.size(), 0);
}

void BM_Scale_SvgWrite(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    const Scene s = scene_of(p);
    bench::SvgStep svg;
    fmt::memory_buffer buf;
    svg.write(s, buf);  // untimed warm-up (see BM_Scale_Svg)
    for (auto _ : state) {
        svg.write(s, buf);
        benchmark::DoNotOptimize(buf.data());
    }
    per_hexagon(state, p.layout.entries.size(), buf.size());
}

// The memory-hierarchy reference: copy the finished SVG bytes of the same eyemap (source and
// destination allocated once). Its ns per hexagon rises where the working set leaves L2 (1 MiB per
// core here) and L3 (32 MiB, shared with the rest of the machine); a writer step at the same n is the
// memory hierarchy, not the algorithm.
void BM_Scale_CopyOnly(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    const std::string svg = bench::svg_text(scene_of(p));
    std::string dst(svg.size(), '\0');
    for (auto _ : state) {
        std::memcpy(dst.data(), svg.data(), svg.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    per_hexagon(state, p.layout.entries.size(), svg.size());
}

#ifdef EYEMAP_BENCH_HAVE_RASTER
void BM_Scale_Png(benchmark::State& state) {
    const auto& p = patch(static_cast<std::size_t>(state.range(0)));
    const Scene s = scene_of(p);
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto png = encode_png(render_image(s), PngOptions{});
        bytes = png.size();
        benchmark::DoNotOptimize(png.data());
    }
    const auto [w, h] = raster_size(s, 1);
    state.counters["pixels"] = static_cast<double>(w) * static_cast<double>(h);
    per_hexagon(state, p.layout.entries.size(), bytes);
}
#endif

// 10^2 .. 10^6 in steps of ~sqrt(10); fewer iterations at the large end keep the suite short.
void sizes(benchmark::internal::Benchmark* b, std::int64_t max) {
    for (std::int64_t n : {100, 316, 1000, 3162, 10000, 31623, 100000, 316228, 1000000})
        if (n <= max) b->Arg(n);
    b->ArgName("n")->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Scale_Svg)->Apply([](auto* b) { sizes(b, 1000000); });
BENCHMARK(BM_Scale_Process)->Apply([](auto* b) { sizes(b, 1000000); });
BENCHMARK(BM_Scale_Grid)->Apply([](auto* b) { sizes(b, 1000000); });
BENCHMARK(BM_Scale_Layout)->Apply([](auto* b) { sizes(b, 1000000); });
BENCHMARK(BM_Scale_SvgWrite)->Apply([](auto* b) { sizes(b, 1000000); });
BENCHMARK(BM_Scale_CopyOnly)->Apply([](auto* b) { sizes(b, 1000000); });
#ifdef EYEMAP_BENCH_HAVE_RASTER
BENCHMARK(BM_Scale_Png)->Apply([](auto* b) { sizes(b, 100000); });
#endif

}  // namespace

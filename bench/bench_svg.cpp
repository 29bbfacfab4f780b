// SVG writing on one real 892-hexagon ME eyemap (synthetic per-layer values), against "the limit"
// baselines; stats on/off; frame expansion; hexagon writing; build and render per type.
//
// "SVG writing" is the renderer's SVG step (bench::SvgStep, the svg case of the Renderer's output):
// the expanded frame from the metadata cache (a hit: every type after the first of a release), the
// hexagons and legend, timed as "render_svg" in a Stats object. The per-type figure goes through
// eyemap::Renderer::render.
#include <benchmark/benchmark.h>

#include <cstring>

#include "bench_common.hpp"
#include "eyemap/stats.hpp"
#include "render/svg_frame.hpp"

using namespace eyemap;

namespace {

const Dataset& dataset() {
    static const Dataset ds = bench::real_layout_dataset();
    return ds;
}

// Arg: 1 = timing statistics on (the default), 0 = off; the pair measures the timer's overhead.
void BM_SvgEyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    bench::SvgStep svg;
    svg.stats().set_enabled(state.range(0) != 0);
    fmt::memory_buffer buf;
    svg.write(scene, buf);  // the frame into the metadata cache, untimed
    for (auto _ : state) {
        svg.write(scene, buf);
        benchmark::DoNotOptimize(buf.data());
    }
    state.counters["bytes"] = static_cast<double>(buf.size());
    state.counters["bytes_per_hexagon"] = static_cast<double>(buf.size()) / static_cast<double>(scene.data.status.size());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buf.size()));
}
BENCHMARK(BM_SvgEyemap)->Arg(1)->Arg(0)->Arg(1)->Arg(0);

void BM_SvgFrameExpand(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    const auto templates = builtin_templates();
    for (auto _ : state) benchmark::DoNotOptimize(detail::expand_frame(scene, *templates, true));
}
BENCHMARK(BM_SvgFrameExpand);

void BM_SvgHexagons(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        detail::append_hexagons(buf, scene, "em12345678");
        benchmark::DoNotOptimize(buf.data());
    }
}
BENCHMARK(BM_SvgHexagons);

// The limit: only format the numbers the SVG carries (positions, colour, column, value, per-layer
// values and bins) into one buffer with the writer's own number routines: no markup, escaping,
// templates, frame or legend.
//
// Refined (was: every layer of every column): the numbers are now exactly the ones the writer emits,
// so the baseline does not pay for data the SVG leaves out -- layer data of columns that are not in
// the region or whose layers are all zero, and the value of columns not in the region. The old
// variant is kept as BM_BaselineFormatAllLayers for comparison.
void format_only(const Scene& scene, fmt::memory_buffer& buf, bool exact) {
    const auto& d = scene.data;
    const auto& g = *scene.grid;
    const std::size_t L = d.layer_count();
    const auto& palette = scene.style->palette;
    for (std::size_t c = 0; c < d.status.size(); ++c) {
        const std::size_t start = buf.size();
        buf.resize(start + 200 + L * 23);
        detail::RawWriter w{buf.data() + start};
        w.number(g.x[c]);
        w.number(g.y[c]);
        w.lit(palette[d.fill[c]]);
        w.integer(g.hex1[c]);
        w.integer(g.hex2[c]);
        const bool in_region = d.status[c] != ColumnStatus::not_in_region;
        if (!exact || in_region) w.integer(static_cast<std::int64_t>(d.value[c]));
        if (d.has_layers() && (!exact || in_region)) {
            const double* lv = &d.layer_value[c * L];
            bool any = !exact;
            for (std::size_t l = 0; l < L; ++l) any |= lv[l] != 0;
            if (any)
                for (std::size_t l = 0; l < L; ++l) {
                    w.integer(static_cast<std::int64_t>(lv[l]));
                    w.ch(static_cast<char>('0' + d.layer_fill[c * L + l]));
                }
        }
        buf.resize(static_cast<std::size_t>(w.p - buf.data()));
    }
}

void BM_BaselineFormatOnly(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        format_only(scene, buf, true);
        benchmark::DoNotOptimize(buf.data());
    }
    state.counters["bytes"] = static_cast<double>(buf.size());
}
BENCHMARK(BM_BaselineFormatOnly);

void BM_BaselineFormatAllLayers(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        format_only(scene, buf, false);
        benchmark::DoNotOptimize(buf.data());
    }
    state.counters["bytes"] = static_cast<double>(buf.size());
}
BENCHMARK(BM_BaselineFormatAllLayers);

// The floor: copy the final bytes of one eyemap.
void BM_BaselineCopyOnly(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    const std::string svg = bench::svg_text(scene);
    std::string dst(svg.size(), '\0');
    for (auto _ : state) {
        std::memcpy(dst.data(), svg.data(), svg.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_BaselineCopyOnly);

// The limit ratios, measured alternately (A B C A B C ...) inside each iteration so that all three see
// the same machine load: the SVG writer vs format-only, vs copy-only, and vs format-only + copy-only
// (a writer that formats the numbers and moves the finished bytes could not do less).
// Output buffers are reused, as the batch does. Counters are per eyemap.
void BM_Ratio_SvgVsBaselines(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    const std::string svg = bench::svg_text(scene);
    std::string dst(svg.size(), '\0');
    bench::SvgStep svg_step;
    fmt::memory_buffer a, b;
    svg_step.write(scene, a);  // the frame into the metadata cache
    double t_svg = 0, t_fmt = 0, t_copy = 0;
    constexpr int kReps = 4;
    for (auto _ : state) {
        t_svg += bench::time_block_ns([&] { svg_step.write(scene, a); benchmark::DoNotOptimize(a.data()); }, kReps);
        t_fmt += bench::time_block_ns([&] { b.clear(); format_only(scene, b, true); benchmark::DoNotOptimize(b.data()); }, kReps);
        t_copy += bench::time_block_ns([&] {
            std::memcpy(dst.data(), svg.data(), svg.size());
            benchmark::DoNotOptimize(dst.data());
            benchmark::ClobberMemory();
        }, kReps);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters["svg_us"] = t_svg / it / 1e3;
    state.counters["format_us"] = t_fmt / it / 1e3;
    state.counters["copy_us"] = t_copy / it / 1e3;
    state.counters["svg_over_format"] = t_svg / t_fmt;
    state.counters["svg_over_copy"] = t_svg / t_copy;
    state.counters["svg_over_format_plus_copy"] = t_svg / (t_fmt + t_copy);
}
BENCHMARK(BM_Ratio_SvgVsBaselines);

// Timing statistics on vs off on the SVG path, alternately in each iteration (blocks of 4 eyemaps).
void BM_Ratio_SvgStatsOnVsOff(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    bench::SvgStep svg;
    fmt::memory_buffer buf;
    auto run = [&] {
        svg.write(scene, buf);
        benchmark::DoNotOptimize(buf.data());
    };
    run();  // the frame into the metadata cache
    double on = 0, off = 0;
    for (auto _ : state) {
        svg.stats().set_enabled(true);
        on += bench::time_block_ns(run, 4);
        svg.stats().set_enabled(false);
        off += bench::time_block_ns(run, 4);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters["on_us"] = on / it / 1e3;
    state.counters["off_us"] = off / it / 1e3;
    state.counters["overhead_pct"] = 100.0 * (on / off - 1.0);
}
BENCHMARK(BM_Ratio_SvgStatsOnVsOff);

// Process + layout for all the eyemaps of a type (no rendering), as the renderer chains them, caches
// on and warm. (The type has 6 eyemaps here: this dataset's layout is side R only.)
void BM_BuildScenesType(benchmark::State& state) {
    const auto& ds = dataset();
    Caches caches{CacheOptions{}};
    bench::build_scenes(*ds.index, ds.columns, ds.types.at(0), {}, {}, &caches);  // warm
    for (auto _ : state) benchmark::DoNotOptimize(bench::build_scenes(*ds.index, ds.columns, ds.types.at(0), {}, {}, &caches));
}
BENCHMARK(BM_BuildScenesType);

// End to end per type: process, layout and SVG for its eyemaps (Renderer::render, every file's bytes
// returned; caches warm after the first iteration).
void BM_SvgType(benchmark::State& state) {
    const auto& ds = dataset();
    const Renderer renderer;
    std::size_t n = 0;
    for (auto _ : state) {
        auto out = renderer.render(ds, ds.types.at(0).neuron_type);
        n = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["eyemaps"] = static_cast<double>(n);
}
BENCHMARK(BM_SvgType);

}  // namespace

// SVG writing on one real 892-hexagon ME eyemap, against "the limit" baselines.
#include <benchmark/benchmark.h>

#include <cstring>

#include "bench_common.hpp"
#include "eyemap/stats.hpp"
#include "svg_frame.hpp"

using namespace eyemap;

namespace {

const Dataset& dataset() {
    static const Dataset ds = bench::real_layout_dataset();
    return ds;
}

// Arg: 1 = timing statistics on (the default), 0 = off; the pair measures the registry's overhead.
void BM_SvgEyemap(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    set_stats_enabled(state.range(0) != 0);
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        write_svg(scene, buf);
        benchmark::DoNotOptimize(buf.data());
    }
    state.counters["bytes"] = static_cast<double>(buf.size());
    state.counters["bytes_per_hexagon"] = static_cast<double>(buf.size()) / static_cast<double>(scene.data.status.size());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buf.size()));
    set_stats_enabled(true);
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

// The limit: only format the same numbers (positions, colours, tooltip numbers, layer data) into
// one buffer with the writer's own number routines, with no markup, escaping, templates or branching.
void BM_BaselineFormatOnly(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    const auto& d = scene.data;
    const auto& g = *scene.grid;
    const std::size_t L = d.layer_count();
    fmt::memory_buffer buf;
    for (auto _ : state) {
        buf.clear();
        for (std::size_t c = 0; c < d.status.size(); ++c) {
            const std::size_t start = buf.size();
            buf.resize(start + 200 + L * 23);
            detail::RawWriter w{buf.data() + start};
            w.number(g.x[c]);
            w.number(g.y[c]);
            w.lit(kPalette[d.fill[c]]);
            w.integer(g.hex1[c]);
            w.integer(g.hex2[c]);
            w.integer(d.value[c]);
            if (d.has_layers())
                for (std::size_t l = 0; l < L; ++l) {
                    w.integer(d.layer_value[c * L + l]);
                    w.ch(static_cast<char>('0' + d.layer_fill[c * L + l]));
                }
            buf.resize(static_cast<std::size_t>(w.p - buf.data()));
        }
        benchmark::DoNotOptimize(buf.data());
    }
}
BENCHMARK(BM_BaselineFormatOnly);

// The floor: copy the final bytes of one eyemap.
void BM_BaselineCopyOnly(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset());
    const std::string svg = render_svg(scene);
    std::string dst(svg.size(), '\0');
    for (auto _ : state) {
        std::memcpy(dst.data(), svg.data(), svg.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_BaselineCopyOnly);

// Process + layout for all 12 eyemaps of a type (no rendering).
void BM_BuildScenesType(benchmark::State& state) {
    const auto& ds = dataset();
    for (auto _ : state) benchmark::DoNotOptimize(build_scenes(ds.layout, ds.columns, ds.types.at(0), {}));
}
BENCHMARK(BM_BuildScenesType);

// End to end per type: process, layout and SVG for its eyemaps.
void BM_SvgType(benchmark::State& state) {
    const auto& ds = dataset();
    std::size_t n = 0;
    for (auto _ : state) {
        auto out = render_type_svg(ds, ds.types.at(0).neuron_type);
        n = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["eyemaps"] = static_cast<double>(n);
}
BENCHMARK(BM_SvgType);

}  // namespace

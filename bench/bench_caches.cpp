// The renderer's caches (src/renderer/caches.hpp): cold vs warm, each cache on/off, and whether caching
// colours per value or per scale pays. The whole-pipeline benchmarks render through an eyemap::Renderer
// built with the caches under test (caches are per renderer); the scenes-only one and the per-item
// ones use an eyemap::Caches directly (the renderer's cache seams).
//
// Data: the real 892-column optic-lobe layout (side R) copied to side L as well, so a type has all
// 12 eyemaps (3 regions x 2 sides x 2 metrics), with synthetic per-layer values (bench_common.hpp).
//
// Args of the whole-pipeline benchmarks: caches = which are on (0 none, 1 coordinates, 2 colours,
// 3 metadata, 7 all; a bit mask), warm = 0: caches cleared before every iteration (the first type
// of a run), 1: filled by an untimed run first. The counters are hit rates over the timed runs.
// Figures measured on the shared 2-core machine: see the commit message and caches.hpp.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <unordered_map>

#include "bench_common.hpp"
#include "core/hash.hpp"
#include "core/lru_cache.hpp"
#include "renderer/caches.hpp"
#include "render/svg_frame.hpp"

using namespace eyemap;

namespace {

const Dataset& dataset(std::size_t types) {
    static std::unordered_map<std::size_t, Dataset> cache;
    auto it = cache.find(types);
    if (it != cache.end()) return it->second;
    auto layout = read_column_layout(EYEMAP_SHARED_DIR "/data/optic-lobe/columns.csv");
    const std::size_t n = layout.entries.size();
    for (std::size_t i = 0; i < n; ++i) {
        LayoutEntry e = layout.entries[i];
        e.side = Side::L;
        layout.entries.push_back(e);
    }
    std::stringstream csv;
    write_sample_data(csv, layout, SampleOptions{types, 7, true});
    return cache.emplace(types, make_dataset(parse_column_table(csv.str(), "synthetic"), layout)).first->second;
}

CacheOptions cache_options(int mask) {
    CacheOptions c;
    c.coordinates.enabled = mask & 1;
    c.colours.enabled = mask & 2;
    c.metadata.enabled = mask & 4;
    return c;
}

void report_hit_rates(benchmark::State& state, const std::vector<NamedCacheStats>& caches) {
    for (const auto& [name, s] : caches)
        if (s.gets()) state.counters["hit_" + name] = s.hit_rate();
}

RenderOptions options(ScaleMethod method, int mask) {
    RenderOptions o;
    o.scale.method = method;
    o.caches = cache_options(mask);
    return o;
}

// The 12 eyemaps of one type to SVG text.
void run_type12(benchmark::State& state, ScaleMethod method) {
    const Dataset& ds = dataset(1);
    const int mask = static_cast<int>(state.range(0));
    const bool warm = state.range(1) != 0;
    const Renderer r(options(method, mask));
    if (warm) r.render(ds, ds.types[0].neuron_type);  // fill, untimed
    r.reset_statistics();
    std::size_t n = 0;
    for (auto _ : state) {
        if (!warm) r.clear_caches();
        auto out = r.render(ds, ds.types[0].neuron_type);
        n = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["eyemaps"] = static_cast<double>(n);
    report_hit_rates(state, r.cache_statistics());
}
void BM_Type12Percentile(benchmark::State& state) { run_type12(state, ScaleMethod::percentile); }
void BM_Type12Linear(benchmark::State& state) { run_type12(state, ScaleMethod::linear); }
BENCHMARK(BM_Type12Percentile)
    ->ArgNames({"caches", "warm"})
    ->Args({0, 0})->Args({7, 0})->Args({7, 1})
    ->Args({1, 0})->Args({1, 1})->Args({2, 0})->Args({2, 1})->Args({4, 0})->Args({4, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Type12Linear)->ArgNames({"caches", "warm"})->Args({0, 0})->Args({7, 0})->Args({7, 1})->Unit(benchmark::kMillisecond);

// Scenes only (process + layout, no SVG): where the colour and coordinate caches act.
void BM_Type12Scenes(benchmark::State& state) {
    const Dataset& ds = dataset(1);
    const int mask = static_cast<int>(state.range(0));
    const bool warm = state.range(1) != 0;
    const ScaleOptions scale{ScaleMethod::percentile};
    Caches caches(cache_options(mask));
    if (warm) bench::build_scenes(*ds.index, ds.columns, ds.types[0], {}, scale, &caches);
    caches.reset_statistics();
    for (auto _ : state) {
        if (!warm) caches.clear();
        benchmark::DoNotOptimize(bench::build_scenes(*ds.index, ds.columns, ds.types[0], {}, scale, &caches));
    }
    report_hit_rates(state, caches.statistics());
}
BENCHMARK(BM_Type12Scenes)->ArgNames({"caches", "warm"})->Args({0, 0})->Args({7, 0})->Args({7, 1})->Unit(benchmark::kMicrosecond);

// 100 types sharing the layout, one after the other (a batch): cold = caches cleared before the
// batch, so only the first type misses grids and frames.
void BM_Types100(benchmark::State& state) {
    const Dataset& ds = dataset(100);
    const int mask = static_cast<int>(state.range(0));
    const bool warm = state.range(1) != 0;
    const Renderer r(options(ScaleMethod::percentile, mask));
    if (warm)
        for (const auto& t : ds.types) r.render(ds, t.neuron_type);
    r.reset_statistics();
    for (auto _ : state) {
        if (!warm) r.clear_caches();
        for (const auto& t : ds.types) {
            auto out = r.render(ds, t.neuron_type);
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.counters["types"] = static_cast<double>(ds.types.size());
    report_hit_rates(state, r.cache_statistics());
}
BENCHMARK(BM_Types100)
    ->ArgNames({"caches", "warm"})
    ->Args({0, 0})->Args({7, 0})->Args({7, 1})->Args({1, 0})->Args({2, 0})->Args({4, 0})
    ->Unit(benchmark::kMillisecond);

// --- Colours: per value, and per scale ------------------------------------------------------------

// The values a type's pooled synapse scale is built from, and one per-layer pool (ME, both sides).
const std::vector<double>& pooled_values() {
    static const std::vector<double> v = [] {
        std::vector<double> out;
        for (const auto& r : dataset(1).types[0].rows)
            if (r.synapses > 0) out.push_back(static_cast<double>(r.synapses));
        return out;
    }();
    return v;
}
const std::vector<double>& layer_values() {
    static const std::vector<double> v = [] {
        std::vector<double> out;
        for (const auto& r : dataset(1).types[0].rows)
            if (r.region == "ME")
                for (auto x : r.layer_synapses)
                    if (x > 0) out.push_back(static_cast<double>(x));
        return out;
    }();
    return v;
}
const std::vector<double>& values_for(benchmark::State& state) {
    return state.range(0) == 0 ? pooled_values() : layer_values();
}

// Binning as process_type does it: a few compares per value.
void BM_ColourBinCompute(benchmark::State& state) {
    const auto& v = values_for(state);
    const ColorScale scale = make_scale(v, ScaleOptions{ScaleMethod::percentile});
    for (auto _ : state) {
        int sum = 0;
        for (double x : v) sum += scale.bin(x);
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
    state.counters["values"] = static_cast<double>(v.size());
}
BENCHMARK(BM_ColourBinCompute)->ArgName("layer")->Arg(0)->Arg(1);

// A per-value cache at its best: an unlocked hash map from value to bin for one scale, all hits.
void BM_ColourBinMemoUnlocked(benchmark::State& state) {
    const auto& v = values_for(state);
    const ColorScale scale = make_scale(v, ScaleOptions{ScaleMethod::percentile});
    std::unordered_map<double, int> memo;
    for (double x : v) memo.emplace(x, scale.bin(x));
    for (auto _ : state) {
        int sum = 0;
        for (double x : v) sum += memo.find(x)->second;
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
    state.counters["distinct"] = static_cast<double>(memo.size());
}
BENCHMARK(BM_ColourBinMemoUnlocked)->ArgName("layer")->Arg(0)->Arg(1);

// A per-value entry in the shared, thread-safe cache, keyed by (scale, value), all hits.
struct BinKey {
    ScaleEdges edges;
    double value;
    bool operator==(const BinKey&) const = default;
};
struct BinKeyHash {
    std::size_t operator()(const BinKey& k) const noexcept {
        HashBuilder h;
        for (double e : k.edges) h.add(e);
        return static_cast<std::size_t>(h.add(k.value).digest());
    }
};
void BM_ColourBinCacheShared(benchmark::State& state) {
    const auto& v = values_for(state);
    const ColorScale scale = make_scale(v, ScaleOptions{ScaleMethod::percentile});
    CacheConfig cfg;
    cfg.max_entries = 0;
    cfg.max_bytes = 0;
    Cache<BinKey, int, BinKeyHash> cache(cfg);
    for (double x : v) cache.put(BinKey{scale.edges, x}, std::make_shared<const int>(scale.bin(x)), sizeof(int));
    for (auto _ : state) {
        int sum = 0;
        for (double x : v) sum += *cache.get(BinKey{scale.edges, x});
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
}
BENCHMARK(BM_ColourBinCacheShared)->ArgName("layer")->Arg(0)->Arg(1);

// Per scale: computing it, against the least any content-keyed lookup must do (hash the values).
void BM_ScaleLinearCompute(benchmark::State& state) {
    const auto& v = values_for(state);
    for (auto _ : state) benchmark::DoNotOptimize(make_scale(v, ScaleOptions{ScaleMethod::linear}));
    state.counters["values"] = static_cast<double>(v.size());
}
BENCHMARK(BM_ScaleLinearCompute)->ArgName("layer")->Arg(0)->Arg(1);

void BM_ScaleKeyHashOnly(benchmark::State& state) {
    const auto& v = values_for(state);
    for (auto _ : state) benchmark::DoNotOptimize(hash_bytes(std::as_bytes(std::span<const double>(v))));
}
BENCHMARK(BM_ScaleKeyHashOnly)->ArgName("layer")->Arg(0)->Arg(1);

void BM_ScalePercentileCompute(benchmark::State& state) {
    const auto& v = values_for(state);
    for (auto _ : state) benchmark::DoNotOptimize(make_scale(v, ScaleOptions{ScaleMethod::percentile}));
}
BENCHMARK(BM_ScalePercentileCompute)->ArgName("layer")->Arg(0)->Arg(1);

// The colour cache (Caches::scale) on a hit: hash + lookup + full comparison of the values.
void BM_ScalePercentileCachedHit(benchmark::State& state) {
    const auto& v = values_for(state);
    Caches caches(cache_options(7));
    const ScaleOptions o{ScaleMethod::percentile};
    caches.scale(v, o);
    for (auto _ : state) benchmark::DoNotOptimize(caches.scale(v, o));
    report_hit_rates(state, caches.statistics());
}
BENCHMARK(BM_ScalePercentileCachedHit)->ArgName("layer")->Arg(0)->Arg(1);

// The pieces the other two caches save, for scale.
void BM_ComputeGrid(benchmark::State& state) {
    const Dataset& ds = dataset(1);
    for (auto _ : state) benchmark::DoNotOptimize(compute_grid(*ds.index, Geometry{}, Side::R));
}
BENCHMARK(BM_ComputeGrid);

// The coordinate cache (Caches::grid) on a hit.
void BM_GridForHit(benchmark::State& state) {
    const Dataset& ds = dataset(1);
    Caches caches(cache_options(7));
    caches.grid(*ds.index, Geometry{}, Side::R);
    for (auto _ : state) benchmark::DoNotOptimize(caches.grid(*ds.index, Geometry{}, Side::R));
}
BENCHMARK(BM_GridForHit);

void BM_FrameExpand(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset(1));
    for (auto _ : state) benchmark::DoNotOptimize(detail::expand_frame(scene, *builtin_templates(), true));
}
BENCHMARK(BM_FrameExpand);

// The metadata cache (Caches::frame) on a hit.
void BM_CachedFrameHit(benchmark::State& state) {
    const Scene scene = bench::me_scene(dataset(1));
    Caches caches(cache_options(7));
    caches.frame(scene, *builtin_templates(), true);
    for (auto _ : state) benchmark::DoNotOptimize(caches.frame(scene, *builtin_templates(), true));
}
BENCHMARK(BM_CachedFrameHit);

}  // namespace

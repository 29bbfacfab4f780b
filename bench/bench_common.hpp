// Shared benchmark fixtures: the real 892-column optic-lobe layout with deterministic synthetic values,
// its two-sided copy (all 12 eyemaps of a type), hexagonal patches of any size for scaling runs, the
// stages chained as the renderer chains them (for benchmarks of a stage or of process + layout), and
// helpers for interleaved (A B A B) timing inside one benchmark.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <memory>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include <eyemap/eyemap.hpp>
#include <eyemap/sample.hpp>

#include "layout/layout.hpp"
#include "process/process.hpp"
#include "render/svg.hpp"
#include "render/svg_frame.hpp"
#include "renderer/caches.hpp"

namespace eyemap::bench {

inline const char* real_dir() { return EYEMAP_SHARED_DIR "/data/optic-lobe/"; }

// The real layout (../shared/data/optic-lobe/columns.csv): side R only, ME 892 / LO 875 / LOP 817.
inline ColumnLayout real_layout() { return read_column_layout(std::string(real_dir()) + "columns.csv"); }

// The real layout on both sides (its entries copied to side L, as tests/test_pipeline.cpp does), so a
// type has all 12 eyemaps (3 regions x 2 sides x 2 metrics).
inline ColumnLayout real_layout_two_sided() {
    ColumnLayout both = real_layout();
    const std::size_t n = both.entries.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto e = both.entries[i];
        both.entries.push_back({e.region, Side::L, e.hex1, e.hex2});
    }
    return both;
}

// Synthetic data CSV (per-layer synapses and cells from eyemap's seeded sample generator) on a layout.
inline std::string sample_csv(const ColumnLayout& layout, std::size_t types, std::uint64_t seed = 7) {
    std::ostringstream csv;
    write_sample_data(csv, layout, SampleOptions{types, seed, true});
    return std::move(csv).str();
}

// The real layout (side R) with `types` synthetic types: 6 eyemaps per type.
inline Dataset real_layout_dataset(std::size_t types = 1, std::uint64_t seed = 7) {
    const auto layout = real_layout();
    return make_dataset(parse_column_table(sample_csv(layout, types, seed), "synthetic"), layout);
}

// The real layout on both sides with `types` synthetic types: 12 eyemaps per type.
inline Dataset real_two_sided_dataset(std::size_t types = 1, std::uint64_t seed = 7) {
    const auto layout = real_layout_two_sided();
    return make_dataset(parse_column_table(sample_csv(layout, types, seed), "synthetic"), layout);
}

// ---------------------------------------------------------------------------------------------
// The stages chained as eyemap::Renderer chains them (src/renderer/renderer.cpp), for benchmarks that
// time a stage or process + layout without the output: process_type (scales through the colour cache
// when `caches` is given), one grid per side (through the coordinate cache when given, else
// compute_grid), layout_eyemap. No statistics are recorded. Empty requests: all_requests.
inline std::vector<Scene> build_scenes(const ColumnIndex& index, const TableColumns& columns, const TypeRows& type,
                                       std::span<const EyemapRequest> requests = {}, const ScaleOptions& scale = {},
                                       Caches* caches = nullptr, const Geometry& geometry = {}) {
    std::vector<EyemapRequest> all;
    if (requests.empty()) {
        all = all_requests(index, columns);
        requests = all;
    }
    ScaleSource source;
    if (caches) source = [caches](std::span<const double> v, const ScaleOptions& o) { return caches->scale(v, o); };
    auto data = process_type(type.neuron_type, type.rows, columns, index, requests, scale, source);
    std::vector<Scene> scenes;
    scenes.reserve(data.size());
    std::shared_ptr<const GridCoordinates> grids[2];
    for (auto& d : data) {
        auto& g = grids[static_cast<int>(d.side)];
        if (!g) g = caches ? caches->grid(index, geometry, d.side)
                           : std::make_shared<const GridCoordinates>(compute_grid(index, geometry, d.side));
        scenes.push_back(layout_eyemap(std::move(d), g, geometry));
    }
    return scenes;
}

inline EyemapRequest me_request() { return EyemapRequest{"ME", Side::R, Metric::synapses}; }

// The single-eyemap benchmarks' scene: ME, side R, synapses (892 hexagons on the real layout).
inline Scene me_scene(const Dataset& ds, std::size_t type = 0, const ScaleOptions& scale = {}) {
    const EyemapRequest req = me_request();
    return std::move(build_scenes(*ds.index, ds.columns, ds.types.at(type), std::span(&req, 1), scale).at(0));
}

// The renderer's SVG step for one scene (its svg case of Renderer::Impl::write): the frame from the
// metadata cache (expanded on the first call for a region/side/metric/geometry, a hit afterwards),
// then detail::write_svg timed as "render_svg" in its own Stats, the id derived from the eyemap.
// `buf` is cleared first and reused, as the renderer reuses one buffer per thread.
class SvgStep {
public:
    explicit SvgStep(const CacheOptions& caches = {}) : caches_(caches), templates_(builtin_templates()), op_(stats_.op("render_svg")) {}
    std::size_t write(const Scene& scene, fmt::memory_buffer& buf) {
        const auto frame = caches_.frame(scene, *templates_, true);
        buf.clear();
        ScopedTimer t(&stats_, op_);
        detail::write_svg(scene, *frame, buf, default_svg_id(scene.data));
        t.add_bytes(buf.size());
        return buf.size();
    }
    Stats& stats() noexcept { return stats_; }
    Caches& caches() noexcept { return caches_; }

private:
    Caches caches_;
    std::shared_ptr<const TemplateSet> templates_;
    Stats stats_;
    OpId op_;
};

// One scene's SVG bytes (built-in templates, default id): what the renderer writes for it.
inline std::string svg_text(const Scene& scene) {
    fmt::memory_buffer buf;
    detail::write_svg(scene, detail::expand_frame(scene, *builtin_templates(), true), buf, default_svg_id(scene.data));
    return fmt::to_string(buf);
}

// Renders through the streaming Renderer::render (what the batch calls): the type's rows in, every
// file handed over from the renderer's reused buffer, nothing copied. Returns the total bytes.
inline std::size_t render_type(const Renderer& r, const Dataset& ds, const TypeRows& type, std::span<const EyemapRequest> requests,
                               std::span<const OutputFormat> formats, std::size_t* files = nullptr) {
    std::size_t bytes = 0, n = 0;
    r.render(*ds.index, ds.columns, type.neuron_type, type.rows, requests, formats, [&](const EyemapView& v) {
        bytes += v.bytes.size();
        ++n;
    });
    if (files) *files = n;
    return bytes;
}

// ---------------------------------------------------------------------------------------------
// Hexagonal patches for scaling runs: the first n cells of a hexagonal spiral (ring by ring around a
// centre), as ME side R columns, plus one row per column with deterministic values and 10 layers.

struct Patch {
    ColumnLayout layout;
    ColumnIndex prepared;
    TableColumns columns{true, true, true, true};
    TypeRows type;
};

inline Patch hex_patch(std::size_t n) {
    Patch p;
    p.layout.source = "patch";
    p.layout.entries.reserve(n);
    // Axial (q, r) with |q|, |r|, |q + r| <= ring; hex2 = R + 1 - r, hex1 = hex2 - q - 3 + R + 3 keeps
    // both positive (the spec's q = -(h1 - h2) - 3, r = -h2 up to the origin, which is arbitrary).
    std::int32_t R = 0;
    while (3 * static_cast<std::size_t>(R) * static_cast<std::size_t>(R + 1) + 1 < n) ++R;
    auto add = [&](std::int32_t q, std::int32_t r) {
        if (p.layout.entries.size() >= n) return;
        const std::int32_t hex2 = R + 1 - r;
        const std::int32_t hex1 = hex2 - q + R + 1;
        p.layout.entries.push_back({"ME", Side::R, hex1, hex2});
    };
    // All cells within distance R, nearest rings first (ties by q, r): a hexagonal patch of n cells.
    std::vector<std::array<std::int32_t, 3>> cells;  // {distance, q, r}
    for (std::int32_t q = -R; q <= R; ++q)
        for (std::int32_t r = std::max(-R, -q - R); r <= std::min(R, -q + R); ++r)
            cells.push_back({std::max({std::abs(q), std::abs(r), std::abs(q + r)}), q, r});
    std::sort(cells.begin(), cells.end());
    for (const auto& c : cells) add(c[1], c[2]);
    p.prepared = make_column_index(p.layout, builtin_regions());
    p.type.neuron_type = "Patch";
    p.type.rows.reserve(n);
    std::uint64_t s = 12345;
    auto rnd = [&s] {  // splitmix64
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    std::uint64_t line = 2;
    for (const auto& e : p.layout.entries) {
        if (rnd() % 8 == 0) continue;  // ~1 in 8 columns without data (white), as in real types
        ColumnRow row;
        row.neuron_type = p.type.neuron_type;
        row.region = e.region;
        row.side = e.side;
        row.hex1 = e.hex1;
        row.hex2 = e.hex2;
        row.layer_synapses.resize(10);
        row.layer_cells.resize(10);
        for (int l = 0; l < 10; ++l) {
            const auto v = static_cast<std::int64_t>(rnd() % 4 == 0 ? 0 : rnd() % 200);
            row.layer_synapses[static_cast<std::size_t>(l)] = v;
            row.layer_cells[static_cast<std::size_t>(l)] = v > 0 ? 1 + v / 80 : 0;
            row.synapses += v;
            row.cells = std::max(row.cells, row.layer_cells[static_cast<std::size_t>(l)]);
        }
        row.line = line++;
        p.type.rows.push_back(std::move(row));
    }
    return p;
}

// ---------------------------------------------------------------------------------------------
// Interleaved timing: run blocks of A and B alternately inside one benchmark iteration and keep their
// separate totals, so both see the same machine load; report their ratio as a counter.

// Blocks are timed in this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: on a shared
// machine, time spent descheduled would otherwise land on whichever side happened to be running.
inline double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}
template <class F>
inline double time_block_ns(F&& f, int reps) {
    const double t0 = thread_cpu_ns();
    for (int i = 0; i < reps; ++i) f();
    return (thread_cpu_ns() - t0) / reps;
}

// Two ways of rendering one eyemap, `a` (today's) and `b`, each a callable returning its bytes, timed
// alternately in blocks of `reps` inside every iteration (issue 27's budgets: b / a per repetition).
// Counters: <a_name>_us, <b_name>_us (CPU per render), `ratio_name` (b / a), <a_name>_bytes, <b_name>_bytes.
template <class A, class B>
inline void interleaved_ratio(benchmark::State& state, const std::string& a_name, A&& a, const std::string& b_name, B&& b,
                              const std::string& ratio_name, int reps) {
    std::size_t a_bytes = a(), b_bytes = b();  // caches warm
    double ta = 0, tb = 0;
    for (auto _ : state) {
        ta += time_block_ns([&] { a_bytes = a(); }, reps);
        tb += time_block_ns([&] { b_bytes = b(); }, reps);
    }
    const double it = static_cast<double>(state.iterations());
    state.counters[a_name + "_us"] = ta / it / 1e3;
    state.counters[b_name + "_us"] = tb / it / 1e3;
    state.counters[ratio_name] = tb / ta;
    state.counters[a_name + "_bytes"] = static_cast<double>(a_bytes);
    state.counters[b_name + "_bytes"] = static_cast<double>(b_bytes);
}

// Median of a vector (copied).
inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace eyemap::bench

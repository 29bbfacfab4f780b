// Issue 27's budget for value metrics: a float-valued binned eyemap against today's count eyemap.
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>

#include "bench_common.hpp"

#if __has_include("render/raster.hpp")
#define EYEMAP_BENCH_HAVE_RASTER 1
#endif

using namespace eyemap;

namespace {

constexpr int kSvg = 0, kPng = 1;

// The real layout on both sides, one synthetic type, and beside its synapse counts a value column
// "value" with the same columns with data: synapses x 0.37 (fractional: the three-significant-digit
// format), NaN where the count is 0 (no data, as a 0 count is), and per-layer values likewise.
const Dataset& dataset() {
    static const Dataset ds = [] {
        Dataset d = bench::real_two_sided_dataset(1, 7);
        d.columns.values = {ValueColumn{"value", true}};
        const double nan = std::numeric_limits<double>::quiet_NaN();
        for (auto& t : d.types)
            for (auto& r : t.rows) {
                r.values = {r.synapses > 0 ? static_cast<double>(r.synapses) * 0.37 : nan};
                r.layer_values.clear();
                for (const auto v : r.layer_synapses) r.layer_values.push_back(v > 0 ? static_cast<double>(v) * 0.37 : nan);
            }
        return d;
    }();
    return ds;
}

std::vector<OutputFormat> format(int which) { return {which == kSvg ? OutputFormat::svg : OutputFormat::png}; }

// One eyemap (ME, R) through the Renderer, caches warm, counts and values alternately in blocks
// (one renderer: the same options). Arg: 0 SVG, 1 PNG. values_over_counts - 1 is the cost of a
// float metric; the budget is <= 10 % in SVG and in PNG.
void BM_Ratio_EyemapFloatVsCounts(benchmark::State& state) {
    const auto& ds = dataset();
    const Renderer r;
    const EyemapRequest counts_req{"ME", Side::R, Metric::synapses};
    const EyemapRequest values_req{"ME", Side::R, Metric("value")};
    const TypeRows& type = ds.types.at(0);
    const auto f = format(static_cast<int>(state.range(0)));
    bench::interleaved_ratio(
        state, "counts", [&] { return bench::render_type(r, ds, type, std::span(&counts_req, 1), f); }, "values",
        [&] { return bench::render_type(r, ds, type, std::span(&values_req, 1), f); }, "values_over_counts", state.range(0) == kSvg ? 8 : 2);
}
BENCHMARK(BM_Ratio_EyemapFloatVsCounts)->ArgName("svg0_png1")->Arg(kSvg)
#ifdef EYEMAP_BENCH_HAVE_RASTER
    ->Arg(kPng)
#endif
    ->Unit(benchmark::kMicrosecond);

}  // namespace

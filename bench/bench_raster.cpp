// PNG and PDF output of one real 892-hexagon ME eyemap (real layout, seeded synthetic values with
// all five bins): drawing and encoding separately and together at 1x and 2x, PDF, and the PNG
// encoder comparison (cairo's writer against libpng at several settings: time and bytes).
//
// Run: bench_raster --benchmark_min_time=0.3
//
// Measured on the shared 2-core build machine while other builds ran (load average 4-8; GCC 12
// -O3, cairo 1.16, libpng 1.6.39, zlib 1.2.13; medians of 3 repetitions, CPU time; wall time was
// 1.5-2.5x that because of the load), 892 hexagons, 435 x 484 canvas:
//   PNG 1x  3.9-4.8 ms (draw 1.0-1.2 + encode 2.7-2.9), 71 KB     PNG 2x  10-14 ms, 176 KB
//   PDF     18-20 ms, 56 KB (6 pages: 100-125 ms, 263 KB)
// Encoders on the 1x image (ms CPU, bytes):
//   cairo_surface_write_to_png_stream    10.9-12.8   103 KB
//   libpng level 6 adaptive, RGBA        14.9-15.4   106 KB
//   libpng level 6 adaptive, RGB         10.5-13.5   101 KB
//   libpng level 1 none / sub / up / paeth   2.7-3.4 / 3.3 / 4.3 / 4.6    74 / 97 / 101 / 110 KB
//   libpng level 2 none (the default)     2.9-3.2    71 KB
//   libpng level 3 none                   3.7-4.1    66 KB
//   libpng level 6 none                   6.4-6.6    61 KB
//   libpng level 9 none                  22.8-24.0   59 KB
//   Z_RLE / Z_FILTERED strategies: no better than the default strategy.
// Deflate is ~80 % of encoding (27.6M instructions at level 2 for 630 KB of RGB); a palette image
// would need <= 256 colours, and antialiased eyemaps have 700-2400.
#include <benchmark/benchmark.h>

#include <array>
#include <stdexcept>

#include "bench_common.hpp"
#include "eyemap/raster.hpp"

using namespace eyemap;

namespace {

const Dataset& dataset() {
    static const Dataset ds = bench::real_layout_dataset();
    return ds;
}

const Scene& scene() {
    static const Scene s = [] {
        // Percentile thresholds: the seeded values' hot spot would leave the upper bins of a
        // linear scale nearly empty; this way every bin holds about a fifth of the columns.
        const EyemapRequest req{"ME", Side::R, Metric::synapse_density};
        RenderOptions ro;
        ro.scale.method = ScaleMethod::percentile;
        Scene sc = std::move(build_scenes(dataset().layout, dataset().columns, dataset().types.at(0), std::span(&req, 1), ro).at(0));
        std::array<int, 7> count{};
        for (auto f : sc.data.fill) ++count[f];
        for (int b = 1; b <= 5; ++b)
            if (count[static_cast<std::size_t>(b)] < 50) throw std::runtime_error(fmt::format("bench scene: bin {} has {} columns", b, count[static_cast<std::size_t>(b)]));
        return sc;
    }();
    return s;
}

void set_counters(benchmark::State& state, std::size_t bytes) {
    state.counters["bytes"] = static_cast<double>(bytes);
    state.counters["hexagons"] = static_cast<double>(scene().data.status.size());
}

void BM_Png(benchmark::State& state) {
    RasterOptions o;
    o.scale = static_cast<double>(state.range(0));
    std::string png;
    for (auto _ : state) {
        png = render_png(scene(), o);
        benchmark::DoNotOptimize(png.data());
    }
    set_counters(state, png.size());
}
BENCHMARK(BM_Png)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_PngDrawOnly(benchmark::State& state) {
    RasterOptions o;
    o.scale = static_cast<double>(state.range(0));
    for (auto _ : state) {
        auto img = render_image(scene(), o);
        benchmark::DoNotOptimize(img.argb.data());
    }
}
BENCHMARK(BM_PngDrawOnly)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_PngEncodeOnly(benchmark::State& state) {
    RasterOptions o;
    o.scale = static_cast<double>(state.range(0));
    const RasterImage img = render_image(scene(), o);
    std::string png;
    for (auto _ : state) {
        png = encode_png(img);
        benchmark::DoNotOptimize(png.data());
    }
    set_counters(state, png.size());
}
BENCHMARK(BM_PngEncodeOnly)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_PngLayer(benchmark::State& state) {  // a single layer's static picture
    RasterOptions o;
    o.layer = 3;
    std::string png;
    for (auto _ : state) {
        png = render_png(scene(), o);
        benchmark::DoNotOptimize(png.data());
    }
    set_counters(state, png.size());
}
BENCHMARK(BM_PngLayer)->Unit(benchmark::kMillisecond);

void BM_Pdf(benchmark::State& state) {
    std::string pdf;
    for (auto _ : state) {
        pdf = render_pdf(scene());
        benchmark::DoNotOptimize(pdf.data());
    }
    set_counters(state, pdf.size());
}
BENCHMARK(BM_Pdf)->Unit(benchmark::kMillisecond);

void BM_PdfPages(benchmark::State& state) {  // every eyemap of the type (3 regions x 2 metrics, side R) in one PDF
    const auto scenes = build_scenes(dataset().layout, dataset().columns, dataset().types.at(0), {});
    std::string pdf;
    for (auto _ : state) {
        pdf = render_pdf_pages(scenes);
        benchmark::DoNotOptimize(pdf.data());
    }
    state.counters["bytes"] = static_cast<double>(pdf.size());
    state.counters["pages"] = static_cast<double>(scenes.size());
}
BENCHMARK(BM_PdfPages)->Unit(benchmark::kMillisecond);

// Encoder comparison on the 1x image: one benchmark per setting, bytes as a counter.
PngOptions libpng(int level, PngFilter f, PngStrategy s = PngStrategy::default_strategy, bool alpha = false) {
    PngOptions o;
    o.encoder = PngEncoder::libpng;
    o.compression = level;
    o.filter = f;
    o.strategy = s;
    o.alpha = alpha;
    return o;
}

std::vector<PngOptions> variants() {
    std::vector<PngOptions> out;
    PngOptions cairo;
    cairo.encoder = PngEncoder::cairo;
    out.push_back(cairo);
    out.push_back(libpng(6, PngFilter::adaptive, PngStrategy::default_strategy, true));  // what cairo would write for ARGB
    for (int level : {1, 2, 3, 6, 9})
        for (auto f : {PngFilter::none, PngFilter::sub, PngFilter::up, PngFilter::paeth, PngFilter::adaptive})
            if ((level != 2 && level != 9) || f == PngFilter::none) out.push_back(libpng(level, f));
    for (auto s : {PngStrategy::rle, PngStrategy::filtered}) {
        out.push_back(libpng(1, PngFilter::none, s));
        out.push_back(libpng(1, PngFilter::sub, s));
    }
    PngOptions no_palette = PngOptions{};  // the default without the palette attempt: its cost
    no_palette.palette_when_possible = false;
    out.push_back(no_palette);
    return out;
}

std::string variant_name(const PngOptions& o) {
    if (o.encoder == PngEncoder::cairo) return "cairo_write_to_png_stream";
    static constexpr const char* filters[] = {"none", "sub", "up", "avg", "paeth", "adaptive"};
    static constexpr const char* strategies[] = {"", "_filtered", "_rle", "_huffman"};
    return fmt::format("libpng_l{}_{}{}_{}{}", o.compression, filters[int(o.filter)], strategies[int(o.strategy)], o.alpha ? "rgba" : "rgb",
                       o.palette_when_possible ? "" : "_nopalettecheck");
}

void BM_Encoder(benchmark::State& state, PngOptions o) {
    const RasterImage img = render_image(scene());
    std::string png;
    for (auto _ : state) {
        png = encode_png(img, o);
        benchmark::DoNotOptimize(png.data());
    }
    set_counters(state, png.size());
}

const bool registered = [] {
    for (const auto& o : variants())
        benchmark::RegisterBenchmark(("BM_Encoder/" + variant_name(o)).c_str(), BM_Encoder, o)->Unit(benchmark::kMillisecond);
    return true;
}();

}  // namespace

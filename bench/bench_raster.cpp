// PNG and PDF output of one real 892-hexagon ME eyemap (real layout, seeded synthetic values with
// all five bins): drawing and encoding separately and together at 1x and 2x, PDF, and the PNG
// encoder comparison (cairo's writer, libpng at several settings, our writer with libdeflate at
// every level and filter: time and bytes).
//
// Run: bench_raster --benchmark_min_time=0.3
//
// Measured on the shared 2-core build machine (AMD EPYC, 1 MB L2 per core) while other builds ran
// (load average 2-4; GCC 12 -O3, cairo 1.16, libpng 1.6.39, zlib 1.2.13, libdeflate 1.14), 892
// hexagons, 435 x 484 canvas; CPU time, min / median of 3 alternating runs of the old and the new
// code on the same scene, and instructions per image (callgrind: independent of the load).
//                   before (libpng + zlib level 2)          now (own writer + libdeflate level 1)
//   PNG 1x          3.34 / 3.38 ms  35.9 M instr  70.8 KB   2.37 / 2.39 ms  18.7 M instr  67.9 KB
//     draw          0.77 / 0.79 ms   8.3 M                  0.62 / 0.63 ms   6.6 M  (background-blend table)
//     encode        2.50 / 2.53 ms  27.6 M                  1.68 / 1.70 ms  12.1 M
//   PNG 2x          9.4 / 9.6 ms   110 M instr   170 KB     7.2 / 7.3 ms    53 M instr    155 KB
//     draw          1.67 ms                                 1.10 ms
//     encode        7.7 ms                                  6.1 ms  (2.5 MB of RGB: memory-bound)
//   PDF             14-15 ms, 56 KB (6 pages: 83 ms, 263 KB), unchanged
// Encoders on the 1x image (ms CPU, min of 3; bytes):
//   cairo_surface_write_to_png_stream    9.7   103 KB
//   libpng level 6 adaptive, RGBA       11.9   106 KB
//   libpng level 6 adaptive, RGB         9.7   101 KB
//   libpng level 1 none / sub / up / paeth     2.45 / 3.07 / 3.38 / 4.35    74 / 97 / 101 / 110 KB
//   libpng level 2 none (the old default)      2.57    71 KB
//   libpng level 3 / 6 / 9 none                3.24 / 5.78 / 22.5    66 / 61 / 59 KB
//   libpng Z_RLE / Z_FILTERED: no better than the default strategy.
//   libdeflate level 0 (stored: the cost around deflate)  0.15   632 KB
//   libdeflate level 1 none (the default)      1.70    68 KB
//   libdeflate level 2 / 3 / 4 none            1.74 / 1.87 / 2.14    64 / 64 / 61 KB
//   libdeflate level 5 / 6 / 7 / 8 / 9 none    2.50 / 2.95 / 3.61 / 7.0 / 10.7    60.5 / 59.9 / 60.0 / 59.1 / 58.9 KB
//   libdeflate level 10 / 11 / 12 none         53 / 84 / 153    55.4 / 54.6 / 54.3 KB
//   libdeflate level 1 sub / up / avg / paeth / adaptive   1.98 / 2.09 / 2.23 / 2.67 / 3.23    91 / 99 / 117 / 103 / 105 KB
//   libdeflate level 1 / 2 RGBA                1.49 / 2.36    74 / 70 KB  (level 1 RGBA: 11 % faster
//     than RGB, 9 % larger at 1x and 16 % at 2x; PngOptions::alpha chose RGBA since)
// These rows were measured before render_image limited eyemaps to 256 colours (limit_colours):
// drawn eyemaps are palette PNGs now (BM_Png, BM_PngColourLimit), RGB/RGBA only without the palette.
// Level 1 and 2 take about the same time (level 1 is 2-4 % faster in most runs; callgrind: 12 M
// against 22 M instructions per encode), level 2 is 5 % smaller. Filters lose at every
// level (eyemaps are flat colours in repeating rows, which deflate matches directly). The palette
// attempt costs ~0.02 ms (eyemaps at 1x have 700-2400 colours; a sample rejects them early).
// Timings on this machine vary by 10-30 % with the other builds' load: compare rows of one run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>
#include <stdexcept>

#include "bench_common.hpp"
#include "png_alternatives.hpp"
#include "render/raster.hpp"

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
        Scene sc = bench::me_scene(dataset(), 0, ScaleOptions{ScaleMethod::percentile});
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
        png = encode_png(render_image(scene(), o), o.png);
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
        png = encode_png(render_image(scene(), o), o.png);
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
    const auto scenes = bench::build_scenes(*dataset().index, dataset().columns, dataset().types.at(0));
    std::string pdf;
    for (auto _ : state) {
        pdf = render_pdf_pages(scenes);
        benchmark::DoNotOptimize(pdf.data());
    }
    state.counters["bytes"] = static_cast<double>(pdf.size());
    state.counters["pages"] = static_cast<double>(scenes.size());
}
BENCHMARK(BM_PdfPages)->Unit(benchmark::kMillisecond);

// limit_colours on the drawn 1x image at max_error = range(0) (0: the image as drawn), then the
// default encoder: colours before and after (0 after: left unchanged), bytes, largest pixel change.
void BM_PngColourLimit(benchmark::State& state) {
    const RasterImage drawn = render_image(scene(), RasterOptions{});
    RasterImage img;
    int after = 0;
    std::string png;
    for (auto _ : state) {
        state.PauseTiming();
        img = drawn;
        state.ResumeTiming();
        after = limit_colours(img, static_cast<int>(state.range(0)));
        png = encode_png(img);
        benchmark::DoNotOptimize(png.data());
    }
    int worst = 0;
    for (std::size_t i = 0; i < img.argb.size(); ++i)
        for (int sh : {0, 8, 16})
            worst = std::max(worst, std::abs(static_cast<int>((img.argb[i] >> sh) & 0xff) - static_cast<int>((drawn.argb[i] >> sh) & 0xff)));
    {
        std::vector<std::uint32_t> v(drawn.argb);
        std::sort(v.begin(), v.end());
        state.counters["colours_drawn"] = static_cast<double>(std::unique(v.begin(), v.end()) - v.begin());
    }
    state.counters["colours_after"] = after;
    state.counters["max_change"] = worst;
    set_counters(state, png.size());
}
BENCHMARK(BM_PngColourLimit)->Arg(0)->Arg(2)->Arg(4)->Arg(6)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMillisecond);

// Encoder comparison on the 1x image: one benchmark per setting, bytes as a counter. Ours
// (encode_png) against libpng and cairo's writer (png_alternatives.hpp).
struct Variant {
    std::string name;
    std::function<std::string(const RasterImage&)> encode;
};

constexpr const char* kFilterNames[] = {"none", "sub", "up", "avg", "paeth", "adaptive"};

Variant ours(int level, PngFilter f, bool alpha = false, bool palette = true) {
    PngOptions o;
    o.compression = level;
    o.filter = f;
    o.alpha = alpha;
    o.palette_when_possible = palette;
    return {fmt::format("libdeflate_l{}_{}_{}{}", level, kFilterNames[int(f)], alpha ? "rgba" : "rgb", palette ? "" : "_nopalettecheck"),
            [o](const RasterImage& img) { return encode_png(img, o); }};
}

Variant libpng(int level, PngFilter f, bench::PngStrategy s = bench::PngStrategy::default_strategy, bool alpha = false, bool palette = true) {
    static constexpr const char* strategies[] = {"", "_filtered", "_rle", "_huffman"};
    bench::LibpngOptions o;
    o.level = level;
    o.filter = f;
    o.strategy = s;
    o.alpha = alpha;
    o.palette_when_possible = palette;
    return {fmt::format("libpng_l{}_{}{}_{}{}", level, kFilterNames[int(f)], strategies[int(s)], alpha ? "rgba" : "rgb", palette ? "" : "_nopalettecheck"),
            [o](const RasterImage& img) { return bench::encode_png_libpng(img, o); }};
}

std::vector<Variant> variants() {
    std::vector<Variant> out;
    out.push_back({"cairo_write_to_png_stream", [](const RasterImage& img) { return bench::encode_png_cairo(img); }});
    out.push_back(libpng(6, PngFilter::adaptive, bench::PngStrategy::default_strategy, true));  // what cairo would write for ARGB
    for (int level : {1, 2, 3, 6, 9})
        for (auto f : {PngFilter::none, PngFilter::sub, PngFilter::up, PngFilter::paeth, PngFilter::adaptive})
            if ((level != 2 && level != 9) || f == PngFilter::none) out.push_back(libpng(level, f));
    for (auto s : {bench::PngStrategy::rle, bench::PngStrategy::filtered}) {
        out.push_back(libpng(1, PngFilter::none, s));
        out.push_back(libpng(1, PngFilter::sub, s));
    }
    for (int level = 0; level <= 12; ++level) out.push_back(ours(level, PngFilter::none));
    for (int level : {1, 2, 3, 6})
        for (auto f : {PngFilter::sub, PngFilter::up, PngFilter::average, PngFilter::paeth, PngFilter::adaptive})
            out.push_back(ours(level, f));
    out.push_back(ours(1, PngFilter::none, true));
    // The defaults without the palette: its cost and gain.
    out.push_back(libpng(1, PngFilter::none, bench::PngStrategy::default_strategy, true, false));
    out.push_back(ours(1, PngFilter::none, true, false));
    return out;
}

void BM_Encoder(benchmark::State& state, const Variant& v) {
    const RasterImage img = render_image(scene());
    std::string png;
    for (auto _ : state) {
        png = v.encode(img);
        benchmark::DoNotOptimize(png.data());
    }
    set_counters(state, png.size());
}

const bool registered = [] {
    static const std::vector<Variant> all = variants();
    for (const auto& v : all)
        benchmark::RegisterBenchmark(("BM_Encoder/" + v.name).c_str(), BM_Encoder, v)->Unit(benchmark::kMillisecond);
    return true;
}();

}  // namespace

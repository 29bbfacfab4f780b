// The PNG writers eyemap's own libdeflate writer (render/png_encode.cpp) was measured against: libpng + zlib and cairo's.
#pragma once

// Only bench_raster's encoder comparison uses them, so they live here rather than in the library
// (which no longer links libpng). Same input as encode_png: a drawn RasterImage, palette indices
// taken from limit_colours when the image has them.
#include <png.h>

#include <bit>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "render/cairo_stream.hpp"
#include "render/raster.hpp"

namespace eyemap::bench {

// zlib strategy for libpng's deflate stream.
enum class PngStrategy : std::uint8_t { default_strategy, filtered, rle, huffman_only };

struct LibpngOptions {
    int level = 2;  // zlib 0..9
    PngFilter filter = PngFilter::none;
    PngStrategy strategy = PngStrategy::default_strategy;
    bool alpha = false;                  // RGBA instead of RGB when not a palette image
    bool palette_when_possible = true;  // a palette PNG when the image carries limit_colours' palette
};

namespace detail {

// Where libpng writes, and what went wrong (fixed buffer: nothing allocates on the error path).
struct PngSink {
    std::string* out = nullptr;
    char message[160] = {};
};

inline void png_write_cb(png_structp png, png_bytep data, std::size_t length) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    bool ok = true;
    try {
        sink->out->append(reinterpret_cast<const char*>(data), length);
    } catch (...) {
        ok = false;
    }
    if (!ok) png_error(png, "out of memory");  // outside the catch block: png_error longjmps
}
inline void png_flush_cb(png_structp) {}
[[noreturn]] inline void png_error_cb(png_structp png, png_const_charp msg) {
    auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
    std::snprintf(sink->message, sizeof sink->message, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}
inline void png_warning_cb(png_structp, png_const_charp) {}

// Everything libpng needs, prepared outside the setjmp frame so no C++ object with a destructor
// lives between setjmp and a longjmp.
struct PngJob {
    png_uint_32 width = 0, height = 0;
    int colour_type = PNG_COLOR_TYPE_RGB;
    int bit_depth = 8;
    const png_color* palette = nullptr;
    int palette_size = 0;
    png_bytepp rows = nullptr;
    bool argb_input = false;  // rows are native-endian 0xAARRGGBB words; libpng strips/reorders
    bool keep_alpha = false;
    bool pack = false;  // rows hold one palette index per byte, to be packed below 8 bits
    int level = 6;
    int strategy = 0;
    int filters = PNG_FILTER_NONE;
};

inline bool run_libpng(const PngJob& job, PngSink& sink) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_error_cb, png_warning_cb);
    if (!png) {
        std::snprintf(sink.message, sizeof sink.message, "png_create_write_struct failed");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        std::snprintf(sink.message, sizeof sink.message, "png_create_info_struct failed");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &sink, png_write_cb, png_flush_cb);
    png_set_compression_level(png, job.level);
    png_set_compression_strategy(png, job.strategy);
    png_set_compression_buffer_size(png, 1 << 16);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, job.filters);
    png_set_IHDR(png, info, job.width, job.height, job.bit_depth, job.colour_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (job.palette) png_set_PLTE(png, info, job.palette, job.palette_size);
    png_write_info(png, info);
    if (job.argb_input) {
        if constexpr (std::endian::native == std::endian::little) {
            png_set_bgr(png);  // memory order B G R A
            if (!job.keep_alpha) png_set_filler(png, 0, PNG_FILLER_AFTER);
        } else {  // memory order A R G B
            if (job.keep_alpha) png_set_swap_alpha(png);
            else png_set_filler(png, 0, PNG_FILLER_BEFORE);
        }
    }
    if (job.pack) png_set_packing(png);
    png_write_image(png, job.rows);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

inline int filter_flags(PngFilter f) {
    switch (f) {
        case PngFilter::none: return PNG_FILTER_NONE;
        case PngFilter::sub: return PNG_FILTER_SUB;
        case PngFilter::up: return PNG_FILTER_UP;
        case PngFilter::average: return PNG_FILTER_AVG;
        case PngFilter::paeth: return PNG_FILTER_PAETH;
        case PngFilter::adaptive: return PNG_ALL_FILTERS;
    }
    return PNG_FILTER_NONE;
}

inline int zlib_strategy(PngStrategy s) {
    switch (s) {
        case PngStrategy::default_strategy: return 0;  // Z_DEFAULT_STRATEGY
        case PngStrategy::filtered: return 1;          // Z_FILTERED
        case PngStrategy::huffman_only: return 2;      // Z_HUFFMAN_ONLY
        case PngStrategy::rle: return 3;               // Z_RLE
    }
    return 0;
}

}  // namespace detail

// libpng + zlib with these settings.
inline std::string encode_png_libpng(const RasterImage& img, const LibpngOptions& o) {
    if (o.level < 0 || o.level > 9) throw std::invalid_argument("libpng level must be 0..9");
    detail::PngJob job;
    job.width = static_cast<png_uint_32>(img.width);
    job.height = static_cast<png_uint_32>(img.height);
    job.level = o.level;
    job.strategy = detail::zlib_strategy(o.strategy);
    job.filters = detail::filter_flags(o.filter);

    std::vector<png_color> palette;
    std::vector<png_bytep> rows(job.height);
    const bool use_palette = o.palette_when_possible && !img.palette.empty() && img.index.size() == img.argb.size();
    if (use_palette) {
        for (std::uint32_t c : img.palette)
            palette.push_back(png_color{static_cast<png_byte>(c >> 16), static_cast<png_byte>(c >> 8), static_cast<png_byte>(c)});
        const std::size_t colours = palette.size();
        job.colour_type = PNG_COLOR_TYPE_PALETTE;
        job.bit_depth = colours <= 2 ? 1 : colours <= 4 ? 2 : colours <= 16 ? 4 : 8;
        job.pack = job.bit_depth < 8;
        job.palette = palette.data();
        job.palette_size = static_cast<int>(colours);
        job.filters = PNG_FILTER_NONE;  // the PNG spec's advice for palette images
        auto* base = const_cast<png_bytep>(img.index.data());  // libpng only reads rows
        for (png_uint_32 y = 0; y < job.height; ++y) rows[y] = base + std::size_t(y) * job.width;
    } else {
        job.colour_type = o.alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB;
        job.argb_input = true;
        job.keep_alpha = o.alpha;
        auto* base = reinterpret_cast<png_bytep>(const_cast<std::uint32_t*>(img.argb.data()));  // libpng only reads rows
        for (png_uint_32 y = 0; y < job.height; ++y) rows[y] = base + std::size_t(y) * job.width * 4;
    }
    job.rows = rows.data();

    std::string out;
    out.reserve(64 * 1024);
    detail::PngSink sink;
    sink.out = &out;
    if (!detail::run_libpng(job, sink)) {
        if (std::strcmp(sink.message, "out of memory") == 0) throw std::bad_alloc();
        throw std::runtime_error(fmt::format("libpng: {}", sink.message));
    }
    return out;
}

// cairo_surface_write_to_png_stream: RGB (RGBA with `alpha`), zlib's default level, adaptive filters.
inline std::string encode_png_cairo(const RasterImage& img, bool alpha = false) {
    const cairo_format_t format = alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
    cairo_surface_t* s = cairo_image_surface_create_for_data(
        reinterpret_cast<unsigned char*>(const_cast<std::uint32_t*>(img.argb.data())), format, img.width, img.height, img.width * 4);
    std::string out;
    cairo_status_t st = cairo_surface_status(s);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(s, eyemap::detail::append_to_string, &out);
    cairo_surface_destroy(s);
    if (st == CAIRO_STATUS_NO_MEMORY) throw std::bad_alloc();
    if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(fmt::format("cairo PNG writer: {}", cairo_status_to_string(st)));
    return out;
}

}  // namespace eyemap::bench

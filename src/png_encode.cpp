// PNG encoding of drawn eyemaps: libpng with tuned settings (default) or cairo's own writer.
#include <cairo.h>
#include <png.h>

#include <array>
#include <bit>
#include <cstdio>
#include <csetjmp>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "eyemap/raster.hpp"
#include "eyemap/stats.hpp"

namespace eyemap {
namespace {

const auto kEncodePngOp = stats_op("encode_png");

// Where libpng writes, and what went wrong (fixed buffer: nothing allocates on the error path).
struct PngSink {
    std::string* out = nullptr;
    char message[160] = {};
};

void png_write_cb(png_structp png, png_bytep data, std::size_t length) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    bool ok = true;
    try {
        sink->out->append(reinterpret_cast<const char*>(data), length);
    } catch (...) {
        ok = false;
    }
    if (!ok) png_error(png, "out of memory");  // outside the catch block: png_error longjmps
}

void png_flush_cb(png_structp) {}

[[noreturn]] void png_error_cb(png_structp png, png_const_charp msg) {
    auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
    std::snprintf(sink->message, sizeof sink->message, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

void png_warning_cb(png_structp, png_const_charp) {}

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

bool run_libpng(const PngJob& job, PngSink& sink) {
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

int filter_flags(PngFilter f) {
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

int zlib_strategy(PngStrategy s) {
    switch (s) {
        case PngStrategy::default_strategy: return 0;  // Z_DEFAULT_STRATEGY
        case PngStrategy::filtered: return 1;          // Z_FILTERED
        case PngStrategy::huffman_only: return 2;      // Z_HUFFMAN_ONLY
        case PngStrategy::rle: return 3;               // Z_RLE
    }
    return 0;
}

// Palette indices of the image when it has at most 256 colours (alpha ignored): a small
// open-addressing table, with a shortcut for runs of one colour (most of an eyemap).
// Returns the colour count, or 0 when there are more than 256.
int palettise(const RasterImage& img, std::vector<std::uint8_t>& index, std::array<png_color, 256>& palette) {
    constexpr std::size_t kSlots = 1024;  // power of two, load <= 1/4
    std::array<std::uint32_t, kSlots> keys{};  // 0 = empty; keys carry 0xff alpha so are never 0
    std::array<std::uint8_t, kSlots> vals{};
    int count = 0;
    index.resize(img.argb.size());
    std::uint32_t last = 0;
    std::uint8_t last_index = 0;
    for (std::size_t i = 0; i < img.argb.size(); ++i) {
        const std::uint32_t key = img.argb[i] | 0xff000000u;
        if (key != last) {
            std::size_t h = (key * 0x9E3779B1u) >> 22;  // top 10 bits
            for (;;) {
                if (keys[h] == key) break;
                if (keys[h] == 0) {
                    if (count == 256) return 0;
                    keys[h] = key;
                    vals[h] = static_cast<std::uint8_t>(count);
                    palette[static_cast<std::size_t>(count)] = png_color{static_cast<png_byte>(key >> 16), static_cast<png_byte>(key >> 8),
                                                                         static_cast<png_byte>(key)};
                    ++count;
                    break;
                }
                h = (h + 1) & (kSlots - 1);
            }
            last = key;
            last_index = vals[h];
        }
        index[i] = last_index;
    }
    return count;
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    try {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    } catch (...) {
        return CAIRO_STATUS_NO_MEMORY;
    }
}

std::string encode_with_cairo(const RasterImage& img, const PngOptions& o) {
    // Opaque pixels as RGB24 make cairo write 8-bit RGB; ARGB32 writes RGBA.
    const cairo_format_t fmt = o.alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
    cairo_surface_t* s = cairo_image_surface_create_for_data(
        reinterpret_cast<unsigned char*>(const_cast<std::uint32_t*>(img.argb.data())), fmt, img.width, img.height, img.width * 4);
    std::string out;
    cairo_status_t st = cairo_surface_status(s);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(s, append_to_string, &out);
    cairo_surface_destroy(s);
    if (st == CAIRO_STATUS_NO_MEMORY) throw std::bad_alloc();
    if (st != CAIRO_STATUS_SUCCESS) throw_internal(fmt::format("cairo PNG writer: {}", cairo_status_to_string(st)));
    return out;
}

}  // namespace

std::string encode_png(const RasterImage& img, const PngOptions& o) {
    if (img.width <= 0 || img.height <= 0 || img.argb.size() != static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height))
        throw_input("image size does not match its pixels", ErrorLocation{{}, 0, "image", fmt::format("{}x{}", img.width, img.height)});
    if (o.compression < 0 || o.compression > 9)
        throw_input("PNG compression level must be 0..9", ErrorLocation{{}, 0, "compression", std::to_string(o.compression)});
    ScopedTimer timer(kEncodePngOp);
    if (o.encoder == PngEncoder::cairo) {
        std::string out = encode_with_cairo(img, o);
        timer.add_bytes(out.size());
        return out;
    }

    PngJob job;
    job.width = static_cast<png_uint_32>(img.width);
    job.height = static_cast<png_uint_32>(img.height);
    job.level = o.compression;
    job.strategy = zlib_strategy(o.strategy);
    job.filters = filter_flags(o.filter);

    std::vector<std::uint8_t> index;
    std::array<png_color, 256> palette{};
    int colours = 0;
    if (o.palette_when_possible && !o.alpha) colours = palettise(img, index, palette);

    std::vector<png_bytep> rows(job.height);
    if (colours > 0) {
        job.colour_type = PNG_COLOR_TYPE_PALETTE;
        job.bit_depth = colours <= 2 ? 1 : colours <= 4 ? 2 : colours <= 16 ? 4 : 8;
        job.pack = job.bit_depth < 8;
        job.palette = palette.data();
        job.palette_size = colours;
        job.filters = PNG_FILTER_NONE;  // the PNG spec's advice for palette images; filters only add noise
        for (png_uint_32 y = 0; y < job.height; ++y) rows[y] = index.data() + std::size_t(y) * job.width;
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
    PngSink sink;
    sink.out = &out;
    if (!run_libpng(job, sink)) {
        if (std::strcmp(sink.message, "out of memory") == 0) throw std::bad_alloc();
        throw_internal(fmt::format("libpng: {}", sink.message));
    }
    timer.add_bytes(out.size());
    return out;
}

}  // namespace eyemap

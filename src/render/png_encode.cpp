// PNG encoding of drawn eyemaps: our own PNG writer (one IDAT of a libdeflate zlib stream) and the
// colour limit that makes eyemaps palette PNGs. (libpng's and cairo's writers, measured against it,
// live in bench/png_alternatives.hpp.)
#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "render/colour_index.hpp"
#include "render/raster.hpp"

namespace eyemap {
namespace {

constexpr int kMaxLibdeflateLevel = 12;
constexpr int kKeptLibdeflateLevel = 9;

// One palette entry as PNG's PLTE chunk stores it.
struct PaletteColour {
    std::uint8_t r, g, b;
};
static_assert(sizeof(PaletteColour) == 3);

// Palette indices of the image when it has at most 256 colours (alpha ignored). Returns the
// colour count, or 0 when there are more than 256. Every 29th pixel is looked at first: an image
// with more colours usually shows > 256 there already, for a tenth of the cost of indexing it up
// to its 257th colour.
// `opaque_only`: also 0 when a pixel is not opaque (RGBA output keeps its alpha; a palette image
// of an opaque one decodes to the same pixels).
int palettise(const RasterImage& img, std::vector<std::uint8_t>& index, std::array<PaletteColour, 256>& palette, bool opaque_only = false) {
    {
        detail::ColourIndex sample;
        for (std::size_t i = 0; i < img.argb.size(); i += 29)
            if (sample.find_or_add(img.argb[i]) < 0) return 0;
    }
    detail::ColourIndex table;
    index.resize(img.argb.size());
    std::uint32_t all = 0xffffffffu;  // AND of all pixels: its alpha byte is 0xff when all are opaque
    for (std::size_t i = 0; i < img.argb.size(); ++i) {  // one probe per pixel (see limit_colours)
        const std::uint32_t px = img.argb[i];
        all &= px;
        const int k = table.find_or_add(px);
        if (k < 0) return 0;
        index[i] = static_cast<std::uint8_t>(k);
    }
    if (opaque_only && (all >> 24) != 0xff) return 0;
    for (int k = 0; k < table.count; ++k) {
        const std::uint32_t c = table.colours[static_cast<std::size_t>(k)];
        palette[static_cast<std::size_t>(k)] = PaletteColour{static_cast<std::uint8_t>(c >> 16), static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)};
    }
    return table.count;
}

// The palette and indices limit_colours left on the image, when they still describe its pixels
// (checked in one pass: cheaper than indexing again); else palettise's. Returns the colour count
// (0: no palette) and points `indices` at the indices used.
int palette_of(const RasterImage& img, std::vector<std::uint8_t>& scratch_index, std::array<PaletteColour, 256>& palette, bool opaque_only,
               const std::uint8_t*& indices) {
    const std::size_t n = img.palette.size();
    if (n > 0 && n <= 256 && img.index.size() == img.argb.size()) {
        std::array<std::uint32_t, 256> colour{};  // unused entries 0: never equal to a pixel with alpha forced to 0xff
        std::copy(img.palette.begin(), img.palette.end(), colour.begin());
        std::uint32_t mismatch = 0, all = 0xffffffffu;
        for (std::size_t i = 0; i < img.argb.size(); ++i) {
            const std::uint32_t px = img.argb[i];
            all &= px;
            mismatch |= colour[img.index[i]] ^ (px | 0xff000000u);
        }
        if (mismatch == 0) {
            if (opaque_only && (all >> 24) != 0xff) return 0;
            for (std::size_t k = 0; k < n; ++k)
                palette[k] = PaletteColour{static_cast<std::uint8_t>(colour[k] >> 16), static_cast<std::uint8_t>(colour[k] >> 8), static_cast<std::uint8_t>(colour[k])};
            indices = img.index.data();
            return static_cast<int>(n);
        }
    }
    const int count = palettise(img, scratch_index, palette, opaque_only);
    indices = scratch_index.data();
    return count;
}

// ---- Our PNG writer: filtered rows -> libdeflate zlib stream -> one IDAT chunk ----------------

struct CompressorFree {
    void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

using CompressorPtr = std::unique_ptr<libdeflate_compressor, CompressorFree>;

// libdeflate compressors are not thread-safe and take 0.2-0.65 MB (levels 1-9) to 8.6 MB
// (levels 10-12, which compress for tens of milliseconds anyway): one per level <= 9 and thread,
// made on first use and kept; the others are made per call.
libdeflate_compressor* compressor(int level, CompressorPtr& owned) {
    auto make = [level] {
        CompressorPtr c(libdeflate_alloc_compressor(level));
        if (!c) throw std::bad_alloc();
        return c;
    };
    if (level > kKeptLibdeflateLevel) {
        owned = make();
        return owned.get();
    }
    thread_local std::array<CompressorPtr, kKeptLibdeflateLevel + 1> per_level;
    auto& c = per_level[static_cast<std::size_t>(level)];
    if (!c) c = make();
    return c.get();
}

// Per-thread work buffers (filtered rows, palette indices, deflate output), kept between images
// so an encode does not fault in fresh pages; released after an image above kKeepBytes.
struct Scratch {
    std::vector<std::uint8_t> raw, index, z, line;
    static constexpr std::size_t kKeepBytes = std::size_t(16) << 20;
    void trim() {
        for (auto* v : {&raw, &index, &z, &line})
            if (v->capacity() > kKeepBytes) std::vector<std::uint8_t>().swap(*v);
    }
};

// One row of 0xAARRGGBB words as R G B bytes (measured on a 435-pixel row: SSSE3 shuffle 16
// bytes -> 12 in 0.03 ms per 1x image, two pixels per 64-bit store 0.08 ms, byte stores 0.18 ms).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define EYEMAP_PNG_SSSE3 1
__attribute__((target("ssse3"))) void argb_row_to_rgb_ssse3(const std::uint32_t* in, int width, std::uint8_t* out) {
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    int x = 0;
    for (; x + 6 <= width; x += 4, out += 12)  // 16-byte stores 12 apart: the 4 spare bytes stay in the row
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + x)), order));
    for (; x < width; ++x, out += 3) {
        const std::uint32_t v = in[x];
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
        out[2] = static_cast<std::uint8_t>(v);
    }
}
#endif

void argb_row_to_rgb(const std::uint32_t* in, int width, std::uint8_t* out) {
#ifdef EYEMAP_PNG_SSSE3
    static const bool ssse3 = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("ssse3") != 0;
    }();
    if (ssse3) return argb_row_to_rgb_ssse3(in, width, out);
#endif
    int x = 0;
    if constexpr (std::endian::native == std::endian::little) {
        // Byte-swapped 0xAARRGGBB is 0xBBGGRRAA, shifted down 8 it is R G B 0 in memory order; two
        // pixels per 8-byte store 6 apart (the 2 spare bytes stay in the row).
        for (; x + 3 <= width; x += 2, out += 6) {
            const std::uint64_t p0 = __builtin_bswap32(in[x]) >> 8, p1 = __builtin_bswap32(in[x + 1]) >> 8;
            const std::uint64_t both = p0 | p1 << 24;
            std::memcpy(out, &both, 8);
        }
    }
    for (; x < width; ++x, out += 3) {
        const std::uint32_t v = in[x];
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
        out[2] = static_cast<std::uint8_t>(v);
    }
}

// One row of 0xAARRGGBB words as R G B A bytes.
void argb_row_to_rgba(const std::uint32_t* in, int width, std::uint8_t* out) {
    for (int x = 0; x < width; ++x, out += 4) {
        const std::uint32_t v = in[x];
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
        out[2] = static_cast<std::uint8_t>(v);
        out[3] = static_cast<std::uint8_t>(v >> 24);
    }
}

inline std::uint8_t paeth(int a, int b, int c) {
    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return static_cast<std::uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// PNG filter `type` (1 sub, 2 up, 3 average, 4 paeth) of row `cur` over the row above `prev`
// (unfiltered; nullptr for the first row, which the spec treats as zeros) into `out`.
void filter_into(int type, const std::uint8_t* cur, const std::uint8_t* prev, std::uint8_t* out, std::size_t n, std::size_t bpp) {
    for (std::size_t i = 0; i < n; ++i) {
        const int a = i >= bpp ? cur[i - bpp] : 0, b = prev ? prev[i] : 0, c = prev && i >= bpp ? prev[i - bpp] : 0;
        const int pred = type == 1 ? a : type == 2 ? b : type == 3 ? (a + b) / 2 : paeth(a, b, c);
        out[i] = static_cast<std::uint8_t>(cur[i] - pred);
    }
}

// Applies the row filter in place to rows of `stride` bytes (filter type byte + n data bytes),
// last row first so every row is filtered against the unfiltered one above it. `adaptive`: per
// row the filter whose output has the least sum of absolute (signed) bytes, the PNG spec's and
// libpng's heuristic.
void filter_rows(std::vector<std::uint8_t>& raw, std::vector<std::uint8_t>& line, std::size_t rows, std::size_t n, std::size_t bpp,
                 PngFilter f) {
    if (f == PngFilter::none) return;  // the type bytes are already 0
    const std::size_t stride = n + 1;
    line.resize(2 * n);
    std::uint8_t* best = line.data();
    std::uint8_t* trial = line.data() + n;
    for (std::size_t y = rows; y-- > 0;) {
        std::uint8_t* row = raw.data() + y * stride;
        const std::uint8_t* prev = y ? row - stride + 1 : nullptr;
        int type = static_cast<int>(f);  // none 0, sub 1, up 2, average 3, paeth 4
        if (f == PngFilter::adaptive) {
            auto cost = [&](const std::uint8_t* b) {
                std::uint64_t sum = 0;
                for (std::size_t i = 0; i < n; ++i) sum += static_cast<std::uint64_t>(std::abs(static_cast<int>(static_cast<std::int8_t>(b[i]))));
                return sum;
            };
            type = 0;
            std::uint64_t best_cost = cost(row + 1);
            for (int t = 1; t <= 4; ++t) {
                filter_into(t, row + 1, prev, trial, n, bpp);
                if (const std::uint64_t c = cost(trial); c < best_cost) {
                    best_cost = c;
                    type = t;
                    std::swap(best, trial);
                }
            }
            if (type == 0) continue;
        } else {
            filter_into(type, row + 1, prev, best, n, bpp);
        }
        row[0] = static_cast<std::uint8_t>(type);
        std::memcpy(row + 1, best, n);
    }
}

void put_u32(std::string& out, std::uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(b, 4);
}

// Appends one chunk: length, type, data, CRC-32 of type and data.
void put_chunk(std::string& out, const char (&type)[5], const void* data, std::size_t size) {
    put_u32(out, static_cast<std::uint32_t>(size));
    out.append(type, 4);
    out.append(static_cast<const char*>(data), size);
    put_u32(out, libdeflate_crc32(libdeflate_crc32(0, type, 4), data, size));
}

std::string encode_with_libdeflate(const RasterImage& img, const PngOptions& o) {
    thread_local Scratch scratch;
    struct Trim {
        Scratch& s;
        ~Trim() { s.trim(); }
    } trim{scratch};
    const auto w = static_cast<std::size_t>(img.width), h = static_cast<std::size_t>(img.height);
    std::array<PaletteColour, 256> palette{};
    int colours = 0;
    const std::uint8_t* indices = nullptr;
    if (o.palette_when_possible) colours = palette_of(img, scratch.index, palette, o.alpha, indices);

    int bit_depth = 8, colour_type = 2;
    std::size_t n = 0;  // data bytes per row
    auto& raw = scratch.raw;
    if (colours > 0) {
        colour_type = 3;
        bit_depth = colours <= 2 ? 1 : colours <= 4 ? 2 : colours <= 16 ? 4 : 8;
        const int per_byte = 8 / bit_depth;
        n = (w + static_cast<std::size_t>(per_byte) - 1) / static_cast<std::size_t>(per_byte);
        raw.assign(h * (n + 1), 0);  // filter type 0 (none): the spec's advice for palette images
        for (std::size_t y = 0; y < h; ++y) {
            std::uint8_t* out = raw.data() + y * (n + 1) + 1;
            const std::uint8_t* in = indices + y * w;
            if (bit_depth == 8) {
                std::memcpy(out, in, w);
                continue;
            }
            for (std::size_t x = 0; x < w; ++x)  // leftmost pixel in the high bits
                out[x / per_byte] |= static_cast<std::uint8_t>(in[x] << (8 - bit_depth * (1 + static_cast<int>(x % per_byte))));
        }
    } else {
        colour_type = o.alpha ? 6 : 2;
        const std::size_t bpp = o.alpha ? 4 : 3;
        n = w * bpp;
        raw.resize(h * (n + 1));
        for (std::size_t y = 0; y < h; ++y) {
            std::uint8_t* row = raw.data() + y * (n + 1);
            row[0] = 0;
            if (o.alpha) argb_row_to_rgba(img.argb.data() + y * w, img.width, row + 1);
            else argb_row_to_rgb(img.argb.data() + y * w, img.width, row + 1);
        }
        filter_rows(raw, scratch.line, h, n, bpp, o.filter);
    }

    CompressorPtr owned;
    libdeflate_compressor* c = compressor(o.compression, owned);
    auto& z = scratch.z;
    z.resize(libdeflate_zlib_compress_bound(c, raw.size()));
    const std::size_t zsize = libdeflate_zlib_compress(c, raw.data(), raw.size(), z.data(), z.size());
    if (zsize == 0) throw_internal("libdeflate: compressed image does not fit its bound");

    std::string out;
    out.reserve(8 + 25 + (colours ? 12 + 3 * static_cast<std::size_t>(colours) : 0) + 12 + zsize + 12);
    out.append("\x89PNG\r\n\x1a\n", 8);
    std::uint8_t ihdr[13];
    for (int i = 0; i < 4; ++i) {
        ihdr[i] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(img.width) >> (24 - 8 * i));
        ihdr[4 + i] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(img.height) >> (24 - 8 * i));
    }
    ihdr[8] = static_cast<std::uint8_t>(bit_depth);
    ihdr[9] = static_cast<std::uint8_t>(colour_type);
    ihdr[10] = ihdr[11] = ihdr[12] = 0;  // deflate, adaptive filtering (method 0), no interlace
    put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    if (colours > 0) {
        put_chunk(out, "PLTE", palette.data(), 3 * static_cast<std::size_t>(colours));
    }
    put_chunk(out, "IDAT", z.data(), zsize);
    put_chunk(out, "IEND", "", 0);
    return out;
}

// ---- Colour limit: at most 256 colours within a bound, for palette PNGs ----------------------

// Colour -> count (then -> replacement colour), open addressing, up to kMaxColours colours. Four
// counters per colour, for pixels i % 4 = 0..3: runs of one colour then add to four memory words
// in turn instead of making every increment wait for the one before (store-to-load latency).
struct ColourCounts {
    static constexpr std::size_t kSlots = 8192;  // power of two, load <= 1/2
    static constexpr std::size_t kMaxColours = 4096;
    std::vector<std::uint32_t> keys = std::vector<std::uint32_t>(kSlots, 0);  // 0 = empty; keys carry 0xff alpha
    std::vector<std::uint32_t> vals = std::vector<std::uint32_t>(4 * kSlots, 0);
    std::size_t count = 0;
    static std::size_t slot_of(std::uint32_t key) { return (key * 0x9E3779B1u) >> 19; }  // top 13 bits
    // The slot of `key`, added if new; kSlots when it would be one too many.
    std::size_t find_or_add(std::uint32_t key) {
        for (std::size_t h = slot_of(key);; h = (h + 1) & (kSlots - 1)) {
            if (keys[h] == key) return h;
            if (keys[h] == 0) {
                if (count == kMaxColours) return kSlots;
                keys[h] = key;
                ++count;
                return h;
            }
        }
    }
};

}  // namespace

int limit_colours(RasterImage& img, int max_error) {
    img.index.clear();
    img.palette.clear();
    if (img.argb.empty()) return 0;
    // One hash probe per pixel, no run shortcut: the probe almost always hits its first slot (a
    // predictable branch), while "same as the pixel before?" mispredicts at every antialiased
    // edge (measured with perf: that branch was most of this function's time).
    ColourCounts table;
    thread_local std::vector<std::uint16_t> slot_of;  // per pixel, for the mapping pass (kept: ~0.4 MB at 1x)
    slot_of.resize(img.argb.size());
    {
        // Raw pointers: the compiler keeps them in registers (through the vectors it reloaded them
        // after every store).
        const std::uint32_t* px = img.argb.data();
        const std::uint32_t* keys = table.keys.data();
        std::uint32_t* vals = table.vals.data();
        std::uint16_t* slot = slot_of.data();
        const std::size_t n = img.argb.size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t key = px[i] | 0xff000000u;
            std::size_t h = ColourCounts::slot_of(key);
            if (keys[h] != key) [[unlikely]] {
                h = table.find_or_add(key);
                if (h == ColourCounts::kSlots) return 0;
            }
            ++vals[4 * h + (i & 3)];
            slot[i] = static_cast<std::uint16_t>(h);
        }
    }
    struct Trim {
        ~Trim() {
            if (slot_of.capacity() > (std::size_t(8) << 20)) std::vector<std::uint16_t>().swap(slot_of);
        }
    } trim;
    // Per slot: the kept colour it becomes and that colour's number (0..255); the pixels then get
    // their palette indices from these in one pass, without hashing again.
    std::vector<std::uint32_t> kept(256);
    std::vector<std::uint8_t> kept_of_slot(ColourCounts::kSlots);
    std::size_t kept_count = 0;
    bool changed = false;
    if (table.count <= 256) {
        for (std::size_t h = 0; h < ColourCounts::kSlots; ++h)
            if (table.keys[h]) {
                kept[kept_count] = table.keys[h];
                kept_of_slot[h] = static_cast<std::uint8_t>(kept_count++);
            }
    } else {
        // Most frequent first (ties by colour: deterministic).
        std::vector<std::pair<std::uint32_t, std::uint32_t>> by_count;  // (count, colour)
        by_count.reserve(table.count);
        for (std::size_t h = 0; h < ColourCounts::kSlots; ++h)
            if (table.keys[h])
                by_count.emplace_back(table.vals[4 * h] + table.vals[4 * h + 1] + table.vals[4 * h + 2] + table.vals[4 * h + 3], table.keys[h]);
        std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        // Greedy cover: a colour joins the palette unless one already in it is within max_error.
        // (Trying smaller bounds first cost ~1 ms per 1x eyemap for no visible difference.)
        const int bound = std::min(max_error, 7);
        if (bound <= 0) return 0;
        detail::PaletteGrid grid;
        for (const auto& [count, colour] : by_count) {
            if (grid.nearest(colour, bound) >= 0) continue;
            if (grid.colours.size() == 256) return 0;
            grid.add(colour);
        }
        kept_count = grid.colours.size();
        std::copy(grid.colours.begin(), grid.colours.end(), kept.begin());
        for (std::size_t h = 0; h < ColourCounts::kSlots; ++h)
            if (table.keys[h]) kept_of_slot[h] = static_cast<std::uint8_t>(grid.nearest(table.keys[h], bound));
        changed = true;
    }
    // The kept colours are the palette, in the order above (deterministic: a function of the pixels).
    img.palette.assign(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(kept_count));
    img.index.resize(img.argb.size());
    const std::uint16_t* slot = slot_of.data();
    std::uint8_t* index = img.index.data();
    if (changed) {
        std::vector<std::uint32_t> colour_of_slot(ColourCounts::kSlots);
        for (std::size_t h = 0; h < ColourCounts::kSlots; ++h) colour_of_slot[h] = kept[kept_of_slot[h]];
        for (std::size_t i = 0; i < img.argb.size(); ++i) {
            index[i] = kept_of_slot[slot[i]];
            img.argb[i] = colour_of_slot[slot[i]];
        }
    } else {
        for (std::size_t i = 0; i < img.argb.size(); ++i) index[i] = kept_of_slot[slot[i]];
    }
    return static_cast<int>(kept_count);
}

std::string encode_png(const RasterImage& img, const PngOptions& o) {
    if (img.width <= 0 || img.height <= 0 || img.argb.size() != static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height))
        throw_input("image size does not match its pixels", ErrorLocation{{}, 0, "image", fmt::format("{}x{}", img.width, img.height)});
    if (o.compression < 0 || o.compression > kMaxLibdeflateLevel)
        throw_input(fmt::format("PNG compression level must be 0..{}", kMaxLibdeflateLevel), ErrorLocation{{}, 0, "compression", std::to_string(o.compression)});
    return encode_with_libdeflate(img, o);
}

}  // namespace eyemap

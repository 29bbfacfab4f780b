// Colours -> palette indices (up to 256, in order of addition), exactly or within a few levels: what
// palette PNGs need, shared by the encoder and limit_colours (png_encode.cpp) and the drawing that
// writes indices as it draws (raster.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace eyemap::detail {

// A small open-addressing table; colours are 0xAARRGGBB with the alpha byte ignored (forced to
// 0xff, so a key is never the empty slot's 0).
struct ColourIndex {
    static constexpr std::size_t kSlots = 1024;  // power of two, load <= 1/4
    std::array<std::uint32_t, kSlots> keys{};
    std::array<std::uint8_t, kSlots> vals{};
    std::array<std::uint32_t, 256> colours{};  // [index] = the colour with alpha 0xff
    int count = 0;
    // The index of `argb`, added if new; -1 when it would be the 257th colour.
    int find_or_add(std::uint32_t argb) noexcept {
        const std::uint32_t key = argb | 0xff000000u;
        for (std::size_t h = (key * 0x9E3779B1u) >> 22;; h = (h + 1) & (kSlots - 1)) {  // top 10 bits
            if (keys[h] == key) return vals[h];
            if (keys[h] == 0) {
                if (count == 256) return -1;
                keys[h] = key;
                vals[h] = static_cast<std::uint8_t>(count);
                colours[static_cast<std::size_t>(count)] = key;
                return count++;
            }
        }
    }
};

// Chebyshev distance (the largest channel difference) of two 0x..RRGGBB colours.
inline int colour_distance(std::uint32_t a, std::uint32_t b) {
    const int dr = std::abs(static_cast<int>((a >> 16) & 0xff) - static_cast<int>((b >> 16) & 0xff));
    const int dg = std::abs(static_cast<int>((a >> 8) & 0xff) - static_cast<int>((b >> 8) & 0xff));
    const int db = std::abs(static_cast<int>(a & 0xff) - static_cast<int>(b & 0xff));
    return std::max({dr, dg, db});
}

// Palette colours bucketed by 8 x 8 x 8-level colour cells (32^3), to find the ones within a
// distance (<= 7) of a colour by looking at the (at most 8) cells around it.
struct PaletteGrid {
    std::vector<std::int16_t> head = std::vector<std::int16_t>(32768, -1);
    std::array<std::int16_t, 256> next{};
    std::vector<std::uint32_t> colours;
    PaletteGrid() { colours.reserve(256); }
    static int cell(int r, int g, int b) { return (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3); }
    void add(std::uint32_t c) {
        const int k = cell((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
        next[colours.size()] = head[static_cast<std::size_t>(k)];
        head[static_cast<std::size_t>(k)] = static_cast<std::int16_t>(colours.size());
        colours.push_back(c);
    }
    // The nearest palette colour within `bound` (Chebyshev; ties: the smaller sum of channel
    // differences, then the earlier entry), or -1.
    int nearest(std::uint32_t c, int bound) const {
        const int r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
        int best = -1, best_d = bound + 1, best_sum = 0;
        for (int cr = std::max(0, r - bound) >> 3; cr <= std::min(255, r + bound) >> 3; ++cr)
            for (int cg = std::max(0, g - bound) >> 3; cg <= std::min(255, g + bound) >> 3; ++cg)
                for (int cb = std::max(0, b - bound) >> 3; cb <= std::min(255, b + bound) >> 3; ++cb)
                    for (int i = head[static_cast<std::size_t>(cr << 10 | cg << 5 | cb)]; i >= 0; i = next[static_cast<std::size_t>(i)]) {
                        const std::uint32_t p = colours[static_cast<std::size_t>(i)];
                        const int d = colour_distance(c, p);
                        if (d > best_d) continue;
                        const int sum = std::abs(r - static_cast<int>((p >> 16) & 0xff)) + std::abs(g - static_cast<int>((p >> 8) & 0xff)) +
                                        std::abs(b - static_cast<int>(p & 0xff));
                        if (d < best_d || sum < best_sum || (sum == best_sum && i < best)) best = i, best_d = d, best_sum = sum;
                    }
        return best;
    }
};

// A palette of at most 256 colours built as colours arrive: a colour seen for the first time joins
// it unless a palette colour lies within `bound` levels (PaletteGrid::nearest), whose index it then
// takes. Colours added with `add_exact` first (the solid colours of a drawing) are kept exactly.
// What each colour seen maps to is remembered (up to kMaxSeen colours): later pixels of that colour
// cost one probe. Once a colour needs a 257th entry or the table is full, `full` is set and every
// call returns -1.
struct NearPalette {
    static constexpr std::size_t kSlots = 4096, kMaxSeen = 2048;  // load <= 1/2
    std::vector<std::uint32_t> keys = std::vector<std::uint32_t>(kSlots, 0);  // 0 = empty; alpha forced to 0xff
    std::vector<std::uint8_t> vals = std::vector<std::uint8_t>(kSlots, 0);
    std::size_t seen = 0;
    PaletteGrid grid;  // the palette: grid.colours[index]
    int bound = 4;
    bool full = false;
    explicit NearPalette(int max_error) : bound(std::clamp(max_error, 0, 7)) {}
    // The index of `argb`'s palette colour (itself, or the nearest within the bound), or -1.
    int find_or_add(std::uint32_t argb) noexcept { return find(argb, false); }
    // As find_or_add, but a colour not yet in the palette is added as it is.
    int add_exact(std::uint32_t argb) noexcept { return find(argb, true); }
    // Palette colour `index` (alpha 0xff).
    std::uint32_t colour(int index) const noexcept { return grid.colours[static_cast<std::size_t>(index)]; }

private:
    int find(std::uint32_t argb, bool exact) noexcept {
        if (full) return -1;
        const std::uint32_t key = argb | 0xff000000u;
        std::size_t h = (key * 0x9E3779B1u) >> 20;  // top 12 bits
        for (; keys[h] != 0; h = (h + 1) & (kSlots - 1))
            if (keys[h] == key) return vals[h];
        int k = exact ? -1 : grid.nearest(key, bound);
        if (k < 0 && grid.colours.size() < 256) {
            k = static_cast<int>(grid.colours.size());
            grid.add(key);
        }
        if (k < 0 || seen == kMaxSeen) {
            full = true;
            return -1;
        }
        keys[h] = key;
        vals[h] = static_cast<std::uint8_t>(k);
        ++seen;
        return k;
    }
};

}  // namespace eyemap::detail

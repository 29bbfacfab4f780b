// Test-only: prints every colour map's samples for tests/colormap_reference.py to compare with matplotlib.
// One tab-separated line per sample: what, map, n, i, t (%.17g, the exact double sampled), r, g, b.
//   lut    map 256 i t=i/255     sample(map, t)      (the 256 points)
//   fine   map 1001 i t=i/1000   sample(map, t)      (points between table entries: the index rule)
//   table  map 256 i -           lut256(map)[i]
//   bins   map n i t=(i+.5)/n    binned(map, n)[i]   ("classes" instead of "bins" for a published set)
// `map` is a name of colormap_names() or a list of colours (the lists below).
#include <cstdio>
#include <string>
#include <string_view>

#include "process/colormap.hpp"

using namespace eyemap::detail;

namespace {

// Lists of 2, 3, 5 and 256 stops (the last the most a list may have): ends, odd spacing, both cases of hex.
constexpr std::string_view kLists[] = {
    "#000000,#ffffff",
    "#ff0000, #00FF00 ,#0000ff",
    "#0f1e2d,#fedcba,#123456,#ABCDEF,#777777",
};

void line(const char* what, std::string_view map, int n, int i, double t, Rgb c) {
    std::printf("%s\t%.*s\t%d\t%d\t%.17g\t%d\t%d\t%d\n", what, static_cast<int>(map.size()), map.data(), n, i, t, c.r, c.g, c.b);
}

void dump(std::string_view label, const Colormap& m) {
    for (int i = 0; i < 256; ++i) line("lut", label, 256, i, i / 255.0, sample(m, i / 255.0));
    for (int i = 0; i <= 1000; ++i) line("fine", label, 1001, i, i / 1000.0, sample(m, i / 1000.0));
    for (int i = 0; i < 256; ++i) line("table", label, 256, i, 0, lut256(m)[static_cast<std::size_t>(i)]);
    for (int n = kMinBins; n <= kMaxBins; ++n) {
        const BinColours b = binned(m, n);
        const bool published = m.classes && !(*m.classes)[static_cast<std::size_t>(n)].empty();
        for (int i = 0; i < n; ++i) line(published ? "classes" : "bins", label, n, i, (i + 0.5) / n, b.colour[static_cast<std::size_t>(i)]);
    }
}

}  // namespace

int main() {
    for (std::string_view name : colormap_names()) dump(name, named_colormap(name));
    std::string big;
    for (int i = 0; i < 256; ++i) {
        char hex[9];
        std::snprintf(hex, sizeof hex, "%s#%02x%02x%02x", i ? "," : "", i, (i * 7) % 256, 255 - i);
        big += hex;
    }
    for (std::string_view list : kLists) dump(list, colour_list_colormap(list));
    dump(big, colour_list_colormap(big));
    return 0;
}

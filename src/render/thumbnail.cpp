// Thumbnail stage: the eyemap's columns binned into a square of cells, the darkest fill winning.
#include "render/thumbnail.hpp"

#include <algorithm>

namespace eyemap {

std::vector<std::uint16_t> thumbnail_cell_map(const GridCoordinates& g, int side) {
    const std::size_t n = std::min(g.x.size(), g.y.size());
    std::vector<std::uint16_t> out(n, 0);
    if (n == 0 || side <= 0 || side > 255) return out;
    float x0 = g.x[0], x1 = g.x[0], y0 = g.y[0], y1 = g.y[0];
    for (std::size_t i = 0; i < n; ++i) {
        x0 = std::min(x0, g.x[i]), x1 = std::max(x1, g.x[i]);
        y0 = std::min(y0, g.y[i]), y1 = std::max(y1, g.y[i]);
    }
    const double span = std::max({static_cast<double>(x1 - x0), static_cast<double>(y1 - y0), 1e-9});
    const double ox = (span - (x1 - x0)) / 2, oy = (span - (y1 - y0)) / 2;  // centred in the square
    for (std::size_t i = 0; i < n; ++i) {
        const int cx = std::clamp(static_cast<int>((g.x[i] - x0 + ox) / span * side), 0, side - 1);
        const int cy = std::clamp(static_cast<int>((g.y[i] - y0 + oy) / span * side), 0, side - 1);
        out[i] = static_cast<std::uint16_t>(cy * side + cx);
    }
    return out;
}

void thumbnail_cells(const Scene& scene, std::span<const std::uint16_t> cell_map, std::span<std::uint8_t> cells) {
    std::fill(cells.begin(), cells.end(), std::uint8_t{0});
    const auto& d = scene.data;
    const std::size_t n = std::min({cell_map.size(), d.fill.size(), d.status.size()});
    for (std::size_t i = 0; i < n; ++i) {
        if (d.status[i] == ColumnStatus::not_in_region || cell_map[i] >= cells.size()) continue;
        // The darkest value of the columns in a cell wins; no data (white) only where nothing else is.
        // Continuous: the level's bin among the thumbnail's (ScaleOptions::bins, ColorScale::thumbnail_bins).
        const FillIndex f = d.fill[i];
        const int bins = d.scale.thumbnail_bins;
        const auto v = static_cast<std::uint8_t>(
            d.scale.continuous && f != kFillWhite ? 2 + (f - 1) * bins / kContinuousLevels : f + 1);
        auto& cell = cells[cell_map[i]];
        if (v > cell) cell = v;
    }
}

}  // namespace eyemap

// Thumbnail stage: the eyemap's columns binned into a square of cells, the darkest fill winning.
#include "render/thumbnail.hpp"

#include <algorithm>

namespace eyemap {

void thumbnail_cells(const Scene& scene, int side, std::span<std::uint8_t> cells) {
    std::fill(cells.begin(), cells.end(), std::uint8_t{0});
    if (!scene.grid || side <= 0 || cells.size() < static_cast<std::size_t>(side * side)) return;
    const auto& g = *scene.grid;
    const std::size_t n = std::min({g.x.size(), g.y.size(), scene.data.fill.size(), scene.data.status.size()});
    if (n == 0) return;
    float x0 = g.x[0], x1 = g.x[0], y0 = g.y[0], y1 = g.y[0];
    for (std::size_t i = 0; i < n; ++i) {
        x0 = std::min(x0, g.x[i]), x1 = std::max(x1, g.x[i]);
        y0 = std::min(y0, g.y[i]), y1 = std::max(y1, g.y[i]);
    }
    const double span = std::max({static_cast<double>(x1 - x0), static_cast<double>(y1 - y0), 1e-9});
    const double ox = (span - (x1 - x0)) / 2, oy = (span - (y1 - y0)) / 2;  // centred in the square
    for (std::size_t i = 0; i < n; ++i) {
        if (scene.data.status[i] == ColumnStatus::not_in_region) continue;
        const int cx = std::clamp(static_cast<int>((g.x[i] - x0 + ox) / span * side), 0, side - 1);
        const int cy = std::clamp(static_cast<int>((g.y[i] - y0 + oy) / span * side), 0, side - 1);
        // The darkest value of the columns in a cell wins; no data (white) only where nothing else is.
        const auto v = static_cast<std::uint8_t>(scene.data.fill[i] + 1);
        auto& cell = cells[static_cast<std::size_t>(cy * side + cx)];
        if (v > cell) cell = v;
    }
}

}  // namespace eyemap

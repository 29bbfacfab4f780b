// Thumbnail stage: a Scene downsampled to a few cells (palette indices), for index pages.
#pragma once

#include <cstdint>
#include <span>

#include "layout/layout.hpp"

namespace eyemap {

// Fills `cells` (side * side, row-major) with palette index + 1 of the darkest column of the region
// in each cell, 0 where the region has no column; the grid's columns are centred in the square.
void thumbnail_cells(const Scene& scene, int side, std::span<std::uint8_t> cells);

}  // namespace eyemap

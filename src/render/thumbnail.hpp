// Thumbnail stage: a Scene downsampled to a few cells (palette indices), for index pages.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "layout/layout.hpp"

namespace eyemap {

// The cell (row-major in a side x side square) of each grid column, the grid's columns centred in
// the square. The same for every eyemap drawn on that grid: computed once per grid.
std::vector<std::uint16_t> thumbnail_cell_map(const GridCoordinates& grid, int side);

// Fills `cells` (side * side) with palette index + 1 of the darkest column of the region in each
// cell, 0 where the region has no column; `cell_map` from thumbnail_cell_map of the scene's grid.
// A continuous scale's levels are given as the palette indices of ScaleOptions::bins bins of the
// same map (level l of 256 in bin l * bins / 256), the fills the release pages draw thumbnails with.
void thumbnail_cells(const Scene& scene, std::span<const std::uint16_t> cell_map, std::span<std::uint8_t> cells);

}  // namespace eyemap

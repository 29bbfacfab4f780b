// Layout stage: hex -> pixel for all columns, canvas, titles, legend and layer controls: the Scene.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "process/process.hpp"

namespace eyemap {

// Pixel centres of the universe's columns for one side, and the canvas they sit on.
// The same for every eyemap of a dataset and side, so it is computed once and shared.
struct GridCoordinates {
    std::vector<float> x, y;  // per universe column, canvas pixels
    std::vector<std::int32_t> hex1, hex2;  // the column each centre belongs to
    double width = 0, height = 0;  // canvas
    double grid_left = 0, grid_top = 0, grid_width = 0, grid_height = 0;
    double panel_left = 0, panel_width = 0;  // legend and controls column
    double header_height = 0;
    bool mirrored = false;
};

// Hex -> pixel (the spec's formula, vectorised with Eigen), mirrored for side R. The canvas is
// sized from the whole universe, so the L and R eyemaps of a dataset have identical dimensions.
// The geometry is valid (validate(Geometry) ran where it entered).
GridCoordinates compute_grid(const ColumnIndex& layout, const Geometry& geometry, Side side);

struct TitleLine {
    double x = 0, y = 0;  // baseline start
    std::string text;
    std::string badge;  // "(L)" or "(R)", drawn in the side colour right after text; may be empty
};

struct LegendBox {
    bool shown = false;             // only with at least one has_data column
    double x = 0, y = 0;            // top-left of the top (darkest) bin
    double bin_width = 0, bin_height = 0;
    double tick_x = 0;              // right edge of tick labels
    double title_x = 0, title_y = 0;  // centre of the rotated (-90 deg) title
    std::string title;              // "Total Synapses" / "Cell Count"
    std::array<std::string, 6> ticks;        // rounded edges, bottom (min) to top (max)
    std::array<std::string, 6> layer_ticks;  // the same for the per-layer scale
};

struct LayerButton {
    double x = 0, y = 0, width = 0, height = 0;
    std::string label;
    int layer = 0;  // 0 = all layers
};

// Everything a renderer draws, positioned; renderers know nothing about ingest or processing.
struct Scene {
    EyemapData data;
    std::shared_ptr<const GridCoordinates> grid;
    double width = 0, height = 0;
    double hex_size = 0;
    std::shared_ptr<const Style> style;  // colours, fonts, sizes: read by every renderer
    std::array<TitleLine, 3> titles;  // description, type (with side badge), ROI (with side badge)
    LegendBox legend;
    std::vector<LayerButton> buttons;  // empty when there are no per-layer values
};

Scene layout_eyemap(EyemapData data, std::shared_ptr<const GridCoordinates> grid, const Geometry& geometry,
                    std::shared_ptr<const Style> style = nullptr /* null: the default Style */);

// Fill palette indices for a static image of one layer (0 = all layers), as the layer buttons do.
std::vector<std::uint8_t> fills_for_layer(const EyemapData& data, int layer);

}  // namespace eyemap

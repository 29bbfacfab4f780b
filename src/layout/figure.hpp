// Figure layout: panels (single eyemaps' Scenes) placed on a page in points, with legends and labels.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eyemap/figure.hpp"
#include "layout/layout.hpp"

namespace eyemap {

// One panel: a single eyemap's Scene, of which only the hexagons are drawn, scaled by `scale` and
// moved so that the grid's box (GridCoordinates::grid_left/top) lands at (x, y).
struct FigurePanel {
    Scene scene;
    double x = 0, y = 0;  // points
    double scale = 1;     // points per scene pixel
    std::string id;       // SVG id of the panel, unique in the figure
    // scene coordinates -> points: p * scale + offset
    double offset_x() const noexcept { return x - scene.grid->grid_left * scale; }
    double offset_y() const noexcept { return y - scene.grid->grid_top * scale; }
};

// A line of text centred at (x, y) on its baseline; rotated: read bottom to top (row labels).
struct FigureText {
    double x = 0, y = 0;
    std::string text;
    bool rotated = false;
};

// Everything a figure draws, in points (1/72 in): the SVG's user units, the PDF's page units.
struct FigureScene {
    double width = 0, height = 0;
    std::shared_ptr<const Style> style;  // the figure's: font and sizes in points, hexagon lines per panel scale
    bool transparent = false;            // no background drawn
    std::vector<FigurePanel> panels;     // row-major
    // Each a Scene with only its legend (placed in points) to draw, and its SVG id.
    std::vector<Scene> legends;
    std::vector<std::string> legend_ids;
    std::vector<FigureText> labels;
    // The marks' legend below the panels: each set any panel marks, once, in order of first
    // appearance (row-major), without columns; shown when there is one.
    std::vector<SceneMarkSet> mark_keys;
    MarkLegend mark_legend;
    std::string id;     // the figure's SVG id
    std::string title;  // the SVG's <title>, the PDF's title
    std::size_t rows = 0, columns = 0;
};

struct FigureLayoutInput {
    std::size_t rows = 0, columns = 0;
    std::vector<Scene> panels;  // row-major, rows x columns, each as layout_eyemap made it
    std::vector<std::string> row_labels, column_labels, panel_labels;  // drawable text
    // The legend (and colour scale) of each panel: an index into `legends`, whose Scene gives the
    // scale, format, metric and fills the legend is drawn from.
    std::vector<std::size_t> legend_of;
    std::vector<std::size_t> legend_source;  // per legend: a panel index
    // Per legend: the row (row legends) or column (column legends) whose strip holds it, 0 for the
    // figure's; legends sharing a strip stack top to bottom in their order. Empty: legend l in strip l.
    std::vector<std::size_t> legend_slot;
    FigureOptions options;                  // valid (validate(FigureOptions) ran)
    Style style;                            // the renderer's; fonts, sizes and lines are replaced
    std::string id, title;
};

// Places the panels on a page options.width_mm wide (the height follows), the legends in a strip
// right of the panels (figure), of each row (row) or of each column (column), and the labels.
// Throws input when the panels do not fit the width.
FigureScene layout_figure(FigureLayoutInput in);

}  // namespace eyemap

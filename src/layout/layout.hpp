// Layout stage: hex -> pixel for all columns, canvas, titles, legend and layer controls: the Scene.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/links.hpp"
#include "eyemap/marks.hpp"
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

// Palette indices of a legend's boxes, bottom first, 0 after the last box.
using BoxFills = std::array<std::uint8_t, kMaxScaleBins>;

// The legend of one colour scale: 0..N stacked boxes, bottom (lightest) to top, and their labels.
struct LegendScale {
    int bins = 0;                     // boxes; 0: the scale has no values
    BoxFills fill{};                  // palette index (1..N) per box, bottom first
    bool per_box = false;             // labels name each box's one value (a small integer range), at its middle
    std::vector<std::string> labels;  // per_box: one per box; else bins + 1 edges, bottom (min) to top (max)
    // Labels drawn: every label_step-th from the bottom, and the top one, the one below it left out when
    // closer than label_step (boxes too low for a label each: many bins); 1 draws all.
    int label_step = 1;
    // Continuous scales: a gradient bar of the map's colours (FillColours::stops) instead of boxes,
    // labelled with "nice" values (1-2-5 steps, 4..7 of them where the range allows) at their positions
    // on the bar, label_t (0 bottom .. 1 top; log: in log space, percentile: by percentile rank), none
    // closer than the tick font allows; a clipped end reads "≥ x" / "≤ x".
    bool gradient = false;
    std::vector<double> label_t;
    bool label_shown(std::size_t k) const noexcept {
        if (gradient) return true;
        const std::size_t step = static_cast<std::size_t>(label_step), last = labels.size() - 1;
        return k == last || (k % step == 0 && last - k >= step);
    }
};

struct LegendBox {
    bool shown = false;             // only with at least one has_data column
    // The boxes of N bins share the height of the field's five (5 x 14 px): bin_height = 70 / N.
    double x = 0, y = 0;            // top-left of the top (darkest) box
    double bin_width = 0, bin_height = 0;
    double tick_x = 0;              // right edge of tick labels
    double title_x = 0, title_y = 0;  // centre of the rotated (-90 deg) title
    std::string title;              // "Total Synapses" / "Cell Count"
    LegendScale all;    // the "all layers" scale
    LegendScale layer;  // the per-layer scale
    // Box b (from the bottom) of a scale's legend: its top; a label's baseline.
    double box_y(const LegendScale& s, int b) const noexcept { return y + (s.bins - 1 - b) * bin_height; }
    double bar_height = 0;  // the boxes' (or the gradient bar's) whole height: 70 px
    double label_y(const LegendScale& s, int k) const noexcept {
        if (s.gradient) return y + (1 - s.label_t[static_cast<std::size_t>(k)]) * bar_height + 3.5;
        return (s.per_box ? box_y(s, k) + bin_height / 2 : y + (s.bins - k) * bin_height) + 3.5;
    }
};

// A scale's legend: boxes, colours and labels. Labels are exact: whole numbers as they are up to
// 9,999, then compact with as many digits as the edge has (12.3k, 1.2M, 4.61E); fractions with up
// to two decimals; other values than whole ones as `format` prints them. A continuous scale's: a gradient
// with nice ticks, none closer than `min_gap` px on a bar `bar_height` px tall.
LegendScale legend_scale(const ColorScale& scale, const ValueFormat& format = {}, double bar_height = 70, double min_gap = 8);
// "Nice" values for a continuous legend from lo to hi: the multiples of one step of 1, 2 or 5 times a
// power of ten within lo..hi, the step giving 4..7 of them where one does (else the count nearest);
// {lo} when lo >= hi.
std::vector<double> nice_ticks(double lo, double hi);
// One label as the legend writes it.
std::string tick_label(double v);

// The fills of hexagons and legend boxes by palette index (EyemapData::fill): 0 no data, 1..N the
// bins light to dark, N + 1 not in region; "#rrggbb" each.
// A gradient stop of a continuous legend: palette index and offset (0 bottom .. 1 top, 4 decimals).
struct GradientStop {
    double offset = 0;
    FillIndex fill = 0;
    bool operator==(const GradientStop&) const = default;
};
struct FillColours {
    std::vector<std::string> colour;
    // Continuous (256 levels): the levels a gradient needs, linear interpolation between neighbouring
    // stops staying within one level per channel of every table entry between them; empty when binned.
    std::vector<GradientStop> stops;
    // The map and bins in words for the SVG's <desc> ("viridis, 7 bins"; "3 listed colours, 12 bins"),
    // empty for the field's default (reds, 5 bins), whose <desc> says nothing of them.
    std::string words;
    int bins() const noexcept { return static_cast<int>(colour.size()) - 2; }
    FillIndex grey() const noexcept { return static_cast<FillIndex>(colour.size() - 1); }
    bool operator==(const FillColours&) const = default;
};
// Style::palette's no-data and not-in-region colours around N = `bins` bin colours: the palette's own
// bins 1..5 with the field's default map ("reds", in any case) and 5 bins, so a Style's palette keeps
// drawing; else detail::binned(map, N) of the colour map `colormap` (a name or "#rrggbb,..."; input
// errors name "colormap" and "bins").
// `continuous`: the map's 256 table entries instead of bins (`bins` is then ignored).
FillColours fill_colours(const Style& style, std::string_view colormap = "reds", int bins = 5, bool continuous = false);

struct LayerButton {
    double x = 0, y = 0, width = 0, height = 0;
    std::string label;
    int layer = 0;  // 0 = all layers
};

// One set of marked columns of one eyemap, drawn over its hexagons (outline, marker, or dimming
// every other hexagon) and named in its legend. The renderer makes these from RenderOptions::marks
// (scene_marks); a caller may add sets computed at render time (e.g. "only in A" of a comparison).
struct SceneMarkSet {
    std::string name;  // drawable text (make_scene_drawable)
    MarkStyle style = MarkStyle::outline;
    std::string colour;  // "#rrggbb"
    std::vector<std::uint32_t> columns;  // universe column indices (EyemapData order), ascending, no repeats
};

// The marks' legend: one row per set, top to bottom, a swatch hexagon drawn in the set's style and
// its name (left-aligned) after it.
struct MarkLegend {
    bool shown = false;
    double x = 0, y = 0;  // the rows' left edge and the first row's top
    double step = 14;     // row height
    double swatch = 5;    // the swatch hexagon's radius
    double font = 10;     // the names' size
    double added_width = 0, added_height = 0;  // what place_mark_legend grew the canvas by
    double row_centre(std::size_t k) const noexcept { return y + (static_cast<double>(k) + 0.5) * step; }
    double text_x() const noexcept { return x + 2 * swatch + 0.5 * step; }
};

// How marks are drawn at a hexagon radius `hs` with hexagon lines `line` wide (both in scene units):
// the one rule of SVG, PNG and PDF.
struct MarkPen {
    double outline = 0;  // outline stroke width
    double dot = 0;      // a marker's radius
    double dot_edge = 0; // its edge's width
    static constexpr double kDimOpacity = 0.7;  // the cover over non-members, in the background's colour
    double dim_edge() const noexcept { return outline / 2; }  // a dim set's members, outlined in its colour
};
MarkPen mark_pen(double hs, double line) noexcept;
// Per universe column (n of them): 1 when it is a member of a dim set. Empty when no set dims.
std::vector<std::uint8_t> dim_members(std::span<const SceneMarkSet> marks, std::size_t n);

// The sets of `marks` with rows in `region` and `side`, in the sets' order, as universe indices
// (rows on columns the layout does not have are left out: a marks file may serve datasets with
// different layouts). Sets without a row here are left out.
std::vector<SceneMarkSet> scene_marks(const Marks& marks, const ColumnIndex& index, std::string_view region, Side side);

// Everything a renderer draws, positioned; renderers know nothing about ingest or processing.
struct Scene {
    EyemapData data;
    std::shared_ptr<const GridCoordinates> grid;
    double width = 0, height = 0;
    double hex_size = 0;
    std::shared_ptr<const Style> style;  // colours, fonts, sizes: read by every renderer
    std::shared_ptr<const FillColours> fills;  // hexagon and legend box fills by palette index
    std::array<TitleLine, 3> titles;  // description, type (with side badge), ROI (with side badge)
    LegendBox legend;
    std::vector<LayerButton> buttons;  // empty when there are no per-layer values
    ScaleScope scale_scope = ScaleScope::pooled;  // which values data.scale came from (the SVG's <desc> says so)
    // Set by the renderer from RenderOptions; null: hexagons link nowhere, no dataset is named.
    std::shared_ptr<const LinkTemplate> column_link;
    std::shared_ptr<const Provenance> provenance;
    // Marked column sets, drawn after the hexagons in this order (dims, then outlines, then markers);
    // empty: none (the output is as without marks). mark_legend: set by place_mark_legend.
    std::vector<SceneMarkSet> marks;
    MarkLegend mark_legend;
};

// A single eyemap's marks legend: a band below the grid, one row per set; the canvas grows by the
// band (and widens, the colour legend moving with its right edge, when a name needs it). Nothing
// without marks. Call after the marks are set and made drawable; called again (sets added since),
// it places the legend anew on the canvas as it was before the first call.
void place_mark_legend(Scene& s, const Geometry& geometry);
// An estimate of a text's width at `font` px (no font metrics at layout time): DejaVu Sans' advances
// by character class, rounded up.
double estimated_text_width(std::string_view text, double font) noexcept;
// `text` cut at a character boundary and ended with "…" so that estimated_text_width fits `room`.
std::string fit_text(std::string text, double room, double font);

// Where a legend goes: the top-left of its top box, the boxes' (or gradient bar's) width and whole
// height, the tick labels' right edge `tick_gap` left of the boxes, the rotated title's baseline
// `title_gap` right of them.
struct LegendPlacement {
    double x = 0, y = 0, bin_width = 14, bar_height = 70, tick_gap = 4, title_gap = 9;
};
// The legend of `data`'s scales (all layers and per layer) at `at`, labels spaced for style.tick_size;
// shown when the data has values.
LegendBox place_legend(const EyemapData& data, const Style& style, const LegendPlacement& at);

// `scope`: the ScaleOptions::scope the data's scales were made with (process_type's options).
// `fills`: as many bins as the data's scales (null: fill_colours(style, "reds", bins)).
Scene layout_eyemap(EyemapData data, std::shared_ptr<const GridCoordinates> grid, const Geometry& geometry,
                    std::shared_ptr<const Style> style = nullptr /* null: the default Style */,
                    ScaleScope scope = ScaleScope::pooled, std::shared_ptr<const FillColours> fills = nullptr);

// Fill palette indices for a static image of one layer (0 = all layers), as the layer buttons do.
std::vector<FillIndex> fills_for_layer(const EyemapData& data, int layer);

}  // namespace eyemap

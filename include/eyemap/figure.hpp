// A figure: many eyemaps of one dataset in one picture (a grid of panels), its options and output.
#pragma once

// A figure is drawn by Renderer::render_figure from the same stages as a single eyemap (process ->
// layout -> the SVG writer / cairo painter): each panel is the Scene a single eyemap would be for the
// same options, without titles, legend or layer buttons, scaled to the panel's size. The colour scale
// is pooled over the values the panels draw (one scale per legend: the figure's, a row's or a
// column's), so panels of one legend compare directly. Every panel of one side shows the same grid
// (the layout's universe), so a column sits in the same place in every panel of its side.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/compare.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap {

// What changes along a figure's rows or columns. Datasets: A, B and their difference (a comparison:
// FigureRequest::compare).
enum class FigureAxis : std::uint8_t { types, regions, sides, metrics, layers, datasets };
std::string_view to_string(FigureAxis a) noexcept;  // "types", "regions", "sides", "metrics", "layers", "datasets"
std::optional<FigureAxis> parse_figure_axis(std::string_view text) noexcept;  // also the singular ("type")

// One legend (and colour scale) for the whole figure, one per row, or one per column.
enum class FigureLegend : std::uint8_t { figure, row, column };
std::string_view to_string(FigureLegend l) noexcept;
std::optional<FigureLegend> parse_figure_legend(std::string_view text) noexcept;

// Which panels. The dimensions on `rows` and `columns` list their values in order (empty: all the
// data has: every type, every region with columns on a drawn side, L and R, the default metrics; the
// layers axis needs its values); each other dimension takes at most one value (empty: the type must be
// given, the region is the first with columns, the side R, the metric the first default, layer 0).
struct FigurePanels {
    FigureAxis rows = FigureAxis::types;
    FigureAxis columns = FigureAxis::regions;
    std::vector<std::string> types;
    std::vector<std::string> regions;
    std::vector<Side> sides;
    std::vector<Metric> metrics;
    std::vector<int> layers;  // 0 = all layers, N = the region's layer N
    // With a comparison: which of A, B and their difference (ComparePart::a, b, difference; empty on an
    // axis: all three; off the axes: the difference). Without one: empty.
    std::vector<ComparePart> datasets;
};
// "a", "b", "difference" (also "diff"); nullopt otherwise.
std::optional<ComparePart> parse_figure_dataset(std::string_view text) noexcept;

// Panel labels: the rows' values left of each row and the columns' above each column (axes), the
// panel's own description above each panel (panels), or none.
enum class FigureLabels : std::uint8_t { axes, panels, none };
std::string_view to_string(FigureLabels l) noexcept;
std::optional<FigureLabels> parse_figure_labels(std::string_view text) noexcept;

// The page: physical sizes (a journal's column is 85-90 mm, a page 180 mm; text 6-7 pt).
struct FigureOptions {
    double width_mm = 180;                     // 20..1000; the height follows from the panels
    double font_pt = 7;                        // all text, 2..36
    std::string font_family = "Liberation Sans";  // Debian's metric twin of Arial (fonts-liberation2)
    double line_pt = 0.25;                     // hexagon outlines, 0..5
    std::string background;                    // "#rrggbb", or empty: transparent
    FigureLegend legend = FigureLegend::figure;
    FigureLabels labels = FigureLabels::axes;
    double dpi = 300;                          // PNG pixels per inch, 10..2400
    std::string svg_id;                        // SVG id prefix; empty: derived from the panels
};

struct FigureRequest {
    FigurePanels panels;
    FigureOptions options;
    // A comparison's options (Renderer::render_figure with a baseline): A and B panels share their
    // legends' locked scales, difference panels have legends of their own (diverging, centred at 0).
    CompareOptions compare;
};

// Throws input naming the option and value when one is out of range.
void validate(const FigureOptions& o);
// Throws input when rows and columns are the same dimension, another dimension has more than one
// value, or a layer is out of 0..1000: what the panels' shape needs before any data is read.
void validate(const FigurePanels& p);

// One figure file.
struct FigureOutput {
    OutputFormat format = OutputFormat::svg;
    std::string bytes;
    double width_mm = 0, height_mm = 0;
    std::size_t rows = 0, columns = 0;
    std::string note;  // e.g. the font family was not found and another is used; empty when none
};

// Points per millimetre (1 pt = 1/72 in).
inline constexpr double kPointsPerMm = 72.0 / 25.4;

}  // namespace eyemap

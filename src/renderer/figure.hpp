// Internal: a figure's panels processed and laid out with the renderer's scales, grids and looks.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "eyemap/figure.hpp"
#include "eyemap/renderer.hpp"
#include "eyemap/stats.hpp"
#include "layout/figure.hpp"

namespace eyemap {

// Every text of a Scene made drawable by one rule (renderer.cpp; core/text.hpp).
void make_scene_drawable(Scene& s);
// The checks a single eyemap's request and a figure's panel share (renderer.cpp), throwing input
// naming `field`: a region the layout knows (with a did-you-mean), a layer 1..N the eyemap has (0: all).
void check_region_known(const ColumnIndex& index, std::string_view region, std::string_view field);
void check_layer_of(const EyemapData& d, int layer, std::string_view field);

// A difference's "only in A" / "only in B" column sets (markers: a dark dot, a light one), added to its
// Scene's marks (renderer.cpp). Empty sets are left out.
void add_only_in_marks(Scene& s, const std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>& only, const CompareOptions& co);

// What the renderer lends the figure builder: its options, style, the look (scale options and fills)
// a metric is drawn with, its scale source and grid cache, and its statistics.
struct FigureContext {
    const RenderOptions& options;
    std::shared_ptr<const Style> style;
    std::function<std::pair<ScaleOptions, std::shared_ptr<const FillColours>>(const Metric&)> look;
    ScaleSource scales;
    std::function<std::shared_ptr<const GridCoordinates>(const ColumnIndex&, Side)> grid;
    Stats* stats = nullptr;
    OpId process_op, layout_op;
    // As a single eyemap's Scene gets them: every panel's hexagons link out, the figure names the dataset.
    std::shared_ptr<const LinkTemplate> column_link;
    std::shared_ptr<const Provenance> provenance;
    // A comparison's difference panels: scale options (linear, centred at 0) and the diverging map's fills.
    std::function<std::pair<ScaleOptions, std::shared_ptr<const FillColours>>(const CompareOptions&)> difference_look;
};

// The figure's panels (every one checked against the data first), processed twice: with the
// renderer's scales to learn the values each panel draws, then with one scale per legend pooled
// over those values; laid out by layout_figure. Throws input naming the option or panel at fault.
// `baseline`: a comparison's B (the same dataset for two of its types), or null.
FigureScene build_figure(const Dataset& dataset, const Dataset* baseline, const FigureRequest& request, const FigureContext& ctx);

// Whether an error's field is one of FigureOptions' or the figure's page ("canvas"), rather than the data.
bool is_figure_option_field(std::string_view field) noexcept;

}  // namespace eyemap

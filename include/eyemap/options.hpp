// What a renderer is built from: geometry, colour scale, style, formats, cache settings, and which eyemaps to draw.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/marks.hpp"
#include "eyemap/table.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap {

// Which eyemap of a type to draw.
struct EyemapRequest {
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapses;
    bool operator==(const EyemapRequest&) const = default;
};

// How the six thresholds of the colour scale are chosen.
enum class ScaleMethod : std::uint8_t {
    linear,      // evenly spaced from min to max of the values shown (the field's default)
    percentile,  // the 0th, 20th, ..., 100th percentiles of the values shown
    fixed,       // min/max given by the caller, so many eyemaps can share one scale
    stddev,      // around the mean: edges min, mean-1.5sd, mean-.5sd, mean+.5sd, mean+1.5sd, max (clamped to min..max)
    log,         // geometric: min * (max/min)^(k/5) from the smallest positive value to the max
};
// Which values a type's "all layers" scale is computed from.
enum class ScaleScope : std::uint8_t {
    pooled,      // all regions and both sides of the type (the field's default)
    per_region,  // the region's values, both sides
};
std::string_view to_string(ScaleMethod m) noexcept;  // "linear", "percentile", "fixed", "stddev", "log"
std::string_view to_string(ScaleScope s) noexcept;   // "pooled", "region"
std::optional<ScaleMethod> parse_scale_method(std::string_view text) noexcept;
std::optional<ScaleScope> parse_scale_scope(std::string_view text) noexcept;  // "pooled", "region"

struct ScaleOptions {
    ScaleMethod method = ScaleMethod::linear;
    ScaleScope scope = ScaleScope::pooled;
    double min = 0;  // used with ScaleMethod::fixed: finite, min <= max
    double max = 0;
    int bins = 5;    // colour bins, 2..12: the methods' edges split the scale into this many intervals
    // A robust maximum, 0.5..1: the scale ends at this quantile of the values (whole values: rounded
    // up), values above it are drawn in the last colour and the legend's top label says "≥ x".
    // 1: the largest value (the field's default). Not for fixed scales, whose limits are given.
    double clip_quantile = 1;
    // Continuous colours instead of bins: a value takes one of the map's 256 table entries, by where it
    // lies between the scale's limits (linear; log: in log space; percentile: its percentile rank;
    // stddev: between mean -/+ 2 sd clamped to min..max; fixed: min..max). `bins` does not apply.
    bool continuous = false;
    // The value a diverging map's light middle colour stands for: the scale's limits are symmetric about
    // it (linear: centre -/+ the larger distance to a value; fixed: a limit not given mirrors the other).
    // nullopt: 0 with a diverging map (rdbu, puor), none with a sequential one; a given centre centres
    // any map. Only for linear and fixed scales (percentile, stddev and log place their own limits).
    std::optional<double> centre;
};

struct Geometry {
    double hex_size = 6;      // vertex radius, 1..50
    double spacing = 1.1;     // centre distance factor, 1.0..3.0
    double margin = 10;       // around everything, 0..500
    double min_width = 380;   // the field's per-region minimum canvas, 0..20000
    double min_height = 410;
};

// The look, in one place: the SVG's CSS and script and the cairo painter (PNG, PDF) all read it.
// Colours are "#rrggbb". Every field is also declared in src/core/option_schema.cpp (ranges, help,
// hashing, the CLI's --style and the Python keywords); tests/test_options.cpp checks the two agree.
struct Style {
    // Fill per palette index: 0 white (no data), 1..5 the bins light to dark, 6 grey (not in region).
    // The bins' colours 1..5 are drawn with the default colour map and bin count (RenderOptions::colormap
    // "reds", ScaleOptions::bins 5); another map or count draws its own bins (between 0 and 6 here).
    std::array<std::string, 7> palette{"#ffffff", "#fee5d9", "#fcbba1", "#fc9272", "#ef6548", "#a50f15", "#999999"};
    std::string background = "#f4f4f4";
    std::string text = "#222222";
    std::string badge_left = "#2ca02c";   // "(L)" after the titles
    std::string badge_right = "#d62728";  // "(R)"
    std::string hex_stroke = "#c8c8c8";
    double hex_stroke_width = 0.5;
    double hex_opacity = 0.8;  // 0..1: the field draws hexagons (fill and outline) at 0.8 over the background; not the legend
    std::string button_fill = "#eeeeee";
    std::string button_on_fill = "#cccc00";
    std::string button_stroke = "#888888";
    double button_stroke_width = 0.6;
    std::string tooltip_fill = "#ffffff";
    std::string tooltip_stroke = "#444444";
    std::string font_family = "DejaVu Sans";
    double title_size = 12, tick_size = 10, legend_title_size = 9, button_size = 9, tooltip_size = 11;
    bool operator==(const Style&) const = default;
};

// Bounds of one cache; a disabled cache is never consulted (the output is the same bytes).
struct CacheLimits {
    bool enabled = true;
    std::size_t max_entries = 1024;
    std::size_t max_bytes = 32u << 20;
};
// The renderer's caches at the stage seams (what each keys on: src/renderer/caches.hpp).
struct CacheOptions {
    CacheLimits coordinates{true, 64, 64u << 20};  // hex -> pixel grids, per layout, geometry and side
    CacheLimits colours{true, 1024, 32u << 20};     // percentile colour scales, per value set
    CacheLimits metadata{true, 1024, 32u << 20};    // expanded SVG frames, per region/side/metric/geometry/style/templates
    CacheOptions& set_enabled(bool on) noexcept {
        coordinates.enabled = colours.enabled = metadata.enabled = on;
        return *this;
    }
};

// Every rendering option is also declared in src/core/option_schema.cpp (see Style).
struct RenderOptions {
    Geometry geometry;
    ScaleOptions scale;
    // The bins' colours: a map's name (reds, the field's default; viridis, cividis, magma, inferno, plasma,
    // greys, rdbu, puor; any case) or colours "#rrggbb,#rrggbb,..." spread evenly over the map.
    std::string colormap = "reds";
    Style style;
    std::filesystem::path templates;  // a folder of SVG fragment overrides; empty: the built-in ones
    bool interactive = true;          // SVG: tooltips and layer buttons; false: a static picture
    std::string svg_id;               // SVG id prefix, [A-Za-z][A-Za-z0-9_-]*; empty: derived from type, region, side
                                      // and metric, so eyemaps inlined into one page never clash
    int layer = 0;                    // 0 = all layers; N = colour by layer N (static images and the SVG's initial state)
    double png_scale = 1;             // PNG pixels per canvas pixel, > 0
    CacheOptions caches;
    // A metric's own colour map and scale when one run draws several (counts on the reds, a signed
    // value on RdBu with fixed limits every type shares): items "NAME:KEY=VALUE", KEY one of
    // colormap, bins, continuous, centre, color_scale, color_min, color_max, color_scope, clip_quantile, in order, over
    // the options above (resolve_metric_looks). The CLI's repeatable --metric-look NAME:KEY=VALUE.
    std::vector<std::string> metric_looks;
    // Links and provenance; empty: none (every output as without them). `column_link`: a column's
    // http(s) URL with placeholders {type} {region} {side} {hex1} {hex2} ({hex1:02}: zero-padded) and
    // {roi} (neuPrint's "ME_R_col_12_07"), which makes hexagons links (SVG, pages, PDF); `type_link`:
    // a type's URL ({type}) on its page and index row. The dataset's label, version and input identity
    // (the CLI: the data file's digest, as the run manifest records it) go into SVG metadata, PDF
    // document info, page footers and the report.
    std::string column_link, type_link;
    std::string dataset_label, dataset_version, input_digest;
    // Column sets to mark (include/eyemap/marks.hpp): data rather than a setting, so not in the option
    // schema; it enters the settings hash by content when not empty (a run resumed with other marks
    // re-renders), and each eyemap draws the sets with rows in its region and side. The CLI's --marks FILE.
    Marks marks;
};

// What one metric is drawn with: the run's colour map and scale with its own metric_looks applied.
struct MetricLook {
    std::string metric;
    std::string colormap;
    ScaleOptions scale;
};
// One entry per metric metric_looks names, in order of first mention. Throws input naming
// "metric_looks", the item and what is wrong (unknown key with did-you-mean, bad value, a fixed
// scale without both limits).
std::vector<MetricLook> resolve_metric_looks(const RenderOptions& o);
// The look of `metric_name`: its entry of `looks`, or the run's colormap and scale.
MetricLook look_of(const RenderOptions& o, std::span<const MetricLook> looks, std::string_view metric_name);

// Throws eyemap::Error (input) naming the option and value when something is out of range.
void validate(const Geometry& g);
void validate(const ScaleOptions& s);
void validate(const Style& s);
void validate(const RenderOptions& o);  // every option and Style field (the Renderer runs it first)

}  // namespace eyemap

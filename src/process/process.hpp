// Process stage: column statuses, values, per-layer values and colour scales for one type's eyemaps.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/regions.hpp"
#include "eyemap/table.hpp"

namespace eyemap {

enum class Metric : std::uint8_t { synapse_density, cell_count };
std::string_view to_string(Metric m) noexcept;       // "synapse_density", "cell_count"
std::string_view metric_label(Metric m) noexcept;    // "Synapse count", "Cell count"

enum class ColumnStatus : std::uint8_t { has_data, no_data, not_in_region };

// How the six thresholds are chosen.
enum class ScaleMethod : std::uint8_t {
    linear,      // evenly spaced from min to max of the values shown (the field's default)
    percentile,  // the 0th, 20th, ..., 100th percentiles of the values shown
    fixed,       // min/max given by the caller, so many eyemaps can share one scale
};
// Which values a type's "all layers" scale is computed from.
enum class ScaleScope : std::uint8_t {
    pooled,      // all regions and both sides of the type (the field's default)
    per_region,  // the region's values, both sides
};

struct ScaleOptions {
    ScaleMethod method = ScaleMethod::linear;
    ScaleScope scope = ScaleScope::pooled;
    double min = 0;  // used with ScaleMethod::fixed
    double max = 0;
};

// Five bins between six edges; values are binned into 0..4.
struct ColorScale {
    ScaleMethod method = ScaleMethod::linear;
    std::array<double, 6> edges{};  // also the legend's tick labels
    int bin(double value) const noexcept;
};

// Builds a scale from the values (need not be sorted). Empty input gives six zeros.
ColorScale make_scale(std::span<const double> values, const ScaleOptions& options);

// Columns that exist, per region and side, indexed over a shared "universe" of columns.
struct PreparedLayout {
    struct Column {
        std::int32_t hex1, hex2;
    };
    // All columns of the dataset, both sides, sorted by (hex1, hex2): the grid every eyemap shows.
    std::vector<Column> universe;
    // in_region[region_index * 2 + side][universe index]
    std::vector<std::vector<bool>> in_region;
    std::vector<std::size_t> region_column_count;  // same indexing as in_region
    RegionSet regions;
    // Dense (hex1, hex2) -> universe index table over the bounding box, -1 where no column:
    // one lookup per row instead of a search (hex coordinates are bounded at ingest).
    std::int32_t min1 = 0, min2 = 0, span1 = 0, span2 = 0;
    std::vector<std::int32_t> index;

    // Universe index of a column, or -1.
    std::int64_t find(std::int32_t hex1, std::int32_t hex2) const noexcept;
    bool has_columns(int region_index, Side side) const noexcept;
};

PreparedLayout prepare_layout(const ColumnLayout& layout, const RegionSet& regions);

// Which eyemap of a type to build.
struct EyemapRequest {
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapse_density;
};

// The processed data of one eyemap, in universe order. Plain data, handed to the layout stage.
struct EyemapData {
    std::string neuron_type;
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapse_density;
    std::vector<std::string> layer_names;

    std::vector<ColumnStatus> status;   // per universe column
    std::vector<std::int64_t> value;    // per universe column (0 when not has_data)
    std::vector<std::uint8_t> fill;     // palette index: 0 white, 1..5 bins, 6 grey
    // Per-layer values and palette indices, row-major [column * layer_count + layer];
    // empty when the data has no per-layer values for this metric.
    std::vector<std::int64_t> layer_value;
    std::vector<std::uint8_t> layer_fill;
    ColorScale scale;        // the "all layers" scale
    ColorScale layer_scale;  // the region's per-layer scale
    std::size_t has_data_count = 0;
    std::size_t not_in_region_count = 0;

    std::size_t layer_count() const noexcept { return layer_names.size(); }
    bool has_layers() const noexcept { return !layer_value.empty(); }
};

// Palette: index 0 white (no data), 1..5 the bins light to dark, 6 grey (not in region).
inline constexpr std::array<std::string_view, 7> kPalette{"#ffffff", "#fee5d9", "#fcbba1", "#fc9272",
                                                          "#ef6548", "#a50f15", "#999999"};
inline constexpr std::uint8_t kFillWhite = 0;
inline constexpr std::uint8_t kFillGrey = 6;

// Builds the requested eyemaps of one type from all of that type's rows (every region and side,
// so the pooled scale sees everything). Rows must all carry `neuron_type`.
std::vector<EyemapData> process_type(std::string_view neuron_type, std::span<const ColumnRow> rows,
                                     const TableColumns& columns, const PreparedLayout& layout,
                                     std::span<const EyemapRequest> requests, const ScaleOptions& options = {});

// All 12 (3 regions x 2 sides x 2 metrics) requests, or as many as the layout and columns allow:
// regions/sides without columns and metrics the table lacks are left out.
std::vector<EyemapRequest> all_requests(const PreparedLayout& layout, const TableColumns& columns);

}  // namespace eyemap

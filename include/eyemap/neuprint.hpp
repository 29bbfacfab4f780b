// neuPrint's query results as eyemap's data table: fetch_neurons' ROI counts and neuView's per-layer query (docs/neuprint.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/table.hpp"

namespace eyemap {

// Whose ROI counts are counted, as neuView's pages select them: the neurons whose side is "L", "R",
// or all neurons of the frame ("combined"). A neuron's side is its rootSide where the frame has one
// (neuView's dataset adapters prefer it), else its somaSide.
enum class SomaSide : std::uint8_t { L, R, combined };
// "L", "R", "combined" (also neuView's "left", "right").
std::optional<SomaSide> parse_soma_side(std::string_view text) noexcept;

// Which ROI count becomes the `synapses` metric: pre + post (neuView's "total"), pre or post alone.
// (pre and post become metrics of their own with the per-column values issue, #27.)
enum class SynapseCount : std::uint8_t { total, pre, post };
std::optional<SynapseCount> parse_synapse_count(std::string_view text) noexcept;

// A frame's columns as the caller holds them. Absent columns (nullopt) are named in the error when
// needed. In text columns "" is a missing value (None / NaN in a data frame).

// neuprint-python's fetch_neurons, first frame: one row per neuron (bodyId, type, somaSide, ...).
struct NeuronsFrame {
    std::string source = "neurons";
    std::uint64_t first_line = 1;  // the row number messages give the first value
    std::optional<NumberColumn> body_id;  // bodyId
    std::optional<TextColumn> type;       // type
    std::optional<TextColumn> soma_side;  // somaSide: SomaSide::L and ::R need it or rootSide
    std::optional<TextColumn> root_side;  // rootSide (male CNS, hemibrain): before somaSide where not empty
};

// fetch_neurons, second frame: one row per neuron and ROI (bodyId, roi, pre, post, downstream, ...).
struct RoiCountsFrame {
    std::string source = "roi_counts";
    std::uint64_t first_line = 1;
    std::optional<NumberColumn> body_id;  // bodyId
    std::optional<TextColumn> roi;        // roi
    std::optional<NumberColumn> pre, post;
};

// neuView's per-layer query (_build_column_layer_query): one row per hex1, hex2, layer, region, side
// and bodyId with total_synapses (its neuron_count is 1 per row and not needed). A missing layer,
// region or side (NaN: a synapse outside the layered columns) drops the row, as neuView does.
struct ColumnLayerFrame {
    std::string source = "layers";
    std::uint64_t first_line = 1;
    std::optional<NumberColumn> hex1, hex2, layer, total_synapses, body_id;
    std::optional<TextColumn> region, side;
};

struct NeuprintOptions {
    SomaSide soma_side = SomaSide::combined;      // ROI counts only (neuView's layer query has none)
    SynapseCount synapses = SynapseCount::total;  // ROI counts only
    // Every ROI name of the dataset (fetch_all_rois, fetch_roi_hierarchy): its column ROIs are the
    // layout, so columns no neuron of the frame reaches are drawn too. Empty: the columns seen.
    std::vector<std::string> all_rois;
};

// What was left out, so the caller can say so.
struct NeuprintReport {
    std::uint64_t rows = 0;               // rows read
    std::uint64_t not_column_roi = 0;     // ROI names that are not (ME|LO|LOP)_[LR]_col_<hex1>_<hex2>
    std::uint64_t not_selected = 0;       // ROI rows of neurons not in the frame, of the other soma side, or without a type
    std::uint64_t no_layer = 0;           // per-layer rows without layer, region or side
    std::vector<std::string> examples;    // up to 5 of the ROI names left out
};

struct NeuprintTable {
    ColumnTable table;                   // checked by table_from_columns, the CSV reader's rules
    std::optional<ColumnLayout> layout;  // from all_rois; nullopt: the columns seen
    NeuprintReport report;
};

// Column ROI name -> (region, side, hex1, hex2) as neuView parses it: each coordinate decimal, else
// hexadecimal (an optional 0x); nullopt for any other name. Coordinates beyond kMaxHexCoordinate
// are returned as they are (the caller refuses them, naming the row).
struct ColumnRoi {
    std::string_view region;
    Side side = Side::R;
    std::int64_t hex1 = 0, hex2 = 0;
};
std::optional<ColumnRoi> parse_column_roi(std::string_view name) noexcept;

// ROI counts -> per type, region, side and column: cells = distinct bodies with a row for that
// column ROI, synapses = the chosen count summed (neuView's column table). Throws eyemap::Error
// (input) naming missing columns, or the frame, row, column and value of a bad value.
NeuprintTable table_from_neuprint(const NeuronsFrame& neurons, const RoiCountsFrame& roi_counts, const NeuprintOptions& options = {},
                                  const RegionSet& regions = builtin_regions());

// neuView's per-layer rows of one type -> per region, side and column: layer_synapses = the layer's
// total_synapses summed, layer_cells = distinct bodies in the layer, synapses = the sum of the
// layers (neuView's total_synapses), cells = distinct bodies over the column's layers.
NeuprintTable table_from_neuview_layers(const ColumnLayerFrame& layers, std::string_view neuron_type, const NeuprintOptions& options = {},
                                        const RegionSet& regions = builtin_regions());

// The same frames saved as CSV (DataFrame.to_csv, with or without its index column). Throws
// eyemap::Error (io) when a file cannot be read, (input) as above.
NeuprintTable read_neuprint_csv(const std::filesystem::path& neurons, const std::filesystem::path& roi_counts,
                                const NeuprintOptions& options = {}, const RegionSet& regions = builtin_regions());
NeuprintTable read_neuview_layers_csv(const std::filesystem::path& layers, std::string_view neuron_type,
                                      const NeuprintOptions& options = {}, const RegionSet& regions = builtin_regions());
// ROI names, one per line, or a CSV whose column `roi` (else its only column) holds them.
std::vector<std::string> read_roi_list(const std::filesystem::path& path);

// eyemap's data CSV of a table (what read_column_table reads back): neuron_type, region, side,
// hex1, hex2, and the metric and layer columns the table has.
void write_column_table_csv(std::ostream& out, const ColumnTable& table);

}  // namespace eyemap

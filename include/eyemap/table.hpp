// Ingest stage: CSV column tables (per-type data and the per-region column layout) read by header name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "eyemap/regions.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap {

// Largest accepted |hex1|, |hex2|: beyond it a canvas would be absurd, so ingest refuses it.
inline constexpr std::int32_t kMaxHexCoordinate = 4096;
// Largest accepted count (synapses, cells, layer values): 2^53, what float64, JSON readers and the
// browser hold exactly. Larger is an input error naming the file, row, column and value.
inline constexpr std::int64_t kMaxCount = std::int64_t{1} << 53;

// One row of the data table: one (type, region, side, column).
struct ColumnRow {
    std::string neuron_type;
    std::string region;
    Side side = Side::R;
    std::int32_t hex1 = 0;
    std::int32_t hex2 = 0;
    std::int64_t synapses = 0;
    std::int64_t cells = 0;
    std::vector<std::int64_t> layer_synapses;  // empty when the file has no such column
    std::vector<std::int64_t> layer_cells;
    // Value columns (TableColumns::values), one per column in its order: float64, NaN = no data.
    std::vector<double> values;
    // Per-layer values of the value columns that have a layer column, in their order: as many as the
    // row's region has layers each (NaN = no data in that layer).
    std::vector<double> layer_values;
    std::uint64_t line = 0;  // 1-based line in the source, for error messages
};

// A value column the data brought (a metric besides the counts): its name, and whether a
// `layer_<name>` column of per-layer values came with it.
struct ValueColumn {
    std::string name;
    bool layers = false;
    bool operator==(const ValueColumn&) const = default;
};

// Which optional columns a data file brought.
struct TableColumns {
    bool synapses = false;
    bool cells = false;
    bool layer_synapses = false;
    bool layer_cells = false;
    // Value columns read (those the caller named: readers take a list), in the order named.
    std::vector<ValueColumn> values{};
    // Columns the data brought that no reader uses (header names, frame keys), for "did you mean"
    // when a selected metric's column is missing (e.g. `cell_count` for `cells`).
    std::vector<std::string> ignored{};
};

// The data has the metric's column: a count's flag, or a value column of that name.
bool has_metric(const TableColumns& columns, const Metric& m) noexcept;
// The data has per-layer values of the metric.
bool has_metric_layers(const TableColumns& columns, const Metric& m) noexcept;

struct ColumnTable {
    std::string source;  // file name (or caller's label) used in messages
    TableColumns columns;
    std::vector<ColumnRow> rows;
};

// A data table as typed columns (a data frame's, numpy arrays): what table_from_columns checks by
// exactly the CSV reader's rules and messages. Every column has one value per row.
// Text, each distinct value stored once: `codes[i]` is row i's index into `values`.
struct TextColumn {
    std::vector<std::string> values;
    std::vector<std::uint32_t> codes;
};
// Numbers as the caller holds them: integers, unsigned integers, floats (whole numbers only; NaN is
// a missing value), or decimal text read as a CSV field is (e.g. Python integers of any size).
using NumberColumn = std::variant<std::vector<std::int64_t>, std::vector<std::uint64_t>, std::vector<double>, std::vector<std::string>>;
// One count per layer of the row's region: per row "12;0;7" text (read as the CSV's field), or an
// n x width block of numbers, row-major.
struct LayerColumn {
    std::vector<std::string> texts;
    NumberColumn block;
    std::size_t width = 0;
};
// A value column as typed numbers (NaN = no data), with its optional per-layer values.
struct NamedValues {
    std::string name;
    NumberColumn values;
    std::optional<LayerColumn> layers;  // numbers or "1.5;;2" texts, as LayerColumn holds counts
};
struct DataColumns {
    std::string source;             // names the data in messages
    std::uint64_t first_line = 1;   // the row number messages give the first value
    std::optional<TextColumn> neuron_type, region, side;  // absent (nullopt) columns: as a CSV header without them
    std::optional<NumberColumn> hex1, hex2, synapses, cells;
    std::optional<LayerColumn> layer_synapses, layer_cells;
    std::vector<NamedValues> values;   // value columns (metrics besides the counts), names checked as value column names
    std::vector<std::string> ignored;  // the caller's other column names (near names of known ones are errors)
};

// One column that exists in a region on one side.
struct LayoutEntry {
    std::string region;
    Side side = Side::R;
    std::int32_t hex1 = 0;
    std::int32_t hex2 = 0;
};

struct ColumnLayout {
    std::string source;
    std::vector<LayoutEntry> entries;
};

// Streaming reader for data tables: one row at a time, never the whole file in memory.
// Validates every row (counts, layer list lengths against the region's layers, side, region).
// `values`: the value columns to read besides the counts (each with its `layer_<name>` column when
// the header has one); names the header lacks are left out of columns().values (the metric check
// then names them); names that are not valid value column names are input errors.
class ColumnRowReader {
public:
    ColumnRowReader(std::istream& in, std::string source_name, const RegionSet& regions,
                    std::span<const std::string> values = {});
    ~ColumnRowReader();
    ColumnRowReader(ColumnRowReader&&) noexcept;
    ColumnRowReader& operator=(ColumnRowReader&&) noexcept;

    const TableColumns& columns() const noexcept;
    // Fills `row` and returns true, or returns false at end of input. Throws eyemap::Error.
    bool next(ColumnRow& row);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Whole-table readers. Duplicate (type, region, side, hex1, hex2) rows are an error.
// `values`: value columns to read, as ColumnRowReader takes them.
ColumnTable parse_column_table(std::string_view csv_text, std::string_view source_name,
                               const RegionSet& regions = builtin_regions(), std::span<const std::string> values = {});
ColumnTable read_column_table(const std::filesystem::path& path, const RegionSet& regions = builtin_regions(),
                              std::span<const std::string> values = {});
// From a stream (standard input); `source_name` names it in messages.
ColumnTable read_column_table(std::istream& in, std::string_view source_name, const RegionSet& regions = builtin_regions(),
                              std::span<const std::string> values = {});

// The same from typed columns (a data frame): the CSV reader's rules, row by row, and its messages
// (row i is line first_line + i). Throws eyemap::Error (input).
ColumnTable table_from_columns(const DataColumns& columns, const RegionSet& regions = builtin_regions());

ColumnLayout parse_column_layout(std::string_view csv_text, std::string_view source_name,
                                 const RegionSet& regions = builtin_regions());
ColumnLayout read_column_layout(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());
// A layout from typed columns (region, side, hex1, hex2; the others are ignored), as the layout CSV reader checks it.
ColumnLayout layout_from_columns(const DataColumns& columns, const RegionSet& regions = builtin_regions());

// Without a layout file: the columns seen in the data, per region and side.
ColumnLayout layout_from_table(const ColumnTable& table);
// The same from a data file, streamed in one pass (one row in memory at a time; the file is read
// to its end, every row validated). Throws eyemap::Error: io when it cannot be read, input on a bad row.
ColumnLayout layout_from_data_file(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());

}  // namespace eyemap

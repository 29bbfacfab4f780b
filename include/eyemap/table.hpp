// Ingest stage: CSV column tables (per-type data and the per-region column layout) read by header name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/regions.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap {

// Largest accepted |hex1|, |hex2|: beyond it a canvas would be absurd, so ingest refuses it.
inline constexpr std::int32_t kMaxHexCoordinate = 4096;

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
    std::uint64_t line = 0;  // 1-based line in the source, for error messages
};

// Which optional columns a data file brought.
struct TableColumns {
    bool synapses = false;
    bool cells = false;
    bool layer_synapses = false;
    bool layer_cells = false;
};

struct ColumnTable {
    std::string source;  // file name (or caller's label) used in messages
    TableColumns columns;
    std::vector<ColumnRow> rows;
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
class ColumnRowReader {
public:
    ColumnRowReader(std::istream& in, std::string source_name, const RegionSet& regions);
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
ColumnTable parse_column_table(std::string_view csv_text, std::string_view source_name,
                               const RegionSet& regions = builtin_regions());
ColumnTable read_column_table(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());
// From a stream (standard input); `source_name` names it in messages.
ColumnTable read_column_table(std::istream& in, std::string_view source_name, const RegionSet& regions = builtin_regions());

ColumnLayout parse_column_layout(std::string_view csv_text, std::string_view source_name,
                                 const RegionSet& regions = builtin_regions());
ColumnLayout read_column_layout(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());

// Without a layout file: the columns seen in the data, per region and side.
ColumnLayout layout_from_table(const ColumnTable& table);
// The same from a data file, streamed in one pass (one row in memory at a time; the file is read
// to its end, every row validated). Throws eyemap::Error: io when it cannot be read, input on a bad row.
ColumnLayout layout_from_data_file(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());

}  // namespace eyemap

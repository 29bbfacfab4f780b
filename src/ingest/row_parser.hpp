// Internal: turns the fields of one data-table record into a ColumnRow. Shared by the streaming
// reader (ColumnRowReader) and the batch workers, which parse their own type's records.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv.hpp"
#include "ingest/row_rules.hpp"
#include "eyemap/table.hpp"

namespace eyemap::detail {

class RowParser {
public:
    // Reads the header record with `csv` (into `fields`) and maps it. Throws input for an empty file.
    static RowParser from_header(CsvReader& csv, std::vector<std::string_view>& fields, const RegionSet& regions,
                                 std::span<const std::string> values = {});

    // Maps the header record `header` just read by `csv` (which is given the column names for its
    // messages). Throws input for a missing or misspelt column. `regions` must outlive the parser.
    // `values`: the value columns to read (ColumnRowReader).
    RowParser(CsvReader& csv, const std::vector<std::string_view>& header, const RegionSet& regions,
              std::span<const std::string> values = {});

    const TableColumns& columns() const noexcept { return columns_; }
    // Index of the neuron_type field in a record.
    std::size_t type_field() const noexcept { return static_cast<std::size_t>(pos_[0]); }

    // Validates and converts the fields of the record `csv` read last (its file, line and column
    // names go into errors). Throws input. Thread-safe: the parser is not modified.
    void parse(const CsvReader& csv, const std::vector<std::string_view>& fields, ColumnRow& row) const;

private:
    std::array<int, 9> pos_{};  // field index per known column, -1 = absent
    std::vector<std::size_t> value_pos_;  // field index per TableColumns::values entry
    std::vector<std::size_t> layer_pos_;  // field index per value column with layers, in order
    std::size_t field_count_ = 0;
    TableColumns columns_;
    const RegionSet* regions_;
};

}  // namespace eyemap::detail

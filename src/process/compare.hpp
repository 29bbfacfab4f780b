// Process stage of a comparison: two types' rows -> the rows of their difference, and the change score.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "eyemap/compare.hpp"
#include "eyemap/table.hpp"
#include "process/process.hpp"

namespace eyemap {

// Rows of a type's difference: one per column with a row in A or B, each with one value column per
// compared metric (difference_metric(m, options), in the order given; per-layer values when both
// datasets have them for m), computed by the rules of eyemap/compare.hpp. `presence` holds, per row
// and metric, bit 0 = A has data there, bit 1 = B has (row-major: [row * metrics + k]).
struct DifferenceRows {
    TableColumns columns;
    std::vector<Metric> metrics;
    std::vector<ColumnRow> rows;
    std::vector<std::uint8_t> presence;
};
inline constexpr std::uint8_t kInA = 1, kInB = 2;

// `a` and `b` are one type's rows each, both on `index` (every row's column in its region and side);
// the metrics are ones both tables have; `regions`: the regions to compare (empty: all).
// Throws input for a duplicate column in A or B, a non-positive value where log2 needs a ratio, or a
// difference beyond the largest double, naming `file_a` or `file_b` (when given) and the row's line.
DifferenceRows difference_rows(std::span<const ColumnRow> a, const TableColumns& columns_a, std::span<const ColumnRow> b,
                               const TableColumns& columns_b, const ColumnIndex& index, std::span<const Metric> metrics,
                               const CompareOptions& options, std::string_view file_a = {}, std::string_view file_b = {},
                               std::span<const std::string> regions = {});

// The universe columns of one eyemap (region, side) whose metric k has data in A only (first) and in B
// only (second), ascending.
std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> only_in(const DifferenceRows& d, std::size_t k, const ColumnIndex& index,
                                                                          std::string_view region, Side side);

// The change score of metric k of `d` (eyemap/compare.hpp: TypeChange), from A's and B's rows.
TypeChange type_change(std::string_view neuron_type, std::span<const ColumnRow> a, const TableColumns& columns_a,
                       std::span<const ColumnRow> b, const TableColumns& columns_b, const Metric& metric);

}  // namespace eyemap

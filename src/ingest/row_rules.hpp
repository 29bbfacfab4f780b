// Internal: the rules every data-table reader applies to a value (CSV fields and typed columns alike), with their messages.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "eyemap/table.hpp"

namespace eyemap::detail {

// Where a value came from, for messages: the file (or the caller's label), its line (or row), the column.
struct FieldAt {
    const std::string& source;
    std::uint64_t line;
    std::string_view column;
};

[[noreturn]] void bad_value(const FieldAt& at, std::string_view value, std::string what);

// Spaces and tabs around a field are not data.
inline std::string_view trim_blanks(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Plain decimal digits, at most 18 of them (so no overflow): nearly every value of a real file,
// read without from_chars' generality. Anything else takes the careful path and its messages.
inline bool plain_digits(std::string_view s, std::int64_t& v) noexcept {
    if (s.empty() || s.size() > 18) return false;
    std::int64_t x = 0;
    for (const char c : s) {
        const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
        if (d > 9) return false;
        x = x * 10 + d;
    }
    v = x;
    return true;
}

// Counts: integers in 0..kMaxCount. Values of one column for one type are summed in int64 (see
// summary.cpp) with overflow checks; a count itself is never larger than a float64, a JSON reader
// or the browser hold exactly.
std::int64_t count_from_text_careful(const FieldAt& at, std::string_view text);
inline std::int64_t count_from_text(const FieldAt& at, std::string_view text) {
    std::int64_t v;
    if (plain_digits(text, v) && v <= kMaxCount) return v;
    return count_from_text_careful(at, text);
}
std::int64_t count_of(const FieldAt& at, std::int64_t v);
std::int64_t count_of(const FieldAt& at, std::uint64_t v);
std::int64_t count_of(const FieldAt& at, double v);

// Hex coordinates: integers with |value| <= kMaxHexCoordinate.
std::int32_t hex_from_text_careful(const FieldAt& at, std::string_view text);
inline std::int32_t hex_from_text(const FieldAt& at, std::string_view text) {
    const bool neg = !text.empty() && text.front() == '-';
    std::int64_t v;
    if (plain_digits(text.substr(neg ? 1 : 0), v) && v <= kMaxHexCoordinate) return static_cast<std::int32_t>(neg ? -v : v);
    return hex_from_text_careful(at, text);
}
std::int32_t hex_of(const FieldAt& at, std::int64_t v);
std::int32_t hex_of(const FieldAt& at, std::uint64_t v);
std::int32_t hex_of(const FieldAt& at, double v);

// Value i of a typed column (table_from_columns, neuPrint's frames) by the rules above; text as a CSV field.
inline std::size_t size_of(const NumberColumn& c) {
    return std::visit([](const auto& v) { return v.size(); }, c);
}
inline std::int64_t count_at(const FieldAt& at, const NumberColumn& c, std::size_t i) {
    return std::visit([&](const auto& v) -> std::int64_t {
        if constexpr (std::is_same_v<typename std::decay_t<decltype(v)>::value_type, std::string>) return count_from_text(at, v[i]);
        else return count_of(at, v[i]);
    }, c);
}
inline std::int32_t hex_at(const FieldAt& at, const NumberColumn& c, std::size_t i) {
    return std::visit([&](const auto& v) -> std::int32_t {
        if constexpr (std::is_same_v<typename std::decay_t<decltype(v)>::value_type, std::string>) return hex_from_text(at, v[i]);
        else return hex_of(at, v[i]);
    }, c);
}

// Values (value columns, TableColumns::values): float64, any sign. An empty field or NaN ("nan",
// "NaN", NaN in a float column) is "no data in this column" and reads as NaN; +-inf, text and
// numbers beyond float64 are input errors naming the place and the value.
double value_from_text(const FieldAt& at, std::string_view text);
double value_of(const FieldAt& at, double v);
double value_of(const FieldAt& at, std::int64_t v);
double value_of(const FieldAt& at, std::uint64_t v);
inline double value_at(const FieldAt& at, const NumberColumn& c, std::size_t i) {
    return std::visit([&](const auto& v) -> double {
        if constexpr (std::is_same_v<typename std::decay_t<decltype(v)>::value_type, std::string>) return value_from_text(at, v[i]);
        else return value_of(at, v[i]);
    }, c);
}
// "1.5;;-2": one value per layer of `region` appended to `out` (empty items: NaN); an empty field
// is no data in any layer (all NaN).
void layer_values_from_text(const FieldAt& at, std::string_view text, const RegionDef& region, std::vector<double>& out);

Side side_from_text(const FieldAt& at, std::string_view text);
const RegionDef& region_from_text(const FieldAt& at, std::string_view text, const RegionSet& regions);
// "12;0;7": exactly one count per layer of `region` into `out`.
void layers_from_text(const FieldAt& at, std::string_view text, const RegionDef& region, std::vector<std::int64_t>& out);
// `given` values for a region with another number of layers.
[[noreturn]] void layer_count_mismatch(const FieldAt& at, std::string_view value, std::size_t given, const RegionDef& region);
[[noreturn]] void empty_type(const FieldAt& at, std::string_view value);

// 64-bit key of (region, side, hex1, hex2) for duplicate detection.
inline std::uint64_t cell_key(int region, Side side, std::int32_t h1, std::int32_t h2) noexcept {
    return (static_cast<std::uint64_t>(region) << 40) ^ (static_cast<std::uint64_t>(side) << 36) ^
           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(h1 + 8192)) << 18) ^
           static_cast<std::uint64_t>(static_cast<std::uint32_t>(h2 + 8192));
}

// One row's identity: (type id, cell key) and its index in the table.
struct RowKey {
    std::uint64_t cell;
    std::uint32_t type;
    std::uint32_t row;
};
// Throws input naming the first row (in table order) that repeats the type, region, side and
// column of an earlier one, and the line of that earlier one. Sorts `keys`. Rows without a name take
// it from `type_names` (by RowKey::type).
void check_duplicate_rows(std::vector<RowKey>& keys, const ColumnTable& table, std::span<const std::string> type_names = {});

// The rows of `types` only from a data file ("-": standard input), every row read and checked as
// read_column_table checks it (duplicates among the kept rows), for a run that draws a few types of
// a large file: memory is theirs, not the file's. `all_columns` (optional) gets the layout of every
// row (layout_from_table of the whole file), `all_types` every type's name once, in order.
ColumnTable read_types(const std::filesystem::path& data, const RegionSet& regions, std::span<const std::string> values,
                       std::span<const std::string> types, ColumnLayout* all_columns, std::vector<std::string>& all_types);

// table_from_columns without a name per row (make_dataset from columns): each row's neuron_type is
// left empty, `type_of_row[i]` indexes `type_names` (trimmed, in order of first appearance), so a
// long name over many rows is held once.
ColumnTable unnamed_table_from_columns(const DataColumns& columns, const RegionSet& regions, std::vector<std::string>& type_names,
                                       std::vector<std::uint32_t>& type_of_row);
// The same for layout entries (one per key); `lines[i]` is entry i's line.
void check_duplicate_entries(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> lines, const ColumnLayout& layout);

// A known column absent from the header while an unknown one is a near name of it ("Cells",
// "synapse") is a misspelling: an input error with a suggestion, never silently ignored.
void check_near_names(const FieldAt& header, std::span<const std::string_view> absent_known, std::span<const std::string> unknown);
// A required column is missing: an input error naming it and all that are needed.
[[noreturn]] void missing_required(const FieldAt& header, std::span<const std::string_view> required, std::string_view missing);

}  // namespace eyemap::detail

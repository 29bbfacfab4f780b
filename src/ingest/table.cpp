// Ingest: data and layout tables read by header name, every field validated with file:line context.
#include "eyemap/table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "ingest/csv.hpp"
#include "ingest/row_parser.hpp"
#include "ingest/row_rules.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {

namespace {

using detail::CsvReader;


enum Col : int { kType, kRegion, kSide, kHex1, kHex2, kSynapses, kCells, kLayerSynapses, kLayerCells, kColCount };
constexpr std::array<std::string_view, kColCount> kNames{"neuron_type", "region", "side", "hex1", "hex2",
                                                         "synapses", "cells", "layer_synapses", "layer_cells"};

struct HeaderMap {
    std::array<int, kColCount> pos;  // field index, -1 = absent
    std::size_t field_count = 0;
    std::vector<std::string> unknown;  // header names no reader uses
};

// Maps header names to positions; `required` columns must be present. An unknown header that
// looks like a missing known one is an error with a suggestion, never silently ignored; other
// unknown columns are allowed and ignored.
HeaderMap map_header(CsvReader& csv, const std::vector<std::string_view>& header, std::span<const int> required,
                     std::span<const int> known) {
    const std::string& source = csv.source();
    const std::uint64_t line = csv.record_line();
    HeaderMap m;
    m.pos.fill(-1);
    m.field_count = header.size();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string_view h = detail::trim_blanks(header[i]);
        if (h.find('\r') != std::string_view::npos)
            throw_input("carriage return inside the header: line ends must be LF or CRLF (CR-only files are not supported)",
                        ErrorLocation{source, line, std::string(h.substr(0, h.find('\r'))), std::string(h.substr(0, 40))});
        names.emplace_back(h);
        bool found = false;
        for (int c : known) {
            if (h == kNames[static_cast<std::size_t>(c)]) {
                if (m.pos[static_cast<std::size_t>(c)] >= 0)
                    throw_input("column appears twice in the header", ErrorLocation{source, line, std::string(h), {}});
                m.pos[static_cast<std::size_t>(c)] = static_cast<int>(i);
                found = true;
            }
        }
        if (!found) m.unknown.emplace_back(h);
    }
    const detail::FieldAt at{source, line, {}};
    std::vector<std::string_view> absent, needed;
    for (int c : known)
        if (m.pos[static_cast<std::size_t>(c)] < 0) absent.push_back(kNames[static_cast<std::size_t>(c)]);
    detail::check_near_names(at, absent, m.unknown);
    for (int c : required) needed.push_back(kNames[static_cast<std::size_t>(c)]);
    for (int c : required)
        if (m.pos[static_cast<std::size_t>(c)] < 0) detail::missing_required(at, needed, kNames[static_cast<std::size_t>(c)]);
    csv.set_field_names(std::move(names));
    return m;
}

using detail::trim_blanks;

// Where a field of the record `r` read last sits, for messages.
inline detail::FieldAt field_at(const CsvReader& r, int col) {
    return detail::FieldAt{r.source(), r.record_line(), kNames[static_cast<std::size_t>(col)]};
}

void check_field_count(const CsvReader& r, const std::vector<std::string_view>& f, std::size_t expected) {
    if (f.size() == expected) return;
    // Name the first missing column, or show the first extra value.
    const std::size_t i = std::min(f.size(), expected);
    const std::string what = f.size() < expected
        ? fmt::format("expected {} fields as in the header, found {} (missing from here on)", expected, f.size())
        : fmt::format("expected {} fields as in the header, found {} (an unquoted comma in a value?)", expected, f.size());
    throw_input(what, ErrorLocation{r.source(), r.record_line(), r.field_name(i), f.size() > expected ? std::string(f[i]) : std::string()});
}

constexpr std::array<int, 5> kRequired{kType, kRegion, kSide, kHex1, kHex2};
constexpr std::array<int, 9> kDataKnown{kType, kRegion, kSide, kHex1, kHex2, kSynapses, kCells, kLayerSynapses, kLayerCells};
constexpr std::array<int, 4> kLayoutRequired{kRegion, kSide, kHex1, kHex2};

std::ifstream open_input(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw_io("is a folder, not a file", path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io(fmt::format("cannot open file: {}", std::strerror(errno)), path.string());
    return in;
}

using detail::cell_key;

// The columns seen in a stream of rows, per region and side, in first-seen order.
class LayoutCollector {
public:
    explicit LayoutCollector(std::string source) { layout_.source = std::move(source); }
    void add(const ColumnRow& r) {
        auto& cells = seen_[r.region];
        if (cells.insert(cell_key(0, r.side, r.hex1, r.hex2)).second) layout_.entries.push_back(LayoutEntry{r.region, r.side, r.hex1, r.hex2});
    }
    ColumnLayout take() { return std::move(layout_); }

private:
    ColumnLayout layout_;
    std::unordered_map<std::string, std::unordered_set<std::uint64_t>> seen_;
};

// The table of every row, or (`only` not empty) of the rows of those types: every row is still read
// and checked, the others are not kept (memory: the kept rows', not the file's); duplicates are found
// among the kept rows. `all_columns` and `all_types` (optional) get every row's column and every
// type's name (once, in order of first appearance).
ColumnTable read_table(std::istream& in, std::string source, const RegionSet& regions, std::span<const std::string> values,
                       std::span<const std::string> only = {}, LayoutCollector* all_columns = nullptr,
                       std::vector<std::string>* all_types = nullptr) {
    ColumnRowReader reader(in, source, regions, values);
    ColumnTable table;
    table.source = std::move(source);
    table.columns = reader.columns();
    std::unordered_set<std::string> named;
    std::string last_seen;
    bool any = false, keep = true;
    // Duplicates are found after reading, from one small key per row sorted once: a hash map per
    // type cost an allocation and a string hash per row (the whole-table reader was 2.7x slower
    // than the streaming one).
    std::vector<detail::RowKey> keys;
    std::unordered_map<std::string, std::uint32_t> type_ids;
    std::string last_type;
    std::uint32_t type_id = 0;
    ColumnRow row;
    while (reader.next(row)) {
        if (!only.empty()) {
            if (all_columns) all_columns->add(row);
            if (!any || row.neuron_type != last_seen) {  // rows come grouped by type: one look-up per group
                last_seen = row.neuron_type;
                keep = std::find(only.begin(), only.end(), row.neuron_type) != only.end();
                if (all_types && named.insert(row.neuron_type).second) all_types->push_back(row.neuron_type);
            }
            any = true;
            if (!keep) continue;
        }
        if (table.rows.empty() || row.neuron_type != last_type) {
            type_id = type_ids.emplace(row.neuron_type, static_cast<std::uint32_t>(type_ids.size())).first->second;
            last_type = row.neuron_type;
        }
        if (table.rows.size() >= std::numeric_limits<std::uint32_t>::max())
            throw_input("more than 4294967295 rows: too many to hold in memory; use eyemap batch, which streams",
                        ErrorLocation{table.source, row.line, {}, {}});
        keys.push_back(detail::RowKey{cell_key(regions.index_of(row.region), row.side, row.hex1, row.hex2), type_id,
                                      static_cast<std::uint32_t>(table.rows.size())});
        table.rows.push_back(std::move(row));
    }
    if (table.rows.empty() && !any) throw_input("no data rows after the header", ErrorLocation{table.source, 1, {}, {}});
    detail::check_duplicate_rows(keys, table);
    return table;
}

ColumnLayout read_layout(std::istream& in, std::string source, const RegionSet& regions) {
    CsvReader csv(in, source);
    std::vector<std::string_view> fields;
    if (!csv.read_record(fields)) throw_input("empty file: expected a header line", ErrorLocation{csv.source(), 0, {}, {}});
    constexpr std::array<int, 4> known{kRegion, kSide, kHex1, kHex2};
    HeaderMap h = map_header(csv, fields, kLayoutRequired, known);
    const std::uint64_t header_line = csv.record_line();
    auto at = [&](int c) { return fields[static_cast<std::size_t>(h.pos[static_cast<std::size_t>(c)])]; };
    ColumnLayout layout;
    layout.source = std::move(source);
    std::vector<std::uint64_t> keys, lines;
    while (csv.read_record(fields)) {
        check_field_count(csv, fields, h.field_count);
        LayoutEntry e;
        const RegionDef& region = detail::region_from_text(field_at(csv, kRegion), at(kRegion), regions);
        e.region = region.name;
        e.side = detail::side_from_text(field_at(csv, kSide), at(kSide));
        e.hex1 = detail::hex_from_text(field_at(csv, kHex1), at(kHex1));
        e.hex2 = detail::hex_from_text(field_at(csv, kHex2), at(kHex2));
        keys.push_back(cell_key(regions.index_of(e.region), e.side, e.hex1, e.hex2));
        lines.push_back(csv.record_line());
        layout.entries.push_back(std::move(e));
    }
    if (layout.entries.empty()) throw_input("no layout rows after the header", ErrorLocation{layout.source, header_line, {}, {}});
    detail::check_duplicate_entries(keys, lines, layout);
    return layout;
}

}  // namespace

namespace detail {

RowParser::RowParser(CsvReader& csv, const std::vector<std::string_view>& header, const RegionSet& regions,
                     std::span<const std::string> values)
    : regions_(&regions) {
    HeaderMap h = map_header(csv, header, kRequired, kDataKnown);
    static_assert(kType == 0 && kColCount == 9);
    pos_ = h.pos;
    field_count_ = h.field_count;
    columns_.synapses = pos_[kSynapses] >= 0;
    columns_.cells = pos_[kCells] >= 0;
    columns_.layer_synapses = pos_[kLayerSynapses] >= 0;
    columns_.layer_cells = pos_[kLayerCells] >= 0;
    // Value columns: found by exact name; they and their layer columns leave the ignored names.
    auto field_of = [&](std::string_view name) -> std::ptrdiff_t {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (trim_blanks(header[i]) == name) return static_cast<std::ptrdiff_t>(i);
        return -1;
    };
    auto take = [&](std::string_view name) { std::erase(h.unknown, name); };
    for (const auto& name : values) {
        check_value_column_name(name, "metric");
        bool again = false;
        for (const auto& v : columns_.values) again = again || v.name == name;
        const auto at = field_of(name);
        if (again || at < 0) continue;
        const auto layer_name = "layer_" + name;
        const auto layer_at = field_of(layer_name);
        columns_.values.push_back(ValueColumn{name, layer_at >= 0});
        value_pos_.push_back(static_cast<std::size_t>(at));
        take(name);
        if (layer_at >= 0) {
            layer_pos_.push_back(static_cast<std::size_t>(layer_at));
            take(layer_name);
        }
    }
    columns_.ignored = std::move(h.unknown);
}

RowParser RowParser::from_header(CsvReader& csv, std::vector<std::string_view>& fields, const RegionSet& regions,
                                 std::span<const std::string> values) {
    if (!csv.read_record(fields)) throw_input("empty file: expected a header line", ErrorLocation{csv.source(), 0, {}, {}});
    return RowParser(csv, fields, regions, values);
}

void RowParser::parse(const CsvReader& csv, const std::vector<std::string_view>& fields, ColumnRow& row) const {
    check_field_count(csv, fields, field_count_);
    const auto at = [&](int col) { return fields[static_cast<std::size_t>(pos_[static_cast<std::size_t>(col)])]; };
    row.line = csv.record_line();
    auto type = trim_blanks(at(kType));
    if (type.empty()) empty_type(field_at(csv, kType), at(kType));
    row.neuron_type.assign(type);
    const RegionDef& region = region_from_text(field_at(csv, kRegion), at(kRegion), *regions_);
    row.region = region.name;
    row.side = side_from_text(field_at(csv, kSide), at(kSide));
    row.hex1 = hex_from_text(field_at(csv, kHex1), at(kHex1));
    row.hex2 = hex_from_text(field_at(csv, kHex2), at(kHex2));
    row.synapses = columns_.synapses ? count_from_text(field_at(csv, kSynapses), at(kSynapses)) : 0;
    row.cells = columns_.cells ? count_from_text(field_at(csv, kCells), at(kCells)) : 0;
    if (columns_.layer_synapses) layers_from_text(field_at(csv, kLayerSynapses), at(kLayerSynapses), region, row.layer_synapses);
    else row.layer_synapses.clear();
    if (columns_.layer_cells) layers_from_text(field_at(csv, kLayerCells), at(kLayerCells), region, row.layer_cells);
    else row.layer_cells.clear();
    row.values.clear();
    row.layer_values.clear();
    for (std::size_t k = 0, l = 0; k < value_pos_.size(); ++k) {
        const ValueColumn& v = columns_.values[k];
        row.values.push_back(value_from_text(FieldAt{csv.source(), csv.record_line(), v.name}, fields[value_pos_[k]]));
        if (v.layers) {
            const std::size_t p = layer_pos_[l++];
            layer_values_from_text(FieldAt{csv.source(), csv.record_line(), csv.field_names()[p]}, fields[p], region, row.layer_values);
        }
    }
}

}  // namespace detail

struct ColumnRowReader::Impl {
    CsvReader csv;
    RegionSet regions;  // a copy: callers may pass a temporary (builtin_regions())
    std::vector<std::string_view> fields;
    detail::RowParser parser;

    Impl(std::istream& in, std::string source, const RegionSet& r, std::span<const std::string> values)
        : csv(in, std::move(source)), regions(r), parser(detail::RowParser::from_header(csv, fields, regions, values)) {}

    bool next(ColumnRow& row) {
        if (!csv.read_record(fields)) return false;
        parser.parse(csv, fields, row);
        return true;
    }
};

ColumnRowReader::ColumnRowReader(std::istream& in, std::string source_name, const RegionSet& regions,
                                 std::span<const std::string> values)
    : impl_(std::make_unique<Impl>(in, std::move(source_name), regions, values)) {}
ColumnRowReader::~ColumnRowReader() = default;
ColumnRowReader::ColumnRowReader(ColumnRowReader&&) noexcept = default;
ColumnRowReader& ColumnRowReader::operator=(ColumnRowReader&&) noexcept = default;
const TableColumns& ColumnRowReader::columns() const noexcept { return impl_->parser.columns(); }
bool ColumnRowReader::next(ColumnRow& row) { return impl_->next(row); }

ColumnTable parse_column_table(std::string_view csv_text, std::string_view source_name, const RegionSet& regions,
                               std::span<const std::string> values) {
    std::istringstream in{std::string(csv_text)};
    return read_table(in, std::string(source_name), regions, values);
}

ColumnTable read_column_table(std::istream& in, std::string_view source_name, const RegionSet& regions,
                              std::span<const std::string> values) {
    return read_table(in, std::string(source_name), regions, values);
}

ColumnTable read_column_table(const std::filesystem::path& path, const RegionSet& regions, std::span<const std::string> values) {
    auto in = open_input(path);  // streamed: the file is never held in memory as a whole
    return read_table(in, path.string(), regions, values);
}

namespace detail {

ColumnTable read_types(const std::filesystem::path& data, const RegionSet& regions, std::span<const std::string> values,
                       std::span<const std::string> types, ColumnLayout* all_columns, std::vector<std::string>& all_types) {
    const std::string source = data == "-" ? std::string("standard input") : data.string();
    LayoutCollector columns(source);
    ColumnTable table;
    if (data == "-") {
        table = read_table(std::cin, source, regions, values, types, all_columns ? &columns : nullptr, &all_types);
    } else {
        auto in = open_input(data);
        table = read_table(in, source, regions, values, types, all_columns ? &columns : nullptr, &all_types);
    }
    if (all_columns) *all_columns = columns.take();
    return table;
}

}  // namespace detail

ColumnLayout parse_column_layout(std::string_view csv_text, std::string_view source_name, const RegionSet& regions) {
    std::istringstream in{std::string(csv_text)};
    return read_layout(in, std::string(source_name), regions);
}

ColumnLayout read_column_layout(const std::filesystem::path& path, const RegionSet& regions) {
    auto in = open_input(path);
    return read_layout(in, path.string(), regions);
}


ColumnLayout layout_from_table(const ColumnTable& table) {
    LayoutCollector c(table.source);
    for (const auto& r : table.rows) c.add(r);
    return c.take();
}

ColumnLayout layout_from_data_file(const std::filesystem::path& path, const RegionSet& regions) {
    auto in = open_input(path);
    ColumnRowReader reader(in, path.string(), regions);
    LayoutCollector c(path.string());
    ColumnRow row;
    while (reader.next(row)) c.add(row);
    return c.take();
}

}  // namespace eyemap

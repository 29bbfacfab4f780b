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
#include <limits>
#include <sstream>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "ingest/csv.hpp"
#include "ingest/row_parser.hpp"
#include "eyemap/error.hpp"

namespace eyemap {

namespace {

using detail::CsvReader;


enum Col : int { kType, kRegion, kSide, kHex1, kHex2, kSynapses, kCells, kLayerSynapses, kLayerCells, kColCount };
constexpr std::array<std::string_view, kColCount> kNames{"neuron_type", "region", "side", "hex1", "hex2",
                                                         "synapses", "cells", "layer_synapses", "layer_cells"};

struct HeaderMap {
    std::array<int, kColCount> pos;  // field index, -1 = absent
    std::size_t field_count = 0;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

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
    std::vector<std::string_view> unknown;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string_view h = header[i];
        while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
        while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
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
        if (!found) unknown.push_back(h);
    }
    for (int c : known) {
        if (m.pos[static_cast<std::size_t>(c)] >= 0) continue;
        const auto name = kNames[static_cast<std::size_t>(c)];
        for (auto u : unknown) {
            const bool close = lower(u) == name || (u.size() >= 3 && u.size() <= name.size() + 2 &&
                                                    detail::edit_distance(lower(u), name) <= 2);
            if (close)
                throw_input(fmt::format("unknown column; did you mean '{}'?", name), ErrorLocation{source, line, std::string(u), {}});
        }
    }
    for (int c : required) {
        if (m.pos[static_cast<std::size_t>(c)] >= 0) continue;
        std::string needed;
        for (int r : required) needed += fmt::format("{}{}", needed.empty() ? "" : ", ", kNames[static_cast<std::size_t>(r)]);
        throw_input(fmt::format("missing required column (the header needs: {})", needed),
                    ErrorLocation{source, line, std::string(kNames[static_cast<std::size_t>(c)]), {}});
    }
    csv.set_field_names(std::move(names));
    return m;
}

using detail::trim_blanks;

[[noreturn]] void bad_field(const CsvReader& r, int col, std::string_view value, std::string what) {
    throw_input(std::move(what), ErrorLocation{r.source(), r.record_line(), std::string(kNames[static_cast<std::size_t>(col)]),
                                               std::string(value)});
}

// Doubles hold every integer up to 2^53 exactly.
constexpr double kMaxExactDouble = 9007199254740992.0;

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

std::int64_t parse_count_careful(const CsvReader& r, int col, std::string_view text);

std::int64_t parse_count(const CsvReader& r, int col, std::string_view text) {
    std::int64_t v;
    if (plain_digits(text, v)) return v;
    return parse_count_careful(r, col, text);
}

std::int64_t parse_count_careful(const CsvReader& r, int col, std::string_view text) {
    std::string_view s = trim_blanks(text);
    if (s.empty()) bad_field(r, col, text, "empty value; expected a non-negative integer");
    if (s.front() == '+') s.remove_prefix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range && p == s.data() + s.size())
        bad_field(r, col, text, s.front() == '-' ? "negative count" : "integer too large (at most 9223372036854775807)");
    if (ec != std::errc{} || p != s.data() + s.size()) {
        // Tell apart a real number (3.5, 1e3, nan, inf) from junk, for a clearer message.
        double d = 0;
        auto [pd, ecd] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (pd == s.data() + s.size() && ecd == std::errc::result_out_of_range)
            bad_field(r, col, text, "number too large (or too small); expected a non-negative integer");
        if (ecd == std::errc{} && pd == s.data() + s.size()) {
            if (!std::isfinite(d)) bad_field(r, col, text, "not a finite number; expected a non-negative integer");
            if (d < 0) bad_field(r, col, text, "negative count");
            if (d != std::floor(d)) bad_field(r, col, text, "not an integer; counts must be whole numbers");
            // A whole number written as a float ("3.0", as spreadsheet and dataframe exports do).
            if (d > kMaxExactDouble) bad_field(r, col, text, "integer too large to be read exactly from this notation");
            return static_cast<std::int64_t>(d);
        }
        bad_field(r, col, text, "not a number; expected a non-negative integer");
    }
    if (v < 0) bad_field(r, col, text, "negative count");
    return v;
}

std::int32_t parse_hex(const CsvReader& r, int col, std::string_view text) {
    {
        const bool neg = !text.empty() && text.front() == '-';
        std::int64_t v;
        if (plain_digits(text.substr(neg ? 1 : 0), v) && v <= kMaxHexCoordinate) return static_cast<std::int32_t>(neg ? -v : v);
    }
    std::string_view s = trim_blanks(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec == std::errc::invalid_argument || p != s.data() + s.size())
        bad_field(r, col, text, "not an integer hex coordinate");
    // Refused here, before anything is sized from the coordinates.
    if (ec == std::errc::result_out_of_range || v > kMaxHexCoordinate || v < -kMaxHexCoordinate)
        bad_field(r, col, text, fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    return static_cast<std::int32_t>(v);
}

Side parse_side(const CsvReader& r, std::string_view text) {
    auto s = trim_blanks(text);
    if (s == "L") return Side::L;
    if (s == "R") return Side::R;
    const auto l = lower(s);
    if (l == "l" || l == "r" || l == "left" || l == "right")
        bad_field(r, kSide, text, fmt::format("side must be L or R; did you mean '{}'?", l[0] == 'l' ? "L" : "R"));
    bad_field(r, kSide, text, "side must be L or R");
}

const RegionDef& parse_region(const CsvReader& r, std::string_view text, const RegionSet& regions) {
    auto s = trim_blanks(text);
    if (const RegionDef* def = regions.find(s)) return *def;
    std::string known;
    for (std::size_t i = 0; i < regions.regions.size() && i < 20; ++i) known += (i ? ", " : "") + regions.regions[i].name;
    if (regions.regions.size() > 20) known += fmt::format(" and {} more", regions.regions.size() - 20);
    for (const auto& d : regions.regions)
        if (d.name.size() == s.size() && lower(d.name) == lower(s))
            bad_field(r, kRegion, text, fmt::format("unknown region; did you mean '{}'? (known: {})", d.name, known));
    bad_field(r, kRegion, text, fmt::format("unknown region (known: {}; define more with a region config, --regions)", known));
}

void parse_layers(const CsvReader& r, int col, std::string_view text, const RegionDef& region,
                  std::vector<std::int64_t>& out) {
    out.clear();
    {
        // One pass over "12;0;7;...": plain digits only, exactly one value per layer.
        const std::size_t n = region.layers.size();
        std::int64_t x = 0;
        std::size_t digits = 0;
        bool ok = n > 0;
        for (const char c : text) {
            if (c == ';') {
                if (!digits || out.size() + 1 >= n) {
                    ok = false;
                    break;
                }
                out.push_back(x);
                x = 0;
                digits = 0;
            } else {
                const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
                if (d > 9 || digits == 18) {
                    ok = false;
                    break;
                }
                x = x * 10 + d;
                ++digits;
            }
        }
        if (ok && digits && out.size() + 1 == n) {
            out.push_back(x);
            return;
        }
        out.clear();
    }
    std::string_view rest = trim_blanks(text);
    const auto mismatch = [&](std::size_t given) {
        bad_field(r, col, text,
                  fmt::format("{} layer values given (';'-separated), region {} has {} layers", given, region.name,
                              region.layers.size()));
    };
    if (rest.empty() && region.layers.empty()) return;  // a region without layers: no values
    for (;;) {
        auto semi = rest.find(';');
        if (out.size() == region.layers.size()) {
            // Too many: count them for the message without parsing the rest.
            mismatch(out.size() + 1 + static_cast<std::size_t>(std::count(rest.begin(), rest.end(), ';')));
        }
        out.push_back(parse_count(r, col, rest.substr(0, semi)));
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
    }
    if (out.size() != region.layers.size()) mismatch(out.size());
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

// 64-bit key of (region, side, hex1, hex2) for duplicate detection.
std::uint64_t cell_key(int region, Side side, std::int32_t h1, std::int32_t h2) {
    return (static_cast<std::uint64_t>(region) << 40) ^ (static_cast<std::uint64_t>(side) << 36) ^
           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(h1 + 8192)) << 18) ^
           static_cast<std::uint64_t>(static_cast<std::uint32_t>(h2 + 8192));
}

constexpr std::string_view kKeyFields = "neuron_type,region,side,hex1,hex2";

ColumnTable read_table(std::istream& in, std::string source, const RegionSet& regions) {
    ColumnRowReader reader(in, source, regions);
    ColumnTable table;
    table.source = std::move(source);
    table.columns = reader.columns();
    // Duplicates are found after reading, from one small key per row sorted once: a hash map per
    // type cost an allocation and a string hash per row (the whole-table reader was 2.7x slower
    // than the streaming one).
    struct Key {
        std::uint64_t cell;
        std::uint32_t type;
        std::uint32_t row;
    };
    std::vector<Key> keys;
    std::unordered_map<std::string, std::uint32_t> type_ids;
    std::string last_type;
    std::uint32_t type_id = 0;
    ColumnRow row;
    while (reader.next(row)) {
        if (table.rows.empty() || row.neuron_type != last_type) {
            type_id = type_ids.emplace(row.neuron_type, static_cast<std::uint32_t>(type_ids.size())).first->second;
            last_type = row.neuron_type;
        }
        if (table.rows.size() >= std::numeric_limits<std::uint32_t>::max())
            throw_input("more than 4294967295 rows: too many to hold in memory; use eyemap batch, which streams",
                        ErrorLocation{table.source, row.line, {}, {}});
        keys.push_back(Key{cell_key(regions.index_of(row.region), row.side, row.hex1, row.hex2), type_id,
                           static_cast<std::uint32_t>(table.rows.size())});
        table.rows.push_back(std::move(row));
    }
    if (table.rows.empty()) throw_input("no data rows after the header", ErrorLocation{table.source, 1, {}, {}});
    // Rows are in line order, so within equal keys the row index orders by line. The error names the
    // duplicate that comes first in the file, and the row it repeats, as a check while reading would.
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
        return std::tie(a.type, a.cell, a.row) < std::tie(b.type, b.cell, b.row);
    });
    const Key* dup = nullptr;
    const Key* first = nullptr;
    for (std::size_t i = 1; i < keys.size(); ++i) {
        if (keys[i].type != keys[i - 1].type || keys[i].cell != keys[i - 1].cell) continue;
        std::size_t g = i - 1;
        while (g > 0 && keys[g - 1].type == keys[i].type && keys[g - 1].cell == keys[i].cell) --g;
        if (!dup || keys[i].row < dup->row) {
            dup = &keys[i];
            first = &keys[g];
        }
    }
    if (dup) {
        const ColumnRow& r = table.rows[dup->row];
        throw_input(fmt::format("duplicate row: the same type, region, side and column as line {}", table.rows[first->row].line),
                    ErrorLocation{table.source, r.line, std::string(kKeyFields),
                                  fmt::format("{},{},{},{},{}", r.neuron_type, r.region, to_string(r.side), r.hex1, r.hex2)});
    }
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
    std::unordered_map<std::uint64_t, std::uint64_t> seen;
    while (csv.read_record(fields)) {
        check_field_count(csv, fields, h.field_count);
        LayoutEntry e;
        const RegionDef& region = parse_region(csv, at(kRegion), regions);
        e.region = region.name;
        e.side = parse_side(csv, at(kSide));
        e.hex1 = parse_hex(csv, kHex1, at(kHex1));
        e.hex2 = parse_hex(csv, kHex2, at(kHex2));
        auto [it, fresh] = seen.emplace(cell_key(regions.index_of(e.region), e.side, e.hex1, e.hex2), csv.record_line());
        if (!fresh)
            throw_input(fmt::format("duplicate layout row: the same region, side and column as line {}", it->second),
                        ErrorLocation{layout.source, csv.record_line(), "region,side,hex1,hex2",
                                      fmt::format("{},{},{},{}", e.region, to_string(e.side), e.hex1, e.hex2)});
        layout.entries.push_back(std::move(e));
    }
    if (layout.entries.empty()) throw_input("no layout rows after the header", ErrorLocation{layout.source, header_line, {}, {}});
    return layout;
}

}  // namespace

namespace detail {

RowParser::RowParser(CsvReader& csv, const std::vector<std::string_view>& header, const RegionSet& regions) : regions_(&regions) {
    const HeaderMap h = map_header(csv, header, kRequired, kDataKnown);
    static_assert(kType == 0 && kColCount == 9);
    pos_ = h.pos;
    field_count_ = h.field_count;
    columns_.synapses = pos_[kSynapses] >= 0;
    columns_.cells = pos_[kCells] >= 0;
    columns_.layer_synapses = pos_[kLayerSynapses] >= 0;
    columns_.layer_cells = pos_[kLayerCells] >= 0;
}

RowParser RowParser::from_header(CsvReader& csv, std::vector<std::string_view>& fields, const RegionSet& regions) {
    if (!csv.read_record(fields)) throw_input("empty file: expected a header line", ErrorLocation{csv.source(), 0, {}, {}});
    return RowParser(csv, fields, regions);
}

void RowParser::parse(const CsvReader& csv, const std::vector<std::string_view>& fields, ColumnRow& row) const {
    check_field_count(csv, fields, field_count_);
    const auto at = [&](int col) { return fields[static_cast<std::size_t>(pos_[static_cast<std::size_t>(col)])]; };
    row.line = csv.record_line();
    auto type = trim_blanks(at(kType));
    if (type.empty()) bad_field(csv, kType, at(kType), "empty neuron type");
    row.neuron_type.assign(type);
    const RegionDef& region = parse_region(csv, at(kRegion), *regions_);
    row.region = region.name;
    row.side = parse_side(csv, at(kSide));
    row.hex1 = parse_hex(csv, kHex1, at(kHex1));
    row.hex2 = parse_hex(csv, kHex2, at(kHex2));
    row.synapses = columns_.synapses ? parse_count(csv, kSynapses, at(kSynapses)) : 0;
    row.cells = columns_.cells ? parse_count(csv, kCells, at(kCells)) : 0;
    if (columns_.layer_synapses) parse_layers(csv, kLayerSynapses, at(kLayerSynapses), region, row.layer_synapses);
    else row.layer_synapses.clear();
    if (columns_.layer_cells) parse_layers(csv, kLayerCells, at(kLayerCells), region, row.layer_cells);
    else row.layer_cells.clear();
}

}  // namespace detail

struct ColumnRowReader::Impl {
    CsvReader csv;
    RegionSet regions;  // a copy: callers may pass a temporary (builtin_regions())
    std::vector<std::string_view> fields;
    detail::RowParser parser;

    Impl(std::istream& in, std::string source, const RegionSet& r)
        : csv(in, std::move(source)), regions(r), parser(detail::RowParser::from_header(csv, fields, regions)) {}

    bool next(ColumnRow& row) {
        if (!csv.read_record(fields)) return false;
        parser.parse(csv, fields, row);
        return true;
    }
};

ColumnRowReader::ColumnRowReader(std::istream& in, std::string source_name, const RegionSet& regions)
    : impl_(std::make_unique<Impl>(in, std::move(source_name), regions)) {}
ColumnRowReader::~ColumnRowReader() = default;
ColumnRowReader::ColumnRowReader(ColumnRowReader&&) noexcept = default;
ColumnRowReader& ColumnRowReader::operator=(ColumnRowReader&&) noexcept = default;
const TableColumns& ColumnRowReader::columns() const noexcept { return impl_->parser.columns(); }
bool ColumnRowReader::next(ColumnRow& row) { return impl_->next(row); }

ColumnTable parse_column_table(std::string_view csv_text, std::string_view source_name, const RegionSet& regions) {
    std::istringstream in{std::string(csv_text)};
    return read_table(in, std::string(source_name), regions);
}

ColumnTable read_column_table(std::istream& in, std::string_view source_name, const RegionSet& regions) {
    return read_table(in, std::string(source_name), regions);
}

ColumnTable read_column_table(const std::filesystem::path& path, const RegionSet& regions) {
    auto in = open_input(path);  // streamed: the file is never held in memory as a whole
    return read_table(in, path.string(), regions);
}

ColumnLayout parse_column_layout(std::string_view csv_text, std::string_view source_name, const RegionSet& regions) {
    std::istringstream in{std::string(csv_text)};
    return read_layout(in, std::string(source_name), regions);
}

ColumnLayout read_column_layout(const std::filesystem::path& path, const RegionSet& regions) {
    auto in = open_input(path);
    return read_layout(in, path.string(), regions);
}

namespace {

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

}  // namespace

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

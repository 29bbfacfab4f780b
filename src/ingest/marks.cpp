// Ingest: marks (column sets) from CSV and typed columns, through the data table's dialect and row rules.
#include "eyemap/marks.hpp"

#include <array>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "core/option_schema.hpp"  // is_colour
#include "core/read_file.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "ingest/csv.hpp"
#include "ingest/row_rules.hpp"

namespace eyemap {

namespace {

using detail::FieldAt;
using detail::bad_value;

enum Col : int { kRegion, kSide, kHex1, kHex2, kSet, kStyle, kColour, kColCount };
constexpr std::array<std::string_view, kColCount> kNames{"region", "side", "hex1", "hex2", "set", "style", "colour"};
constexpr std::uint64_t kMaxMarkFileBytes = 256ull << 20;
constexpr std::array<std::string_view, 5> kRequired{"region", "side", "hex1", "hex2", "set"};

// Okabe & Ito (2008), blue first; black last (it hides on the darkest bins).
constexpr std::array<std::string_view, 8> kOkabeIto{"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                                    "#56b4e9", "#d55e00", "#f0e442", "#000000"};

std::string lower_colour(std::string_view c) {
    std::string out(c);
    for (char& ch : out) ch = static_cast<char>(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
    return out;
}

// A set's name goes into every output's legend: one short line of visible text.
void check_set_name(const FieldAt& at, std::string_view raw, std::string_view name) {
    if (name.empty()) bad_value(at, raw, "empty set name");
    if (name.size() > kMaxMarkSetName) bad_value(at, raw, fmt::format("set name longer than {} bytes", kMaxMarkSetName));
    if (!is_drawable_text(name) || name.find_first_of("\t\n\r") != std::string_view::npos)
        bad_value(at, raw, "a set name is one line of printable UTF-8 text");
    for (std::size_t pos = 0; pos < name.size();) {
        char32_t cp = 0;
        pos += std::max<std::size_t>(1, utf8_decode(name, pos, cp));
        if (invisible_code_point(cp)) bad_value(at, raw, "a set name holds no direction-control or invisible characters");
    }
}

MarkStyle style_from_text(const FieldAt& at, std::string_view raw) {
    if (const auto s = parse_mark_style(detail::trim_blanks(raw))) return *s;
    static const std::vector<std::string> names{"outline", "marker", "dim"};
    const std::string best = detail::closest_name(detail::trim_blanks(raw), names);
    bad_value(at, raw, fmt::format("expected a mark style: outline, marker or dim{}", best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
}

// Rows in, checked one by one as they come (the CSV's and the columns' readers share it).
class MarksBuilder {
public:
    MarksBuilder(std::string source, const RegionSet& regions) : regions_(regions) { m_.source = std::move(source); }

    // A row's region and side, checked first (in the data table's column order: region, side, hex1, hex2).
    const RegionDef& region(std::uint64_t line, std::string_view text) const {
        return detail::region_from_text(FieldAt{m_.source, line, "region"}, text, regions_);
    }
    Side side(std::uint64_t line, std::string_view text) const { return detail::side_from_text(FieldAt{m_.source, line, "side"}, text); }

    // One row; `style` and `colour` empty: not given.
    void add(std::uint64_t line, const RegionDef& def, Side s, std::int32_t hex1, std::int32_t hex2, std::string_view set,
             std::string_view style, std::string_view colour) {
        const FieldAt set_at{m_.source, line, "set"};
        if (m_.rows.size() >= kMaxMarkRows) bad_value(set_at, set, fmt::format("more than {} mark rows", kMaxMarkRows));
        const std::string_view name = detail::trim_blanks(set);
        auto it = index_.find(std::string(name));
        if (it == index_.end()) {
            check_set_name(set_at, set, name);
            if (m_.sets.size() >= kMaxMarkSets) bad_value(set_at, set, fmt::format("more than {} mark sets", kMaxMarkSets));
            it = index_.emplace(std::string(name), static_cast<std::uint32_t>(m_.sets.size())).first;
            m_.sets.push_back(MarkSet{std::string(name), MarkStyle::outline, std::string(default_mark_colour(m_.sets.size()))});
            given_.push_back({});
        }
        const std::uint32_t k = it->second;
        Given& g = given_[k];
        if (!detail::trim_blanks(style).empty()) {
            const FieldAt at{m_.source, line, "style"};
            const MarkStyle st = style_from_text(at, style);
            if (g.style_line && m_.sets[k].style != st)
                bad_value(at, style, fmt::format("set '{}' has style {} (line {})", m_.sets[k].name, to_string(m_.sets[k].style), g.style_line));
            m_.sets[k].style = st;
            if (!g.style_line) g.style_line = line;
        }
        if (const std::string_view c = detail::trim_blanks(colour); !c.empty()) {
            const FieldAt at{m_.source, line, "colour"};
            if (!is_colour(c)) bad_value(at, colour, "expected a colour as #rrggbb");
            const std::string lc = lower_colour(c);
            if (g.colour_line && m_.sets[k].colour != lc)
                bad_value(at, colour, fmt::format("set '{}' has colour {} (line {})", m_.sets[k].name, m_.sets[k].colour, g.colour_line));
            m_.sets[k].colour = lc;
            if (!g.colour_line) g.colour_line = line;
        }
        const std::uint64_t key = detail::cell_key(regions_.index_of(def.name), s, hex1, hex2) ^ (std::uint64_t{k} << 50);
        if (const auto [at, fresh] = seen_.emplace(key, line); !fresh)
            bad_value(FieldAt{m_.source, line, "hex1,hex2"}, fmt::format("{},{}", hex1, hex2),
                      fmt::format("column {}, {} of {} {} is in set '{}' twice (first on line {})", hex1, hex2, def.name, to_string(s),
                                  m_.sets[k].name, at->second));
        m_.rows.push_back(MarkRow{def.name, s, hex1, hex2, k, line});
    }

    Marks take(std::uint64_t header_line) {
        if (m_.rows.empty()) throw_input("no mark rows after the header", ErrorLocation{m_.source, header_line, {}, {}});
        return std::move(m_);
    }

private:
    struct Given {
        std::uint64_t style_line = 0, colour_line = 0;
    };
    const RegionSet& regions_;
    Marks m_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::vector<Given> given_;
    std::unordered_map<std::uint64_t, std::uint64_t> seen_;  // (set, region, side, column) -> its line
};

Marks read_marks_stream(std::istream& in, std::string source, const RegionSet& regions) {
    detail::CsvReader csv(in, source);
    std::vector<std::string_view> fields;
    if (!csv.read_record(fields)) throw_input("empty file: expected a header line", ErrorLocation{source, 0, {}, {}});
    const std::uint64_t header_line = csv.record_line();
    std::array<int, kColCount> pos;
    pos.fill(-1);
    std::vector<std::string> names, unknown;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string_view h = detail::trim_blanks(fields[i]);
        names.emplace_back(h);
        bool found = false;
        for (std::size_t c = 0; c < kNames.size(); ++c)
            if (h == kNames[c]) {
                if (pos[c] >= 0) throw_input("column appears twice in the header", ErrorLocation{source, header_line, std::string(h), {}});
                pos[c] = static_cast<int>(i);
                found = true;
            }
        if (!found) unknown.emplace_back(h);
    }
    const FieldAt header{source, header_line, {}};
    std::vector<std::string_view> absent;
    for (std::size_t c = 0; c < kNames.size(); ++c)
        if (pos[c] < 0) absent.push_back(kNames[c]);
    detail::check_near_names(header, absent, unknown);
    for (std::size_t c = 0; c < kRequired.size(); ++c)
        if (pos[c] < 0) detail::missing_required(header, kRequired, kNames[c]);
    csv.set_field_names(std::move(names));
    const std::size_t count = fields.size();
    MarksBuilder b(source, regions);
    while (csv.read_record(fields)) {
        const std::uint64_t line = csv.record_line();
        if (fields.size() != count)
            throw_input(fmt::format("expected {} fields as in the header, found {}", count, fields.size()),
                        ErrorLocation{source, line, csv.field_name(std::min(fields.size(), count)),
                                      fields.size() > count ? std::string(fields[count]) : std::string()});
        const auto f = [&](int c) { return pos[static_cast<std::size_t>(c)] < 0 ? std::string_view() : fields[static_cast<std::size_t>(pos[static_cast<std::size_t>(c)])]; };
        const RegionDef& def = b.region(line, f(kRegion));
        const Side side = b.side(line, f(kSide));
        const std::int32_t h1 = detail::hex_from_text(FieldAt{source, line, "hex1"}, f(kHex1));
        const std::int32_t h2 = detail::hex_from_text(FieldAt{source, line, "hex2"}, f(kHex2));
        b.add(line, def, side, h1, h2, f(kSet), f(kStyle), f(kColour));
    }
    return b.take(header_line);
}

}  // namespace

std::string_view to_string(MarkStyle s) noexcept {
    switch (s) {
        case MarkStyle::outline: return "outline";
        case MarkStyle::marker: return "marker";
        case MarkStyle::dim: return "dim";
    }
    return "?";
}

std::optional<MarkStyle> parse_mark_style(std::string_view t) noexcept {
    for (const MarkStyle s : {MarkStyle::outline, MarkStyle::marker, MarkStyle::dim})
        if (t == to_string(s)) return s;
    return std::nullopt;
}

std::string_view default_mark_colour(std::size_t k) noexcept { return kOkabeIto[k % kOkabeIto.size()]; }

Marks parse_marks(std::string_view csv_text, std::string_view source_name, const RegionSet& regions) {
    std::istringstream in{std::string(csv_text)};
    return read_marks_stream(in, std::string(source_name), regions);
}

Marks read_marks(const std::filesystem::path& path, const RegionSet& regions) {
    // A hand-made selection: read whole and bounded (kMaxMarkRows rows of short fields), so a FIFO,
    // a device or a huge file is refused before it is read, as a region config or style file is.
    std::istringstream in{read_regular_file(path, kMaxMarkFileBytes, "marks file")};
    return read_marks_stream(in, path.string(), regions);
}

Marks marks_from_columns(const MarkColumns& d, const RegionSet& regions) {
    const FieldAt header{d.source, 0, {}};
    const auto text_size = [](const std::optional<TextColumn>& c) { return c ? c->codes.size() : 0; };
    const auto num_size = [](const std::optional<NumberColumn>& c) { return c ? detail::size_of(*c) : 0; };
    const std::array<std::pair<std::string_view, std::optional<std::size_t>>, kColCount> cols{{
        {"region", d.region ? std::optional(text_size(d.region)) : std::nullopt},
        {"side", d.side ? std::optional(text_size(d.side)) : std::nullopt},
        {"hex1", d.hex1 ? std::optional(num_size(d.hex1)) : std::nullopt},
        {"hex2", d.hex2 ? std::optional(num_size(d.hex2)) : std::nullopt},
        {"set", d.set ? std::optional(text_size(d.set)) : std::nullopt},
        {"style", d.style ? std::optional(text_size(d.style)) : std::nullopt},
        {"colour", d.colour ? std::optional(text_size(d.colour)) : std::nullopt},
    }};
    std::vector<std::string_view> absent;
    for (const auto& [name, size] : cols)
        if (!size) absent.push_back(name);
    detail::check_near_names(header, absent, d.ignored);
    for (std::size_t c = 0; c < kRequired.size(); ++c)
        if (!cols[c].second) detail::missing_required(header, kRequired, kNames[c]);
    const std::size_t n = *cols[0].second;
    for (const auto& [name, size] : cols)
        if (size && *size != n)
            throw_input(fmt::format("column has {} values, column region has {}", *size, n),
                        ErrorLocation{d.source, 0, std::string(name), fmt::format("{} values", *size)});
    if (n == 0) throw_input("no mark rows", ErrorLocation{d.source, 0, {}, {}});
    const auto text = [&](const std::optional<TextColumn>& c, std::string_view column, std::uint64_t line, std::size_t i) -> std::string_view {
        if (!c) return {};
        const std::uint32_t code = c->codes[i];
        if (code >= c->values.size())
            throw_input("text column code out of range", ErrorLocation{d.source, line, std::string(column), std::to_string(code)});
        return c->values[code];
    };
    MarksBuilder b(d.source, regions);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t line = d.first_line + i;
        const RegionDef& def = b.region(line, text(d.region, "region", line, i));
        const Side side = b.side(line, text(d.side, "side", line, i));
        const std::int32_t h1 = detail::hex_at(FieldAt{d.source, line, "hex1"}, *d.hex1, i);
        const std::int32_t h2 = detail::hex_at(FieldAt{d.source, line, "hex2"}, *d.hex2, i);
        b.add(line, def, side, h1, h2, text(d.set, "set", line, i), text(d.style, "style", line, i), text(d.colour, "colour", line, i));
    }
    return b.take(0);
}

namespace {

std::uint32_t find_set(const Marks& m, std::string_view set, std::string_view field) {
    for (std::size_t k = 0; k < m.sets.size(); ++k)
        if (m.sets[k].name == set) return static_cast<std::uint32_t>(k);
    std::vector<std::string_view> names;
    for (const auto& s : m.sets) names.push_back(s.name);
    const std::string best = detail::closest_name(set, names);
    throw_input(m.sets.empty() ? std::string("no marks are given (--marks FILE)")
                               : fmt::format("no mark set of that name{}", best.empty() ? "" : fmt::format("; did you mean '{}'?", best)),
                ErrorLocation{{}, 0, std::string(field), std::string(set)});
}

}  // namespace

void set_mark_style(Marks& m, std::string_view set, std::string_view style, std::string_view field) {
    const std::uint32_t k = find_set(m, set, field);
    const auto s = parse_mark_style(style);
    if (!s) throw_input("expected a mark style: outline, marker or dim", ErrorLocation{{}, 0, std::string(field), std::string(style)});
    m.sets[k].style = *s;
}

void set_mark_colour(Marks& m, std::string_view set, std::string_view colour, std::string_view field) {
    const std::uint32_t k = find_set(m, set, field);
    if (!is_colour(colour)) throw_input("expected a colour as #rrggbb", ErrorLocation{{}, 0, std::string(field), std::string(colour)});
    m.sets[k].colour = lower_colour(colour);
}

void validate(const Marks& m) {
    if (m.sets.size() > kMaxMarkSets)
        throw_input(fmt::format("more than {} mark sets", kMaxMarkSets), ErrorLocation{m.source, 0, "set", std::to_string(m.sets.size())});
    if (m.rows.size() > kMaxMarkRows)
        throw_input(fmt::format("more than {} mark rows", kMaxMarkRows), ErrorLocation{m.source, 0, {}, std::to_string(m.rows.size())});
    std::unordered_map<std::string_view, std::size_t> names;
    for (std::size_t k = 0; k < m.sets.size(); ++k) {
        const MarkSet& s = m.sets[k];
        check_set_name(FieldAt{m.source, 0, "set"}, s.name, s.name);
        if (!names.emplace(s.name, k).second) throw_input("mark set named twice", ErrorLocation{m.source, 0, "set", s.name});
        if (!is_colour(s.colour)) throw_input("expected a colour as #rrggbb", ErrorLocation{m.source, 0, "colour", s.colour});
        if (!parse_mark_style(to_string(s.style))) throw_input("unknown mark style", ErrorLocation{m.source, 0, "style", s.name});
    }
    for (const MarkRow& r : m.rows) {
        if (r.set >= m.sets.size())
            throw_input("mark row's set index out of range", ErrorLocation{m.source, r.line, "set", std::to_string(r.set)});
        if (r.hex1 < -kMaxHexCoordinate || r.hex1 > kMaxHexCoordinate || r.hex2 < -kMaxHexCoordinate || r.hex2 > kMaxHexCoordinate)
            throw_input("hex coordinate out of range", ErrorLocation{m.source, r.line, "hex1,hex2", fmt::format("{},{}", r.hex1, r.hex2)});
    }
}

}  // namespace eyemap

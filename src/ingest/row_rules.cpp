// The value rules of the data and layout tables (row_rules.hpp), shared by the CSV readers and table_from_columns.
#include "ingest/row_rules.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "ingest/csv.hpp"

namespace eyemap::detail {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

static_assert(kMaxCount > 999999999999999, "15 decimal digits stay within kMaxCount");

// Doubles hold every integer up to 2^53 exactly.
constexpr double kMaxExactDouble = 9007199254740992.0;

std::string too_large() { return fmt::format("count too large (at most {})", kMaxCount); }

}  // namespace

void bad_value(const FieldAt& at, std::string_view value, std::string what) {
    throw_input(std::move(what), ErrorLocation{at.source, at.line, std::string(at.column), std::string(value)});
}

std::int64_t count_from_text_careful(const FieldAt& at, std::string_view text) {
    std::string_view s = trim_blanks(text);
    if (s.empty()) bad_value(at, text, "empty value; expected a non-negative integer");
    if (s.front() == '+') s.remove_prefix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range && p == s.data() + s.size())
        bad_value(at, text, s.front() == '-' ? "negative count" : too_large());
    if (ec != std::errc{} || p != s.data() + s.size()) {
        // Tell apart a real number (3.5, 1e3, nan, inf) from junk, for a clearer message.
        double d = 0;
        auto [pd, ecd] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (pd == s.data() + s.size() && ecd == std::errc::result_out_of_range)
            bad_value(at, text, "number too large (or too small); expected a non-negative integer");
        if (ecd == std::errc{} && pd == s.data() + s.size()) {
            if (!std::isfinite(d)) bad_value(at, text, "not a finite number; expected a non-negative integer");
            if (d < 0) bad_value(at, text, "negative count");
            if (d != std::floor(d)) bad_value(at, text, "not an integer; counts must be whole numbers");
            // A whole number written as a float ("3.0", as spreadsheet and dataframe exports do).
            if (d > kMaxExactDouble) bad_value(at, text, too_large());
            return static_cast<std::int64_t>(d);
        }
        bad_value(at, text, "not a number; expected a non-negative integer");
    }
    if (v < 0) bad_value(at, text, "negative count");
    if (v > kMaxCount) bad_value(at, text, too_large());
    return v;
}

std::int64_t count_of(const FieldAt& at, std::int64_t v) {
    if (v < 0) bad_value(at, std::to_string(v), "negative count");
    if (v > kMaxCount) bad_value(at, std::to_string(v), too_large());
    return v;
}

std::int64_t count_of(const FieldAt& at, std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(kMaxCount)) bad_value(at, std::to_string(v), too_large());
    return static_cast<std::int64_t>(v);
}

namespace {

// A float column's value as an integer (whole numbers only, as "3.0" in a CSV); NaN is how data
// frames mark a missing value.
std::int64_t whole(const FieldAt& at, double d) {
    if (std::isnan(d)) bad_value(at, "NaN", "missing value (NaN); expected an integer");
    if (!std::isfinite(d)) bad_value(at, fmt::format("{}", d), "not a finite number; expected an integer");
    if (d != std::floor(d)) bad_value(at, fmt::format("{}", d), "not an integer; counts and coordinates must be whole numbers");
    if (std::fabs(d) > kMaxExactDouble) bad_value(at, fmt::format("{}", d), too_large());
    return static_cast<std::int64_t>(d);
}

}  // namespace

std::int64_t count_of(const FieldAt& at, double v) {
    const std::int64_t x = whole(at, v);
    if (x < 0) bad_value(at, fmt::format("{}", v), "negative count");
    return x;
}

double value_from_text(const FieldAt& at, std::string_view text) {
    std::string_view s = trim_blanks(text);
    if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
    if (s.size() == 3 && (s[0] == 'n' || s[0] == 'N') && (s[1] == 'a' || s[1] == 'A') && (s[2] == 'n' || s[2] == 'N'))
        return std::numeric_limits<double>::quiet_NaN();
    if (s.front() == '+') s.remove_prefix(1);
    double d = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (p != s.data() + s.size() || ec == std::errc::invalid_argument) bad_value(at, text, "not a number");
    if (ec == std::errc::result_out_of_range) bad_value(at, text, "number out of the range of float64 (about 1e-308 to 1e308)");
    if (std::isnan(d)) return d;  // "nan(...)": from_chars' other spellings of NaN
    if (!std::isfinite(d)) bad_value(at, text, "not a finite number (an empty field or NaN means no data)");
    return d;
}

double value_of(const FieldAt& at, double v) {
    if (std::isinf(v)) bad_value(at, v > 0 ? "inf" : "-inf", "not a finite number (NaN means no data)");
    return v;
}
double value_of(const FieldAt&, std::int64_t v) { return static_cast<double>(v); }
double value_of(const FieldAt&, std::uint64_t v) { return static_cast<double>(v); }

void layer_values_from_text(const FieldAt& at, std::string_view text, const RegionDef& region, std::vector<double>& out) {
    const std::size_t n = region.layers.size();
    std::string_view rest = trim_blanks(text);
    if (rest.empty()) {
        out.insert(out.end(), n, std::numeric_limits<double>::quiet_NaN());
        return;
    }
    const std::size_t given = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), ';')) + 1;
    if (given != n) layer_count_mismatch(at, text, given, region);
    for (;;) {
        const auto semi = rest.find(';');
        out.push_back(value_from_text(at, rest.substr(0, semi)));
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
    }
}

std::int32_t hex_from_text_careful(const FieldAt& at, std::string_view text) {
    std::string_view s = trim_blanks(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec == std::errc::invalid_argument || p != s.data() + s.size())
        bad_value(at, text, "not an integer hex coordinate");
    // Refused here, before anything is sized from the coordinates.
    if (ec == std::errc::result_out_of_range || v > kMaxHexCoordinate || v < -kMaxHexCoordinate)
        bad_value(at, text, fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    return static_cast<std::int32_t>(v);
}

std::int32_t hex_of(const FieldAt& at, std::int64_t v) {
    if (v > kMaxHexCoordinate || v < -kMaxHexCoordinate)
        bad_value(at, std::to_string(v), fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    return static_cast<std::int32_t>(v);
}

std::int32_t hex_of(const FieldAt& at, std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(kMaxHexCoordinate))
        bad_value(at, std::to_string(v), fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    return static_cast<std::int32_t>(v);
}

std::int32_t hex_of(const FieldAt& at, double v) {
    if (std::isfinite(v) && std::fabs(v) > kMaxExactDouble)  // out of range, said as such
        bad_value(at, fmt::format("{}", v), fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    return hex_of(at, whole(at, v));
}

Side side_from_text(const FieldAt& at, std::string_view text) {
    auto s = trim_blanks(text);
    if (s == "L") return Side::L;
    if (s == "R") return Side::R;
    const auto l = lower(s);
    if (l == "l" || l == "r" || l == "left" || l == "right")
        bad_value(at, text, fmt::format("side must be L or R; did you mean '{}'?", l[0] == 'l' ? "L" : "R"));
    bad_value(at, text, "side must be L or R");
}

const RegionDef& region_from_text(const FieldAt& at, std::string_view text, const RegionSet& regions) {
    auto s = trim_blanks(text);
    if (const RegionDef* def = regions.find(s)) return *def;
    std::string known;
    for (std::size_t i = 0; i < regions.regions.size() && i < 20; ++i) known += (i ? ", " : "") + regions.regions[i].name;
    if (regions.regions.size() > 20) known += fmt::format(" and {} more", regions.regions.size() - 20);
    for (const auto& d : regions.regions)
        if (d.name.size() == s.size() && lower(d.name) == lower(s))
            bad_value(at, text, fmt::format("unknown region; did you mean '{}'? (known: {})", d.name, known));
    bad_value(at, text, fmt::format("unknown region (known: {}; define more with a region config: --regions, regions=...)", known));
}

void layer_count_mismatch(const FieldAt& at, std::string_view value, std::size_t given, const RegionDef& region) {
    bad_value(at, value,
              fmt::format("{} layer values given (';'-separated), region {} has {} layers", given, region.name, region.layers.size()));
}

void empty_type(const FieldAt& at, std::string_view value) { bad_value(at, value, "empty neuron type"); }

void layers_from_text(const FieldAt& at, std::string_view text, const RegionDef& region, std::vector<std::int64_t>& out) {
    out.clear();
    {
        // One pass over "12;0;7;...": plain digits only, exactly one value per layer. At most 15
        // digits each, so every value is below 10^15 < kMaxCount without a comparison.
        const std::size_t n = region.layers.size();
        out.reserve(n);  // one allocation per list, not the doubling's four
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
                if (d > 9 || digits == 15) {
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
    if (rest.empty() && region.layers.empty()) return;  // a region without layers: no values
    for (;;) {
        auto semi = rest.find(';');
        if (out.size() == region.layers.size()) {
            // Too many: count them for the message without parsing the rest.
            layer_count_mismatch(at, text, out.size() + 1 + static_cast<std::size_t>(std::count(rest.begin(), rest.end(), ';')), region);
        }
        out.push_back(count_from_text(at, rest.substr(0, semi)));
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
    }
    if (out.size() != region.layers.size()) layer_count_mismatch(at, text, out.size(), region);
}

void check_duplicate_rows(std::vector<RowKey>& keys, const ColumnTable& table, std::span<const std::string> type_names) {
    // Rows are in line order, so within equal keys the row index orders by line. The error names the
    // duplicate that comes first in the table, and the row it repeats, as a check while reading would.
    std::sort(keys.begin(), keys.end(), [](const RowKey& a, const RowKey& b) {
        return std::tie(a.type, a.cell, a.row) < std::tie(b.type, b.cell, b.row);
    });
    const RowKey* dup = nullptr;
    const RowKey* first = nullptr;
    for (std::size_t i = 1; i < keys.size(); ++i) {
        if (keys[i].type != keys[i - 1].type || keys[i].cell != keys[i - 1].cell) continue;
        std::size_t g = i - 1;
        while (g > 0 && keys[g - 1].type == keys[i].type && keys[g - 1].cell == keys[i].cell) --g;
        if (!dup || keys[i].row < dup->row) {
            dup = &keys[i];
            first = &keys[g];
        }
    }
    if (!dup) return;
    const ColumnRow& r = table.rows[dup->row];
    throw_input(fmt::format("duplicate row: the same type, region, side and column as line {}", table.rows[first->row].line),
                ErrorLocation{table.source, r.line, "neuron_type,region,side,hex1,hex2",
                              fmt::format("{},{},{},{},{}", r.neuron_type.empty() && dup->type < type_names.size() ? type_names[dup->type] : r.neuron_type,
                                          r.region, to_string(r.side), r.hex1, r.hex2)});
}

void check_duplicate_entries(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> lines, const ColumnLayout& layout) {
    std::vector<std::uint32_t> order(keys.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return std::tie(keys[a], a) < std::tie(keys[b], b); });
    std::size_t dup = keys.size(), first = 0;
    for (std::size_t k = 1; k < order.size(); ++k) {
        if (keys[order[k]] != keys[order[k - 1]] || order[k] >= dup) continue;
        std::size_t g = k - 1;
        while (g > 0 && keys[order[g - 1]] == keys[order[k]]) --g;
        dup = order[k];
        first = order[g];
    }
    if (dup == keys.size()) return;
    const LayoutEntry& e = layout.entries[dup];
    throw_input(fmt::format("duplicate layout row: the same region, side and column as line {}", lines[first]),
                ErrorLocation{layout.source, lines[dup], "region,side,hex1,hex2",
                              fmt::format("{},{},{},{}", e.region, to_string(e.side), e.hex1, e.hex2)});
}

void check_near_names(const FieldAt& header, std::span<const std::string_view> absent_known, std::span<const std::string> unknown) {
    for (const auto name : absent_known)
        for (const auto& u : unknown) {
            const bool close = lower(u) == name || (u.size() >= 3 && u.size() <= name.size() + 2 && edit_distance(lower(u), name) <= 2);
            if (close)
                throw_input(fmt::format("unknown column; did you mean '{}'?", name), ErrorLocation{header.source, header.line, u, {}});
        }
}

void missing_required(const FieldAt& header, std::span<const std::string_view> required, std::string_view missing) {
    throw_input(fmt::format("missing required column (the header needs: {})", fmt::join(required, ", ")),
                ErrorLocation{header.source, header.line, std::string(missing), {}});
}

}  // namespace eyemap::detail

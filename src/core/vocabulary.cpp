// The domain vocabulary's look-ups (eyemap/vocabulary.hpp): every name and label comes from its table.
#include "eyemap/vocabulary.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"

namespace eyemap {

std::string_view to_string(Side s) noexcept { return s == Side::L ? "L" : "R"; }

std::optional<Side> parse_side(std::string_view text) noexcept {
    if (text == "L") return Side::L;
    if (text == "R") return Side::R;
    return std::nullopt;
}

const MetricWords* Metric::count_words() const noexcept {
    for (const auto& w : kMetricWords)
        if (name_ == w.id) return &w;
    return nullptr;
}

Metric Metric::with_label(std::string_view label, std::string_view unit) const {
    for (const auto& [field, text] : {std::pair{"label", label}, std::pair{"unit", unit}}) {
        if (text.size() > 100) throw_input("at most 100 bytes", ErrorLocation{{}, 0, field, std::string(text.substr(0, 100))});
        for (const char c : text)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw_input("a label or unit cannot hold control characters (line breaks, tabs)", ErrorLocation{{}, 0, field, std::string(text)});
    }
    Metric m = *this;
    m.label_ = label;
    m.unit_ = unit;
    const std::string_view base = label.empty() ? std::string_view(name_) : label;
    m.shown_ = unit.empty() ? (label.empty() ? std::string() : std::string(base)) : fmt::format("{} ({})", base, unit);
    return m;
}

std::string_view to_string(const Metric& m) noexcept { return m.name(); }
namespace {
// A count's word from kMetricWords, or what a value column is called: its name, or its label and unit.
std::string_view count_word_or(const Metric& m, std::string_view MetricWords::*word, std::string_view otherwise) noexcept {
    const auto* w = m.count_words();
    return w ? w->*word : otherwise;
}
}  // namespace

std::string_view metric_label(const Metric& m) noexcept { return count_word_or(m, &MetricWords::label, m.shown()); }
std::string_view metric_file_word(const Metric& m) noexcept { return count_word_or(m, &MetricWords::file_word, m.name()); }
std::string_view metric_column(const Metric& m) noexcept { return count_word_or(m, &MetricWords::column, m.name()); }
std::string metric_layer_column(const Metric& m) {
    const auto* w = m.count_words();
    return w ? std::string(w->layer_column) : "layer_" + m.name();
}
std::string_view metric_title(const Metric& m) noexcept { return count_word_or(m, &MetricWords::title, m.shown()); }
std::string_view metric_legend_title(const Metric& m) noexcept { return count_word_or(m, &MetricWords::legend_title, m.shown()); }

std::optional<ParsedMetric> parse_metric_name(std::string_view text) {
    for (const auto& w : kMetricWords) {
        if (text == w.id) return ParsedMetric{Metric(w.id), false};
        if (text == w.alias) return ParsedMetric{Metric(w.id), true};
    }
    return std::nullopt;
}

std::optional<Metric> parse_metric(std::string_view text) {
    if (auto p = parse_metric_name(text)) return p->metric;
    return std::nullopt;
}

namespace {

// Why a name cannot be a value column's, or nullptr when it can.
const char* value_column_name_problem(std::string_view name) noexcept {
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (name.empty() || name.size() > 64 || !letter(name.front()))
        return "a value column's name must start with a letter and be at most 64 bytes (letters, digits, '_', '-', '.')";
    for (char c : name)
        if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.')
            return "a value column's name may hold only letters, digits, '_', '-' and '.' (it becomes part of file names): rename the column";
    static constexpr std::string_view kReserved[] = {"neuron_type", "type", "region", "side", "hex1", "hex2"};
    for (auto r : kReserved)
        if (name == r) return "this column is part of every row's key, not a value";
    if (name.starts_with("layer_")) return "layer_<name> columns hold the per-layer values of <name>: select <name>";
    return nullptr;
}

}  // namespace

void check_value_column_name(std::string_view name, std::string_view field) {
    if (const char* why = value_column_name_problem(name)) throw_input(why, ErrorLocation{{}, 0, std::string(field), std::string(name)});
}

bool valid_value_column_name(std::string_view name) noexcept { return value_column_name_problem(name) == nullptr; }

ParsedMetric metric_from_name(std::string_view text, std::string_view field) {
    if (auto p = parse_metric_name(text)) return *p;
    check_value_column_name(text, field);
    return ParsedMetric{Metric(text), false};
}

std::string metric_list() {
    std::string out;
    for (const auto& w : kMetricWords) (out += out.empty() ? "" : ", ") += w.id;
    return out;
}

std::string metric_alias_note(std::string_view typed, const Metric& m) {
    std::string out = "metric '";
    out += typed;
    out += "' is now called '";
    out += to_string(m);
    out += "' (the old name still works)";
    return out;
}

const FormatWords& words(OutputFormat f) noexcept {
    for (const auto& w : kEyemapFormats)
        if (w.format == f) return w;
    return kEyemapFormats[0];  // not reached: every enumerator has its row
}
std::string_view to_string(OutputFormat f) noexcept { return words(f).name; }

std::optional<OutputFormat> parse_format(std::string_view text) noexcept {
    for (const auto& w : kEyemapFormats)
        if (text == w.name) return w.format;
    return std::nullopt;
}

std::optional<OutputFormat> format_for_path(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    if (ext.empty()) return std::nullopt;
    for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const auto& w : kEyemapFormats)
        if (std::string_view(ext).substr(1) == w.extension) return w.format;
    return std::nullopt;
}

std::string format_list() {
    std::string out;
    for (const auto& w : kEyemapFormats) (out += out.empty() ? "" : ", ") += w.name;
    return out;
}

std::vector<OutputFormat> parse_formats(std::string_view text, std::string_view option) {
    std::vector<OutputFormat> out;
    for (const std::string_view item : split_list(text)) {
        const auto parsed = parse_format(item);
        if (!parsed) throw_input("expected a comma-separated list of: " + format_list(), ErrorLocation{{}, 0, std::string(option), std::string(item)});
        if (std::find(out.begin(), out.end(), *parsed) == out.end()) out.push_back(*parsed);
    }
    return out;
}

}  // namespace eyemap

// The domain vocabulary's look-ups (eyemap/vocabulary.hpp): every name and label comes from its table.
#include "eyemap/vocabulary.hpp"

#include <algorithm>

#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {

std::string_view to_string(Side s) noexcept { return s == Side::L ? "L" : "R"; }

std::optional<Side> parse_side(std::string_view text) noexcept {
    if (text == "L") return Side::L;
    if (text == "R") return Side::R;
    return std::nullopt;
}

const MetricWords& words(Metric m) noexcept { return kMetricWords[static_cast<std::size_t>(m) < kMetricWords.size() ? static_cast<std::size_t>(m) : 0]; }
std::string_view to_string(Metric m) noexcept { return words(m).id; }
std::string_view metric_label(Metric m) noexcept { return words(m).label; }

std::optional<ParsedMetric> parse_metric_name(std::string_view text) noexcept {
    for (const auto& w : kMetricWords) {
        if (text == w.id) return ParsedMetric{w.metric, false};
        if (text == w.alias) return ParsedMetric{w.metric, true};
    }
    return std::nullopt;
}

std::optional<Metric> parse_metric(std::string_view text) noexcept {
    if (auto p = parse_metric_name(text)) return p->metric;
    return std::nullopt;
}

std::string metric_list() {
    std::string out;
    for (const auto& w : kMetricWords) (out += out.empty() ? "" : ", ") += w.id;
    return out;
}

std::string metric_alias_note(std::string_view typed, Metric m) {
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
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        const auto parsed = parse_format(item);
        if (!parsed) throw_input("expected a comma-separated list of: " + format_list(), ErrorLocation{{}, 0, std::string(option), std::string(item)});
        const OutputFormat f = *parsed;
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace eyemap

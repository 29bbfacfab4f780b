// Names, parsing and validation of the public options (eyemap/options.hpp): checked once, where they enter.
#include "eyemap/options.hpp"

namespace eyemap {

std::string_view to_string(Metric m) noexcept { return m == Metric::synapse_density ? "synapse_density" : "cell_count"; }
std::string_view metric_label(Metric m) noexcept { return m == Metric::synapse_density ? "Synapse count" : "Cell count"; }

std::optional<Metric> parse_metric(std::string_view text) noexcept {
    if (text == "synapse_density") return Metric::synapse_density;
    if (text == "cell_count") return Metric::cell_count;
    return std::nullopt;
}

std::string_view to_string(ScaleMethod m) noexcept {
    switch (m) {
        case ScaleMethod::linear: return "linear";
        case ScaleMethod::percentile: return "percentile";
        case ScaleMethod::fixed: return "fixed";
        case ScaleMethod::stddev: return "stddev";
        case ScaleMethod::log: return "log";
    }
    return "?";
}

std::optional<ScaleMethod> parse_scale_method(std::string_view text) noexcept {
    for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed, ScaleMethod::stddev, ScaleMethod::log})
        if (to_string(m) == text) return m;
    return std::nullopt;
}

std::string_view to_string(ScaleScope s) noexcept { return s == ScaleScope::pooled ? "pooled" : "region"; }

std::optional<ScaleScope> parse_scale_scope(std::string_view text) noexcept {
    for (auto s : {ScaleScope::pooled, ScaleScope::per_region})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

std::string_view to_string(OutputFormat f) noexcept {
    switch (f) {
        case OutputFormat::svg: return "svg";
        case OutputFormat::png: return "png";
        case OutputFormat::pdf: return "pdf";
        case OutputFormat::html: return "html";
    }
    return "?";
}

std::optional<OutputFormat> parse_format(std::string_view text) noexcept {
    for (OutputFormat f : {OutputFormat::svg, OutputFormat::png, OutputFormat::pdf})
        if (text == to_string(f)) return f;
    return std::nullopt;
}

std::optional<OutputFormat> format_for_path(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    if (ext.empty()) return std::nullopt;
    for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return parse_format(std::string_view(ext).substr(1));
}

// validate(): src/core/option_schema.cpp, from the one table of options and Style fields.

}  // namespace eyemap

// Names, parsing and validation of the public options (eyemap/options.hpp): checked once, where they enter.
#include "eyemap/options.hpp"

namespace eyemap {

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

// validate(): src/core/option_schema.cpp, from the one table of options and Style fields.

}  // namespace eyemap

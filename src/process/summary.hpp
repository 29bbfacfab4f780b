// Summary statistics of one processed eyemap: what a type page's summary table shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "process/process.hpp"

namespace eyemap {

struct EyemapSummary {
    std::uint64_t columns_with_data = 0;  // status has_data (value > 0)
    std::uint64_t columns_in_region = 0;  // has_data + no_data: the columns of the region and side
    std::int64_t total = 0;               // sum of the metric over the columns with data
    double mean = 0;                      // per column with data (0 without any)
    double median = 0;                    // per column with data; mean of the middle two for an even count
    std::int64_t max = 0;                 // largest value of a column (0 without data)
    double scale_min = 0;                 // the "all layers" colour scale: first and last edge
    double scale_max = 0;
    ScaleMethod scale_method = ScaleMethod::linear;
};

// Pure: reads only d.status, d.value and d.scale.
EyemapSummary summarize_eyemap(const EyemapData& d);

std::string_view to_string(ScaleMethod m) noexcept;  // "linear", "percentile", "fixed"
std::optional<ScaleMethod> parse_scale_method(std::string_view s) noexcept;

}  // namespace eyemap

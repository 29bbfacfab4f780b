// What an eyemap shows, in numbers: column counts and summary statistics (manifests, pages, reports).
#pragma once

#include <cstdint>

#include "eyemap/options.hpp"

namespace eyemap {

struct EyemapCounts {
    std::uint64_t has_data = 0;       // columns of the region with a value > 0
    std::uint64_t no_data = 0;        // columns of the region without
    std::uint64_t not_in_region = 0;  // columns of the grid outside the region
};

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

}  // namespace eyemap

// What an eyemap shows, in numbers: column counts and summary statistics (manifests, pages, reports).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "eyemap/options.hpp"

namespace eyemap {

// How one eyemap prints its values, chosen once for the whole eyemap from all of its values (totals
// and per-layer), so tooltips, legend, pages and summary tables agree: whole numbers (every count)
// as integers; other values rounded to `decimals` places, the places that keep three significant
// digits of the largest magnitude (0.873 -> 3, 12.5 -> 1, 1234.5 -> 0), trailing zeros dropped;
// when that needs more than 6 places (the largest below 0.0001), three significant digits in scientific
// notation (1.23e-05).
struct ValueFormat {
    bool whole = true;
    int decimals = 0;         // 0..6, when !whole && !scientific
    bool scientific = false;  // 3 significant digits, "1.23e-05"
    bool operator==(const ValueFormat&) const = default;
};
// The format of a set of values, given in one or two parts (NaN ignored).
ValueFormat value_format(std::span<const double> values, std::span<const double> more = {});
// One value as the format prints it ("12", "0.87", "-3.5", "1.23e-05"); NaN: "no data".
std::string format_value(double v, const ValueFormat& f);

struct EyemapCounts {
    std::uint64_t has_data = 0;       // columns of the region with a value > 0
    std::uint64_t no_data = 0;        // columns of the region without
    std::uint64_t not_in_region = 0;  // columns of the grid outside the region
};

struct EyemapSummary {
    std::uint64_t columns_with_data = 0;  // status has_data (counts: value > 0; values: not NaN)
    std::uint64_t columns_in_region = 0;  // has_data + no_data: the columns of the region and side
    // Counts (synapses, cells) sum; a sum of a signed or fractional value means nothing, so a value
    // column's summary is mean, median, min and max (`counts` false, total 0, max 0: see min_value/max_value).
    bool counts = true;
    std::int64_t total = 0;               // sum of the metric over the columns with data (counts)
    double mean = 0;                      // per column with data (0 without any)
    double median = 0;                    // per column with data; mean of the middle two for an even count
    std::int64_t max = 0;                 // largest value of a column (0 without data; counts)
    double min_value = 0;                 // smallest and largest value of a column with data (both kinds)
    double max_value = 0;
    ValueFormat format;                   // how the eyemap prints its values
    double scale_min = 0;                 // the "all layers" colour scale: first and last edge
    double scale_max = 0;
    ScaleMethod scale_method = ScaleMethod::linear;
};

}  // namespace eyemap

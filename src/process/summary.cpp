// Summary statistics of one processed eyemap (see summary.hpp).
#include "process/summary.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/number.hpp"
#include "core/throw.hpp"

namespace eyemap {

ValueFormat value_format(std::span<const double> values, std::span<const double> more) {
    ValueFormat f;
    double largest = 0;
    for (const auto part : {values, more})
        for (const double v : part) {
            if (std::isnan(v)) continue;
            const double a = std::fabs(v);
            largest = std::max(largest, a);
            if (f.whole && (v != std::floor(v) || a > 9007199254740992.0)) f.whole = false;
        }
    if (f.whole) return f;
    // Three significant digits of the largest magnitude; write_decimal holds up to 6 places and
    // |v| * 10^places below 2^63.
    const int exponent = static_cast<int>(std::floor(std::log10(largest)));
    const int places = 2 - exponent;
    if (places > 6 || largest >= 1e15) f.scientific = true;
    else f.decimals = std::max(0, places);
    return f;
}

char* write_value(char* p, double v, const ValueFormat& f) noexcept {
    if (std::isnan(v)) return p;
    // write_decimal holds |v| * 10^places below 2^63: beyond (a legend edge far past the data), scientific.
    static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    const int places = f.whole ? 0 : f.decimals;
    if (f.scientific || !(std::fabs(v) * kPow10[places] < 9.2e18)) return fmt::format_to_n(p, 32, "{:.2e}", v).out;
    if (f.whole) return write_decimal_fixed<0>(p, v);
    return write_decimal(p, v, f.decimals);
}

std::string format_value(double v, const ValueFormat& f) {
    if (std::isnan(v)) return "no data";
    char buf[40];
    return std::string(buf, write_value(buf, v, f));
}

EyemapSummary summarize_eyemap(const EyemapData& d) {
    EyemapSummary s;
    s.counts = d.counts;
    s.format = d.format;
    std::vector<double> values;
    values.reserve(d.has_data_count);
    const std::size_t n = std::min(d.status.size(), d.value.size());
    for (std::size_t i = 0; i < d.status.size(); ++i) {
        if (d.status[i] == ColumnStatus::not_in_region) continue;
        ++s.columns_in_region;
        if (d.status[i] != ColumnStatus::has_data || i >= n) continue;
        values.push_back(d.value[i]);
    }
    s.columns_with_data = values.size();
    if (d.counts) {
        for (const double x : values) {
            const auto v = static_cast<std::int64_t>(x);  // a count: whole, at most 2^53
            // Counts are at most 2^53 each, but a region has enough columns for their sum to pass 2^63.
            if (__builtin_add_overflow(s.total, v, &s.total))
                throw_input(fmt::format("the {} of {} {} add up to more than 9223372036854775807 (2^63 - 1): counts this large cannot be summed",
                                        to_string(d.metric), d.region, to_string(d.side)),
                            ErrorLocation{{}, 0, "neuron_type", d.neuron_type});
            s.max = std::max(s.max, v);
        }
    }
    if (!values.empty()) {
        if (d.counts) {
            s.mean = static_cast<double>(s.total) / static_cast<double>(values.size());
        } else {
            // The sum in column order, deterministic for the same input; where it overflows (values
            // near 1e308), in units of the largest magnitude.
            double sum = 0;
            for (const double v : values) sum += v;
            s.mean = sum / static_cast<double>(values.size());
            if (!std::isfinite(s.mean)) {
                double m = 0;
                for (const double v : values) m = std::max(m, std::fabs(v));
                double scaled = 0;
                for (const double v : values) scaled += v / m;
                s.mean = scaled / static_cast<double>(values.size()) * m;
            }
        }
        s.min_value = *std::min_element(values.begin(), values.end());
        s.max_value = *std::max_element(values.begin(), values.end());
        const std::size_t mid = values.size() / 2;
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
        const double upper = values[mid];
        if (values.size() % 2 == 1) {
            s.median = upper;
        } else {
            const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
            s.median = (lower + upper) / 2;
            if (!std::isfinite(s.median)) s.median = lower / 2 + upper / 2;  // the sum overflowed
        }
    }
    s.scale_min = d.scale.edges.front();
    // e_N (and the padding after it); a continuous scale has 256 levels and no edge per level: its hi.
    s.scale_max = d.scale.continuous ? d.scale.hi : d.scale.edges[static_cast<std::size_t>(d.scale.classes)];
    s.scale_method = d.scale.method;
    return s;
}

}  // namespace eyemap

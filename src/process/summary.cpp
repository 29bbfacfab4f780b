// Summary statistics of one processed eyemap (see summary.hpp).
#include "process/summary.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {

EyemapSummary summarize_eyemap(const EyemapData& d) {
    EyemapSummary s;
    std::vector<std::int64_t> values;
    values.reserve(d.has_data_count);
    const std::size_t n = std::min(d.status.size(), d.value.size());
    for (std::size_t i = 0; i < d.status.size(); ++i) {
        if (d.status[i] == ColumnStatus::not_in_region) continue;
        ++s.columns_in_region;
        if (d.status[i] != ColumnStatus::has_data || i >= n) continue;
        values.push_back(d.value[i]);
    }
    s.columns_with_data = values.size();
    for (auto v : values) {
        // Counts are at most 2^53 each, but a region has enough columns for their sum to pass 2^63.
        if (__builtin_add_overflow(s.total, v, &s.total))
            throw_input(fmt::format("the {} of {} {} add up to more than 9223372036854775807 (2^63 - 1): counts this large cannot be summed",
                                    d.metric == Metric::synapses ? "synapses" : "cells", d.region, to_string(d.side)),
                        ErrorLocation{{}, 0, "neuron_type", d.neuron_type});
        s.max = std::max(s.max, v);
    }
    if (!values.empty()) {
        s.mean = static_cast<double>(s.total) / static_cast<double>(values.size());
        const std::size_t mid = values.size() / 2;
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
        const auto upper = values[mid];
        if (values.size() % 2 == 1) {
            s.median = static_cast<double>(upper);
        } else {
            const auto lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
            s.median = (static_cast<double>(lower) + static_cast<double>(upper)) / 2;
        }
    }
    s.scale_min = d.scale.edges.front();
    s.scale_max = d.scale.edges[static_cast<std::size_t>(d.scale.classes)];  // e_N (and the padding after it)
    s.scale_method = d.scale.method;
    return s;
}

}  // namespace eyemap

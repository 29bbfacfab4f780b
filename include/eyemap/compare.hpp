// Comparing two datasets (or two types of one): A and B on one locked scale, their difference, a change score.
#pragma once

// A comparison pairs dataset A (the data) with dataset B (the baseline) over the same column layout,
// type by type (or type A of the data with type B of the same or the other dataset). It draws:
//   - A and B, each on the one scale pooled over both (a "locked" scale: equal colours, equal values);
//   - their difference, an eyemap of a derived value column on a diverging map centred at 0
//     (CompareMode::difference: A - B; CompareMode::log2_ratio: log2(A / B));
//   - columns with data in only one of the two, marked "only in A" / "only in B" (outlined).
// Missing data (rule, once for all callers): a count is 0 where a dataset has no row, so
//   difference: counts: every column with data (> 0) in A or B has A - B (a column only in A has A - 0);
//               value columns: A - B where both have a value; a column with a value in one only has none;
//   log2_ratio: log2(A / B) where both have data; a zero or missing count on either side has no ratio
//               (the column is left white, and marked when the other has data); value columns must be
//               > 0 where both have a value (input error naming the column otherwise).
// Per-layer values are compared the same way when both datasets have them for the metric.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/vocabulary.hpp"

namespace eyemap {

enum class CompareMode : std::uint8_t { difference, log2_ratio };
std::string_view to_string(CompareMode m) noexcept;  // "difference", "log2"
std::optional<CompareMode> parse_compare_mode(std::string_view text) noexcept;  // "difference" or "log2"

struct CompareOptions {
    CompareMode mode = CompareMode::difference;
    // What A and B are called on the pictures ("male", "v1.0"): one line of drawable text, 1..40 bytes, no
    // leading or trailing spaces, the two different.
    std::string label_a = "A";
    std::string label_b = "B";
    // B's type when it differs from A's (two types of one dataset, or a renamed type); empty: A's.
    std::string type_b;
    // The diverging map of the difference (a name or "#rrggbb,..." as RenderOptions::colormap).
    std::string colormap = "rdbu";
};
// Throws input naming the field (label_a, label_b, type_b, colormap) for text it cannot draw.
void validate(const CompareOptions& o);

// What an eyemap of a comparison shows.
enum class ComparePart : std::uint8_t { none, a, b, difference };
std::string_view to_string(ComparePart p) noexcept;  // "", "a", "b", "difference"

// The derived value column of a metric's difference: "<metric>_diff" (difference) or
// "<metric>_log2" (log2_ratio), labelled "<label> A − B" / "log2 <label> A/B" with the options' labels.
// Throws input when the name would exceed a value column name's 64 bytes.
Metric difference_metric(const Metric& m, const CompareOptions& o);

// How much a type changed for one metric: sum |A - B| / sum (|A| + |B|) over every column with data in
// either (missing counted 0): 0 = the same, 1 = disjoint (or opposite signs everywhere). NaN without data.
struct TypeChange {
    std::string neuron_type;
    Metric metric;
    double score = 0;
    std::uint64_t columns = 0;                  // columns with data in A or B
    std::uint64_t only_a = 0, only_b = 0;       // columns with data in one only
    double total_a = 0, total_b = 0;            // sum of the metric's values
};

}  // namespace eyemap

// Summary statistics of one processed eyemap: what a type page's summary table shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "eyemap/summary.hpp"
#include "process/process.hpp"

namespace eyemap {

// Pure: reads only d.status, d.value, d.counts, d.format and d.scale.
EyemapSummary summarize_eyemap(const EyemapData& d);

// format_value's text written at p (at most 32 bytes), for writers that append per hexagon without
// a string each; NaN writes nothing (callers say "no data" in their own words).
char* write_value(char* p, double v, const ValueFormat& f) noexcept;

}  // namespace eyemap

// Summary statistics of one processed eyemap: what a type page's summary table shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "eyemap/summary.hpp"
#include "process/process.hpp"

namespace eyemap {

// Pure: reads only d.status, d.value and d.scale.
EyemapSummary summarize_eyemap(const EyemapData& d);

}  // namespace eyemap

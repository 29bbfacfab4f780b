// Sizes and durations for people: the one formatting behind tables, reports and messages.
#include "core/units.hpp"

#include <array>
#include <cmath>

#include <fmt/format.h>

namespace eyemap {

std::string human_bytes(double b) {
    if (!std::isfinite(b) || b < 0) b = 0;
    if (b < 1024) return fmt::format("{:.0f} B", b);
    static constexpr std::array<const char*, 4> units{"KiB", "MiB", "GiB", "TiB"};
    b /= 1024;
    std::size_t u = 0;
    while (b >= 1024 && u + 1 < units.size()) b /= 1024, ++u;
    return fmt::format("{:.1f} {}", b, units[u]);
}

std::string human_ns(double ns, bool micro_sign) {
    if (!std::isfinite(ns) || ns < 0) ns = 0;
    if (ns < 1e3) return fmt::format("{:.0f} ns", ns);
    if (ns < 1e6) return fmt::format("{:.1f} {}", ns / 1e3, micro_sign ? "µs" : "us");
    if (ns < 1e9) return fmt::format("{:.1f} ms", ns / 1e6);
    return fmt::format("{:.2f} s", ns / 1e9);
}

}  // namespace eyemap

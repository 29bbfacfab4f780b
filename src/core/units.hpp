// Internal: sizes and durations for people (terminal tables, reports, progress, messages).
#pragma once

#include <string>

namespace eyemap {

// "512 B", "1.5 KiB", "3.0 MiB", "1.6 GiB", "2.0 TiB" (powers of 1024, one decimal from KiB on);
// a negative or non-finite count is shown as 0 B.
std::string human_bytes(double bytes);

// "850 ns", "12.5 us", "3.2 ms", "1.25 s"; `micro_sign`: "µs" (HTML) instead of ASCII "us"
// (terminals). A negative or non-finite duration is shown as 0 ns.
std::string human_ns(double ns, bool micro_sign = false);

}  // namespace eyemap

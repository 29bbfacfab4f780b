// Decimal text for people: printf's rounding, no trailing zeros (core/number.hpp has the writers' fast path).
#include "core/number.hpp"

#include <fmt/format.h>

namespace eyemap {

std::string decimal_text(double v, int max_decimals) {
    if (!std::isfinite(v)) return fmt::format("{}", v);
    std::string s = fmt::format("{:.{}f}", v, max_decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

}  // namespace eyemap

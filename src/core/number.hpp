// Internal: the one place numbers become decimal text (SVG and PDF coordinates, legend ticks, report charts).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace eyemap {

// Writes the digits of v at p; returns the end. At most 20 bytes.
inline char* write_unsigned(char* p, std::uint64_t v) noexcept {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

// How write_decimal rounds v * 10^decimals to an integer: half away from zero (the SVG writer's
// rule since its first golden file), or half to even (printf's rule, which cairo's PDF numbers
// follow; exact for the 24.8 fixed-point coordinates the PDF writer passes).
enum class Rounding : std::uint8_t { half_away, half_even };

// The one decimal writer: v rounded to at most `decimals` (0..6) places, trailing zeros and a
// bare point dropped, "-" only before a non-zero result ("0", "12", "-3.5", "0.125"). Writes at
// most 28 bytes at p and returns the end. v must be finite and |v| * 10^decimals below 2^63.
inline char* write_decimal(char* p, double v, int decimals, Rounding rounding = Rounding::half_away) noexcept {
    static constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    const std::int64_t unit = kPow10[decimals];
    long long m = rounding == Rounding::half_away ? std::llround(v * static_cast<double>(unit)) : std::llrint(v * static_cast<double>(unit));
    if (m < 0) {
        *p++ = '-';
        m = -m;
    }
    p = write_unsigned(p, static_cast<std::uint64_t>(m / unit));
    if (std::int64_t f = m % unit) {
        char d[6];
        for (int i = decimals - 1; i >= 0; --i, f /= 10) d[i] = static_cast<char>('0' + f % 10);
        int n = decimals;
        while (d[n - 1] == '0') --n;
        *p++ = '.';
        for (int i = 0; i < n; ++i) *p++ = d[i];
    }
    return p;
}

// write_decimal appended to a std::string or fmt::memory_buffer.
template <class Buffer>
void append_decimal(Buffer& out, double v, int decimals, Rounding rounding = Rounding::half_away) {
    char buf[32];
    char* end = write_decimal(buf, v, decimals, rounding);
    out.append(buf, end);
}

// Text for people (legend ticks, report charts): v rounded as printf("%.*f") does (to even on v's
// exact binary value), then trailing zeros and a bare point dropped, and "-0" written "0".
// Non-finite v: "inf", "-inf", "nan".
std::string decimal_text(double v, int max_decimals);

}  // namespace eyemap

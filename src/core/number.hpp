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

// The one decimal writer: v rounded to `Decimals` (0..6) places, trailing zeros and a bare point
// dropped, "-" only before a non-zero result ("0", "12", "-3.5", "0.125"). Writes at most 28 bytes at
// p and returns the end. v must be finite and |v| * 10^Decimals below 2^63. The places are a template
// argument so the SVG writer's per-hexagon numbers (two places) compile to a few divisions by
// constants; write_decimal below is the same with the places chosen at run time.
template <int Decimals, Rounding R = Rounding::half_away>
inline char* write_decimal_fixed(char* p, double v) noexcept {
    static_assert(Decimals >= 0 && Decimals <= 6);
    constexpr std::int64_t unit = [] {
        std::int64_t u = 1;
        for (int i = 0; i < Decimals; ++i) u *= 10;
        return u;
    }();
    long long m = R == Rounding::half_away ? std::llround(v * static_cast<double>(unit)) : std::llrint(v * static_cast<double>(unit));
    if (m < 0) {
        *p++ = '-';
        m = -m;
    }
    p = write_unsigned(p, static_cast<std::uint64_t>(m / unit));
    if (std::int64_t f = m % unit) {  // the fraction's digits, stopping where only zeros are left
        *p++ = '.';
        std::int64_t div = unit;
        for (int i = 0; i < Decimals && f; ++i) {  // unrolled: divisions by constants
            div /= 10;
            *p++ = static_cast<char>('0' + f / div);
            f %= div;
        }
    }
    return p;
}

inline char* write_decimal(char* p, double v, int decimals, Rounding rounding = Rounding::half_away) noexcept {
    const bool away = rounding == Rounding::half_away;
    switch (decimals) {
        case 0: return away ? write_decimal_fixed<0>(p, v) : write_decimal_fixed<0, Rounding::half_even>(p, v);
        case 1: return away ? write_decimal_fixed<1>(p, v) : write_decimal_fixed<1, Rounding::half_even>(p, v);
        case 2: return away ? write_decimal_fixed<2>(p, v) : write_decimal_fixed<2, Rounding::half_even>(p, v);
        case 3: return away ? write_decimal_fixed<3>(p, v) : write_decimal_fixed<3, Rounding::half_even>(p, v);
        case 4: return away ? write_decimal_fixed<4>(p, v) : write_decimal_fixed<4, Rounding::half_even>(p, v);
        case 5: return away ? write_decimal_fixed<5>(p, v) : write_decimal_fixed<5, Rounding::half_even>(p, v);
        default: return away ? write_decimal_fixed<6>(p, v) : write_decimal_fixed<6, Rounding::half_even>(p, v);
    }
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

// Names, parsing and validation of the public options (eyemap/options.hpp): checked once, where they enter.
#include "eyemap/options.hpp"

#include <cmath>

#include <fmt/format.h>

#include "eyemap/error.hpp"

namespace eyemap {

std::string_view to_string(ScaleMethod m) noexcept {
    switch (m) {
        case ScaleMethod::linear: return "linear";
        case ScaleMethod::percentile: return "percentile";
        case ScaleMethod::fixed: return "fixed";
        case ScaleMethod::stddev: return "stddev";
        case ScaleMethod::log: return "log";
    }
    return "?";
}

std::optional<ScaleMethod> parse_scale_method(std::string_view text) noexcept {
    for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed, ScaleMethod::stddev, ScaleMethod::log})
        if (to_string(m) == text) return m;
    return std::nullopt;
}

std::string_view to_string(ScaleScope s) noexcept { return s == ScaleScope::pooled ? "pooled" : "region"; }

namespace {

[[noreturn]] void out_of_range(const char* field, double v, const char* range) {
    throw_input(fmt::format("out of range ({})", range), ErrorLocation{{}, 0, field, fmt::format("{}", v)});
}

bool is_colour(std::string_view c) noexcept {
    if (c.size() != 7 || c[0] != '#') return false;
    for (char ch : c.substr(1))
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return false;
    return true;
}

}  // namespace

void validate(const Geometry& g) {
    if (!(g.hex_size >= 1 && g.hex_size <= 50)) out_of_range("hex_size", g.hex_size, "1..50");
    if (!(g.spacing >= 1.0 && g.spacing <= 3.0)) out_of_range("spacing", g.spacing, "1.0..3.0");
    if (!(g.margin >= 0 && g.margin <= 500)) out_of_range("margin", g.margin, "0..500");
    if (!(g.min_width >= 0 && g.min_width <= 20000)) out_of_range("min_width", g.min_width, "0..20000");
    if (!(g.min_height >= 0 && g.min_height <= 20000)) out_of_range("min_height", g.min_height, "0..20000");
}

void validate(const ScaleOptions& s) {
    if (s.method != ScaleMethod::fixed) return;
    if (!std::isfinite(s.min)) out_of_range("color_min", s.min, "a finite number");
    if (!std::isfinite(s.max)) out_of_range("color_max", s.max, "a finite number");
    if (!(s.min <= s.max))
        throw_input(fmt::format("a fixed colour scale needs min <= max, got {} and {}", s.min, s.max),
                    ErrorLocation{{}, 0, "color_min", fmt::format("{}", s.min)});
}

void validate(const Style& s) {
    auto colour = [](const char* field, const std::string& c) {
        if (!is_colour(c)) throw_input("expected a colour as #rrggbb", ErrorLocation{{}, 0, field, c});
    };
    for (const auto& c : s.palette) colour("palette", c);
    colour("background", s.background);
    colour("text", s.text);
    colour("badge_left", s.badge_left);
    colour("badge_right", s.badge_right);
    colour("hex_stroke", s.hex_stroke);
    colour("button_fill", s.button_fill);
    colour("button_on_fill", s.button_on_fill);
    colour("button_stroke", s.button_stroke);
    colour("tooltip_fill", s.tooltip_fill);
    colour("tooltip_stroke", s.tooltip_stroke);
    // The family goes into CSS between quotes and to fontconfig: letters, digits, spaces, '-' and '_'.
    if (s.font_family.empty() || s.font_family.size() > 64)
        throw_input("expected a font family name of 1..64 characters", ErrorLocation{{}, 0, "font_family", s.font_family});
    for (char c : s.font_family)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_'))
            throw_input("a font family may hold letters, digits, spaces, '-' and '_'", ErrorLocation{{}, 0, "font_family", s.font_family});
    if (!(s.hex_stroke_width >= 0 && s.hex_stroke_width <= 10)) out_of_range("hex_stroke_width", s.hex_stroke_width, "0..10");
    if (!(s.hex_opacity >= 0 && s.hex_opacity <= 1)) out_of_range("hex_opacity", s.hex_opacity, "0..1");
    if (!(s.button_stroke_width >= 0 && s.button_stroke_width <= 10))
        out_of_range("button_stroke_width", s.button_stroke_width, "0..10");
    for (auto [field, v] : {std::pair<const char*, double>{"title_size", s.title_size}, {"tick_size", s.tick_size},
                            {"legend_title_size", s.legend_title_size}, {"button_size", s.button_size},
                            {"tooltip_size", s.tooltip_size}})
        if (!(v >= 1 && v <= 100)) out_of_range(field, v, "1..100");
}

}  // namespace eyemap

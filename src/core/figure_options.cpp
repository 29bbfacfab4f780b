// Names, parsing and validation of a figure's options (eyemap/figure.hpp): checked once, where they enter.
#include "eyemap/figure.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "core/option_schema.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"

namespace eyemap {
namespace {

template <class E, std::size_t N>
std::optional<E> parse_of(const E (&all)[N], std::string_view text) noexcept {
    for (E e : all)
        if (to_string(e) == text) return e;
    return std::nullopt;
}

void check_range(std::string_view field, double v, double lo, double hi) {
    if (!(std::isfinite(v) && v >= lo && v <= hi))
        throw_input(fmt::format("must be a number in {}..{}", lo, hi), ErrorLocation{{}, 0, std::string(field), fmt::format("{}", v)});
}

constexpr FigureAxis kAxes[] = {FigureAxis::types, FigureAxis::regions, FigureAxis::sides, FigureAxis::metrics, FigureAxis::layers,
                                FigureAxis::datasets};
constexpr FigureLegend kLegends[] = {FigureLegend::figure, FigureLegend::row, FigureLegend::column};
constexpr FigureLabels kLabels[] = {FigureLabels::axes, FigureLabels::panels, FigureLabels::none};

}  // namespace

// Names by enumerator, in declaration order (eyemap/figure.hpp).
constexpr std::string_view kAxisNames[] = {"types", "regions", "sides", "metrics", "layers", "datasets"};
constexpr std::string_view kLegendNames[] = {"figure", "row", "column"};
constexpr std::string_view kLabelNames[] = {"axes", "panels", "none"};

std::string_view to_string(FigureAxis a) noexcept { return kAxisNames[static_cast<std::size_t>(a)]; }

std::optional<FigureAxis> parse_figure_axis(std::string_view text) noexcept {
    if (auto a = parse_of(kAxes, text)) return a;
    for (FigureAxis a : kAxes)  // the singular: "type", "region", ...
        if (const auto name = to_string(a); text.size() + 1 == name.size() && name.starts_with(text)) return a;
    return std::nullopt;
}

std::optional<ComparePart> parse_figure_dataset(std::string_view text) noexcept {
    if (text == "a") return ComparePart::a;
    if (text == "b") return ComparePart::b;
    if (text == "difference" || text == "diff") return ComparePart::difference;
    return std::nullopt;
}

std::string_view to_string(FigureLegend l) noexcept { return kLegendNames[static_cast<std::size_t>(l)]; }
std::optional<FigureLegend> parse_figure_legend(std::string_view text) noexcept { return parse_of(kLegends, text); }

std::string_view to_string(FigureLabels l) noexcept { return kLabelNames[static_cast<std::size_t>(l)]; }
std::optional<FigureLabels> parse_figure_labels(std::string_view text) noexcept { return parse_of(kLabels, text); }

void validate(const FigureOptions& o) {
    check_range("width_mm", o.width_mm, 20, 1000);
    check_range("font_pt", o.font_pt, 2, 36);
    check_range("line_pt", o.line_pt, 0, 5);
    check_range("dpi", o.dpi, 10, 2400);
    // The family goes into CSS and fontconfig: printable text without quotes, braces or escapes.
    if (o.font_family.empty() || o.font_family.size() > 100 || !is_drawable_text(o.font_family) ||
        o.font_family.find_first_of("'\"\\;{}<>&") != std::string::npos)
        throw_input("a font family name of 1..100 characters without quotes, backslashes, ';', braces, '<', '>' or '&'",
                    ErrorLocation{{}, 0, "font_family", o.font_family});
    if (!o.background.empty()) {
        bool ok = o.background.size() == 7 && o.background[0] == '#';
        for (std::size_t i = 1; ok && i < 7; ++i) ok = std::isxdigit(static_cast<unsigned char>(o.background[i])) != 0;
        if (!ok) throw_input("a colour #rrggbb, or empty for a transparent background", ErrorLocation{{}, 0, "background", o.background});
    }
    if (!o.svg_id.empty() && !valid_svg_id(o.svg_id))
        throw_input("SVG id must match [A-Za-z][A-Za-z0-9_-]*", ErrorLocation{{}, 0, "svg_id", o.svg_id});
}

void validate(const FigurePanels& p) {
    if (p.rows == p.columns)
        throw_input(fmt::format("rows and columns are both {}", to_string(p.rows)), ErrorLocation{{}, 0, "columns", std::string(to_string(p.columns))});
    const std::pair<FigureAxis, std::size_t> given[] = {{FigureAxis::types, p.types.size()},     {FigureAxis::regions, p.regions.size()},
                                                        {FigureAxis::sides, p.sides.size()},     {FigureAxis::metrics, p.metrics.size()},
                                                        {FigureAxis::layers, p.layers.size()},   {FigureAxis::datasets, p.datasets.size()}};
    for (const auto& [axis, n] : given)
        if (n > 1 && axis != p.rows && axis != p.columns)
            throw_input(fmt::format("{} values for {}, which is neither the rows ({}) nor the columns ({}): give one, or put {} on an axis", n,
                                    to_string(axis), to_string(p.rows), to_string(p.columns), to_string(axis)),
                        ErrorLocation{{}, 0, std::string(to_string(axis)), fmt::format("{} values", n)});
    for (int l : p.layers)
        if (l < 0 || l > kMaxLayer)
            throw_input(fmt::format("a layer is 0 (all layers) or 1..{}", kMaxLayer), ErrorLocation{{}, 0, "layers", std::to_string(l)});
    for (ComparePart d : p.datasets)
        if (d == ComparePart::none) throw_input("a figure's datasets are a, b or difference", ErrorLocation{{}, 0, "datasets", "none"});
}

}  // namespace eyemap

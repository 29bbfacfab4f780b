// Layout stage: the spec's hex -> pixel formula over all columns at once, then canvas and furniture.
#include "layout/layout.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>
#include <fmt/format.h>

#include "core/number.hpp"
#include "process/colormap.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {
namespace {

constexpr double kSqrt3 = 1.7320508075688772;
constexpr double kTitleStep = 15;   // baseline distance of the three title lines
constexpr double kPanelWidth = 48;  // layer controls column: right of the grid for L, left for R
constexpr double kPanelGap = 8;
constexpr double kBin = 14;         // legend bin size
constexpr double kButtonHeight = 13, kButtonStep = 15, kButtonWidth = 40;

}  // namespace

std::string tick_label(double v) {
    const double a = std::abs(v);
    if (!std::isfinite(v) || a < 10000) return decimal_text(v, 2);  // 2 decimals: a fractional edge (fixed scales, a widened single value)
    if (a >= 1.8e19 || v != std::floor(v)) return fmt::format("{:.3g}", v);
    // Exact: the integer part and every non-zero digit after it (edges of large scales are
    // multiples of a power of ten, so these stay short: 12.3k).
    static constexpr const char* kSuffix[] = {"", "k", "M", "G", "T", "P", "E"};
    const auto n = static_cast<unsigned long long>(a);
    unsigned long long unit = 1;
    int j = 0;
    while (n / unit >= 1000 && j < 6) unit *= 1000, ++j;
    std::string out = v < 0 ? "-" : "";
    out += fmt::format("{}", n / unit);
    unsigned long long rest = n % unit;
    if (rest) {
        std::string frac = fmt::format("{:0{}}", rest, 3 * j);
        while (frac.back() == '0') frac.pop_back();
        out += '.' + frac;
    }
    return out + kSuffix[j];
}

namespace {

// The fewest table entries a gradient needs (FillColours::stops): from each stop, the farthest entry
// such that linear interpolation between the two stays within one level of every entry between.
std::vector<GradientStop> gradient_stops(const std::array<detail::Rgb, detail::kColormapLutSize>& lut) {
    constexpr std::size_t n = detail::kColormapLutSize;
    auto offset = [](std::size_t i) { return std::round(static_cast<double>(i) / (n - 1) * 1e4) / 1e4; };
    auto fits = [&](std::size_t a, std::size_t b) {
        for (std::size_t k = a + 1; k < b; ++k) {
            const double w = static_cast<double>(k - a) / static_cast<double>(b - a);
            auto off = [&](std::uint8_t x, std::uint8_t y, std::uint8_t z) { return std::abs(x + (y - x) * w - z) > 1.0; };
            if (off(lut[a].r, lut[b].r, lut[k].r) || off(lut[a].g, lut[b].g, lut[k].g) || off(lut[a].b, lut[b].b, lut[k].b)) return false;
        }
        return true;
    };
    std::vector<GradientStop> stops{{0.0, 1}};
    for (std::size_t a = 0; a + 1 < n;) {
        std::size_t b = a + 1;
        while (b + 1 < n && fits(a, b + 1)) ++b;
        stops.push_back({offset(b), static_cast<FillIndex>(b + 1)});
        a = b;
    }
    return stops;
}

}  // namespace

FillColours fill_colours(const Style& style, std::string_view colormap, int bins, bool continuous) {
    const detail::Colormap map = detail::colormap_from_spec(colormap, "colormap");
    FillColours f;
    if (continuous) {
        f.colour.reserve(detail::kColormapLutSize + 2);
        f.colour.push_back(style.palette.front());
        for (const detail::Rgb c : detail::lut256(map)) f.colour.push_back(fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b));
        f.colour.push_back(style.palette.back());
        f.stops = gradient_stops(detail::lut256(map));
        f.words = map.name.empty() ? fmt::format("{} listed colours, continuous", std::count(colormap.begin(), colormap.end(), ',') + 1)
                                   : fmt::format("{}, continuous", map.name);
        return f;
    }
    const detail::BinColours binned = detail::binned(map, bins, "bins");
    f.colour.reserve(static_cast<std::size_t>(bins) + 2);
    f.colour.push_back(style.palette.front());
    if (map.name == "reds" && bins == 5) {
        f.colour.insert(f.colour.end(), style.palette.begin() + 1, style.palette.end() - 1);
    } else {
        for (const detail::Rgb c : binned.colours()) f.colour.push_back(fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b));
        // A listed map by its number of colours (checked by colormap_from_spec: one per comma-separated
        // "#rrggbb"): the SVG carries the bins' colours, never the user's text as such.
        f.words = map.name.empty() ? fmt::format("{} listed colours, {} bins", std::count(colormap.begin(), colormap.end(), ',') + 1, bins)
                                   : fmt::format("{}, {} bins", map.name, bins);
    }
    f.colour.push_back(style.palette.back());
    return f;
}

std::vector<double> nice_ticks(double lo, double hi) {
    if (!(hi > lo) || !std::isfinite(hi - lo)) return {lo};
    const double span = hi - lo;
    double best = 0, best_score = HUGE_VAL;
    double p = std::pow(10.0, std::floor(std::log10(span)) - 2);
    for (int e = 0; e < 4; ++e, p *= 10)
        for (const double m : {1.0, 2.0, 5.0}) {
            const double step = m * p;
            const double count = std::floor(hi / step) - std::ceil(lo / step) + 1;
            // In 4..7: the nearest to 5 (ties: the larger step); else the count nearest to that range.
            const double score = count < 4 ? 10 + 4 - count : count > 7 ? 10 + count - 7 : std::abs(count - 5) - step / span * 1e-3;
            if (score < best_score) best_score = score, best = step;
        }
    std::vector<double> out;
    // At most 16 (a step's count is 3..8 but for the roundings of huge magnitudes, where k + 1 may equal k).
    const double k0 = std::ceil(lo / best);
    for (int n = 0; n < 16; ++n) {
        const double v = (k0 + n) * best;
        if (v > hi) break;
        out.push_back(v == 0 ? 0.0 : v);  // no "-0"
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty()) out.push_back(lo);
    return out;
}

namespace {

// A nice value's label: compact (tick_label) when whole, else with the decimals it has (at most 6);
// scientific formats (tiny or huge values) as the eyemap prints its values.
std::string tick_text(double v, const ValueFormat& format) {
    if (format.scientific) return format_value(v, format);
    int d = 0;
    for (double x = std::abs(v); d < 6 && std::abs(x - std::round(x)) > 1e-9 * std::max(1.0, x); x *= 10) ++d;
    return d == 0 ? tick_label(v) : decimal_text(v, d);
}

// Log scales: 1, 2 and 5 times the powers of ten in lo..hi (only the powers when those are more than
// 7, only when there are at least 3 of them); else the linear nice values.
std::vector<double> log_ticks(double lo, double hi) {
    for (const bool all : {true, false}) {
        std::vector<double> out;
        for (double p = std::pow(10.0, std::floor(std::log10(lo))); p <= hi; p *= 10)
            for (const double m : {1.0, 2.0, 5.0})
                if ((all || m == 1) && m * p >= lo && m * p <= hi) out.push_back(m * p);
        if (out.size() >= 3 && (out.size() <= 7 || !all)) return out;
        if (out.size() < 3) break;
    }
    return nice_ticks(lo, hi);
}

// Continuous: nice values placed by the scale's own positions, thinned to `min_gap` px on the bar; a
// clipped end labelled "≥ hi" / "≤ lo" first.
void gradient_labels(LegendScale& l, const ColorScale& scale, const ValueFormat& format, double bar_height, double min_gap) {
    l.gradient = true;
    l.bins = scale.bins;
    if (scale.bins == 0) return;
    struct Label {
        double t;
        std::string text;
    };
    std::vector<Label> kept;
    auto room = [&](double t) {
        for (const auto& k : kept)
            if (std::abs(k.t - t) * bar_height < min_gap) return false;
        return true;
    };
    // The ends are values of the data: as the binned legend's labels; the ticks are round numbers, with the
    // decimals they have.
    auto end = [&](double v) { return format.whole ? tick_label(v) : format_value(v, format); };
    if (scale.clipped) kept.push_back({1.0, "\u2265 " + end(scale.hi)});
    if (scale.clipped_low) kept.push_back({0.0, "\u2264 " + end(scale.lo)});
    const bool log = scale.position == ScaleMethod::log;
    const double lo = scale.position == ScaleMethod::percentile ? scale.sorted->front() : scale.lo;
    const double hi = scale.position == ScaleMethod::percentile ? scale.sorted->back() : scale.hi;
    for (const double v : log ? log_ticks(lo, hi) : nice_ticks(lo, hi)) {
        const double t = scale.position_of(v);
        if (room(t)) kept.push_back({t, tick_text(v, format)});
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Label& a, const Label& b) { return a.t < b.t; });
    for (auto& k : kept) {
        l.label_t.push_back(k.t);
        l.labels.push_back(std::move(k.text));
    }
}

}  // namespace

LegendScale legend_scale(const ColorScale& scale, const ValueFormat& format, double bar_height, double min_gap) {
    LegendScale l;
    if (scale.continuous) {
        gradient_labels(l, scale, format, bar_height, min_gap);
        return l;
    }
    l.bins = scale.bins;
    l.per_box = scale.singles;
    for (int b = 0; b < scale.bins; ++b) l.fill[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(scale.colour_of(b) + 1);
    const int n = scale.bins == 0 ? 0 : scale.singles ? scale.bins : scale.bins + 1;
    // Whole values keep the compact tick labels (12.3k); other values print as the eyemap's tooltips do,
    // unless that makes two edges read alike (fixed limits far finer than the data): then in the digits
    // the edges themselves need.
    for (int k = 0; k < n; ++k) {
        const double e = scale.edges[static_cast<std::size_t>(k)];
        l.labels.push_back(format.whole ? tick_label(e) : format_value(e, format));
    }
    if (!format.whole && std::adjacent_find(l.labels.begin(), l.labels.end()) != l.labels.end()) {
        std::vector<double> steps;  // the gaps between edges set the places
        for (int k = 1; k < n; ++k) steps.push_back(scale.edges[static_cast<std::size_t>(k)] - scale.edges[static_cast<std::size_t>(k - 1)]);
        ValueFormat own = value_format(steps);
        if (own.whole) own = format;
        for (int k = 0; k < n; ++k) l.labels[static_cast<std::size_t>(k)] = format_value(scale.edges[static_cast<std::size_t>(k)], own);
    }
    if (scale.clipped && !l.labels.empty()) l.labels.back().insert(0, "\u2265 ");  // "≥ x": the last colour holds everything above
    if (scale.clipped_low && !l.labels.empty()) l.labels.front().insert(0, "\u2264 ");  // "≤ x": a centred clip's lower end
    return l;
}

GridCoordinates compute_grid(const ColumnIndex& layout, const Geometry& g, Side side) {
    const auto n = static_cast<Eigen::Index>(layout.universe.size());
    if (n == 0) throw_input("the layout has no columns", ErrorLocation{});

    Eigen::ArrayXd h1(n), h2(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        h1[i] = layout.universe[static_cast<std::size_t>(i)].hex1;
        h2[i] = layout.universe[static_cast<std::size_t>(i)].hex2;
    }
    h1 -= h1.minCoeff();
    h2 -= h2.minCoeff();
    const Eigen::ArrayXd q = -(h1 - h2) - 3.0;
    const Eigen::ArrayXd r = -h2;
    const double s = g.hex_size * g.spacing;
    Eigen::ArrayXd x = s * 1.5 * q;
    Eigen::ArrayXd y = s * (kSqrt3 / 2 * q + kSqrt3 * r);
    const bool mirrored = side == Side::R;  // right eye reads as the mirror image of the left
    if (mirrored) x = -x;

    const double hs = g.hex_size;
    const double min_x = x.minCoeff() - hs, max_x = x.maxCoeff() + hs;
    const double min_y = y.minCoeff() - hs, max_y = y.maxCoeff() + hs;

    GridCoordinates out;
    out.mirrored = mirrored;
    out.grid_width = max_x - min_x;
    out.grid_height = max_y - min_y;
    // Titles top left and the legend top right share the header band.
    out.header_height = g.margin + std::max(3 * kTitleStep + 6, 5 * kBin + 10);
    out.panel_width = kPanelWidth;
    // The panel must hold the legend and the largest region's buttons.
    std::size_t max_layers = 0;
    for (const auto& r : layout.regions.regions) max_layers = std::max(max_layers, r.layers.size());
    const double panel_height = static_cast<double>(max_layers + 1) * kButtonStep;
    out.width = std::max(g.min_width, std::ceil(2 * g.margin + out.grid_width + kPanelGap + kPanelWidth));
    out.height = std::max({g.min_height, std::ceil(out.header_height + out.grid_height + g.margin),
                           std::ceil(out.header_height + panel_height + g.margin)});
    const double avail_w = out.width - 2 * g.margin - kPanelGap - kPanelWidth;
    out.panel_left = mirrored ? g.margin : out.width - g.margin - kPanelWidth;
    out.grid_left = (mirrored ? g.margin + kPanelWidth + kPanelGap : g.margin) + (avail_w - out.grid_width) / 2;
    out.grid_top = out.header_height + (out.height - out.header_height - g.margin - out.grid_height) / 2;

    x += out.grid_left - min_x;
    y += out.grid_top - min_y;
    out.hex1.resize(static_cast<std::size_t>(n));
    out.hex2.resize(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < layout.universe.size(); ++i) {
        out.hex1[i] = layout.universe[i].hex1;
        out.hex2[i] = layout.universe[i].hex2;
    }
    out.x.resize(static_cast<std::size_t>(n));
    out.y.resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        out.x[static_cast<std::size_t>(i)] = static_cast<float>(x[i]);
        out.y[static_cast<std::size_t>(i)] = static_cast<float>(y[i]);
    }
    return out;
}

LegendBox place_legend(const EyemapData& data, const Style& style, const LegendPlacement& at) {
    LegendBox lg;
    lg.shown = data.has_data_count > 0;
    lg.bin_width = at.bin_width;
    lg.bin_height = at.bar_height / data.scale.classes;  // the bar's height shared by N (exact: 14 for 5 in 70)
    lg.x = at.x;
    lg.y = at.y;
    lg.tick_x = lg.x - at.tick_gap;
    lg.title_x = lg.x + at.bin_width + at.title_gap;
    lg.title_y = lg.y + at.bar_height / 2;
    // The rotated title is centred beside the bar: shortened to what lies between the canvas's top and
    // twice the centre (a long label, or a comparison's "A − B" title, would leave the canvas).
    lg.title = fit_text(std::string(metric_legend_title(data.metric)), 2 * lg.title_y, style.legend_title_size);
    lg.bar_height = at.bar_height;
    lg.all = legend_scale(data.scale, data.format, lg.bar_height, 0.8 * style.tick_size);
    lg.layer = legend_scale(data.layer_scale, data.format, lg.bar_height, 0.8 * style.tick_size);
    // Labels at least 0.8 of the tick font apart (a digit's height, with room): all of them up to 8 bins at 10 px.
    const int step = static_cast<int>(std::ceil(0.8 * style.tick_size / lg.bin_height - 1e-9));
    lg.all.label_step = lg.layer.label_step = std::max(1, step);
    return lg;
}

Scene layout_eyemap(EyemapData data, std::shared_ptr<const GridCoordinates> grid, const Geometry& g,
                    std::shared_ptr<const Style> style, ScaleScope scope, std::shared_ptr<const FillColours> fills) {
    if (!grid || grid->x.size() != data.status.size())
        throw_internal("layout_eyemap: grid does not match the eyemap's columns");
    Scene s;
    s.width = grid->width;
    s.height = grid->height;
    s.hex_size = g.hex_size;
    static const auto default_style = std::make_shared<const Style>();
    s.style = style ? std::move(style) : default_style;
    s.scale_scope = scope;
    s.fills = fills ? std::move(fills)
                    : std::make_shared<const FillColours>(fill_colours(*s.style, "reds", data.scale.continuous ? 5 : data.scale.classes,
                                                                       data.scale.continuous));
    if (s.fills->bins() != data.scale.classes || data.grey_fill != s.fills->grey())
        throw_internal(fmt::format("layout_eyemap: the fills' bins ({}, grey {}) are not the scale's ({}, grey {})", s.fills->bins(), s.fills->grey(), data.scale.classes, data.grey_fill));

    const std::string badge = fmt::format("({})", to_string(data.side));
    const double tx = g.margin;
    s.titles[0] = {tx, g.margin + 12, std::string(metric_title(data.metric)), {}};
    s.titles[1] = {tx, g.margin + 12 + kTitleStep, data.neuron_type, badge};
    s.titles[2] = {tx, g.margin + 12 + 2 * kTitleStep, data.region, badge};

    // Room for the rotated title right of the bins; the five boxes' height (14 px each) shared by N.
    s.legend = place_legend(data, *s.style, LegendPlacement{s.width - g.margin - kBin - 16, g.margin + 2, kBin, 5 * kBin, 4, 9});

    if (data.has_layers()) {
        const std::size_t n = data.layer_count() + 1;
        const double bx = grid->panel_left + (kPanelWidth - kButtonWidth) / 2;
        double by = s.height - g.margin - static_cast<double>(n) * kButtonStep + (kButtonStep - kButtonHeight);
        for (std::size_t i = 0; i < n; ++i, by += kButtonStep)
            s.buttons.push_back({bx, by, kButtonWidth, kButtonHeight, i == 0 ? data.region : data.layer_names[i - 1],
                                 static_cast<int>(i)});
    }
    s.grid = std::move(grid);
    s.data = std::move(data);
    return s;
}

std::vector<FillIndex> fills_for_layer(const EyemapData& d, int layer) {
    if (layer == 0) return d.fill;
    if (layer < 0 || static_cast<std::size_t>(layer) > d.layer_count())
        throw_input(fmt::format("region {} has layers 1..{}", d.region, d.layer_count()),
                    ErrorLocation{{}, 0, "layer", std::to_string(layer)});
    const std::size_t L = d.layer_count();
    std::vector<FillIndex> out(d.fill.size(), kFillWhite);
    for (std::size_t c = 0; c < out.size(); ++c) {
        if (d.status[c] == ColumnStatus::not_in_region) out[c] = d.grey_fill;
        else if (d.has_layers()) out[c] = d.layer_fill[c * L + static_cast<std::size_t>(layer - 1)];
    }
    return out;
}

}  // namespace eyemap

namespace eyemap {

MarkPen mark_pen(double hs, double line) noexcept {
    MarkPen p;
    p.outline = std::max(3 * line, 0.15 * hs);  // three hexagon lines: visible over any fill
    p.dot = 0.5 * hs;
    p.dot_edge = std::max(line, 0.08 * hs);
    return p;
}

std::vector<std::uint8_t> dim_members(std::span<const SceneMarkSet> marks, std::size_t n) {
    std::vector<std::uint8_t> kept;
    for (const SceneMarkSet& m : marks) {
        if (m.style != MarkStyle::dim) continue;
        kept.resize(n);
        for (const std::uint32_t c : m.columns)
            if (c < n) kept[c] = 1;
    }
    return kept;
}

std::vector<SceneMarkSet> scene_marks(const Marks& marks, const ColumnIndex& index, std::string_view region, Side side) {
    std::vector<SceneMarkSet> out;
    if (marks.empty()) return out;
    std::vector<std::vector<std::uint32_t>> cols(marks.sets.size());
    for (const MarkRow& r : marks.rows) {
        if (r.side != side || r.region != region || r.set >= cols.size()) continue;
        const std::int64_t c = index.find(r.hex1, r.hex2);
        if (c >= 0) cols[r.set].push_back(static_cast<std::uint32_t>(c));
    }
    for (std::size_t k = 0; k < marks.sets.size(); ++k) {
        auto& c = cols[k];
        if (c.empty()) continue;
        std::sort(c.begin(), c.end());
        c.erase(std::unique(c.begin(), c.end()), c.end());
        const MarkSet& s = marks.sets[k];
        out.push_back(SceneMarkSet{s.name, s.style, s.colour, std::move(c)});
    }
    return out;
}

double estimated_text_width(std::string_view text, double font) noexcept {
    // Per character, in ems: DejaVu Sans' advance widths by class (the SVG's and cairo's default font;
    // Liberation Sans is narrower), rounded up; 0.75 for any other script's character.
    double ems = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) == 0x80) continue;  // a continuation byte: counted with its lead
        if (c >= 0x80) ems += 0.75;
        else if (c == 'W' || c == 'm' || c == '@' || c == '%') ems += 1.0;
        else if (c == 'M' || c == 'w' || c == '<' || c == '>' || c == '=' || c == '+' || c == '~') ems += 0.86;
        else if (c >= 'A' && c <= 'Z') ems += 0.72;
        else if (c >= '0' && c <= '9') ems += 0.64;
        else if (c == 'i' || c == 'l' || c == 'j' || c == 'I' || c == '.' || c == ',' || c == ':' || c == ';' || c == '\'' || c == '|' || c == '!')
            ems += 0.3;
        else if (c == ' ' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == 'f' || c == 't' || c == 'r' ||
                 c == '-' || c == '/')
            ems += 0.42;
        else ems += 0.62;
    }
    return ems * font;
}

std::string fit_text(std::string text, double room, double font) {
    if (estimated_text_width(text, font) <= room) return text;
    const double ellipsis = estimated_text_width("\u2026", font);
    std::size_t cut = 0;
    for (std::size_t next = 0; next < text.size();) {  // the longest prefix of whole characters that fits
        std::size_t end = next + 1;
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
        if (estimated_text_width(std::string_view(text).substr(0, end), font) + ellipsis > room) break;
        cut = next = end;
    }
    text.resize(cut);
    return text + "\u2026";
}

void place_mark_legend(Scene& s, const Geometry& g) {
    MarkLegend& m = s.mark_legend;
    if (m.shown) {  // placed before (sets added since, e.g. a comparison's): the canvas as it was first
        s.width -= m.added_width;
        s.height -= m.added_height;
        s.legend.x -= m.added_width;
        s.legend.tick_x -= m.added_width;
        s.legend.title_x -= m.added_width;
        m = MarkLegend{};
    }
    if (s.marks.empty()) return;
    m.shown = true;
    m.font = s.style->tick_size;
    m.step = std::max(14.0, m.font + 4);
    m.swatch = 0.36 * m.step;
    m.x = g.margin;
    m.y = s.height - g.margin + 6;  // below the grid and the buttons, the bottom margin kept below the band
    m.added_height = std::ceil(6 + static_cast<double>(s.marks.size()) * m.step);
    s.height += m.added_height;
    double widest = 0;
    for (const auto& set : s.marks) widest = std::max(widest, estimated_text_width(set.name, m.font));
    const double need = std::ceil(m.text_x() + widest + g.margin);
    if (need > s.width) {
        const double dx = need - s.width;
        m.added_width = dx;
        s.width = need;
        s.legend.x += dx;  // the colour legend stays at the right edge
        s.legend.tick_x += dx;
        s.legend.title_x += dx;
    }
}

}  // namespace eyemap

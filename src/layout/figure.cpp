// Figure layout: panel grid, legend strips and labels on a page of a given width in points.
#include "layout/figure.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"

namespace eyemap {
namespace {

// A text's width in points, estimated (no font metrics at layout time): 0.56 em per character is
// Arial's (and Liberation Sans's) average for digits and lower-case letters; only the legend strip's
// width depends on it.
double text_width(std::string_view s, double font) {
    std::size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // one per UTF-8 character
    return static_cast<double>(chars) * 0.56 * font;
}

// `s` shortened to fit `room` points at `font` (estimated as text_width does): cut at a character
// boundary and ended with "…", so a long type name neither leaves the page nor runs into its neighbour (half a line clear of it)
// (the figure's <title> keeps every label whole).
std::string fit_label(std::string s, double room, double font) {
    if (text_width(s, font) <= room) return s;
    const auto keep = static_cast<std::size_t>(std::max(0.0, std::floor(room / (0.56 * font)) - 1));
    std::size_t chars = 0, cut = 0;
    for (; cut < s.size(); ++cut)
        if ((static_cast<unsigned char>(s[cut]) & 0xC0) != 0x80 && chars++ == keep) break;
    s.resize(cut);
    s += "\u2026";
    return s;
}

}  // namespace

FigureScene layout_figure(FigureLayoutInput in) {
    const FigureOptions& o = in.options;
    if (in.rows == 0 || in.columns == 0 || in.panels.size() != in.rows * in.columns || in.legend_of.size() != in.panels.size())
        throw_internal("layout_figure: panels do not fill the grid");
    const double f = o.font_pt;
    FigureScene out;
    out.rows = in.rows;
    out.columns = in.columns;
    out.id = std::move(in.id);
    out.title = std::move(in.title);
    out.width = o.width_mm * kPointsPerMm;
    out.transparent = o.background.empty();

    // Spacing in units of the font: margins and gaps half a line, a label's band 1.5 lines.
    const double margin = 0.5 * f, gap = 0.5 * f, band = 1.5 * f;
    const bool axes = o.labels == FigureLabels::axes, own = o.labels == FigureLabels::panels;
    const double row_band = axes ? band : 0, column_band = axes ? band : 0, panel_band = own ? band : 0;

    // Legend strip: tick labels, a gap, the bar (one font size wide), the rotated title.
    const double bar_width = f, tick_gap = 0.4 * f, title_gap = 1.3 * f;
    double ticks = 0;
    for (std::size_t src : in.legend_source)  // the labels do not depend on the bar's height, but a gradient's thinning
        for (const auto& l : in.panels.at(src).legend.all.labels) ticks = std::max(ticks, text_width(l, f));
    const double strip = ticks + tick_gap + bar_width + title_gap + 0.5 * f + gap;
    const std::size_t strips = o.legend == FigureLegend::column ? in.columns : 1;

    const GridCoordinates& g0 = *in.panels.front().grid;
    const double avail = out.width - 2 * margin - row_band - static_cast<double>(strips) * strip -
                         static_cast<double>(in.columns - 1) * gap;
    const double panel_w = avail / static_cast<double>(in.columns);
    if (!(panel_w >= 2 * f))
        throw_input(fmt::format("{} columns of panels do not fit {} mm (each would be {:.1f} pt wide at {} pt text): give a larger "
                                "width or fewer columns",
                                in.columns, o.width_mm, panel_w, f),
                    ErrorLocation{{}, 0, "width_mm", fmt::format("{}", o.width_mm)});
    const double k = panel_w / g0.grid_width;
    const double panel_h = g0.grid_height * k;
    out.height = std::ceil((2 * margin + column_band + static_cast<double>(in.rows) * (panel_band + panel_h) +
                            static_cast<double>(in.rows - 1) * gap) * 100) / 100;
    // Marks: one legend row per set under the panels (the page grows by them).
    for (const Scene& p : in.panels)
        for (const SceneMarkSet& m : p.marks)
            if (std::none_of(out.mark_keys.begin(), out.mark_keys.end(), [&](const SceneMarkSet& k) { return k.name == m.name; }))
                out.mark_keys.push_back(SceneMarkSet{m.name, m.style, m.colour, {}});
    if (!out.mark_keys.empty()) {
        MarkLegend& ml = out.mark_legend;
        ml.shown = true;
        ml.font = f;
        ml.step = 1.5 * f;
        ml.swatch = 0.5 * f;
        ml.x = margin + row_band;
        ml.y = out.height - margin + gap;
        out.height = std::ceil((out.height + gap + static_cast<double>(out.mark_keys.size()) * ml.step) * 100) / 100;
    }

    auto style = std::make_shared<Style>(in.style);
    style->font_family = o.font_family;
    style->title_size = style->tick_size = style->legend_title_size = f;
    style->hex_stroke_width = o.line_pt / k;  // in scene pixels, drawn scaled by k: line_pt points
    if (!o.background.empty()) style->background = o.background;
    out.style = style;

    const double left = margin + row_band, top = margin + column_band;
    auto column_x = [&](std::size_t c) {
        return left + static_cast<double>(c) * (panel_w + gap + (o.legend == FigureLegend::column ? strip : 0));
    };
    auto row_y = [&](std::size_t r) { return top + static_cast<double>(r) * (panel_band + panel_h + gap) + panel_band; };
    for (std::size_t i = 0; i < in.panels.size(); ++i) {
        const std::size_t r = i / in.columns, c = i % in.columns;
        FigurePanel p;
        p.scene = std::move(in.panels[i]);
        p.scene.style = style;
        p.scene.buttons.clear();  // no layer buttons: a panel shows one layer
        p.x = column_x(c);
        p.y = row_y(r);
        p.scale = k;
        p.id = fmt::format("{}-p{}-{}", out.id, r, c);
        if (own && i < in.panel_labels.size())
            out.labels.push_back({p.x + panel_w / 2, p.y - 0.4 * f, fit_label(in.panel_labels[i], panel_w + gap - 0.5 * f, f), false});
        out.panels.push_back(std::move(p));
    }
    if (axes) {
        for (std::size_t c = 0; c < in.columns && c < in.column_labels.size(); ++c)
            out.labels.push_back({column_x(c) + panel_w / 2, margin + 1.1 * f, fit_label(in.column_labels[c], panel_w + gap - 0.5 * f, f), false});
        for (std::size_t r = 0; r < in.rows && r < in.row_labels.size(); ++r)
            out.labels.push_back({margin + 1.1 * f, row_y(r) + panel_h / 2, fit_label(in.row_labels[r], panel_h + panel_band + gap - 0.5 * f, f), true});
    }

    // Legends: the bar as tall as the panels it serves allow, up to 25 mm, at least 4 lines.
    const double grid_h = static_cast<double>(in.rows) * (panel_band + panel_h) + static_cast<double>(in.rows - 1) * gap;
    const auto slot_of = [&](std::size_t l) { return in.legend_slot.empty() ? l : in.legend_slot.at(l); };
    for (std::size_t l = 0; l < in.legend_source.size(); ++l) {
        const Scene& src = out.panels.at(in.legend_source[l]).scene;
        const std::size_t slot = slot_of(l);
        double x = 0, y0 = 0, h = 0;  // the strip's left and the span it is centred in
        switch (o.legend) {
            case FigureLegend::figure: x = column_x(in.columns - 1) + panel_w + gap, y0 = top, h = grid_h; break;
            case FigureLegend::row: x = column_x(in.columns - 1) + panel_w + gap, y0 = row_y(slot) - panel_band, h = panel_band + panel_h; break;
            case FigureLegend::column: x = column_x(slot) + panel_w + gap, y0 = top, h = grid_h; break;
        }
        // Legends sharing the strip (a comparison's values and difference) split its span.
        std::size_t shared = 0, nth = 0;
        for (std::size_t k = 0; k < in.legend_source.size(); ++k)
            if (slot_of(k) == slot) nth += k < l, ++shared;
        h /= static_cast<double>(shared);
        y0 += h * static_cast<double>(nth);
        const double bar = std::min(h, std::max(std::min(0.8 * h, 25 * kPointsPerMm), 4 * f));
        Scene s;
        s.width = out.width;
        s.height = out.height;
        s.style = style;
        s.fills = src.fills;
        s.grid = src.grid;
        s.data.metric = src.data.metric;
        s.data.scale = src.data.scale;
        s.data.format = src.data.format;
        s.data.has_data_count = 0;
        for (std::size_t i = 0; i < out.panels.size(); ++i)
            if (in.legend_of[i] == l) s.data.has_data_count += out.panels[i].scene.data.has_data_count;
        s.legend = place_legend(s.data, *style, LegendPlacement{x + ticks + tick_gap, y0 + (h - bar) / 2, bar_width, bar, tick_gap, title_gap});
        s.legend.shown = s.legend.shown && s.data.scale.bins > 0;
        make_drawable(s.legend.title);
        // The rotated title runs along the strip's part: shortened to it (a comparison stacks two legends).
        s.legend.title = fit_label(s.legend.title, h - 0.5 * f, f);
        out.legend_ids.push_back(fmt::format("{}-l{}", out.id, l));
        out.legends.push_back(std::move(s));
    }
    return out;
}

}  // namespace eyemap

// Figure SVG: the page, labels, and each panel and legend through the eyemaps' own writers.
#include "render/figure_render.hpp"

#include "core/number.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "render/svg_frame.hpp"
#include "render/template_guard.hpp"

namespace eyemap {

void write_figure_svg(const FigureScene& fig, const TemplateSet& templates, fmt::memory_buffer& out) {
    using detail::append_number;
    const auto lit = [&](std::string_view s) { out.append(s); };
    lit("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"");
    lit(fig.id);
    // role="img" makes its content presentational, which would hide the hexagons' links: with a
    // column link the figure is a graphics document, as a linked eyemap is.
    const bool linked = fig.panels.front().scene.column_link != nullptr;
    lit(linked ? "\" class=\"eyemap-figure\" role=\"graphics-document\" aria-labelledby=\"" : "\" class=\"eyemap-figure\" role=\"img\" aria-labelledby=\"");
    lit(fig.id);
    lit("-title\" width=\"");
    append_decimal(out, fig.width / kPointsPerMm, 3);
    lit("mm\" height=\"");
    append_decimal(out, fig.height / kPointsPerMm, 3);
    lit("mm\" viewBox=\"0 0 ");
    append_number(out, fig.width);
    out.push_back(' ');
    append_number(out, fig.height);
    lit("\">\n<title id=\"");
    lit(fig.id);
    lit("-title\">");
    append_xml_escaped(out, fig.title);
    lit("</title>\n");
    if (const Provenance* p = fig.panels.front().scene.provenance.get(); p && !p->empty())
        detail::append_provenance_metadata(out, fig.id, *p);
    lit("<style><![CDATA[\n");
    // The eyemaps' stylesheet under the figure's id (fonts, hexagon lines, ticks), and the labels' anchor.
    const std::string css = detail::render_style_css(fig.panels.front().scene, templates, fig.id);
    if (css.find("]]>") != std::string::npos) throw_input("style template must not contain ']]>'", ErrorLocation{});
    lit(css);
    lit("#");
    lit(fig.id);
    lit(" .em-flabel{text-anchor:middle}\n]]></style>\n");
    if (!fig.transparent) {
        lit("<rect class=\"em-bg\" width=\"");
        append_number(out, fig.width);
        lit("\" height=\"");
        append_number(out, fig.height);
        lit("\" fill=\"");
        lit(fig.style->background);
        lit("\"/>\n");
    }
    for (const FigureText& t : fig.labels) {
        lit("<text class=\"em-title em-flabel\" ");
        if (t.rotated) {
            lit("x=\"0\" y=\"0\" transform=\"translate(");
            append_number(out, t.x);
            out.push_back(',');
            append_number(out, t.y);
            lit(") rotate(-90)\">");
        } else {
            lit("x=\"");
            append_number(out, t.x);
            lit("\" y=\"");
            append_number(out, t.y);
            lit("\">");
        }
        append_xml_escaped(out, t.text);
        lit("</text>\n");
    }
    for (const FigurePanel& p : fig.panels) {
        const EyemapData& d = p.scene.data;
        lit("<g id=\"");
        lit(p.id);
        lit("\" class=\"em-panel\" data-type=\"");
        append_xml_escaped(out, d.neuron_type);
        lit("\" data-region=\"");
        append_xml_escaped(out, d.region);
        lit("\" data-side=\"");
        lit(to_string(d.side));
        lit("\" data-metric=\"");
        append_xml_escaped(out, to_string(d.metric));
        lit("\">\n<defs><path id=\"");
        lit(p.id);
        lit("-h\" d=\"");
        lit(detail::hex_path_data(p.scene.hex_size));
        lit("\"/></defs>\n<g class=\"em-hexes\" transform=\"translate(");
        append_decimal(out, p.offset_x(), 3);
        out.push_back(',');
        append_decimal(out, p.offset_y(), 3);
        lit(") scale(");
        append_decimal(out, p.scale, 6);
        lit(")\">\n");
        detail::append_hexagons(out, p.scene, p.id);  // closes the group
        if (!p.scene.marks.empty()) {
            fmt::memory_buffer at;  // the same transform as the hexagons'
            at.append(std::string_view(" transform=\"translate("));
            append_decimal(at, p.offset_x(), 3);
            at.push_back(',');
            append_decimal(at, p.offset_y(), 3);
            at.append(std::string_view(") scale("));
            append_decimal(at, p.scale, 6);
            at.append(std::string_view(")\""));
            detail::append_marks(out, p.scene, std::string_view(at.data(), at.size()));
        }
        lit("</g>\n");
    }
    for (std::size_t l = 0; l < fig.legends.size(); ++l) {
        lit("<g id=\"");
        lit(fig.legend_ids[l]);
        lit("\" class=\"em-flegend\">\n");
        detail::append_legend(out, fig.legends[l], fig.legend_ids[l]);
        lit("</g>\n");
    }
    // Lines in points there: the panels' (their style's width is in scene pixels, drawn scaled).
    detail::append_mark_legend(out, fig.mark_keys, fig.mark_legend, *fig.style, fig.style->hex_stroke_width * fig.panels.front().scale);
    lit("</svg>\n");
}

}  // namespace eyemap

// Batch HTML: one page per type (its eyemaps' SVG inlined) and index.html; raster dispatch.
#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "output/sink.hpp"
#include "render/svg.hpp"

// PNG/PDF come from the raster backend when it is part of the library.
namespace eyemap {
namespace {

void esc(fmt::memory_buffer& out, std::string_view text) { append_xml_escaped(out, text); }

void put(fmt::memory_buffer& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

constexpr std::string_view kStyle = R"(<style>
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:1.5em;color:#222;background:#fff}
a{color:#1f5fa8}
h1{font-size:1.6em;margin:.3em 0}
h2{font-size:1.2em;margin:1.2em 0 .5em}
.meta{color:#555}
.maps{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
figure{margin:0;border:1px solid #ddd;padding:6px;background:#fff}
figure svg{display:block;max-width:100%;height:auto}
figcaption{font-size:13px;margin-top:4px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f3f3f3;position:sticky;top:0}
td:first-child,th:first-child{text-align:left}
tbody tr:nth-child(even){background:#fafafa}
td.z{color:#aaa}
.notice{background:#fff4d6;border:1px solid #e6c35c;padding:.5em .8em}
</style>
)";

void page_head(fmt::memory_buffer& out, std::string_view title) {
    // Polyglot markup: valid HTML that is also well-formed XML (tests parse it with an XML parser).
    put(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>");
    esc(out, title);
    put(out, "</title>\n");
    put(out, kStyle);
    put(out, "</head>\n<body>\n");
}

std::string_view format_label(OutputFormat f) {
    switch (f) {
        case OutputFormat::svg: return "SVG";
        case OutputFormat::png: return "PNG";
        case OutputFormat::pdf: return "PDF";
        case OutputFormat::html: return "page";
    }
    return "?";
}

std::string_view metric_short(Metric m) { return m == Metric::synapse_density ? "synapses" : "cells"; }

const OutputRecord* page_of(const TypeRecord& t) {
    for (const auto& o : t.outputs)
        if (o.format == OutputFormat::html) return &o;
    return nullptr;
}

}  // namespace

std::string render_type_page(const TypeRecord& type, std::span<const std::string_view> svgs) {
    fmt::memory_buffer out;
    page_head(out, fmt::format("{} \u00b7 eyemaps", type.neuron_type));
    put(out, "<nav><a href=\"../index.html\">&#8592; All types</a></nav>\n<h1>");
    esc(out, type.neuron_type);
    put(out, "</h1>\n");
    fmt::format_to(std::back_inserter(out), "<p class=\"meta\">{} rows \u00b7 {} eyemaps</p>\n", type.rows, type.eyemaps.size());

    // Grouped by metric (in the order the eyemaps come), each group a row of figures.
    std::vector<Metric> metrics;
    for (const auto& e : type.eyemaps)
        if (std::find(metrics.begin(), metrics.end(), e.request.metric) == metrics.end()) metrics.push_back(e.request.metric);
    for (Metric m : metrics) {
        put(out, "<section>\n<h2>");
        esc(out, metric_label(m));
        put(out, "</h2>\n<div class=\"maps\">\n");
        for (std::size_t i = 0; i < type.eyemaps.size(); ++i) {
            const auto& e = type.eyemaps[i];
            if (e.request.metric != m) continue;
            put(out, "<figure>\n");
            if (i < svgs.size()) {
                put(out, svgs[i]);
                if (!svgs[i].empty() && svgs[i].back() != '\n') out.push_back('\n');
            }
            put(out, "<figcaption>");
            esc(out, e.request.region);
            fmt::format_to(std::back_inserter(out), " ({}) \u00b7 {} columns with data", to_string(e.request.side), e.has_data);
            for (const auto& o : type.outputs) {
                if (o.eyemap != static_cast<int>(i)) continue;
                put(out, " \u00b7 <a href=\"../");
                esc(out, o.path);
                put(out, "\" download=\"\">");
                put(out, format_label(o.format));
                put(out, "</a>");
            }
            put(out, "</figcaption>\n</figure>\n");
        }
        put(out, "</div>\n</section>\n");
    }
    put(out, "</body>\n</html>\n");
    return fmt::to_string(out);
}

std::string render_index_page(std::span<const TypeRecord> types_in, std::span<const IndexNotice> notices) {
    std::vector<const TypeRecord*> types;
    types.reserve(types_in.size());
    for (const auto& t : types_in) types.push_back(&t);
    std::stable_sort(types.begin(), types.end(), [](const TypeRecord* a, const TypeRecord* b) {
        return a->seq != b->seq ? a->seq < b->seq : a->neuron_type < b->neuron_type;
    });
    // Columns: every (region, side, metric) in order of first appearance.
    std::vector<EyemapRequest> cols;
    std::uint64_t eyemaps = 0;
    for (const auto* t : types) {
        eyemaps += t->eyemaps.size();
        for (const auto& e : t->eyemaps) {
            const bool known = std::any_of(cols.begin(), cols.end(), [&](const EyemapRequest& r) {
                return r.region == e.request.region && r.side == e.request.side && r.metric == e.request.metric;
            });
            if (!known) cols.push_back(e.request);
        }
    }

    fmt::memory_buffer out;
    page_head(out, "Eyemaps");
    put(out, "<h1>Eyemaps</h1>\n");
    fmt::format_to(std::back_inserter(out), "<p class=\"meta\">{} types \u00b7 {} eyemaps. Numbers: columns with data per eyemap.</p>\n",
                   types.size(), eyemaps);
    for (const auto& n : notices) {
        put(out, "<p class=\"notice\">");
        esc(out, n.text);
        put(out, "</p>\n");
    }
    put(out, "<table>\n<thead><tr><th>Type</th><th>Rows</th>");
    for (const auto& c : cols) {
        put(out, "<th>");
        esc(out, c.region);
        fmt::format_to(std::back_inserter(out), " {}<br />{}</th>", to_string(c.side), metric_short(c.metric));
    }
    put(out, "</tr></thead>\n<tbody>\n");
    for (const auto* t : types) {
        put(out, "<tr><td>");
        const OutputRecord* link = page_of(*t);
        if (!link && !t->outputs.empty()) link = &t->outputs.front();
        if (link) {
            put(out, "<a href=\"");
            esc(out, link->path);
            put(out, "\">");
            esc(out, t->neuron_type);
            put(out, "</a>");
        } else {
            esc(out, t->neuron_type);
        }
        fmt::format_to(std::back_inserter(out), "</td><td>{}</td>", t->rows);
        for (const auto& c : cols) {
            auto it = std::find_if(t->eyemaps.begin(), t->eyemaps.end(), [&](const EyemapRecord& e) {
                return e.request.region == c.region && e.request.side == c.side && e.request.metric == c.metric;
            });
            if (it == t->eyemaps.end()) put(out, "<td></td>");
            else if (it->has_data == 0) put(out, "<td class=\"z\">0</td>");
            else fmt::format_to(std::back_inserter(out), "<td>{}</td>", it->has_data);
        }
        put(out, "</tr>\n");
    }
    put(out, "</tbody>\n</table>\n</body>\n</html>\n");
    return fmt::to_string(out);
}

}  // namespace eyemap

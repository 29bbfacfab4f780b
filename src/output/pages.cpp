// Release site: one page per type (its eyemaps by reference), index.html, shared site files and
// thumbnails, all from Mustache templates (templates/*.html|css|js.mustache).
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include <unordered_set>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "output/pages.hpp"

#include "core/links.hpp"
#include "core/number.hpp"
#include "render/template_guard.hpp"

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "render/svg.hpp"


namespace eyemap {
namespace {

using kainjow::mustache::data;

const TemplateSet& template_set(const std::shared_ptr<const TemplateSet>& t) { return t ? *t : *builtin_templates(); }

// The site's templates: {{x}} is XML/HTML-escaped (text and attribute values alike), {{{x}}} is
// only used for text escaped here for its context (JSON in <script>).
using detail::render_template;

std::string_view format_label(FileFormat f) {
    if (const auto e = eyemap_format(f)) return words(*e).label;
    return "page";
}

const OutputRecord* page_of(const TypeRecord& t) {
    for (const auto& o : t.outputs)
        if (o.format == FileFormat::html) return &o;
    return nullptr;
}

const OutputRecord* thumb_of(const TypeRecord& t) {
    for (const auto& o : t.outputs)
        if (o.eyemap < 0 && o.format == FileFormat::svg) return &o;
    return nullptr;
}

// Page numbers: at most two decimals; nothing for a value that is not finite.
std::string num(double v) { return std::isfinite(v) ? decimal_text(v, 2) : std::string(); }

std::string side_name(Side s) { return std::string(to_string(s)); }

// JSON for a <script> element (or a .js file): invalid UTF-8 replaced; '<', '>', '&', U+2028 and U+2029
// written as \u escapes, so the text can neither end the element nor break a JavaScript parser.
std::string script_json(const nlohmann::ordered_json& j) {
    return detail::script_safe_json(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace

namespace detail {

std::string url_path(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (unsigned char c : path) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~' || c == '/')
            out.push_back(static_cast<char>(c));
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string script_safe_json(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + 16);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '<') out += "\\u003c";
        else if (c == '>') out += "\\u003e";
        else if (c == '&') out += "\\u0026";
        else if (c == '\xe2' && i + 2 < raw.size() && raw[i + 1] == '\x80' && (raw[i + 2] == '\xa8' || raw[i + 2] == '\xa9')) {
            out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else out.push_back(c);
    }
    return out;
}

}  // namespace detail

using detail::url_path;

namespace {

// The footer's dataset (pages without one are as before: nothing is set).
void set_provenance(data& d, const ReleaseLinks& l) {
    const Provenance p{l.dataset_label, l.dataset_version, l.input_digest};
    if (!p.empty()) d.set("provenance", data("sentence", p.sentence()));
}

// A type's link out: its URL and the host the link text names.
data type_link(const LinkTemplate& t, std::string_view neuron_type) {
    data l("href", t.expand(LinkValues{neuron_type, {}, {}, 0, 0}));
    l.set("host", std::string(t.host()));
    l.set("name", std::string(neuron_type));
    return l;
}

std::optional<LinkTemplate> type_link_template(const ReleaseLinks& l) {
    if (l.type_link.empty()) return std::nullopt;
    return LinkTemplate(l.type_link, LinkTemplate::Kind::type, "type_link");
}

}  // namespace

std::string render_type_page(const TypeRecord& type, const TypePageSettings& options) {
    const TemplateSet& set = template_set(options.templates);
    data d;
    d.set("name", type.neuron_type);
    d.set("rows", fmt::format("{}", type.rows));
    // A comparison's eyemaps (part a, b, difference) have a section of their own, after the type's.
    const auto own = [](const EyemapRecord& e) { return e.part == ComparePart::none; };
    d.set("eyemap_count", fmt::format("{}", std::count_if(type.eyemaps.begin(), type.eyemaps.end(), own)));
    if (const auto t = type_link_template(options.links)) d.set("type_link", type_link(*t, type.neuron_type));
    set_provenance(d, options.links);

    nlohmann::ordered_json j;
    j["name"] = type.neuron_type;
    j["key"] = type.file_key;
    nlohmann::ordered_json jm = nlohmann::ordered_json::array();

    // Summary table: one row per eyemap, in the order the eyemaps come.
    data summary{data::type::list};
    for (const auto& e : type.eyemaps) {
        if (!own(e)) continue;
        data r;
        r.set("region", e.request.region);
        r.set("side", side_name(e.request.side));
        r.set("metric", std::string(metric_label(e.request.metric)));
        r.set("with_data", fmt::format("{}", e.has_data));
        r.set("columns", fmt::format("{}", e.summary ? e.summary->columns_in_region : e.has_data + e.no_data));
        if (e.has_data == 0) r.set("zero", true);
        if (const auto& s = e.summary) {
            if (s->counts) {
                r.set("total", fmt::format("{}", s->total));
                r.set("mean", e.has_data ? num(s->mean) : std::string("\u2013"));
                r.set("median", e.has_data ? num(s->median) : std::string("\u2013"));
                r.set("min", e.has_data ? fmt::format("{}", s->min_value) : std::string("\u2013"));
                r.set("max", fmt::format("{}", s->max));
                r.set("scale", fmt::format("{} \u2013 {} ({})", num(s->scale_min), num(s->scale_max), to_string(s->scale_method)));
            } else {
                // A value column: no total (a sum of signed or fractional values means nothing); numbers
                // as its eyemaps print them.
                const auto v = [&](double x) { return e.has_data ? format_value(x, s->format) : std::string("\u2013"); };
                r.set("total", std::string("\u2013"));
                r.set("mean", v(s->mean));
                r.set("median", v(s->median));
                r.set("min", v(s->min_value));
                r.set("max", v(s->max_value));
                r.set("scale", fmt::format("{} \u2013 {} ({})", format_value(s->scale_min, s->format), format_value(s->scale_max, s->format),
                                           to_string(s->scale_method)));
            }
        } else {
            for (const char* k : {"total", "mean", "median", "min", "max", "scale"}) r.set(k, std::string("?"));
        }
        summary.push_back(r);
    }
    d.set("summary", summary);
    // A Min column when a value column is drawn (counts alone: the page as before).
    if (std::any_of(type.eyemaps.begin(), type.eyemaps.end(), [&](const auto& e) { return own(e) && !e.request.metric.is_count(); }))
        d.set("has_values", true);

    // Metrics in order of first appearance; the first is shown first.
    std::vector<Metric> metrics;
    for (const auto& e : type.eyemaps)
        if (own(e) && std::find(metrics.begin(), metrics.end(), e.request.metric) == metrics.end()) metrics.push_back(e.request.metric);
    data mlist{data::type::list};
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        data m;
        m.set("key", std::string(to_string(metrics[i])));
        m.set("label", std::string(metric_label(metrics[i])));
        if (i == 0) m.set("first", true);
        mlist.push_back(m);
    }
    d.set("metrics", mlist);

    // The grid: one section per region (first appearance), its eyemaps by side, then metric.
    std::vector<std::string> regions;
    for (const auto& e : type.eyemaps)
        if (own(e) && std::find(regions.begin(), regions.end(), e.request.region) == regions.end()) regions.push_back(e.request.region);
    const std::string w = num(options.eyemap_width > 0 ? std::ceil(options.eyemap_width) : 380);
    const std::string h = num(options.eyemap_height > 0 ? std::ceil(options.eyemap_height) : 410);
    data rlist{data::type::list};
    for (const auto& region : regions) {
        data r;
        r.set("region", region);
        std::vector<std::size_t> idx;
        bool any = false;
        for (Side side : {Side::L, Side::R})
            for (Metric m : metrics)
                for (std::size_t i = 0; i < type.eyemaps.size(); ++i) {
                    const auto& q = type.eyemaps[i].request;
                    if (own(type.eyemaps[i]) && q.region == region && q.side == side && q.metric == m) idx.push_back(i), any = any || type.eyemaps[i].has_data > 0;
                }
        if (!any && !options.empty_maps) r.set("empty", true);
        data maps{data::type::list};
        for (std::size_t i : idx) {
            const auto& e = type.eyemaps[i];
            data m;
            m.set("region", region);
            m.set("side", side_name(e.request.side));
            m.set("metric", std::string(to_string(e.request.metric)));
            m.set("metric_label", std::string(metric_label(e.request.metric)));
            if (e.request.metric == metrics.front()) m.set("first_metric", true);  // the others start hidden (not loaded)
            m.set("with_data", fmt::format("{}", e.has_data));
            m.set("columns", fmt::format("{}", e.summary ? e.summary->columns_in_region : e.has_data + e.no_data));
            data downloads{data::type::list};
            const OutputRecord* svg = nullptr;
            for (const auto& o : type.outputs) {
                if (o.eyemap != static_cast<int>(i)) continue;
                if (o.format == FileFormat::svg && !svg) svg = &o;
                data dl;
                dl.set("href", "../" + url_path(o.path));
                dl.set("label", std::string(format_label(o.format)));
                downloads.push_back(dl);
            }
            m.set("downloads", downloads);
            if (svg && (e.has_data > 0 || options.empty_maps)) {
                m.set("frame", true);
                m.set("src", "../" + url_path(svg->path));
                m.set("width", w);
                m.set("height", h);
                m.set("title", fmt::format("{} {} ({}) {}", type.neuron_type, region, to_string(e.request.side), metric_label(e.request.metric)));
            }
            maps.push_back(m);
            nlohmann::ordered_json je;
            je["region"] = region;
            je["side"] = side_name(e.request.side);
            je["metric"] = std::string(to_string(e.request.metric));
            je["has_data"] = e.has_data;
            je["svg"] = svg ? "../" + url_path(svg->path) : std::string();
            jm.push_back(std::move(je));
        }
        r.set("maps", maps);
        rlist.push_back(r);
    }
    d.set("regions", rlist);
    j["eyemaps"] = std::move(jm);

    // The comparison: per eyemap A, B and their difference side by side, and the change per metric.
    if (options.baseline) {
        data c;
        c.set("label_a", options.baseline->label_a);
        c.set("label_b", options.baseline->label_b);
        if (type.only_in_data) c.set("only_in_data", true);
        data changes{data::type::list};
        for (const auto& ch : type.changes) {
            data x;
            x.set("metric", std::string(metric_label(ch.metric)));
            x.set("score", std::isnan(ch.score) ? std::string("\u2013") : fmt::format("{:.3f}", ch.score));
            x.set("columns", fmt::format("{}", ch.columns));
            x.set("only_a", fmt::format("{}", ch.only_a));
            x.set("only_b", fmt::format("{}", ch.only_b));
            changes.push_back(x);
        }
        c.set("changes", changes);
        data triples{data::type::list};
        for (std::size_t i = 0; i + 2 < type.eyemaps.size(); ++i) {
            if (type.eyemaps[i].part != ComparePart::a) continue;
            data t;
            const auto& q = type.eyemaps[i].request;
            t.set("caption", fmt::format("{} ({}) \u00b7 {}", q.region, to_string(q.side), metric_label(q.metric)));
            // The page's metric switch and layer sync reach these frames too (the difference's metric is A's).
            const bool first = !metrics.empty() && q.metric == metrics.front();
            t.set("metric", std::string(to_string(q.metric)));
            if (first) t.set("first_metric", true);
            t.set("region", q.region);
            t.set("side", side_name(q.side));
            data cells{data::type::list};
            for (std::size_t k = i; k < i + 3; ++k) {
                const auto& e = type.eyemaps[k];
                data cell;
                const auto cell_label = [&](ComparePart p) {
                    return p == ComparePart::a ? options.baseline->label_a
                           : p == ComparePart::b ? options.baseline->label_b
                                                 : std::string(metric_label(e.request.metric));
                };
                cell.set("label", cell_label(e.part));
                for (const auto& o : type.outputs)
                    if (o.eyemap == static_cast<int>(k) && o.format == FileFormat::svg) {
                        cell.set("src", "../" + url_path(o.path));
                        break;
                    }
                cell.set("width", w);
                cell.set("height", h);
                cell.set("region", q.region);
                if (first) cell.set("first_metric", true);
                cell.set("title", fmt::format("{} {} ({}) {}{}", type.neuron_type, q.region, to_string(q.side), metric_label(e.request.metric),
                                              e.part == ComparePart::difference ? std::string() : ", " + std::string(cell_label(e.part))));
                cells.push_back(cell);
            }
            t.set("cells", cells);
            triples.push_back(t);
        }
        c.set("triples", triples);
        d.set("compare", c);
    }
    d.set("json", script_json(j));
    return render_template(set, "page.html.mustache", d);
}

std::string render_index_page(std::span<const TypeRecord> types_in, std::span<const IndexNotice> notices,
                              const std::shared_ptr<const TemplateSet>& templates, bool report_link, const ReleaseLinks& links,
                              const std::optional<Manifest::Baseline>& baseline) {
    std::vector<const TypeRecord*> types;
    types.reserve(types_in.size());
    for (const auto& t : types_in) types.push_back(&t);
    std::stable_sort(types.begin(), types.end(), [](const TypeRecord* a, const TypeRecord* b) {
        return a->seq != b->seq ? a->seq < b->seq : a->neuron_type < b->neuron_type;
    });
    // Region/side columns in order of first appearance; metrics present.
    struct Col {
        std::string region;
        Side side;
    };
    std::vector<Col> cols;
    std::vector<std::string> regions;
    bool has_syn = false, has_cells = false;
    std::vector<Metric> values;  // value columns drawn, in order of first appearance
    std::uint64_t eyemaps = 0;
    for (const auto* t : types) {
        for (const auto& e : t->eyemaps) {
            if (e.part != ComparePart::none) continue;  // a comparison's: counted on the type's page
            ++eyemaps;
            has_syn = has_syn || e.request.metric == Metric::synapses;
            has_cells = has_cells || e.request.metric == Metric::cells;
            if (!e.request.metric.is_count() && std::find(values.begin(), values.end(), e.request.metric) == values.end())
                values.push_back(e.request.metric);
            if (std::find(regions.begin(), regions.end(), e.request.region) == regions.end()) regions.push_back(e.request.region);
            const bool known = std::any_of(cols.begin(), cols.end(), [&](const Col& c) { return c.region == e.request.region && c.side == e.request.side; });
            if (!known) cols.push_back(Col{e.request.region, e.request.side});
        }
    }
    std::stable_sort(cols.begin(), cols.end(), [&](const Col& a, const Col& b) {
        const auto ra = std::find(regions.begin(), regions.end(), a.region) - regions.begin();
        const auto rb = std::find(regions.begin(), regions.end(), b.region) - regions.begin();
        return ra != rb ? ra < rb : a.side < b.side;
    });

    data d;
    d.set("type_count", fmt::format("{}", types.size()));
    d.set("eyemap_count", fmt::format("{}", eyemaps));
    data nl{data::type::list};
    for (const auto& n : notices) nl.push_back(data("text", n.text));
    d.set("notices", nl);
    data rl{data::type::list};
    for (const auto& r : regions) rl.push_back(data("name", r));
    d.set("regions", rl);
    data cl{data::type::list};
    auto head = [&](std::string_view kind, std::string label) {
        data c;
        c.set("kind", std::string(kind));
        c.set("label", std::move(label));
        return c;
    };
    cl.push_back(head("name", "Type"));
    cl.push_back(head("rows", "Rows"));
    if (has_syn) cl.push_back(head("synapses", "Synapses"));
    if (has_cells) cl.push_back(head("cells", "Cells"));
    for (const Metric& m : values) cl.push_back(head("value", fmt::format("{} (mean)", metric_label(m))));
    // A comparison: the change of the first metric compared, 0 (the same) .. 1 (disjoint); sortable.
    if (baseline) cl.push_back(head("change", fmt::format("Change vs {}", baseline->label_b)));
    for (const auto& c : cols) {
        data h = head("columns", fmt::format("{} {}", c.region, to_string(c.side)));
        h.set("region", c.region);
        h.set("side", side_name(c.side));
        cl.push_back(h);
    }
    d.set("columns", cl);

    const auto link_out = type_link_template(links);  // checked once, expanded per row
    if (link_out) d.set("type_links", true);
    set_provenance(d, links);
    data tl{data::type::list};
    for (const auto* t : types) {
        data row;
        row.set("name", t->neuron_type);
        if (link_out) row.set("ext", type_link(*link_out, t->neuron_type));
        const OutputRecord* link = page_of(*t);
        if (!link && !t->outputs.empty()) link = &t->outputs.front();
        if (link) row.set("href", url_path(link->path));
        if (const OutputRecord* th = thumb_of(*t)) {
            row.set("thumb", url_path(th->path));
            row.set("thumb_w", fmt::format("{}", (static_cast<int>(regions.size()) * (detail::kThumbCells + 2) - 2) * 3 / 2));
            row.set("thumb_h", fmt::format("{}", detail::kThumbCells * 3 / 2));
        }
        data cells{data::type::list};
        auto cell = [&](std::string v, bool z) {
            data c("v", std::move(v));
            if (z) c.set("z", true);
            cells.push_back(c);
        };
        cell(fmt::format("{}", t->rows), false);
        for (Metric m : {Metric::synapses, Metric::cells}) {
            if ((m == Metric::synapses && !has_syn) || (m == Metric::cells && !has_cells)) continue;
            std::int64_t total = 0;
            bool known = false;
            for (const auto& e : t->eyemaps)
                if (e.part == ComparePart::none && e.request.metric == m && e.summary) {
                    // Each total fits in int64; their sum over regions and sides may not.
                    if (__builtin_add_overflow(total, e.summary->total, &total))
                        throw_input(fmt::format("the {} of all eyemaps add up to more than 9223372036854775807 (2^63 - 1)",
                                                m == Metric::synapses ? "synapses" : "cells"),
                                    ErrorLocation{{}, 0, "neuron_type", t->neuron_type});
                    known = true;
                }
            cell(known ? fmt::format("{}", total) : std::string(), known && total == 0);
        }
        // A value column: its mean over the type's columns with data (all regions and sides).
        for (const Metric& m : values) {
            double sum = 0;
            std::uint64_t n = 0;
            ValueFormat format;
            for (const auto& e : t->eyemaps)
                if (e.part == ComparePart::none && e.request.metric == m && e.summary && e.summary->columns_with_data) {
                    sum += e.summary->mean * static_cast<double>(e.summary->columns_with_data);
                    n += e.summary->columns_with_data;
                    format = e.summary->format;
                }
            cell(n ? format_value(sum / static_cast<double>(n), format) : std::string(), false);
        }
        if (baseline) {
            if (t->only_in_data) cell(fmt::format("only in {}", baseline->label_a), false);
            else if (t->changes.empty() || std::isnan(t->changes.front().score)) cell(std::string(), false);
            else cell(fmt::format("{:.3f}", t->changes.front().score), t->changes.front().score == 0);
        }
        for (const auto& c : cols) {
            bool present = false;
            std::uint64_t best = 0;
            for (const auto& e : t->eyemaps)
                if (e.part == ComparePart::none && e.request.region == c.region && e.request.side == c.side)
                    present = true, best = std::max(best, e.has_data);
            cell(present ? fmt::format("{}", best) : std::string(), present && best == 0);
        }
        row.set("cells", cells);
        tl.push_back(row);
    }
    d.set("types", tl);
    if (report_link) d.set("report", true);
    if (baseline) {  // types in only one of the two datasets, listed apart
        data c;
        c.set("label_a", baseline->label_a);
        c.set("label_b", baseline->label_b);
        data only_a{data::type::list}, only_b{data::type::list};
        std::size_t n_a = 0, n_b = 0;
        std::unordered_set<std::string_view> in_data;
        for (const auto* t : types) {
            in_data.insert(t->neuron_type);
            if (t->only_in_data) only_a.push_back(data("name", t->neuron_type)), ++n_a;
        }
        for (const auto& name : baseline->types)
            if (!in_data.count(name)) only_b.push_back(data("name", name)), ++n_b;
        c.set("only_a", only_a);
        c.set("only_b", only_b);
        c.set("count_a", fmt::format("{}", n_a));
        c.set("count_b", fmt::format("{}", n_b));
        d.set("compare", c);
    }
    return render_template(template_set(templates), "index.html.mustache", d);
}

std::vector<std::pair<std::string, std::string>> render_site_assets(std::span<const TypeRecord> types_in,
                                                                    const std::shared_ptr<const TemplateSet>& templates) {
    const TemplateSet& set = template_set(templates);
    std::vector<const TypeRecord*> types;
    for (const auto& t : types_in) types.push_back(&t);
    std::stable_sort(types.begin(), types.end(), [](const TypeRecord* a, const TypeRecord* b) {
        return a->seq != b->seq ? a->seq < b->seq : a->neuron_type < b->neuron_type;
    });
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto* t : types)
        if (page_of(*t)) list.push_back(nlohmann::ordered_json::array({t->file_key, t->neuron_type}));
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("site.css", render_template(set, "site.css.mustache", data()));
    out.emplace_back("site.js", render_template(set, "site.js.mustache", data()));
    out.emplace_back("types.js", "// The run's types in input order, [file key, name]: the pages' previous/next links.\nwindow.eyemapTypes = " +
                                     script_json(list) + ";\n");
    return out;
}

// ---------------------------------------------------------------------------------------------
// Thumbnails

namespace detail {

std::string render_thumbnail(std::span<const RenderedEyemap> maps, const FillColours& fills) {
    // One map per region (first appearance): the side with more columns with data (L on a tie),
    // the first eyemap of that region and side (the first metric).
    std::vector<const RenderedEyemap*> pick;
    for (const auto& m : maps) {
        if (m.part != ComparePart::none || m.request.metric != maps.front().request.metric) continue;
        auto it = std::find_if(pick.begin(), pick.end(), [&](const RenderedEyemap* p) { return p->request.region == m.request.region; });
        if (it == pick.end()) pick.push_back(&m);
        else if (m.has_data > (*it)->has_data) *it = &m;
    }
    constexpr int G = kThumbCells, gap = 2;
    const int width = std::max(1, static_cast<int>(pick.size()) * (G + gap) - gap);
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out),
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" shape-rendering=\"crispEdges\">",
                   width * 3 / 2, G * 3 / 2, width, G);
    // One path per colour: runs of equal cells per row.
    for (std::uint8_t colour = 1; colour <= fills.colour.size(); ++colour) {
        if (colour - 1 == fills.grey()) continue;
        fmt::memory_buffer path;
        for (std::size_t k = 0; k < pick.size(); ++k) {
            const auto& cells = pick[k]->thumbnail;
            const int left = static_cast<int>(k) * (G + gap);
            for (int y = 0; y < G; ++y)
                for (int x = 0; x < G;) {
                    if (cells[static_cast<std::size_t>(y * G + x)] != colour) {
                        ++x;
                        continue;
                    }
                    int e = x;
                    while (e < G && cells[static_cast<std::size_t>(y * G + e)] == colour) ++e;
                    fmt::format_to(std::back_inserter(path), "M{} {}h{}v1h-{}z", left + x, y, e - x, e - x);
                    x = e;
                }
        }
        if (path.size() == 0) continue;
        const std::string_view fill = colour - 1 == kFillWhite ? std::string_view("#e4e4e4") : std::string_view(fills.colour[colour - 1]);
        fmt::format_to(std::back_inserter(out), "<path fill=\"{}\" d=\"", fill);
        out.append(path.data(), path.data() + path.size());
        fmt::format_to(std::back_inserter(out), "\"/>");
    }
    fmt::format_to(std::back_inserter(out), "</svg>\n");
    return fmt::to_string(out);
}

}  // namespace detail

}  // namespace eyemap

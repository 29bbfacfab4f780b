// Release site: one page per type (its eyemaps by reference), index.html, shared site files and
// thumbnails, all from Mustache templates (templates/*.html|css|js.mustache).
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include <unordered_set>
#include <cctype>

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

namespace detail {

void IndexShapeBuilder::add(const TypeRecord& t) {
    for (std::size_t i = 0; i < t.eyemaps.size(); ++i) {
        const auto& e = t.eyemaps[i];
        if (e.part != ComparePart::none) continue;  // a comparison's: counted on the type's page
        const auto at = std::tie(t.seq, t.neuron_type, i);
        ++eyemaps_;
        has_syn_ = has_syn_ || e.request.metric == Metric::synapses;
        has_cells_ = has_cells_ || e.request.metric == Metric::cells;
        if (!e.request.metric.is_count()) {
            auto v = std::find_if(values_.begin(), values_.end(), [&](const auto& x) { return x.first == e.request.metric; });
            if (v == values_.end()) values_.emplace_back(e.request.metric, At(at));
            else if (at < v->second) *v = {e.request.metric, At(at)};  // the first appearance names the column
        }
        auto r = std::find_if(regions_.begin(), regions_.end(), [&](const auto& x) { return x.first == e.request.region; });
        if (r == regions_.end()) regions_.emplace_back(e.request.region, At(at));
        else if (at < r->second) r->second = At(at);
        const bool known = std::any_of(cols_.begin(), cols_.end(), [&](const IndexShape::Col& c) {
            return c.region == e.request.region && c.side == e.request.side;
        });
        if (!known) cols_.push_back(IndexShape::Col{e.request.region, e.request.side});
    }
}

IndexShape IndexShapeBuilder::finish() const {
    IndexShape s;
    auto regions = regions_;
    std::sort(regions.begin(), regions.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (auto& r : regions) s.regions.push_back(r.first);
    auto values = values_;
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (auto& v : values) s.values.push_back(v.first);
    // Region/side columns by region (in order of first appearance), then side.
    s.cols = cols_;
    const auto rank = [&](const std::string& region) { return std::find(s.regions.begin(), s.regions.end(), region) - s.regions.begin(); };
    std::sort(s.cols.begin(), s.cols.end(), [&](const IndexShape::Col& a, const IndexShape::Col& b) {
        const auto ra = rank(a.region), rb = rank(b.region);
        return ra != rb ? ra < rb : a.side < b.side;
    });
    s.has_syn = has_syn_;
    s.has_cells = has_cells_;
    s.eyemaps = eyemaps_;
    return s;
}

namespace {

constexpr std::string_view kIndexTemplate = "index.html.mustache";
// An inverted section of a name the index's data never has: renders nothing, and marks its line as
// one with a section tag, as the {{#types}} section does for each row (kainjow drops a line that had
// a section tag and came out blank).
constexpr std::string_view kSectionMark = "{{^em__split__}}{{/em__split__}}";

std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

struct RowSplit {
    std::string head, row, tail;
};

// The index template as head, one row ({{#types}}'s body) and tail, when rendering those apart gives
// the bytes of rendering it whole: `types` is named once, by a top-level {{#types}}..{{/types}};
// {{#types}} starts a line and so does {{/types}} (the row ends with a line break: the rows share no line
// with the head, the tail or each other); no partials or delimiter changes. Otherwise none (rendered whole).
std::optional<RowSplit> split_rows(std::string_view text) {
    std::size_t depth = 0, open_at = std::string_view::npos, open_end = 0, close_at = std::string_view::npos, close_end = 0;
    for (std::size_t i = 0; (i = text.find("{{", i)) != std::string_view::npos;) {
        const bool triple = i + 2 < text.size() && text[i + 2] == '{';
        const std::size_t end = text.find(triple ? "}}}" : "}}", i + 2);
        if (end == std::string_view::npos) return std::nullopt;
        const std::size_t after = end + (triple ? 3 : 2);
        const std::string_view inner = trim_ws(text.substr(i + (triple ? 3 : 2), end - i - (triple ? 3 : 2)));
        const char kind = triple ? '&' : inner.empty() ? ' ' : inner.front();
        const bool marked = std::string_view("#^/&!=>").find(kind) != std::string_view::npos && !triple;
        const std::string_view name = trim_ws(marked ? inner.substr(1) : inner);
        const bool types = name == "types" || name.starts_with("types.");
        if (kind == '=' || kind == '>') return std::nullopt;
        if (kind == '!') {
            i = after;
            continue;
        }
        if (kind == '#' || kind == '^') {
            if (types) {
                if (kind != '#' || depth != 0 || open_at != std::string_view::npos) return std::nullopt;
                open_at = i, open_end = after;
            }
            ++depth;
        } else if (kind == '/') {
            if (depth == 0) return std::nullopt;
            --depth;
            if (types) {
                if (depth != 0 || open_at == std::string_view::npos || close_at != std::string_view::npos) return std::nullopt;
                close_at = i, close_end = after;
            }
        } else if (types) {
            return std::nullopt;  // {{types}} or {{&types}}: the list as a value
        }
        i = after;
    }
    if (open_at == std::string_view::npos || close_at == std::string_view::npos || depth != 0) return std::nullopt;
    if (open_at > 0 && text[open_at - 1] != '\n') return std::nullopt;
    if (close_at == open_end || text[close_at - 1] != '\n') return std::nullopt;
    return RowSplit{std::string(text.substr(0, open_at)), std::string(text.substr(open_end, close_at - open_end)), std::string(text.substr(close_end))};
}

}  // namespace

struct IndexPage::Impl {
    std::shared_ptr<const TemplateSet> keep;  // the set `set` refers to, when it is not the built-in one
    const TemplateSet* set = nullptr;
    IndexShape shape;
    data top;  // everything but the rows
    std::optional<LinkTemplate> link_out;
    std::optional<Manifest::Baseline> baseline;
    std::string thumb_w, thumb_h;
    // The split template, parsed: head, a row (marked as a section's line), tail after rows (marked)
    // and after none.
    struct Parsed {
        std::string text;
        std::unique_ptr<kainjow::mustache::mustache> m;
    };
    std::optional<Parsed> head, row, tail_rows, tail_empty;
    data bound;  // `top` and the row being rendered, for the row's line bound
    // Bytes made so far by head(), row() and tail(): a streamed page has the one budget of a whole
    // expansion (kMaxTemplateOutputBytes), as render_template gives the page rendered whole.
    std::uint64_t emitted = 0;
    std::string counted(std::string piece) {
        emitted += piece.size();
        if (emitted > kMaxTemplateOutputBytes)
            throw_input(fmt::format("template expands to more than {} bytes", kMaxTemplateOutputBytes), ErrorLocation{std::string(kIndexTemplate), 0, {}, {}});
        return piece;
    }

    static Parsed parse(std::string text) {
        Parsed p{std::move(text), nullptr};
        p.m = std::make_unique<kainjow::mustache::mustache>(p.text);
        if (!p.m->is_valid())
            throw_input(fmt::format("template error: {}", p.m->error_message()), ErrorLocation{std::string(kIndexTemplate), 0, {}, {}});
        p.m->set_custom_escape([](const std::string& x) { return xml_escape(x); });
        return p;
    }
};

IndexPage::IndexPage(const std::shared_ptr<const TemplateSet>& templates, IndexShape shape, std::uint64_t type_count,
                     std::span<const IndexNotice> notices, bool report_link, const ReleaseLinks& links,
                     const std::optional<Manifest::Baseline>& baseline, std::span<const std::string> only_a,
                     std::span<const std::string> only_b)
    : impl_(std::make_unique<Impl>()) {
    Impl& x = *impl_;
    x.keep = templates;
    x.set = &template_set(templates);
    x.shape = std::move(shape);
    x.baseline = baseline;
    const IndexShape& sh = x.shape;
    data& d = x.top;
    d.set("type_count", fmt::format("{}", type_count));
    d.set("eyemap_count", fmt::format("{}", sh.eyemaps));
    data nl{data::type::list};
    for (const auto& n : notices) nl.push_back(data("text", n.text));
    d.set("notices", nl);
    data rl{data::type::list};
    for (const auto& r : sh.regions) rl.push_back(data("name", r));
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
    if (sh.has_syn) cl.push_back(head("synapses", "Synapses"));
    if (sh.has_cells) cl.push_back(head("cells", "Cells"));
    for (const Metric& m : sh.values) cl.push_back(head("value", fmt::format("{} (mean)", metric_label(m))));
    // A comparison: the change of the first metric compared, 0 (the same) .. 1 (disjoint); sortable.
    if (baseline) cl.push_back(head("change", fmt::format("Change vs {}", baseline->label_b)));
    for (const auto& c : sh.cols) {
        data h = head("columns", fmt::format("{} {}", c.region, to_string(c.side)));
        h.set("region", c.region);
        h.set("side", side_name(c.side));
        cl.push_back(h);
    }
    d.set("columns", cl);
    x.link_out = type_link_template(links);  // checked once, expanded per row
    if (x.link_out) d.set("type_links", true);
    set_provenance(d, links);
    if (report_link) d.set("report", true);
    if (baseline) {  // types in only one of the two datasets, listed apart
        data c;
        c.set("label_a", baseline->label_a);
        c.set("label_b", baseline->label_b);
        data la{data::type::list}, lb{data::type::list};
        for (const auto& n : only_a) la.push_back(data("name", n));
        for (const auto& n : only_b) lb.push_back(data("name", n));
        c.set("only_a", la);
        c.set("only_b", lb);
        c.set("count_a", fmt::format("{}", only_a.size()));
        c.set("count_b", fmt::format("{}", only_b.size()));
        d.set("compare", c);
    }
    x.thumb_w = fmt::format("{}", (static_cast<int>(sh.regions.size()) * (detail::kThumbCells + 2) - 2) * 3 / 2);
    x.thumb_h = fmt::format("{}", detail::kThumbCells * 3 / 2);
    const auto it = x.set->files.find(kIndexTemplate);
    if (it == x.set->files.end()) throw_internal(fmt::format("template {} missing", kIndexTemplate));
    if (auto split = split_rows(it->second)) {
        x.head = Impl::parse(std::move(split->head));
        x.row = Impl::parse(std::string(kSectionMark) + split->row);
        x.tail_rows = Impl::parse(std::string(kSectionMark) + split->tail);
        x.tail_empty = Impl::parse(std::move(split->tail));
        x.bound = data(x.top);
    }
}

IndexPage::~IndexPage() = default;

bool IndexPage::streams() const { return impl_->row.has_value(); }

std::string IndexPage::head() { return impl_->counted(render_bounded(*impl_->head->m, impl_->head->text, impl_->top, kIndexTemplate)); }

std::string IndexPage::tail(bool after_rows) {
    const auto& t = after_rows ? *impl_->tail_rows : *impl_->tail_empty;
    return impl_->counted(render_bounded(*t.m, t.text, impl_->top, kIndexTemplate));
}

namespace {

data index_row(const TypeRecord& t, const IndexShape& sh, const std::optional<LinkTemplate>& link_out, const std::optional<Manifest::Baseline>& baseline,
               const std::string& thumb_w, const std::string& thumb_h) {
    data row;
    row.set("name", t.neuron_type);
    if (link_out) row.set("ext", type_link(*link_out, t.neuron_type));
    const OutputRecord* link = page_of(t);
    if (!link && !t.outputs.empty()) link = &t.outputs.front();
    if (link) row.set("href", url_path(link->path));
    if (const OutputRecord* th = thumb_of(t)) {
        row.set("thumb", url_path(th->path));
        row.set("thumb_w", thumb_w);
        row.set("thumb_h", thumb_h);
    }
    data cells{data::type::list};
    auto cell = [&](std::string v, bool z) {
        data c("v", std::move(v));
        if (z) c.set("z", true);
        cells.push_back(c);
    };
    cell(fmt::format("{}", t.rows), false);
    for (Metric m : {Metric::synapses, Metric::cells}) {
        if ((m == Metric::synapses && !sh.has_syn) || (m == Metric::cells && !sh.has_cells)) continue;
        std::int64_t total = 0;
        bool known = false;
        for (const auto& e : t.eyemaps)
            if (e.part == ComparePart::none && e.request.metric == m && e.summary) {
                // Each total fits in int64; their sum over regions and sides may not.
                if (__builtin_add_overflow(total, e.summary->total, &total))
                    throw_input(fmt::format("the {} of all eyemaps add up to more than 9223372036854775807 (2^63 - 1)",
                                            m == Metric::synapses ? "synapses" : "cells"),
                                ErrorLocation{{}, 0, "neuron_type", t.neuron_type});
                known = true;
            }
        cell(known ? fmt::format("{}", total) : std::string(), known && total == 0);
    }
    // A value column: its mean over the type's columns with data (all regions and sides).
    for (const Metric& m : sh.values) {
        double sum = 0;
        std::uint64_t n = 0;
        ValueFormat format;
        for (const auto& e : t.eyemaps)
            if (e.part == ComparePart::none && e.request.metric == m && e.summary && e.summary->columns_with_data) {
                sum += e.summary->mean * static_cast<double>(e.summary->columns_with_data);
                n += e.summary->columns_with_data;
                format = e.summary->format;
            }
        cell(n ? format_value(sum / static_cast<double>(n), format) : std::string(), false);
    }
    if (baseline) {
        if (t.only_in_data) cell(fmt::format("only in {}", baseline->label_a), false);
        else if (t.changes.empty() || std::isnan(t.changes.front().score)) cell(std::string(), false);
        else cell(fmt::format("{:.3f}", t.changes.front().score), t.changes.front().score == 0);
    }
    for (const auto& c : sh.cols) {
        bool present = false;
        std::uint64_t best = 0;
        for (const auto& e : t.eyemaps)
            if (e.part == ComparePart::none && e.request.region == c.region && e.request.side == c.side) present = true, best = std::max(best, e.has_data);
        cell(present ? fmt::format("{}", best) : std::string(), present && best == 0);
    }
    row.set("cells", cells);
    return row;
}

// What a stream handed to kainjow's render(context, stream) needs: pieces appended within a budget.
struct BudgetStream {
    std::string out;
    struct Over {};
    BudgetStream& operator<<(const std::string& s) {
        if (out.size() + s.size() > kMaxTemplateOutputBytes) throw Over{};
        out += s;
        return *this;
    }
};

}  // namespace

std::string IndexPage::row(const TypeRecord& t) {
    Impl& x = *impl_;
    const data row = index_row(t, x.shape, x.link_out, x.baseline, x.thumb_w, x.thumb_h);
    // The budgets of render_bounded: the row's lines are bounded by what it and the page's data hold.
    const auto refuse = [](const std::string& why) { throw_input(why, ErrorLocation{std::string(kIndexTemplate), 0, {}, {}}); };
    x.bound.set("em__row__", row);
    const std::uint64_t line_bound = line_bytes_bound(x.row->text, x.bound, 6);
    if (line_bound > kMaxTemplateOutputBytes)
        refuse(fmt::format("template expands to more than {} bytes: one of its lines can reach {} bytes (sections repeated over the data's lists on one line)",
                           kMaxTemplateOutputBytes, line_bound == UINT64_MAX ? std::string("2^64") : std::to_string(line_bound)));
    // As the {{#types}} section renders a row: the row's data over the page's.
    kainjow::mustache::context<std::string> ctx{&x.top};
    ctx.push(&row);
    BudgetStream stream;
    try {
        x.row->m->render(ctx, stream);
    } catch (const BudgetStream::Over&) {
        refuse(fmt::format("template expands to more than {} bytes", kMaxTemplateOutputBytes));
    }
    if (!x.row->m->is_valid()) refuse(fmt::format("template error: {}", x.row->m->error_message()));
    return x.counted(std::move(stream.out));
}

std::string IndexPage::whole(std::span<const TypeRecord* const> types) const {
    const Impl& x = *impl_;
    data d = x.top;
    data tl{data::type::list};
    for (const auto* t : types) tl.push_back(index_row(*t, x.shape, x.link_out, x.baseline, x.thumb_w, x.thumb_h));
    d.set("types", tl);
    return render_template(*x.set, kIndexTemplate, d);
}

std::string types_js_entry(const TypeRecord& t) {
    if (!page_of(t)) return {};
    return script_json(nlohmann::ordered_json::array({t.file_key, t.neuron_type}));
}

std::vector<std::pair<std::string, std::string>> site_files(const std::shared_ptr<const TemplateSet>& templates) {
    const TemplateSet& set = template_set(templates);
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("site.css", render_template(set, "site.css.mustache", data()));
    out.emplace_back("site.js", render_template(set, "site.js.mustache", data()));
    return out;
}

}  // namespace detail

namespace {

std::vector<const TypeRecord*> index_order(std::span<const TypeRecord> types_in) {
    std::vector<const TypeRecord*> types;
    types.reserve(types_in.size());
    for (const auto& t : types_in) types.push_back(&t);
    std::stable_sort(types.begin(), types.end(), [](const TypeRecord* a, const TypeRecord* b) {
        return a->seq != b->seq ? a->seq < b->seq : a->neuron_type < b->neuron_type;
    });
    return types;
}

}  // namespace

std::string render_index_page(std::span<const TypeRecord> types_in, std::span<const IndexNotice> notices,
                              const std::shared_ptr<const TemplateSet>& templates, bool report_link, const ReleaseLinks& links,
                              const std::optional<Manifest::Baseline>& baseline) {
    const auto types = index_order(types_in);
    detail::IndexShapeBuilder shape;
    for (const auto* t : types) shape.add(*t);
    std::pair<std::vector<std::string>, std::vector<std::string>> only;
    if (baseline)
        only = detail::types_in_one_only(*baseline, [&](const auto& f) {
            for (const auto* t : types) f(t->neuron_type, t->only_in_data);
        });
    const detail::IndexPage page(templates, shape.finish(), types.size(), notices, report_link, links, baseline, only.first, only.second);
    return page.whole(types);
}

std::vector<std::pair<std::string, std::string>> render_site_assets(std::span<const TypeRecord> types_in,
                                                                    const std::shared_ptr<const TemplateSet>& templates) {
    auto out = detail::site_files(templates);
    const auto types = index_order(types_in);
    std::string js;
    detail::write_types_js([&](std::string_view piece) { js += piece; }, types.size(),
                           [&](std::size_t p, std::string& e) { e = detail::types_js_entry(*types[p]); });
    out.emplace_back("types.js", std::move(js));
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

// SVG writer: the frame (from Mustache templates) around hexagons and legend written with fmt.
#include "render/svg.hpp"
#include "process/summary.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <span>
#include <unordered_set>
#include <sstream>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "core/option_schema.hpp"
#include "core/text.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "core/read_file.hpp"
#include "render/svg_frame.hpp"
#include "render/template_guard.hpp"

namespace eyemap {
namespace detail {
std::span<const std::pair<std::string_view, std::string_view>> embedded_template_list();
}

namespace {

constexpr std::string_view kTemplateNames[] = {"head.svg.mustache", "tail.svg.mustache", "style.css.mustache",
                                               "script.js.mustache"};

std::uint64_t hash_set(const TemplateSet& t) {
    HashBuilder h;
    for (const auto& [name, text] : t.files) h.add(name).add(text);
    return h.digest();
}

std::string read_file(const std::filesystem::path& p) {
    std::string text = read_regular_file(p, detail::kMaxTemplateBytes, "template");
    detail::check_template_text(text, p.string());
    return text;
}

using kainjow::mustache::data;


// An SVG made with an expanded frame must be well-formed XML. A user's templates are checked once
// per distinct frame (keyed on the expanded text: a template's branches -- interactive or static,
// buttons, badges, ... -- expand differently, and a broken branch must not pass because another one
// ran first). The built-in templates, whose every branch the tests check, once per branch that
// selects their markup (interactive or static, with or without layer buttons): checking every
// frame cost a release a full extra SVG per distinct legend (+35 % instructions for the sample).
void check_frame_once(const detail::SvgFrame& frame, const Scene& scene, std::uint64_t set_hash, bool interactive) {
    static std::mutex mu;
    static std::unordered_set<std::uint64_t> checked;
    HashBuilder key(set_hash);
    if (set_hash == builtin_templates()->content_hash) {
        key.add(interactive).add(scene.buttons.empty()).add(scene.provenance != nullptr).add(scene.column_link != nullptr);
    } else {
        for (const auto* part : {&frame.head, &frame.tail}) {
            key.add(part->size());
            for (const auto& p : *part) key.add(std::string_view(p.text)).add(p.slot_after);
        }
    }
    const std::uint64_t frame_hash = key.digest();
    {
        std::lock_guard lk(mu);
        if (checked.count(frame_hash)) return;
    }
    fmt::memory_buffer doc;
    detail::write_svg(scene, frame, doc, "em0");
    if (const std::string why = detail::xml_well_formed(std::string_view(doc.data(), doc.size())); !why.empty())
        throw_input(fmt::format("the templates expand to an SVG that is not well-formed XML: {}", why),
                    ErrorLocation{"head.svg.mustache, tail.svg.mustache", 0, {}, {}});
    std::lock_guard lk(mu);
    if (checked.size() > 1024) checked.clear();
    checked.insert(frame_hash);
}

std::string num(double v) {
    std::string s;
    append_decimal(s, v, 2);
    return s;
}

// CSS numbers as the built-in stylesheet writes them: ".5", "12".
std::string css_num(double v) {
    std::string s = num(v);
    if (s.starts_with("0.")) s.erase(0, 1);
    return s;
}

}  // namespace

namespace detail {

// Sentinels stand in for the slots while Mustache expands; XML escaping leaves them unchanged.
constexpr std::string_view kIdSentinel = "@@eyemap-id@@";
constexpr std::string_view kTypeSentinel = "@@eyemap-type@@";
constexpr std::string_view kSummarySentinel = "@@eyemap-summary@@";

std::vector<FramePiece> split_slots(const std::string& text) {
    constexpr std::pair<std::string_view, FrameSlot> sentinels[] = {
        {kIdSentinel, FrameSlot::id}, {kTypeSentinel, FrameSlot::type}, {kSummarySentinel, FrameSlot::summary}};
    std::vector<FramePiece> out;
    std::size_t pos = 0;
    for (;;) {
        std::size_t next = std::string::npos;
        const std::pair<std::string_view, FrameSlot>* which = nullptr;
        for (const auto& sv : sentinels)
            if (const auto at = text.find(sv.first, pos); at < next) {
                next = at;
                which = &sv;
            }
        if (!which) {
            out.push_back({text.substr(pos), FrameSlot::none});
            return out;
        }
        out.push_back({text.substr(pos, next - pos), which->second});
        pos = next + which->first.size();
    }
}

// The scale as the <desc> says it: how the legend's edges were chosen, and from which values.
std::string_view scale_method_words(ScaleMethod m) noexcept {
    switch (m) {
        case ScaleMethod::linear: return "linear, evenly spaced from the smallest to the largest value";
        case ScaleMethod::percentile: return "percentiles of the values";
        case ScaleMethod::fixed: return "fixed limits";
        case ScaleMethod::stddev: return "standard deviations around the mean";
        case ScaleMethod::log: return "logarithmic";
    }
    return "";
}

std::size_t SvgFrame::bytes() const noexcept {
    std::size_t n = sizeof(*this);
    for (const auto& p : head) n += p.text.size() + sizeof(p);
    for (const auto& p : tail) n += p.text.size() + sizeof(p);
    return n;
}

void append_frame(fmt::memory_buffer& out, std::span<const FramePiece> pieces, std::string_view id,
                  std::string_view escaped_type, std::string_view escaped_summary) {
    for (const auto& p : pieces) {
        out.append(p.text);
        switch (p.slot_after) {
            case FrameSlot::none: break;
            case FrameSlot::id: out.append(id); break;
            case FrameSlot::type: out.append(escaped_type); break;
            case FrameSlot::summary: out.append(escaped_summary); break;
        }
    }
}

// The marked sets as screen readers hear them: " Marked: NAME (outline, 3 columns); ...".
static void append_marks_summary(fmt::memory_buffer& out, const Scene& scene) {
    for (std::size_t k = 0; k < scene.marks.size(); ++k) {
        const SceneMarkSet& m = scene.marks[k];
        out.append(std::string_view(k ? "; " : " Marked: "));
        append_xml_escaped(out, m.name);
        fmt::format_to(std::back_inserter(out), " ({}, {} column{})", to_string(m.style), m.columns.size(), m.columns.size() == 1 ? "" : "s");
    }
    if (!scene.marks.empty()) out.push_back('.');
}

void append_summary(fmt::memory_buffer& out, const Scene& scene) {
    const EyemapData& d = scene.data;
    const std::size_t in_region = d.status.size() - d.not_in_region_count;
    const LegendScale& s = scene.legend.all;
    if (d.has_data_count == 0 || s.labels.empty()) {
        fmt::format_to(std::back_inserter(out), "None of the {} columns has data.", in_region);
        append_marks_summary(out, scene);
        return;
    }
    fmt::format_to(std::back_inserter(out), "{} of {} columns have data; the legend runs from ", d.has_data_count, in_region);
    append_xml_escaped(out, s.labels.front());
    out.append(std::string_view(" to "));
    append_xml_escaped(out, s.labels.back());
    out.push_back('.');
    append_marks_summary(out, scene);
}

std::string hex_path_data(double hs) {
    const double hy = hs * 0.8660254037844386;
    return fmt::format("M{0},0L{1},{2}L-{1},{2}L-{0},0L-{1},-{2}L{1},-{2}Z", num(hs), num(hs / 2), num(hy));
}

// The style and script templates' data: every Style field by its key, the fills, `id`.
static data style_template_data(const Scene& scene, const std::string& id) {
    const EyemapData& d = scene.data;
    data style_vars;
    style_vars.set("id", id);
    const Style& st = *scene.style;
    // Every Style field by its key (core/option_schema.cpp): colours and the font as they are,
    // sizes as CSS numbers, the palette as a JSON list.
    for (const FieldSpec& f : style_fields())
        std::visit(
            [&](auto m) {
                using M = decltype(m);
                if constexpr (std::is_same_v<M, std::string Style::*>) style_vars.set(std::string(f.name), st.*m);
                else if constexpr (std::is_same_v<M, double Style::*>) style_vars.set(std::string(f.name), css_num(st.*m));
                else if constexpr (std::is_same_v<M, std::array<std::string, 7> Style::*>)
                    style_vars.set(std::string(f.name) + "_json", fmt::format("[\"{}\"]", fmt::join(st.*m, "\", \"")));
            },
            f.member);
    // The script's colours are the fills drawn (the palette's for the field's 5 bins): no data, the
    // N bins, not in region (`grey` its index); with more than 9 bins data-b holds base-36 digits.
    const FillColours& fills = *scene.fills;
    style_vars.set("palette_json", fmt::format("[\"{}\"]", fmt::join(fills.colour, "\", \"")));
    style_vars.set("grey", std::to_string(fills.grey()));
    style_vars.set("base36", fills.bins() > 9 ? data(data::type::bool_true) : data(data::type::bool_false));
    // A value column's layer values may be 0 or negative: a layer has no data where its item is empty.
    style_vars.set("values", d.counts ? data(data::type::bool_false) : data(data::type::bool_true));
    // Continuous (256 levels, 258 fills): two base-36 digits per layer.
    style_vars.set("wide", fills.colour.size() > 36 ? data(data::type::bool_true) : data(data::type::bool_false));
    // Hexagons that are links are <use> elements inside <a>: the script finds them by element name.
    style_vars.set("links", scene.column_link ? data(data::type::bool_true) : data(data::type::bool_false));
    return style_vars;
}

SvgFrame expand_frame(const Scene& scene, const TemplateSet& templates, bool interactive) {
    const EyemapData& d = scene.data;
    const std::string id(kIdSentinel);
    const Style& st = *scene.style;
    data style_vars = style_template_data(scene, id);
    const std::string style = detail::render_template(templates, "style.css.mustache", style_vars);
    const std::string script = interactive ? detail::render_template(templates, "script.js.mustache", style_vars) : std::string();
    if (style.find("]]>") != std::string::npos || script.find("]]>") != std::string::npos)
        throw_input("style and script templates must not contain ']]>'", ErrorLocation{});

    const double hs = scene.hex_size;
    data head;
    head.set("id", id);
    head.set("width", num(scene.width));
    head.set("height", num(scene.height));
    head.set("metric_label", std::string(metric_label(d.metric)));
    head.set("layers_json", nlohmann::json(d.layer_names).dump());
    head.set("hex_path", hex_path_data(hs));
    head.set("style", style);
    head.set("background", st.background);
    data titles{data::type::list};
    for (std::size_t i = 0; i < scene.titles.size(); ++i) {
        const auto& t = scene.titles[i];
        data item;
        item.set("x", num(t.x));
        item.set("y", num(t.y));
        item.set("text", i == 1 ? std::string(kTypeSentinel) : t.text);
        if (!t.badge.empty()) item.set("badge", t.badge);
        item.set("side", std::string(to_string(d.side)));
        titles.push_back(item);
    }
    head.set("titles", titles);
    // What the picture shows, for screen readers and search engines (the root <title> and <desc>).
    const std::string_view side_word = d.side == Side::L ? "left" : "right";
    // What the first title line adds to the metric's title (a comparison's " · male": which dataset) is
    // said to screen readers too, so A's and B's files read apart; nothing for other eyemaps.
    const std::string_view first_line = scene.titles[0].text, metric_words = metric_title(d.metric);
    const std::string_view added = first_line.starts_with(metric_words) ? first_line.substr(metric_words.size()) : std::string_view();
    head.set("a11y_title", fmt::format("{} of {} in {} ({}){}", metric_label(d.metric), kTypeSentinel, d.region, to_string(d.side), added));
    std::string desc = fmt::format(
        "Eyemap of {}, {} side{}: one hexagon per column, coloured by the {} of {} in it; columns not in {} are grey, "
        "columns without data white. {} Colour scale: {}, {}.",
        d.region, side_word, d.side == Side::R ? " (mirrored left to right)" : "", metric_label(d.metric), kTypeSentinel,
        d.region, kSummarySentinel, scale_method_words(d.scale.method),
        scene.scale_scope == ScaleScope::per_region ? fmt::format("from the {} values of both sides", d.region)
                                                   : std::string("shared by all regions and both sides of the type"));
    // The colour map and bins when they are not the field's (reds, 5 bins: nothing said, the default bytes unchanged).
    if (!scene.fills->words.empty()) desc += fmt::format(" Colour map: {}.", scene.fills->words);
    if (!scene.buttons.empty()) desc += fmt::format(" Buttons show one layer at a time ({} layers).", d.layer_count());
    head.set("a11y_desc", desc);
    // role="img" makes its content presentational, which would hide the layer buttons (focusable, role="button")
    // from assistive technology; an eyemap with working buttons, or hexagons that are links, is a graphics document instead.
    const bool controls = (interactive && !scene.buttons.empty()) || scene.column_link != nullptr;
    head.set("controls", controls ? data(data::type::bool_true) : data(data::type::bool_false));
    if (const Provenance* p = scene.provenance.get(); p && !p->empty()) {  // <metadata>: which dataset, as the pages say
        fmt::memory_buffer meta;
        append_provenance_metadata(meta, id, *p);
        head.set("provenance_xml", std::string(meta.data(), meta.size()));
    }

    data tail;
    tail.set("id", id);
    tail.set("interactive", interactive ? data(data::type::bool_true) : data(data::type::bool_false));
    tail.set("script", script);
    data buttons{data::type::list};
    for (const auto& b : scene.buttons) {
        data item;
        item.set("x", num(b.x));
        item.set("y", num(b.y));
        item.set("w", num(b.width));
        item.set("h", num(b.height));
        item.set("tx", num(b.x + b.width / 2));
        item.set("ty", num(b.y + b.height - 3.5));
        item.set("label", b.label);
        item.set("layer", std::to_string(b.layer));
        item.set("on", b.layer == 0 ? data(data::type::bool_true) : data(data::type::bool_false));
        buttons.push_back(item);
    }
    tail.set("has_buttons", scene.buttons.empty() ? data(data::type::bool_false) : data(data::type::bool_true));
    tail.set("buttons", buttons);
    SvgFrame frame{split_slots(detail::render_template(templates, "head.svg.mustache", head)),
                   split_slots(detail::render_template(templates, "tail.svg.mustache", tail))};
    check_frame_once(frame, scene, templates.content_hash, interactive);
    return frame;
}

void append_provenance_metadata(fmt::memory_buffer& out, std::string_view id, const Provenance& p) {
    const auto lit = [&](std::string_view text) { out.append(text); };
    const auto attr = [&](std::string_view name, const std::string& value) {
        lit(name);
        lit("=\"");
        append_xml_escaped(out, value);
        out.push_back('"');
    };
    lit("<metadata id=\"");
    lit(id);
    lit("-provenance\" ");
    attr("data-dataset", p.label);
    out.push_back(' ');
    attr("data-version", p.version);
    out.push_back(' ');
    attr("data-input", p.input);
    lit("><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
        "<rdf:Description rdf:about=\"\"><dc:source>");
    append_xml_escaped(out, p.sentence());
    lit("</dc:source>");
    if (!p.input.empty()) {
        lit("<dc:identifier>");
        append_xml_escaped(out, p.input);
        lit("</dc:identifier>");
    }
    lit("</rdf:Description></rdf:RDF></metadata>\n");
}

std::string render_style_css(const Scene& scene, const TemplateSet& templates, std::string_view id) {
    return detail::render_template(templates, "style.css.mustache", style_template_data(scene, std::string(id)));
}

}  // namespace detail

std::shared_ptr<const TemplateSet> builtin_templates() {
    static const std::shared_ptr<const TemplateSet> set = [] {
        auto t = std::make_shared<TemplateSet>();
        for (const auto& [name, text] : detail::embedded_template_list()) t->files.emplace(name, text);
        for (auto n : kTemplateNames)
            if (!t->files.count(n)) throw_internal(fmt::format("built-in template {} missing", n));
        t->content_hash = hash_set(*t);
        return t;
    }();
    return set;
}

std::shared_ptr<const TemplateSet> load_templates(const std::filesystem::path& dir) {
    if (!std::filesystem::is_directory(dir)) throw_io("template folder not found", dir.string());
    auto t = std::make_shared<TemplateSet>(*builtin_templates());
    for (auto& [n, text] : t->files) {  // every built-in template (SVG fragments, pages, index) can be overridden
        auto p = dir / n;
        if (std::filesystem::exists(p)) text = read_file(p);
    }
    t->content_hash = hash_set(*t);
    return t;
}

std::string default_svg_id(const EyemapData& d) {
    HashBuilder h;
    h.add(d.neuron_type).add(d.region).add(to_string(d.side)).add(metric_file_word(d.metric));  // ids unchanged by the metric rename
    return fmt::format("em{:08x}", static_cast<std::uint32_t>(h.digest() ^ (h.digest() >> 32)));
}

void append_xml_escaped(fmt::memory_buffer& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '&': out.append(std::string_view("&amp;")); break;
                case '<': out.append(std::string_view("&lt;")); break;
                case '>': out.append(std::string_view("&gt;")); break;
                case '"': out.append(std::string_view("&quot;")); break;
                case '\'': out.append(std::string_view("&apos;")); break;
                case '\t': case '\n': case '\r': out.push_back(static_cast<char>(c)); break;
                default:
                    if (c < 0x20 || c == 0x7f) out.append(std::string_view("\xEF\xBF\xBD"));
                    else out.push_back(static_cast<char>(c));
            }
            ++i;
            continue;
        }
        // Malformed UTF-8 and characters XML 1.0 cannot carry (C1 controls, U+FFFE, U+FFFF) become
        // U+FFFD, one per byte, so the XML stays well-formed.
        char32_t cp = 0;
        const std::size_t len = utf8_decode(s, i, cp);
        if (len > 0 && !(cp >= 0x80 && cp <= 0x9F) && cp != 0xFFFE && cp != 0xFFFF) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append(std::string_view("\xEF\xBF\xBD"));
            ++i;
        }
    }
}

std::string xml_escape(std::string_view text) {
    fmt::memory_buffer b;
    append_xml_escaped(b, text);
    return fmt::to_string(b);
}

namespace detail {

void check_svg_id(std::string_view id) {
    if (!valid_svg_id(id)) throw_input("SVG id must match [A-Za-z][A-Za-z0-9_-]*", ErrorLocation{{}, 0, "id", std::string(id)});
}

void write_svg(const Scene& scene, const SvgFrame& frame, fmt::memory_buffer& out, std::string_view id) {
    // Per eyemap, not per hexagon; both buffers live on the stack for ordinary names.
    fmt::memory_buffer type, summary;
    append_xml_escaped(type, scene.data.neuron_type);
    append_summary(summary, scene);
    const std::string_view escaped_type(type.data(), type.size()), escaped_summary(summary.data(), summary.size());
    append_frame(out, frame.head, id, escaped_type, escaped_summary);
    append_hexagons(out, scene, id);
    append_marks(out, scene);
    append_legend(out, scene, id);
    if (scene.mark_legend.shown) append_mark_legend(out, scene.marks, scene.mark_legend, *scene.style, scene.style->hex_stroke_width);
    append_frame(out, frame.tail, id, escaped_type, escaped_summary);
}

}  // namespace detail

namespace detail {

void append_hexagons(fmt::memory_buffer& out, const Scene& scene, std::string_view id) {
    const EyemapData& d = scene.data;
    const GridCoordinates& g = *scene.grid;
    const std::size_t L = d.layer_count();
    // Per-eyemap constants, escaped once rather than per hexagon.
    fmt::memory_buffer roi_buf;
    append_xml_escaped(roi_buf, d.region);
    const std::string_view roi(roi_buf.data(), roi_buf.size());
    fmt::memory_buffer label_buf;  // a value column's label is the user's text
    append_xml_escaped(label_buf, metric_label(d.metric));
    const std::string_view label(label_buf.data(), label_buf.size());
    const std::string_view side = to_string(d.side);
    const auto& palette = scene.fills->colour;
    // A layer's palette index as one character of data-b: a digit, then a, b, c (base 36) past 9 bins.
    static constexpr char kDigit[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    static_assert(kMaxScaleBins < 36 && kContinuousLevels + 2 <= 36 * 36);  // wide: two digits per layer
    const bool wide = palette.size() > 36;
    // Upper bound of one hexagon's bytes: fixed text, 4 numbers (<= 24 each), 3 integers or values
    // (<= 32), and per layer a value (<= 32) + separator + one digit (two when wide).
    const std::size_t bound = 160 + id.size() + 4 * 24 + 3 * 32 + roi.size() + label.size() + L * 35;
    // A column link: the <use> inside an <a> (focusable, script-free; _top leaves a page's frame).
    const LinkTemplate* link = scene.column_link.get();
    std::string url;  // one buffer for every hexagon's URL

    for (std::size_t c = 0; c < d.status.size(); ++c) {
        if (link) {
            url.clear();
            link->expand(url, LinkValues{d.neuron_type, d.region, side, g.hex1[c], g.hex2[c]});
            out.append(std::string_view("<a href=\""));
            append_xml_escaped(out, url);
            fmt::format_to(std::back_inserter(out), "\" target=\"_top\" aria-label=\"Column {}, {}\">", g.hex1[c], g.hex2[c]);
        }
        const std::size_t start = out.size();
        out.resize(start + bound);
        RawWriter w{out.data() + start};
        w.lit("<use href=\"#");
        w.lit(id);
        w.lit("-h\" x=\"");
        w.number(g.x[c]);
        w.lit("\" y=\"");
        w.number(g.y[c]);
        w.lit("\" fill=\"");
        w.lit(palette[d.fill[c]]);
        w.ch('"');
        const bool in_region = d.status[c] != ColumnStatus::not_in_region;
        if (in_region && d.has_layers()) {
            const double* lv = &d.layer_value[c * L];
            bool any = false;
            if (d.counts)
                for (std::size_t l = 0; l < L; ++l) any |= lv[l] != 0;
            else
                for (std::size_t l = 0; l < L; ++l) any |= !std::isnan(lv[l]);
            if (any) {  // columns without any layer value need no per-layer data: the script defaults to 0 / white
                w.lit(" data-v=\"");
                for (std::size_t l = 0; l < L; ++l) {
                    if (l) w.ch(' ');
                    if (d.counts) w.integer(static_cast<std::int64_t>(lv[l]));
                    else w.p = write_value(w.p, lv[l], d.format);  // NaN: an empty item (no data in that layer)
                }
                w.lit("\" data-b=\"");
                const FillIndex* lf = &d.layer_fill[c * L];
                if (wide)  // continuous: two digits per layer (the script's `wide`)
                    for (std::size_t l = 0; l < L; ++l) w.ch(kDigit[lf[l] / 36]), w.ch(kDigit[lf[l] % 36]);
                else
                    for (std::size_t l = 0; l < L; ++l) w.ch(kDigit[lf[l]]);
                w.ch('"');
            }
        }
        w.lit("><title>Column: ");
        w.integer(g.hex1[c]);
        w.lit(", ");
        w.integer(g.hex2[c]);
        w.ch('\n');
        if (in_region) {
            w.lit(label);
            w.lit(": ");
            if (d.counts) w.integer(static_cast<std::int64_t>(d.value[c]));
            else if (std::isnan(d.value[c])) w.lit("no data");
            else w.p = write_value(w.p, d.value[c], d.format);
            w.lit("\nROI: ");
        } else {
            w.lit("Column not identified in ");
        }
        w.lit(roi);
        w.lit(" (");
        w.lit(side);
        w.lit(link ? std::string_view(")</title></use></a>\n") : std::string_view(")</title></use>\n"));
        out.resize(static_cast<std::size_t>(w.p - out.data()));
    }
    out.append(std::string_view("</g>\n"));
}

void append_legend(fmt::memory_buffer& out, const Scene& scene, std::string_view id) {
    const LegendBox& lg = scene.legend;
    if (!lg.shown) return;
    const auto& stops = scene.fills->stops;
    if (!stops.empty()) {  // continuous: one gradient, bottom to top, for both legends' bars
        out.append(std::string_view("<linearGradient id=\""));
        out.append(id);
        out.append(std::string_view("-grad\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n"));
        for (const GradientStop& g : stops) {
            out.append(std::string_view("<stop offset=\""));
            append_decimal(out, g.offset, 4);
            out.append(std::string_view("\" stop-color=\""));
            out.append(scene.fills->colour[g.fill]);
            out.append(std::string_view("\"/>\n"));
        }
        out.append(std::string_view("</linearGradient>\n"));
    }
    // One group per scale: the "all layers" one shown, the per-layer one (eyemaps with layers) hidden
    // until the script chooses a layer. Boxes are drawn opaque (the hexagons are faded, per the spec).
    for (int which = 0; which < (scene.data.has_layers() ? 2 : 1); ++which) {
        const LegendScale& ls = which ? lg.layer : lg.all;
        out.append(which ? std::string_view("<g class=\"em-legend\" data-layer=\"1\" display=\"none\">\n")
                         : std::string_view("<g class=\"em-legend\" data-layer=\"0\">\n"));
        if (ls.gradient && ls.bins > 0) {
            out.append(std::string_view("<rect x=\""));
            append_number(out, lg.x);
            out.append(std::string_view("\" y=\""));
            append_number(out, lg.y);
            out.append(std::string_view("\" width=\""));
            append_number(out, lg.bin_width);
            out.append(std::string_view("\" height=\""));
            append_number(out, lg.bar_height);
            out.append(std::string_view("\" fill=\"url(#"));
            out.append(id);
            out.append(std::string_view("-grad)\"/>\n"));
        }
        for (int b = ls.gradient ? -1 : ls.bins - 1; b >= 0; --b) {  // darkest box on top
            out.append(std::string_view("<rect x=\""));
            append_number(out, lg.x);
            out.append(std::string_view("\" y=\""));
            append_number(out, lg.box_y(ls, b));
            out.append(std::string_view("\" width=\""));
            append_number(out, lg.bin_width);
            out.append(std::string_view("\" height=\""));
            append_number(out, lg.bin_height);
            out.append(std::string_view("\" fill=\""));
            out.append(scene.fills->colour[ls.fill[static_cast<std::size_t>(b)]]);
            out.append(std::string_view("\"/>\n"));
        }
        for (std::size_t k = 0; k < ls.labels.size(); ++k) {  // bottom to top
            if (!ls.label_shown(k)) continue;
            out.append(std::string_view("<text class=\"em-tick\" x=\""));
            append_number(out, lg.tick_x);
            out.append(std::string_view("\" y=\""));
            append_number(out, lg.label_y(ls, static_cast<int>(k)));
            out.append(std::string_view("\">"));
            append_xml_escaped(out, ls.labels[k]);
            out.append(std::string_view("</text>\n"));
        }
        out.append(std::string_view("<text class=\"em-ltitle\" x=\"0\" y=\"0\" transform=\"translate("));
        append_number(out, lg.title_x);
        out.push_back(',');
        append_number(out, lg.title_y);
        out.append(std::string_view(") rotate(-90)\">"));
        append_xml_escaped(out, lg.title);
        out.append(std::string_view("</text>\n</g>\n"));
    }
}

}  // namespace detail
namespace detail {
namespace {

// A hexagon's outline about (x, y), radius hs, as absolute path data (the <defs> shape's vertices).
void hexagon_path(RawWriter& w, double x, double y, double hs) {
    const double h = hs * 0.8660254037844386, half = hs / 2;
    w.ch('M'), w.number(x + hs), w.ch(','), w.number(y);
    w.ch('L'), w.number(x + half), w.ch(','), w.number(y + h);
    w.ch('L'), w.number(x - half), w.ch(','), w.number(y + h);
    w.ch('L'), w.number(x - hs), w.ch(','), w.number(y);
    w.ch('L'), w.number(x - half), w.ch(','), w.number(y - h);
    w.ch('L'), w.number(x + half), w.ch(','), w.number(y - h);
    w.ch('Z');
}

// A disc about (x, y) as two arcs.
void dot_path(RawWriter& w, double x, double y, double r) {
    w.ch('M'), w.number(x - r), w.ch(','), w.number(y);
    w.ch('a'), w.number(r), w.ch(','), w.number(r), w.lit(" 0 1,0 "), w.number(2 * r), w.lit(",0");
    w.ch('a'), w.number(r), w.ch(','), w.number(r), w.lit(" 0 1,0 "), w.number(-2 * r), w.lit(",0Z");
}

constexpr std::size_t kShapeBound = 320;  // one hexagon's or disc's path data, at most

// One shape's path data written straight into the buffer: one capacity check per shape.
template <class Draw>
void append_shape(fmt::memory_buffer& out, Draw&& draw) {
    const std::size_t start = out.size();
    out.resize(start + kShapeBound);
    RawWriter w{out.data() + start};
    draw(w);
    out.resize(static_cast<std::size_t>(w.p - out.data()));
}

// The paint of one set's path: its attributes, then the path data.
void mark_paint(fmt::memory_buffer& out, const SceneMarkSet& m, const MarkPen& pen, const Style& st) {
    out.append(std::string_view("<path data-set=\""));
    append_xml_escaped(out, m.name);
    out.append(std::string_view("\" data-style=\""));
    out.append(to_string(m.style));
    switch (m.style) {
        case MarkStyle::dim:  // the members outlined thinly in the set's colour (the cover fades the rest)
            out.append(std::string_view("\" fill=\"none\" stroke=\""));
            out.append(m.colour);
            out.append(std::string_view("\" stroke-width=\""));
            append_number(out, pen.dim_edge());
            break;
        case MarkStyle::outline:
            out.append(std::string_view("\" fill=\"none\" stroke=\""));
            out.append(m.colour);
            out.append(std::string_view("\" stroke-width=\""));
            append_number(out, pen.outline);
            out.append(std::string_view("\" stroke-linejoin=\"round"));
            break;
        case MarkStyle::marker:
            out.append(std::string_view("\" fill=\""));
            out.append(m.colour);
            out.append(std::string_view("\" stroke=\""));
            out.append(st.text);
            out.append(std::string_view("\" stroke-width=\""));
            append_number(out, pen.dot_edge);
            break;
    }
    out.append(std::string_view("\" d=\""));
}

}  // namespace

void append_marks(fmt::memory_buffer& out, const Scene& scene, std::string_view attributes) {
    if (scene.marks.empty()) return;
    const GridCoordinates& g = *scene.grid;
    const Style& st = *scene.style;
    const MarkPen pen = mark_pen(scene.hex_size, st.hex_stroke_width);
    const std::size_t n = g.x.size();
    out.append(std::string_view("<g class=\"em-marks\" pointer-events=\"none\""));
    out.append(attributes);
    out.append(std::string_view(">\n"));
    const auto shape = [&](auto draw) { append_shape(out, draw); };
    // Dim sets: one cover, in the background's colour, over every hexagon in none of them (so two dim
    // sets do not fade each other), then each set's members outlined in its colour.
    if (const std::vector<std::uint8_t> kept = dim_members(scene.marks, n); !kept.empty()) {
        out.append(std::string_view("<path class=\"em-dim\" fill=\""));
        out.append(st.background);
        out.append(std::string_view("\" fill-opacity=\""));
        append_number(out, MarkPen::kDimOpacity);
        out.append(std::string_view("\" d=\""));
        for (std::size_t c = 0; c < n; ++c)
            if (!kept[c]) shape([&](RawWriter& w) { hexagon_path(w, g.x[c], g.y[c], scene.hex_size); });
        out.append(std::string_view("\"/>\n"));
    }
    for (const MarkStyle kind : {MarkStyle::dim, MarkStyle::outline, MarkStyle::marker})
        for (const SceneMarkSet& m : scene.marks) {
            if (m.style != kind) continue;
            mark_paint(out, m, pen, st);
            for (const std::uint32_t c : m.columns) {
                if (c >= n) continue;
                if (kind != MarkStyle::marker) shape([&](RawWriter& w) { hexagon_path(w, g.x[c], g.y[c], scene.hex_size); });
                else shape([&](RawWriter& w) { dot_path(w, g.x[c], g.y[c], pen.dot); });
            }
            out.append(std::string_view("\"/>\n"));
        }
    out.append(std::string_view("</g>\n"));
}

void append_mark_legend(fmt::memory_buffer& out, std::span<const SceneMarkSet> sets, const MarkLegend& at, const Style& st, double line) {
    if (!at.shown || sets.empty()) return;
    const MarkPen pen = mark_pen(at.swatch, line);
    out.append(std::string_view("<g class=\"em-mlegend\">\n"));
    const auto shape = [&](auto draw) { append_shape(out, draw); };
    for (std::size_t k = 0; k < sets.size(); ++k) {
        const SceneMarkSet& m = sets[k];
        const double cx = at.x + at.swatch, cy = at.row_centre(k);
        // The swatch: a hexagon as the set draws it on a hexagon without data (dim: its members' outline).
        out.append(std::string_view("<path fill=\""));
        out.append(std::string_view(st.palette.front()));
        out.append(std::string_view("\" stroke=\""));
        out.append(st.hex_stroke);
        out.append(std::string_view("\" stroke-width=\""));
        append_number(out, line);
        out.append(std::string_view("\" d=\""));
        shape([&](RawWriter& w) { hexagon_path(w, cx, cy, at.swatch); });
        out.append(std::string_view("\"/>\n"));
        mark_paint(out, m, pen, st);
        shape([&](RawWriter& w) {
            if (m.style == MarkStyle::marker) dot_path(w, cx, cy, pen.dot);
            else hexagon_path(w, cx, cy, at.swatch);
        });
        out.append(std::string_view("\"/>\n<text x=\""));
        append_number(out, at.text_x());
        out.append(std::string_view("\" y=\""));
        append_number(out, cy + 0.35 * at.font);
        out.append(std::string_view("\" font-size=\""));
        append_number(out, at.font);
        out.append(std::string_view("\">"));
        append_xml_escaped(out, m.name);
        out.append(std::string_view("</text>\n"));
    }
    out.append(std::string_view("</g>\n"));
}

}  // namespace detail
}  // namespace eyemap

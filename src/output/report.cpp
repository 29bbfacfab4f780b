// Run report: the statistics of a run as one HTML page with inline SVG charts (report.html.mustache).
#include "output/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include "core/command_line.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "core/units.hpp"
#include "eyemap/error.hpp"
#include "eyemap/renderer.hpp"
#include "eyemap/version.hpp"
#include "output/sink.hpp"
#include "render/template_guard.hpp"

namespace eyemap {
namespace {

using kainjow::mustache::data;

// --- numbers and text ----------------------------------------------------------------------------

// A coordinate or length for an SVG attribute: always a finite decimal number.
std::string n(double v) { return decimal_text(std::isfinite(v) ? v : 0, 1); }

std::string human_ns_html(double ns) { return human_ns(ns, true); }

std::string human_rate(double r) {
    if (!std::isfinite(r) || r < 0) r = 0;
    if (r >= 100) return fmt::format("{:.0f}", r);
    if (r >= 10) return fmt::format("{:.1f}", r);
    return fmt::format("{:.2f}", r);
}

// Thousands separators for counts.
std::string count(std::uint64_t v) {
    std::string s = fmt::format("{}", v), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return out;
}

// At most `max` code points of `s` (whole UTF-8 sequences), with an ellipsis when cut.
std::string clip(std::string_view s, std::size_t max) {
    std::size_t i = 0, cps = 0;
    while (i < s.size() && cps < max) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        ++cps;
    }
    if (i >= s.size()) return std::string(s);
    return std::string(s.substr(0, i)) + "…";
}

// Escaped for XML text and attribute values (also replaces invalid UTF-8 and control characters).
std::string esc(std::string_view s) { return xml_escape(s); }

// A "nice" step for about `ticks` ticks up to `max` (1, 2 or 5 times a power of ten).
double nice_step(double max, int ticks) {
    if (!(max > 0) || !std::isfinite(max)) return 1;
    const double raw = max / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

// --- SVG helpers ---------------------------------------------------------------------------------

constexpr double kWidth = 760;
constexpr const char* kBar = "#4c78a8";
constexpr const char* kLine = "#e45756";

class Svg {
public:
    Svg(std::string_view id, double height, std::string_view title) {
        out_ = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t">)",
                           id, n(kWidth), n(height), n(kWidth), n(height), id);
        out_ += fmt::format(R"(<title id="{}-t">{}</title>)", id, esc(title));
    }
    Svg& raw(std::string_view s) {
        out_ += s;
        return *this;
    }
    // Text at (x, y); anchor start, middle or end; `cls` a CSS class.
    Svg& text(double x, double y, std::string_view s, std::string_view anchor = "start", std::string_view cls = {}) {
        out_ += fmt::format(R"(<text x="{}" y="{}" text-anchor="{}"{}>{}</text>)", n(x), n(y), anchor,
                            cls.empty() ? std::string() : fmt::format(R"( class="{}")", cls), esc(s));
        return *this;
    }
    Svg& line(double x1, double y1, double x2, double y2, std::string_view cls) {
        out_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>)", n(x1), n(y1), n(x2), n(y2), cls);
        return *this;
    }
    // A bar with a tooltip.
    Svg& bar(double x, double y, double w, double h, std::string_view fill, std::string_view tip) {
        out_ += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)", n(x), n(y),
                            n(std::max(w, 0.0)), n(std::max(h, 0.0)), fill, esc(tip));
        return *this;
    }
    std::string done() { return out_ + "</svg>"; }

private:
    std::string out_;
};

// Horizontal bars: one row per (label, value, value text, tooltip); values scaled to the largest.
struct BarRow {
    std::string label;
    double value = 0;
    std::string value_text;
    std::string tip;
};

std::string bar_chart(std::string_view id, std::string_view title, const std::vector<BarRow>& rows, double scale_max = 0) {
    if (rows.empty()) return {};
    constexpr double kRow = 24, kTop = 8, kLabelW = 200, kBarMax = 400;
    double max = scale_max;
    for (const auto& r : rows) max = std::max(max, std::isfinite(r.value) ? r.value : 0.0);
    Svg svg(id, kTop * 2 + kRow * static_cast<double>(rows.size()), title);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double y = kTop + kRow * static_cast<double>(i);
        const double v = std::isfinite(r.value) && r.value > 0 ? r.value : 0;
        const double w = max > 0 ? kBarMax * v / max : 0;
        svg.text(kLabelW - 8, y + 16, clip(r.label, 28), "end", "label");
        svg.bar(kLabelW, y + 4, std::max(w, v > 0 ? 1.0 : 0.0), kRow - 8, kBar, r.tip);
        svg.text(kLabelW + std::max(w, 1.0) + 6, y + 16, r.value_text, "start", "value");
    }
    return svg.done();
}

// --- data for the template -----------------------------------------------------------------------

std::vector<const OpStats*> ran_ops(const StatsSnapshot& s) {
    std::vector<const OpStats*> ran;
    for (const auto& o : s.ops)
        if (o.count > 0) ran.push_back(&o);
    std::stable_sort(ran.begin(), ran.end(), [](const OpStats* a, const OpStats* b) { return a->total_ns > b->total_ns; });
    return ran;
}

const TemplateSet& template_set(const std::shared_ptr<const TemplateSet>& t) { return t ? *t : *builtin_templates(); }


}  // namespace

namespace detail {

std::string report_stage_chart(const StatsSnapshot& s) {
    const auto ran = ran_ops(s);
    std::uint64_t sum = 0;
    for (const auto* o : ran) sum += o->total_ns;
    std::vector<BarRow> rows;
    for (const auto* o : ran) {
        const double share = sum ? 100.0 * static_cast<double>(o->total_ns) / static_cast<double>(sum) : 0;
        rows.push_back({o->name, static_cast<double>(o->total_ns),
                        fmt::format("{} · {:.1f}%", human_ns_html(static_cast<double>(o->total_ns)), share),
                        fmt::format("{}: {} calls, {} in all, mean {}", o->name, count(o->count), human_ns_html(static_cast<double>(o->total_ns)),
                                    human_ns_html(static_cast<double>(o->mean_ns)))});
    }
    return bar_chart("em-stages", "Time per stage (summed over threads)", rows);
}

std::string report_rate_chart(std::span<const ProgressSample> samples) {
    // The rate at each sample over the window before it (1/40 of the run, at least the previous sample):
    // samples a few milliseconds apart would show mostly which types happened to finish together.
    struct P {
        double t, rate;
    };
    std::vector<P> pts;
    if (samples.size() < 2) return {};
    const std::uint64_t window = (samples.back().elapsed_ns - std::min(samples.back().elapsed_ns, samples.front().elapsed_ns)) / 40;
    std::size_t j = 0;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        const auto& b = samples[i];
        while (j + 1 < i && samples[j + 1].elapsed_ns + window <= b.elapsed_ns) ++j;
        const auto& a = samples[std::min(j, i - 1)];
        if (b.elapsed_ns <= a.elapsed_ns) continue;
        const double de = b.eyemaps >= a.eyemaps ? static_cast<double>(b.eyemaps - a.eyemaps) : 0.0;
        pts.push_back({static_cast<double>(b.elapsed_ns) / 1e9, de * 1e9 / static_cast<double>(b.elapsed_ns - a.elapsed_ns)});
    }
    if (pts.empty()) return {};
    constexpr double kH = 260, kLeft = 64, kRight = 20, kTop = 16, kBottom = 40;
    const double pw = kWidth - kLeft - kRight, ph = kH - kTop - kBottom;
    const double t0 = static_cast<double>(samples.front().elapsed_ns) / 1e9;
    double tmax = pts.back().t, rmax = 0;
    for (const auto& p : pts) rmax = std::max(rmax, p.rate);
    const double tstep = nice_step(std::max(tmax, 1e-3), 6), rstep = nice_step(std::max(rmax, 1.0), 5);
    const double xmax = std::ceil(tmax / tstep) * tstep, ymax = std::ceil(std::max(rmax, 1.0) / rstep) * rstep;
    auto X = [&](double t) { return kLeft + pw * (xmax > 0 ? t / xmax : 0); };
    auto Y = [&](double r) { return kTop + ph * (1 - (ymax > 0 ? r / ymax : 0)); };

    Svg svg("em-rate", kH, "Eyemaps per second over the run");
    for (double y = 0; y <= ymax + rstep / 2; y += rstep) {
        svg.line(kLeft, Y(y), kLeft + pw, Y(y), "grid");
        svg.text(kLeft - 6, Y(y) + 4, rstep >= 1 ? fmt::format("{:.0f}", y) : human_rate(y), "end", "tick");
    }
    for (double x = 0; x <= xmax + tstep / 2; x += tstep) {
        svg.line(X(x), kTop + ph, X(x), kTop + ph + 4, "axis");
        svg.text(X(x), kTop + ph + 18, tstep < 1 ? fmt::format("{:.1f}", x) : fmt::format("{:.0f}", x), "middle", "tick");
    }
    svg.line(kLeft, kTop + ph, kLeft + pw, kTop + ph, "axis");
    svg.text(kLeft + pw / 2, kH - 6, "seconds since the batch started", "middle", "axis-label");
    svg.raw(fmt::format(R"x(<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" class="axis-label">eyemaps/s</text>)x",
                        n(kTop + ph / 2)));
    // The average over the run.
    const auto& last = samples.back();
    const double span = static_cast<double>(last.elapsed_ns) / 1e9 - t0;
    if (span > 0) {
        const double avg = static_cast<double>(last.eyemaps - std::min(last.eyemaps, samples.front().eyemaps)) / span;
        svg.line(kLeft, Y(avg), kLeft + pw, Y(avg), "avg");
        svg.text(kLeft + pw - 4, Y(avg) - 5, fmt::format("average {} /s", human_rate(avg)), "end", "avg-label");
    }
    std::string d = fmt::format("M{} {}", n(X(t0)), n(Y(pts.front().rate)));
    for (const auto& p : pts) d += fmt::format(" L{} {}", n(X(p.t)), n(Y(p.rate)));
    svg.raw(fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" class="series"/>)", d, kLine));
    return svg.done();
}

std::string report_latency_chart(const StatsSnapshot& s) {
    const auto ran = ran_ops(s);
    if (ran.empty()) return {};
    constexpr double kRow = 24, kTop = 34, kLabelW = 200, kRight = 30, kBottom = 30;
    const double pw = kWidth - kLabelW - kRight;
    std::uint64_t lo = ~std::uint64_t{0}, hi = 1;
    for (const auto* o : ran) lo = std::min(lo, std::max<std::uint64_t>(o->min_ns, 1)), hi = std::max(hi, o->max_ns);
    const int d0 = static_cast<int>(std::floor(std::log10(static_cast<double>(std::max<std::uint64_t>(lo, 1)))));
    int d1 = static_cast<int>(std::ceil(std::log10(static_cast<double>(std::max<std::uint64_t>(hi, 1)))));
    if (d1 <= d0) d1 = d0 + 1;
    auto X = [&](double ns) {
        const double l = std::log10(std::max(ns, 1.0));
        return kLabelW + pw * std::clamp((l - d0) / (d1 - d0), 0.0, 1.0);
    };
    const double h = kTop + kRow * static_cast<double>(ran.size()) + kBottom;
    Svg svg("em-latency", h, "Latency percentiles per operation (log scale)");
    struct Mark {
        const char* name;
        const char* cls;
    };
    const Mark marks[] = {{"p50", "p50"}, {"p90", "p90"}, {"p99", "p99"}, {"max", "pmax"}};
    for (int i = 0; i < 4; ++i) {  // legend
        const double x = kLabelW + 90.0 * i;
        svg.raw(fmt::format(R"(<circle cx="{}" cy="14" r="5" class="{}"/>)", n(x + 6), marks[i].cls));
        svg.text(x + 16, 18, marks[i].name, "start", "tick");
    }
    const double plot_bottom = kTop + kRow * static_cast<double>(ran.size());
    for (int d = d0; d <= d1; ++d) {
        const double x = X(std::pow(10.0, d));
        svg.line(x, kTop - 4, x, plot_bottom, "grid");
        svg.text(x, plot_bottom + 18, human_ns_html(std::pow(10.0, d)), "middle", "tick");
    }
    for (std::size_t i = 0; i < ran.size(); ++i) {
        const auto* o = ran[i];
        const double y = kTop + kRow * static_cast<double>(i) + kRow / 2;
        svg.text(kLabelW - 8, y + 4, clip(o->name, 28), "end", "label");
        svg.line(X(static_cast<double>(o->min_ns)), y, X(static_cast<double>(o->max_ns)), y, "range");
        const std::uint64_t v[] = {o->p50_ns, o->p90_ns, o->p99_ns, o->max_ns};
        for (int k = 0; k < 4; ++k)
            svg.raw(fmt::format(R"(<circle cx="{}" cy="{}" r="5" class="{}"><title>{} {}: {}</title></circle>)", n(X(static_cast<double>(v[k]))),
                                n(y), marks[k].cls, esc(o->name), marks[k].name, human_ns_html(static_cast<double>(v[k]))));
    }
    return svg.done();
}

std::string report_cache_chart(std::span<const NamedCacheStats> caches) {
    std::vector<BarRow> rows;
    for (const auto& [name, c] : caches) {
        const double rate = 100.0 * c.hit_rate();
        rows.push_back({name, rate,
                        c.gets() ? fmt::format("{:.1f}% of {} gets", rate, count(c.gets())) : std::string("no gets"),
                        fmt::format("{}: {} hits, {} misses, {} entries, {}", name, count(c.hits), count(c.misses), count(c.entries),
                                    human_bytes(static_cast<double>(c.bytes)))});
    }
    return bar_chart("em-caches", "Cache hit rates", rows, 100.0);
}

std::string report_format_chart(std::span<const FormatBytes> formats) {
    std::vector<BarRow> rows;
    for (const auto& f : formats)
        rows.push_back({f.format, static_cast<double>(f.bytes),
                        fmt::format("{} in {} files", human_bytes(static_cast<double>(f.bytes)), count(f.files)),
                        fmt::format("{}: {} bytes in {} files", f.format, count(f.bytes), count(f.files))});
    return bar_chart("em-formats", "Bytes per format", rows);
}

}  // namespace detail

RunReport run_report_from(const StatsDocument& doc, std::string run_name, std::vector<FormatBytes> formats) {
    RunReport r;
    r.run_name = std::move(run_name);
    r.version = doc.version;
    r.command = doc.command;
    r.stats = doc.snapshot;
    r.caches = doc.caches;
    r.formats = std::move(formats);
    return r;
}

void FormatBytesTally::add(const TypeRecord& t) {
    // Kinds in a fixed order: eyemap formats, then pages and thumbnails.
    for (const auto& o : t.outputs) {
        int k = 0;
        switch (o.format) {
            case FileFormat::svg: k = o.eyemap < 0 ? 4 : 0; break;
            case FileFormat::png: k = 1; break;
            case FileFormat::pdf: k = 2; break;
            case FileFormat::html: k = 3; break;
        }
        ++acc_[k].files;
        acc_[k].bytes += o.bytes;
    }
}

std::vector<FormatBytes> FormatBytesTally::result() const {
    const char* names[] = {"svg", "png", "pdf", "html (pages)", "svg (thumbnails)"};
    std::vector<FormatBytes> out;
    for (int i = 0; i < 5; ++i)
        if (acc_[i].files) {
            out.push_back(acc_[i]);
            out.back().format = names[i];
        }
    return out;
}

std::vector<FormatBytes> bytes_per_format(std::span<const TypeRecord> types) {
    FormatBytesTally tally;
    for (const auto& t : types) tally.add(t);
    return tally.result();
}

std::string render_run_report(const RunReport& r, const std::shared_ptr<const TemplateSet>& templates) {
    const StatsSnapshot& s = r.stats;
    data d;
    d.set("title", r.run_name.empty() ? std::string("Run report") : "Run report: " + r.run_name);
    if (r.index_link) d.set("index_link", true);
    if (!r.provenance.empty()) d.set("provenance", data("sentence", r.provenance));
    d.set("version", r.version.empty() ? std::string("unknown") : r.version);
    if (!r.command.empty()) {
        std::string cmd;
        for (const auto& a : r.command) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
        d.set("command", cmd);
    }

    // Summary figures.
    data cards{data::type::list};
    auto card = [&](std::string label, std::string value, std::string id) {
        data c;
        c.set("label", std::move(label));
        c.set("value", std::move(value));
        c.set("id", std::move(id));
        cards.push_back(c);
    };
    card("Wall time", human_ns_html(static_cast<double>(s.wall_ns)), "wall");
    if (!s.progress.empty()) {
        const auto& last = s.progress.back();
        card("Eyemaps rendered", count(last.eyemaps), "eyemaps");
        card("Types done", count(last.types), "types");
        const double secs = static_cast<double>(last.elapsed_ns) / 1e9;
        if (secs > 0) card("Eyemaps/s (average)", human_rate(static_cast<double>(last.eyemaps) / secs), "rate");
        card("Bytes out", human_bytes(static_cast<double>(last.bytes_out)), "bytes");
    }
    const std::uint64_t peak = std::max(s.memory.peak_rss_bytes, s.memory.vm_hwm_bytes);
    card("Peak memory (RSS)", peak ? human_bytes(static_cast<double>(peak)) : std::string("unknown"), "peak-rss");
    d.set("cards", cards);
    if (!s.enabled) d.set("disabled", true);

    auto chart = [&](const char* key, std::string svg) {
        if (!svg.empty()) d.set(key, std::move(svg));
    };
    chart("stage_chart", detail::report_stage_chart(s));
    chart("rate_chart", detail::report_rate_chart(s.progress));
    chart("latency_chart", detail::report_latency_chart(s));
    chart("cache_chart", detail::report_cache_chart(r.caches));
    chart("format_chart", detail::report_format_chart(r.formats));
    d.set("samples", count(s.progress.size()));

    data lat{data::type::list};
    for (const auto* o : ran_ops(s)) {
        data row;
        row.set("name", o->name);
        row.set("count", count(o->count));
        data cells{data::type::list};
        for (std::uint64_t v : {o->mean_ns, o->p50_ns, o->p90_ns, o->p99_ns, o->max_ns}) {
            data c;
            c.set("ns", fmt::format("{}", v));
            c.set("text", human_ns_html(static_cast<double>(v)));
            cells.push_back(c);
        }
        row.set("cells", cells);
        row.set("bytes", o->bytes ? human_bytes(static_cast<double>(o->bytes)) : std::string("–"));
        lat.push_back(row);
    }
    d.set("latency", lat);

    const MemoryStats& m = s.memory;
    d.set("peak_rss", m.peak_rss_bytes ? human_bytes(static_cast<double>(m.peak_rss_bytes)) : std::string("unknown"));
    d.set("vm_hwm", m.vm_hwm_bytes ? human_bytes(static_cast<double>(m.vm_hwm_bytes)) : std::string("unknown"));
    d.set("rss", m.rss_bytes ? human_bytes(static_cast<double>(m.rss_bytes)) : std::string("unknown"));
    return detail::render_template(template_set(templates), "report.html.mustache", d);  // the same budget as every template
}

void write_run_report(const std::filesystem::path& run_dir, std::string run_name, const Renderer& renderer,
                      std::vector<FormatBytes> formats) {
    StatsDocument doc{renderer.stats().snapshot(), renderer.cache_statistics(), std::string(kVersion), process_command_line()};
    const auto& templates = renderer.templates();  // the run's set, read once with the renderer
    RunReport report = run_report_from(doc, std::move(run_name), std::move(formats));
    report.index_link = true;
    if (const Provenance p = provenance_of(renderer.options()); !p.empty()) report.provenance = p.sentence();
    write_file_atomic(run_dir / "report.html", render_run_report(report, templates));
}

}  // namespace eyemap

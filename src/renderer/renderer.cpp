// The one renderer: process -> layout -> SVG / PNG / PDF for every caller, with its caches and timing.
#include "eyemap/renderer.hpp"

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <iostream>
#include <unordered_map>

#include <fmt/format.h>

#include "core/read_file.hpp"
#include "core/hash.hpp"
#include "core/option_schema.hpp"
#include "core/text.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "ingest/csv.hpp"
#include "ingest/row_rules.hpp"
#include "layout/layout.hpp"
#include "output/sink.hpp"
#include "process/compare.hpp"
#include "process/process.hpp"
#include "render/raster.hpp"
#include "render/svg.hpp"
#include "render/svg_frame.hpp"
#include "render/thumbnail.hpp"
#include "process/summary.hpp"
#include "renderer/caches.hpp"
#include "renderer/figure.hpp"
#include "render/figure_render.hpp"

namespace eyemap {

// Names enter the drawing here: every text of the Scene made drawable by one rule (core/text.hpp),
// so SVG, PNG and PDF show the same replacement characters and cairo never refuses a name.
void make_scene_drawable(Scene& s) {
    make_drawable(s.data.neuron_type);
    make_drawable(s.data.region);
    for (auto& l : s.data.layer_names) make_drawable(l);
    for (auto& t : s.titles) {
        make_drawable(t.text);
        make_drawable(t.badge);
    }
    make_drawable(s.legend.title);
    for (auto& b : s.buttons) make_drawable(b.label);
    for (auto& m : s.marks) make_drawable(m.name);
}

// ---------------------------------------------------------------------------------------------
// Column index and dataset

std::shared_ptr<const ColumnIndex> index_columns(const ColumnLayout& layout, const RegionSet& regions) {
    return std::make_shared<const ColumnIndex>(make_column_index(layout, regions));
}
const RegionSet& regions_of(const ColumnIndex& index) noexcept { return index.regions; }
std::size_t column_count(const ColumnIndex& index) noexcept { return index.universe.size(); }
bool has_columns(const ColumnIndex& index, std::string_view region, Side side) noexcept {
    const int ri = index.regions.index_of(region);
    return ri >= 0 && index.has_columns(ri, side);
}

std::shared_ptr<const ColumnIndex> joint_index(const std::shared_ptr<const ColumnIndex>& a, const std::shared_ptr<const ColumnIndex>& b) {
    if (a == b) return a;
    const auto& ra = a->regions.regions;
    const auto& rb = b->regions.regions;
    for (std::size_t i = 0; i < std::max(ra.size(), rb.size()); ++i)
        if (i >= ra.size() || i >= rb.size() || ra[i].name != rb[i].name || ra[i].layers != rb[i].layers)
            throw_input("the two datasets define different regions or layers: compare them with one region config",
                        ErrorLocation{{}, 0, "regions", i < ra.size() ? ra[i].name : rb[i].name});
    if (a->universe.size() == b->universe.size() && a->in_region == b->in_region &&
        std::equal(a->universe.begin(), a->universe.end(), b->universe.begin(),
                   [](const ColumnIndex::Column& x, const ColumnIndex::Column& y) { return x.hex1 == y.hex1 && x.hex2 == y.hex2; }))
        return a;
    ColumnLayout joint;
    joint.source = "the two datasets' layouts";
    for (const ColumnIndex* x : {a.get(), b.get()})
        for (std::size_t k = 0; k < x->in_region.size(); ++k)
            for (std::size_t c = 0; c < x->universe.size(); ++c)
                if (x->in_region[k][c])
                    joint.entries.push_back(LayoutEntry{ra[k / 2].name, static_cast<Side>(k % 2), x->universe[c].hex1, x->universe[c].hex2});
    return index_columns(joint, a->regions);
}

const TypeRows* Dataset::find_type(std::string_view name) const noexcept {
    for (const auto& t : types)
        if (t.neuron_type == name) return &t;
    return nullptr;
}

const TypeRows& Dataset::type(std::string_view name) const {
    if (const TypeRows* t = find_type(name)) return *t;
    const std::string hint = closest_type(name);
    throw_input(fmt::format("neuron type not found in {} ({} types){}", source.empty() ? "the data" : source, types.size(),
                            hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)),
                ErrorLocation{{}, 0, "neuron_type", std::string(name)});
}

std::string Dataset::closest_type(std::string_view name) const {
    auto lower = [](std::string_view s) {
        std::string out(s);
        for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        return out;
    };
    const std::string want = lower(name);
    std::string best;
    std::size_t best_d = std::min<std::size_t>(3, want.size() / 2 + 1);  // a few edits, fewer for short names
    for (const auto& t : types) {
        const std::string have = lower(t.neuron_type);
        if (have.size() > want.size() + best_d || want.size() > have.size() + best_d) continue;
        const std::size_t d = have == want ? 0 : detail::edit_distance(have, want);
        if (d < best_d || (d == best_d && best.empty() && d == 0)) best_d = d, best = t.neuron_type;
    }
    return best;
}

Dataset make_dataset(ColumnTable table, std::optional<ColumnLayout> layout, const RegionSet& regions) {
    Dataset ds;
    ds.source = table.source;
    ds.columns = table.columns;
    ds.index = index_columns(layout ? *layout : layout_from_table(table), regions);
    std::unordered_map<std::string, std::size_t> index;
    for (auto& r : table.rows) {
        auto [it, fresh] = index.emplace(r.neuron_type, ds.types.size());
        if (fresh) ds.types.push_back(TypeRows{r.neuron_type, {}});
        ds.types[it->second].rows.push_back(std::move(r));
    }
    return ds;
}

Dataset make_dataset(const DataColumns& columns, std::optional<ColumnLayout> layout, const RegionSet& regions) {
    std::vector<std::string> names;
    std::vector<std::uint32_t> type_of_row;
    ColumnTable table = detail::unnamed_table_from_columns(columns, regions, names, type_of_row);
    Dataset ds;
    ds.source = table.source;
    ds.columns = table.columns;
    ds.index = index_columns(layout ? *layout : layout_from_table(table), regions);
    ds.types.resize(names.size());
    for (std::size_t t = 0; t < names.size(); ++t) ds.types[t].neuron_type = std::move(names[t]);
    for (std::size_t i = 0; i < table.rows.size(); ++i) ds.types[type_of_row[i]].rows.push_back(std::move(table.rows[i]));
    return ds;
}

Dataset load_dataset(const std::filesystem::path& data, const std::optional<std::filesystem::path>& layout,
                     const RegionSet& regions, Stats* stats, std::span<const std::string> values, std::span<const std::string> types) {
    const OpId op = stats ? stats->op("ingest") : OpId{};
    ColumnTable table;
    std::optional<ColumnLayout> lay;
    std::vector<std::string> names;  // every type of the file, when only some are kept
    {
        ScopedTimer t(stats, op);
        if (data == "-") refuse_folder_on_stdin();
        if (types.empty()) {
            table = data == "-" ? read_column_table(std::cin, "standard input", regions, values) : read_column_table(data, regions, values);
        } else {
            // Without a layout file the layout is every row's column, as with the whole table.
            if (!layout) lay.emplace();
            table = detail::read_types(data, regions, values, types, layout ? nullptr : &*lay, names);
        }
    }
    if (layout) {
        ScopedTimer t(stats, op);
        lay = read_column_layout(*layout, regions);
    }
    Dataset ds = make_dataset(std::move(table), std::move(lay), regions);
    for (const auto& want : types)
        if (!ds.find_type(want)) {  // the whole file's message: its type count and the closest name
            Dataset all;
            all.source = ds.source;
            for (auto& n : names) all.types.push_back(TypeRows{std::move(n), {}});
            all.type(want);
        }
    return ds;
}

// ---------------------------------------------------------------------------------------------
// Requests

namespace {

// A header name that stands for the value column `column` (`stem` + "s"): its spellings, and the
// metric's identifier used as a column name.
bool near_value_column(std::string_view name, std::string_view column, std::string_view metric_id) {
    std::string l(name);
    for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::string_view stem = column.substr(0, column.size() - 1);
    for (const std::string& v : {std::string(column), std::string(stem), std::string(metric_id), fmt::format("{}_count", stem),
                                 fmt::format("{}_count", column), fmt::format("{}_density", stem), fmt::format("n_{}", column),
                                 fmt::format("num_{}", column)})
        if (l == v) return true;
    return l.size() >= 3 && l.size() <= column.size() + 2 && detail::edit_distance(l, column) <= 2;
}

// The eyemaps' per-column arrays of the calling thread: handed back once a type's files are out, filled
// again by the next type's process_type (EyemapArrays; the batch renders type after type per thread).
EyemapArrays& thread_arrays() {
    thread_local EyemapArrays a;
    return a;
}

}  // namespace

std::vector<Metric> default_metrics(const TableColumns& columns) {
    std::vector<Metric> out;
    for (const Metric& m : {Metric::synapses, Metric::cells})
        if (has_metric(columns, m)) out.push_back(m);
    if (out.empty())
        for (const auto& v : columns.values) out.push_back(Metric(v.name));
    return out;
}

void check_metrics_in_data(const TableColumns& columns, std::span<const Metric> metrics) {
    const std::array<Metric, 2> counts{Metric::synapses, Metric::cells};
    std::vector<std::string_view> have;
    for (const Metric& m : counts)
        if (has_metric(columns, m)) have.push_back(metric_column(m));
    for (const auto& v : columns.values) have.push_back(v.name);
    std::string has_text =
        have.empty() ? std::string("the data has no value column") : fmt::format("the data's value columns: {}", fmt::join(have, ", "));
    // The columns no metric read: a value column is read only when named, so these are the other candidates.
    if (!columns.ignored.empty()) {
        const std::size_t shown = std::min<std::size_t>(columns.ignored.size(), 12);
        has_text += fmt::format("; its other columns: {}{}", fmt::join(columns.ignored.begin(), columns.ignored.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
                                columns.ignored.size() > shown ? fmt::format(" and {} more", columns.ignored.size() - shown) : std::string());
    }
    const auto near_of = [&](const Metric& m) -> const std::string* {
        if (m.is_count()) {
            for (const auto& u : columns.ignored)
                if (near_value_column(u, metric_column(m), to_string(m))) return &u;
            return nullptr;
        }
        // A value metric's near names: the columns the reader left, and the metrics the data has ("cels" -> cells).
        static const std::string kCounts[] = {"synapses", "cells"};
        std::vector<std::string_view> names(columns.ignored.begin(), columns.ignored.end());
        for (const auto& h : have) names.push_back(h);
        const std::string best = detail::closest_name(m.name(), names);
        for (const auto& u : columns.ignored)
            if (u == best) return &u;
        for (const auto& c : kCounts)
            if (c == best) return &c;
        for (const auto& v : columns.values)
            if (v.name == best) return &v.name;
        return nullptr;
    };
    const auto missing = [&](const Metric& m, const std::string* near) {
        throw_input(fmt::format("the data has no '{}' column, needed for metric {} ({}){}", metric_column(m), to_string(m), has_text,
                                near ? fmt::format("; did you mean the column '{}'?{}", *near,
                                                   m.is_count() ? fmt::format(" (name it '{}')", metric_column(m)) : std::string())
                                     : std::string()),
                    ErrorLocation{{}, 0, "metric", std::string(to_string(m))});
    };
    if (!metrics.empty()) {
        for (const Metric& m : metrics)
            if (!has_metric(columns, m)) missing(m, near_of(m));
        return;
    }
    // The default metrics: the counts the data has; a missing one present under a near name is a misspelling.
    for (const Metric& m : counts)
        if (!has_metric(columns, m))
            if (const std::string* near = near_of(m)) missing(m, near);
    if (have.empty())
        throw_input(fmt::format("the data has no value column: nothing to draw (a data table needs '{}' or '{}', or a value column "
                                "named as a metric)",
                                metric_column(counts[0]), metric_column(counts[1])),
                    ErrorLocation{{}, 0, "metric", "both"});
}

std::vector<EyemapRequest> all_requests(const ColumnIndex& index, const TableColumns& columns) {
    check_metrics_in_data(columns);
    const std::vector<Metric> metrics = default_metrics(columns);
    std::vector<EyemapRequest> out;
    for (std::size_t ri = 0; ri < index.regions.regions.size(); ++ri)
        for (Side side : {Side::L, Side::R}) {
            if (!index.has_columns(static_cast<int>(ri), side)) continue;
            for (const Metric& m : metrics) out.push_back({index.regions.regions[ri].name, side, m});
        }
    return out;
}

void check_region_known(const ColumnIndex& index, std::string_view region, std::string_view field) {
    if (index.regions.index_of(region) >= 0) return;
    std::string known;
    std::vector<std::string_view> names;
    for (const auto& r : index.regions.regions) {
        known += fmt::format("{}{}", known.empty() ? "" : ", ", r.name);
        names.push_back(r.name);
    }
    const std::string best = detail::closest_name(region, names);  // as for a region in the data
    throw_input(best.empty() ? fmt::format("unknown region (known: {})", known)
                             : fmt::format("unknown region; did you mean '{}'? (known: {})", best, known),
                ErrorLocation{{}, 0, std::string(field), std::string(region)});
}

void check_layer_of(const EyemapData& d, int layer, std::string_view field) {
    if (layer == 0) return;
    if (!d.has_layers())
        throw_input(fmt::format("{} {} {} {} has no per-layer values", d.neuron_type, d.region, to_string(d.side), to_string(d.metric)),
                    ErrorLocation{{}, 0, std::string(field), std::to_string(layer)});
    if (static_cast<std::size_t>(layer) > d.layer_count())
        throw_input(fmt::format("{} {} {} {}: region {} has layers 1..{}", d.neuron_type, d.region, to_string(d.side), to_string(d.metric),
                                d.region, d.layer_count()),
                    ErrorLocation{{}, 0, std::string(field), std::to_string(layer)});
}

RequestSelection select_requests(const ColumnIndex& index, const TableColumns& columns, const RequestFilter& f) {
    check_metrics_in_data(columns, f.metrics);
    if (!f.region.empty()) check_region_known(index, f.region, "region");
    // Asked metrics in the order asked; otherwise both counts (what the data lacks is noted as skipped).
    std::vector<Metric> metrics = f.metrics;
    if (metrics.empty()) {
        metrics = {Metric::synapses, Metric::cells};
        if (!has_metric(columns, Metric::synapses) && !has_metric(columns, Metric::cells)) metrics = default_metrics(columns);
    }
    RequestSelection out;
    const bool exact = !f.region.empty() && f.side && f.metrics.size() == 1;
    for (std::size_t ri = 0; ri < index.regions.regions.size(); ++ri) {
        const auto& name = index.regions.regions[ri].name;
        if (!f.region.empty() && f.region != name) continue;
        for (Side side : {Side::L, Side::R}) {
            if (f.side && *f.side != side) continue;
            for (const Metric& m : metrics) {
                const bool have_cols = index.has_columns(static_cast<int>(ri), side);
                if (!exact && (!have_cols || !has_metric(columns, m))) {
                    out.skipped.push_back(fmt::format("{} {} {} ({})", name, to_string(side), to_string(m),
                                                      !have_cols ? "no columns in the layout" : "metric not in the data"));
                    continue;
                }
                out.requests.push_back({name, side, m});
            }
        }
    }
    if (out.requests.empty())
        throw_input(fmt::format("nothing to render: {}", out.skipped.empty() ? "no match" : fmt::format("{}", fmt::join(out.skipped, "; "))),
                    ErrorLocation{{}, 0, "region/side/metric",
                                  fmt::format("{}/{}/{}", f.region.empty() ? "all" : f.region, f.side ? to_string(*f.side) : "both",
                                              f.metrics.empty() ? std::string("both") : metric_names(f.metrics))});
    return out;
}

std::string metric_names(std::span<const Metric> metrics) {
    std::string out;
    for (const Metric& m : metrics) (out += out.empty() ? "" : ",") += m.name();
    return out;
}

std::string Eyemap::file_name() const {
    return fmt::format("{}{}.{}", eyemap_file_stem(neuron_type, request.region, request.side, request.metric),
                       part == ComparePart::a ? "_a" : part == ComparePart::b ? "_b" : "", to_string(format));
}

// ---------------------------------------------------------------------------------------------
// The renderer

struct Renderer::Impl {
    RenderOptions options;
    std::shared_ptr<Caches> caches;
    std::unique_ptr<Stats> stats = std::make_unique<Stats>();
    std::shared_ptr<const TemplateSet> templates;
    std::shared_ptr<const Style> style;
    std::shared_ptr<const FillColours> fills;  // the style's no-data and grey around the colour map's bins
    // The run's scale (options.scale with a diverging map's centre: scale_options), and the metrics
    // drawn with their own colour map and scale (RenderOptions::metric_looks).
    ScaleOptions scale;
    struct Look {
        std::string metric;
        ScaleOptions scale;
        std::shared_ptr<const FillColours> fills;
    };
    std::vector<Look> looks;
    RasterOptions raster;
    // Handed to every Scene (null when not given): hexagons' links, the dataset named in the outputs.
    std::shared_ptr<const LinkTemplate> column_link;
    std::shared_ptr<const Provenance> provenance;
    std::uint64_t settings_hash = 0;
    OpId process_op, layout_op, svg_op, png_op, encode_op, pdf_op;

    Impl(RenderOptions o, std::shared_ptr<Caches> shared) : options(std::move(o)) {
        validate(options);  // every option and Style field, from the schema (core/option_schema.cpp)
        templates = options.templates.empty() ? builtin_templates() : load_templates(options.templates);
        style = std::make_shared<const Style>(options.style);
        fills = std::make_shared<const FillColours>(
            fill_colours(options.style, options.colormap, options.scale.bins, options.scale.continuous));
        scale = scale_options(options);
        for (const auto& l : resolve_metric_looks(options)) {
            RenderOptions own = options;
            own.colormap = l.colormap;
            own.scale = l.scale;
            looks.push_back(Look{l.metric, scale_options(own),
                                 std::make_shared<const FillColours>(fill_colours(options.style, l.colormap, l.scale.bins, l.scale.continuous))});
        }
        if (!options.column_link.empty())
            column_link = std::make_shared<const LinkTemplate>(options.column_link, LinkTemplate::Kind::column, "column_link");
        if (Provenance p = provenance_of(options); !p.empty())
            provenance = std::make_shared<const Provenance>(std::move(p));
        caches = shared ? std::move(shared) : std::make_shared<Caches>(options.caches);
        raster.scale = options.png_scale;
        raster.layer = options.layer;
        process_op = stats->op("process");
        layout_op = stats->op("layout");
        svg_op = stats->op("render_svg");
        png_op = stats->op("render_png");
        encode_op = stats->op("encode_png");
        pdf_op = stats->op("render_pdf");
        settings_hash = hash_settings();
    }

    // The metric's look among `looks`, or looks.size() for the run's own.
    std::size_t look_index(const Metric& m) const noexcept {
        for (std::size_t i = 0; i < looks.size(); ++i)
            if (looks[i].metric == m.name()) return i;
        return looks.size();
    }

    std::uint64_t hash_settings() const {
        HashBuilder h(0x72656e64);  // "rend"
        eyemap::hash_settings(h, options, templates->content_hash);
        return h.digest();
    }

    // Processed and laid out: every request checked, every scene made, before any output.
    std::vector<Scene> scenes(const ColumnIndex& index, const TableColumns& columns, std::string_view type,
                              std::span<const ColumnRow> rows, std::span<const EyemapRequest> requests,
                              bool raster_output, EyemapArrays* reuse = nullptr) const {
        check_requests(index, columns, requests);
        if (options.layer != 0 && !raster_output)
            throw_input("a layer applies to PNG and PDF output (the SVG has layer buttons)",
                        ErrorLocation{{}, 0, "layer", std::to_string(options.layer)});
        std::vector<EyemapData> data(requests.size());
        {
            ScopedTimer t(stats.get(), process_op);
            for_each_look(requests, [&](const ScaleOptions& so, std::span<const EyemapRequest> group, std::span<const std::size_t> at) {
                auto part = process_type(type, rows, columns, index, group, so, cached_scales(), reuse);
                for (std::size_t k = 0; k < part.size(); ++k) data[at[k]] = std::move(part[k]);
            });
        }
        for (const auto& d : data) check_layer_of(d, options.layer, "layer");
        std::vector<Scene> out;
        out.reserve(data.size());
        ScopedTimer t(stats.get(), layout_op);
        std::shared_ptr<const GridCoordinates> grids[2];  // one grid lookup per side of the type
        for (auto& d : data) out.push_back(lay_out(index, std::move(d), grids));
        return out;
    }

    ScaleSource cached_scales() const {
        return [this](std::span<const double> v, const ScaleOptions& o) { return caches->scale(v, o); };
    }

    // The requests grouped by look (the run's, then each metric's own): f(scale options, the group's
    // requests, their positions in `requests`) once per non-empty group.
    template <class F>
    void for_each_look(std::span<const EyemapRequest> requests, F&& f) const {
        if (looks.empty()) {
            std::vector<std::size_t> at(requests.size());
            for (std::size_t i = 0; i < at.size(); ++i) at[i] = i;
            f(scale, requests, std::span<const std::size_t>(at));
            return;
        }
        for (std::size_t g = 0; g <= looks.size(); ++g) {
            std::vector<EyemapRequest> group;
            std::vector<std::size_t> at;
            for (std::size_t i = 0; i < requests.size(); ++i)
                if (look_index(requests[i].metric) == g) group.push_back(requests[i]), at.push_back(i);
            if (!group.empty()) f(g < looks.size() ? looks[g].scale : scale, std::span<const EyemapRequest>(group), std::span<const std::size_t>(at));
        }
    }

    // One eyemap's Scene: its look's fills (or `own`), the renderer's links and dataset.
    // `grids`: the grids per side looked up so far (a type's Scenes share them).
    Scene lay_out(const ColumnIndex& index, EyemapData d, std::shared_ptr<const GridCoordinates> (&grids)[2],
                  std::shared_ptr<const FillColours> own = nullptr, std::optional<ScaleScope> scope = std::nullopt) const {
        auto& g = grids[static_cast<int>(d.side)];
        if (!g) g = caches->grid(index, options.geometry, d.side);
        const std::size_t l = look_index(d.metric);
        if (!own) own = l < looks.size() ? looks[l].fills : fills;
        const ScaleScope sc = scope ? *scope : l < looks.size() ? looks[l].scale.scope : options.scale.scope;
        Scene s = layout_eyemap(std::move(d), g, options.geometry, style, sc, std::move(own));
        s.marks = scene_marks(options.marks, index, s.data.region, s.data.side);
        make_scene_drawable(s);
        place_mark_legend(s, options.geometry);  // after every set is in: the canvas grows by their legend
        s.column_link = column_link;
        s.provenance = provenance;
        return s;
    }

    // A comparison's Scenes, per request: A and B on one locked scale, then their difference
    // (eyemap/compare.hpp). Every request is checked against both datasets before any is processed.
    struct CompareScenes {
        std::vector<Scene> scenes;  // 3 per request: a, b, difference
        std::vector<EyemapRequest> requests;  // per scene: the request drawn (the difference's names its metric)
    };
    CompareScenes compare_scenes(const ColumnIndex& index, std::string_view type, const TableColumns& columns_a,
                                 std::span<const ColumnRow> rows_a, const TableColumns& columns_b, std::span<const ColumnRow> rows_b,
                                 std::span<const EyemapRequest> requests, const CompareOptions& co, bool raster_output,
                                 std::string_view source_a = {}, std::string_view source_b = {}) const {
        validate(co);
        // An error of B's rows names B's file (or says it is the baseline's): the caller names A's.
        auto of_b = [&](auto&& f) -> decltype(auto) {
            try {
                return f();
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::input || !e.where().file.empty()) throw;
                if (!source_b.empty() && source_b != source_a) rethrow_in_file(e, source_b);
                throw Error(e.kind(), fmt::format("{} (in {}, the baseline)", e.reason(), co.label_b), e.where());
            }
        };
        check_requests(index, columns_a, requests);
        of_b([&] { check_requests(index, columns_b, requests); });
        if (options.layer != 0 && !raster_output)
            throw_input("a layer applies to PNG and PDF output (the SVG has layer buttons)",
                        ErrorLocation{{}, 0, "layer", std::to_string(options.layer)});
        // B's rows are its type's (two types of one dataset: another name).
        const std::string_view type_b = co.type_b.empty() ? type : std::string_view(co.type_b);
        std::vector<EyemapData> da(requests.size()), db(requests.size()), dd;
        std::vector<Metric> metrics;
        for (const auto& r : requests)
            if (std::find(metrics.begin(), metrics.end(), r.metric) == metrics.end()) metrics.push_back(r.metric);
        std::vector<EyemapRequest> diff_requests;
        DifferenceRows diff;
        {
            ScopedTimer t(stats.get(), process_op);
            for_each_look(requests, [&](const ScaleOptions& so, std::span<const EyemapRequest> group, std::span<const std::size_t> at) {
                // Pass 1: the values each scale of A and of B is made from (process_type asks for two
                // scales per request, all layers then per layer, in request order); pass 2: both on
                // the scales of A's and B's values together.
                std::vector<std::vector<double>> pools_a, pools_b;
                auto record = [](std::vector<std::vector<double>>& pools) {
                    return ScaleSource([&pools](std::span<const double> v, const ScaleOptions& o) {
                        pools.emplace_back(v.begin(), v.end());
                        return make_scale({}, o);
                    });
                };
                process_type(type, rows_a, columns_a, index, group, so, record(pools_a));
                of_b([&] { return process_type(type_b, rows_b, columns_b, index, group, so, record(pools_b)); });
                if (pools_a.size() != pools_b.size() || pools_a.size() != 2 * group.size())
                    throw_internal("compare: process_type asked for an unexpected number of scales");
                for (std::size_t k = 0; k < pools_a.size(); ++k) pools_a[k].insert(pools_a[k].end(), pools_b[k].begin(), pools_b[k].end());
                std::size_t call = 0;
                const ScaleSource locked = [&](std::span<const double>, const ScaleOptions& o) { return caches->scale(pools_a.at(call++), o); };
                auto a = process_type(type, rows_a, columns_a, index, group, so, locked);
                call = 0;
                auto b = of_b([&] { return process_type(type_b, rows_b, columns_b, index, group, so, locked); });
                for (std::size_t j = 0; j < group.size(); ++j) {
                    if (!a[j].counts) a[j].format = b[j].format = value_format(pools_a[2 * j], pools_a[2 * j + 1]);  // print alike
                    da[at[j]] = std::move(a[j]);
                    db[at[j]] = std::move(b[j]);
                }
            });
            std::vector<std::string> regions;  // only the regions drawn: a value elsewhere cannot stop them
            for (const auto& r : requests)
                if (std::find(regions.begin(), regions.end(), r.region) == regions.end()) regions.push_back(r.region);
            diff = difference_rows(rows_a, columns_a, rows_b, columns_b, index, metrics, co, source_a, source_b, regions);
            for (const auto& r : requests) {
                const auto k = static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), r.metric) - metrics.begin());
                diff_requests.push_back({r.region, r.side, diff.metrics[k]});
            }
            dd = process_type(type, diff.rows, diff.columns, index, diff_requests, difference_scale(), cached_scales());
        }
        for (const auto& d : da) check_layer_of(d, options.layer, "layer");
        for (const auto& d : db) of_b([&] { check_layer_of(d, options.layer, "layer"); });
        for (const auto& d : dd)
            if (options.layer != 0 && !d.has_layers())
                throw_input(fmt::format("layer {}: the difference has per-layer values only where both datasets have them for {}",
                                        options.layer, to_string(d.metric)),
                            ErrorLocation{{}, 0, "layer", std::to_string(options.layer)});
        CompareScenes out;
        ScopedTimer t(stats.get(), layout_op);
        const auto diff_fills = difference_fills(co);
        std::shared_ptr<const GridCoordinates> grids[2];
        for (std::size_t i = 0; i < requests.size(); ++i) {
            for (auto [d, label] : {std::pair{&da[i], &co.label_a}, std::pair{&db[i], &co.label_b}}) {
                out.scenes.push_back(lay_out(index, std::move(*d), grids));
                out.scenes.back().titles[0].text += fmt::format(" \u00b7 {}", *label);  // which dataset, on the locked scale
                make_drawable(out.scenes.back().titles[0].text);
                out.requests.push_back(requests[i]);
            }
            out.scenes.push_back(lay_out(index, std::move(dd[i]), grids, diff_fills, options.scale.scope));
            const auto k = static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), requests[i].metric) - metrics.begin());
            add_only_in_marks(out.scenes.back(), only_in(diff, k, index, requests[i].region, requests[i].side), co);
            place_mark_legend(out.scenes.back(), options.geometry);
            out.requests.push_back(diff_requests[i]);
        }
        return out;
    }

    std::vector<FigureOutput> figure(const Dataset& ds, const Dataset* baseline, const FigureRequest& request,
                                     std::span<const OutputFormat> formats) const;

    // The difference's colours: the comparison's diverging map on the run's bins (or continuous).
    std::shared_ptr<const FillColours> difference_fills(const CompareOptions& co) const {
        return std::make_shared<const FillColours>(fill_colours(options.style, co.colormap, options.scale.bins, options.scale.continuous));
    }

    // Each Scene of a comparison in every format, to `out`.
    void emit(const CompareScenes& cs, std::string_view type, std::span<const OutputFormat> formats,
              const std::function<void(const EyemapView&)>& out) const;

    // A difference's scale: linear and centred at 0 on the run's bins (or continuous), whatever the
    // run's method: signed values have no log, and a fixed range of counts is not one of differences.
    ScaleOptions difference_scale() const {
        ScaleOptions o = options.scale;
        o.method = ScaleMethod::linear;
        o.centre = 0;
        o.min = o.max = 0;
        return o;
    }

    // The one place a format is dispatched.
    // `part`: a comparison's A and B have ids of their own (one page shows both).
    void write(const Scene& s, OutputFormat f, fmt::memory_buffer& buf, std::string& bytes, std::string_view& view,
               ComparePart part = ComparePart::none) const {
        switch (f) {
            case OutputFormat::svg: {
                ScopedTimer t(stats.get(), svg_op);  // with the frame: a miss expands it (~0.3 ms)
                const auto frame = caches->frame(s, *templates, options.interactive);
                buf.clear();
                std::string id = options.svg_id.empty() ? default_svg_id(s.data) : options.svg_id;
                if (part == ComparePart::a || part == ComparePart::b) id += part == ComparePart::a ? "-a" : "-b";
                detail::write_svg(s, *frame, buf, id);
                t.add_bytes(buf.size());
                view = std::string_view(buf.data(), buf.size());
                return;
            }
            case OutputFormat::png: {
                RasterImage img;
                {
                    ScopedTimer t(stats.get(), png_op);
                    img = render_image(s, raster);
                    t.add_bytes(img.argb.size() * 4);
                }
                ScopedTimer t(stats.get(), encode_op);
                bytes = encode_png(img, raster.png);
                t.add_bytes(bytes.size());
                view = bytes;
                return;
            }
            case OutputFormat::pdf: {
                ScopedTimer t(stats.get(), pdf_op);
                bytes = render_pdf(s, raster);
                t.add_bytes(bytes.size());
                view = bytes;
                return;
            }
        }
        throw_input("not an eyemap format", ErrorLocation{{}, 0, "format", std::string(to_string(f))});
    }
};

namespace {


constexpr OutputFormat kSvgOnly[] = {OutputFormat::svg};

bool any_raster(std::span<const OutputFormat> formats) {
    return std::any_of(formats.begin(), formats.end(), [](OutputFormat f) { return f == OutputFormat::png || f == OutputFormat::pdf; });
}

EyemapCounts counts_of(const EyemapData& d) {
    EyemapCounts c;
    c.has_data = d.has_data_count;
    c.not_in_region = d.not_in_region_count;
    c.no_data = d.status.size() - d.has_data_count - d.not_in_region_count;
    return c;
}

// The SVG buffer of the calling thread, reused from type to type (~150 KB for a real eyemap).
struct BufferLease {
    BufferLease() : buf(take()) {}
    ~BufferLease() {
        if (buf->capacity() <= (16u << 20)) slot() = std::move(buf);  // a huge one is not kept
    }
    static std::unique_ptr<fmt::memory_buffer>& slot() {
        thread_local std::unique_ptr<fmt::memory_buffer> b;
        return b;
    }
    static std::unique_ptr<fmt::memory_buffer> take() {
        auto& s = slot();
        return s ? std::move(s) : std::make_unique<fmt::memory_buffer>();
    }
    std::unique_ptr<fmt::memory_buffer> buf;
};

// What both datasets of a comparison can draw: all_requests of A whose metric B has.
std::vector<EyemapRequest> compare_requests(const ColumnIndex& index, const TableColumns& a, const TableColumns& b) {
    std::vector<EyemapRequest> out;
    for (const auto& r : all_requests(index, a))
        if (has_metric(b, r.metric)) out.push_back(r);
    if (out.empty())
        throw_input("the two datasets have no metric in common", ErrorLocation{{}, 0, "metric", metric_names(default_metrics(a))});
    return out;
}

}  // namespace

void add_only_in_marks(Scene& s, const std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>& only, const CompareOptions& co) {
    // Markers keep the difference's fill visible; a dark and a light dot (each with a dark edge) read apart on any fill.
    // A user's set of the same name keeps its name; these say where they come from.
    auto name_of = [&](const std::string& label) {
        std::string name = drawable_text("only in " + label);
        if (std::any_of(s.marks.begin(), s.marks.end(), [&](const SceneMarkSet& m) { return m.name == name; })) name += " (comparison)";
        return name;
    };
    if (!only.first.empty()) s.marks.push_back(SceneMarkSet{name_of(co.label_a), MarkStyle::marker, "#222222", only.first});
    if (!only.second.empty()) s.marks.push_back(SceneMarkSet{name_of(co.label_b), MarkStyle::marker, "#ffffff", only.second});
}

void Renderer::Impl::emit(const CompareScenes& cs, std::string_view type, std::span<const OutputFormat> formats,
                          const std::function<void(const EyemapView&)>& out) const {
    BufferLease lease;
    std::string bytes;
    std::array<std::uint8_t, kThumbnailCells * kThumbnailCells> thumb{};
    constexpr ComparePart kParts[] = {ComparePart::a, ComparePart::b, ComparePart::difference};
    for (std::size_t i = 0; i < cs.scenes.size(); ++i) {
        const Scene& s = cs.scenes[i];
        const EyemapCounts counts = counts_of(s.data);
        const EyemapSummary summary = summarize_eyemap(s.data);
        thumbnail_cells(s, thumbnail_cell_map(*s.grid, kThumbnailCells), thumb);
        for (OutputFormat f : formats) {
            std::string_view view;
            write(s, f, *lease.buf, bytes, view, kParts[i % 3]);
            out(EyemapView{type, cs.requests[i], f, counts, view, summary, thumb, s.width, s.height, kParts[i % 3]});
        }
    }
}

Renderer::Renderer(RenderOptions options) : impl_(std::make_unique<Impl>(std::move(options), nullptr)) {}
Renderer::Renderer(RenderOptions options, const Renderer& other) : impl_(std::make_unique<Impl>(std::move(options), other.impl_->caches)) {}
Renderer::~Renderer() = default;
Renderer::Renderer(Renderer&&) noexcept = default;
Renderer& Renderer::operator=(Renderer&&) noexcept = default;

const RenderOptions& Renderer::options() const noexcept { return impl_->options; }
Stats& Renderer::stats() const noexcept { return *impl_->stats; }
std::vector<NamedCacheStats> Renderer::cache_statistics() const { return impl_->caches->statistics(); }
void Renderer::reset_statistics() const {
    impl_->stats->reset();
    impl_->caches->reset_statistics();
}
void Renderer::clear_caches() const { impl_->caches->clear(); }
std::uint64_t Renderer::settings_hash() const { return impl_->settings_hash; }
const std::shared_ptr<const TemplateSet>& Renderer::templates() const noexcept { return impl_->templates; }

void Renderer::render(const ColumnIndex& index, const TableColumns& columns, std::string_view neuron_type,
                      std::span<const ColumnRow> rows, std::span<const EyemapRequest> requests,
                      std::span<const OutputFormat> formats, const std::function<void(const EyemapView&)>& out) const {
    if (formats.empty()) formats = kSvgOnly;
    std::vector<EyemapRequest> all;
    if (requests.empty()) {
        all = all_requests(index, columns);
        requests = all;
    }
    EyemapArrays& arrays = thread_arrays();
    auto scenes = impl_->scenes(index, columns, neuron_type, rows, requests, any_raster(formats), &arrays);
    BufferLease lease;
    std::string bytes;
    std::array<std::uint8_t, kThumbnailCells * kThumbnailCells> thumb{};
    const GridCoordinates* mapped = nullptr;  // the grid cell_map belongs to (a type has one per side)
    std::vector<std::uint16_t> cell_map;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        Scene& s = scenes[i];
        const EyemapCounts counts = counts_of(s.data);
        const EyemapSummary summary = summarize_eyemap(s.data);
        if (mapped != s.grid.get()) {
            cell_map = thumbnail_cell_map(*s.grid, kThumbnailCells);
            mapped = s.grid.get();
        }
        thumbnail_cells(s, cell_map, thumb);
        for (OutputFormat f : formats) {
            std::string_view view;
            impl_->write(s, f, *lease.buf, bytes, view);
            out(EyemapView{neuron_type, requests[i], f, counts, view, summary, thumb, s.width, s.height});
        }
        arrays.give(std::move(s.data));  // its files are out
    }
}

std::vector<Eyemap> Renderer::render(const Dataset& ds, std::string_view neuron_type, std::span<const EyemapRequest> requests,
                                     std::span<const OutputFormat> formats) const {
    const TypeRows* type = &ds.type(neuron_type);
    std::vector<Eyemap> out;
    try {
        render(*ds.index, ds.columns, type->neuron_type, type->rows, requests, formats, [&](const EyemapView& v) {
            out.push_back(Eyemap{std::string(v.neuron_type), v.request, v.format, v.counts, v.summary, std::string(v.bytes)});
        });
    } catch (const Error& e) {
        rethrow_in_file(e, ds.source);
    }
    return out;
}

void Renderer::render_compare(const ColumnIndex& index, std::string_view neuron_type, const TableColumns& columns_a,
                              std::span<const ColumnRow> rows_a, const TableColumns& columns_b, std::span<const ColumnRow> rows_b,
                              const CompareOptions& options, std::span<const EyemapRequest> requests, std::span<const OutputFormat> formats,
                              const std::function<void(const EyemapView&)>& out, std::string_view source_a,
                              std::string_view source_b) const {
    std::vector<EyemapRequest> all;
    if (requests.empty()) requests = all = compare_requests(index, columns_a, columns_b);
    if (formats.empty()) formats = kSvgOnly;
    const auto cs = impl_->compare_scenes(index, neuron_type, columns_a, rows_a, columns_b, rows_b, requests, options, any_raster(formats),
                                          source_a, source_b);
    impl_->emit(cs, neuron_type, formats, out);
}

std::vector<Eyemap> Renderer::render_compare(const Dataset& a, const Dataset& b, std::string_view neuron_type, const CompareOptions& options,
                                             std::span<const EyemapRequest> requests, std::span<const OutputFormat> formats) const {
    validate(options);  // its errors name the option, not a file
    const TypeRows& ta = a.type(neuron_type);
    const std::string_view name_b = options.type_b.empty() ? neuron_type : std::string_view(options.type_b);
    if (&a == &b && name_b == ta.neuron_type)
        throw_input("a type compared with itself: give another type (type_b) or another dataset", ErrorLocation{{}, 0, "type_b", std::string(name_b)});
    const TypeRows* tb = nullptr;
    try {
        tb = &b.type(name_b);
    } catch (const Error& e) {
        ErrorLocation w = e.where();
        w.file = b.source;
        throw Error(e.kind(), fmt::format("{} (the baseline, {})", e.reason(), options.label_b), std::move(w));
    }
    const auto index = joint_index(a.index, b.index);
    std::vector<EyemapRequest> all;
    if (requests.empty()) requests = all = compare_requests(*index, a.columns, b.columns);
    if (formats.empty()) formats = kSvgOnly;
    std::vector<Eyemap> out;
    try {
        const auto cs = impl_->compare_scenes(*index, ta.neuron_type, a.columns, ta.rows, b.columns, tb->rows, requests, options,
                                              any_raster(formats), a.source, b.source);
        impl_->emit(cs, ta.neuron_type, formats, [&](const EyemapView& v) {
            out.push_back(Eyemap{std::string(v.neuron_type), v.request, v.format, v.counts, v.summary, std::string(v.bytes), v.part});
        });
    } catch (const Error& e) {
        rethrow_in_file(e, a.source);
    }
    return out;
}

std::string Renderer::render_pdf_pages(const Dataset& ds, std::string_view neuron_type,
                                       std::span<const EyemapRequest> requests) const {
    const TypeRows* type = &ds.type(neuron_type);
    std::vector<EyemapRequest> all;
    if (requests.empty()) {
        all = all_requests(*ds.index, ds.columns);
        requests = all;
    }
    try {
        const auto scenes = impl_->scenes(*ds.index, ds.columns, type->neuron_type, type->rows, requests, true);
        ScopedTimer t(impl_->stats.get(), impl_->pdf_op);
        std::string pdf = eyemap::render_pdf_pages(scenes, impl_->raster);
        t.add_bytes(pdf.size());
        return pdf;
    } catch (const Error& e) {
        rethrow_in_file(e, ds.source);
    }
}

std::vector<FigureOutput> Renderer::render_figure(const Dataset& ds, const FigureRequest& request,
                                                  std::span<const OutputFormat> formats) const {
    return impl_->figure(ds, nullptr, request, formats);
}

std::vector<FigureOutput> Renderer::render_figure(const Dataset& ds, const Dataset& baseline, const FigureRequest& request,
                                                  std::span<const OutputFormat> formats) const {
    return impl_->figure(ds, &baseline, request, formats);
}

std::vector<FigureOutput> Renderer::Impl::figure(const Dataset& ds, const Dataset* baseline, const FigureRequest& request,
                                                 std::span<const OutputFormat> formats) const {
    if (formats.empty()) formats = kSvgOnly;
    const Impl& m = *this;
    const FigureContext ctx{
        m.options,
        m.style,
        [&m](const Metric& metric) {
            const std::size_t l = m.look_index(metric);
            return l < m.looks.size() ? std::pair(m.looks[l].scale, m.looks[l].fills) : std::pair(m.scale, m.fills);
        },
        [&m](std::span<const double> v, const ScaleOptions& o) { return m.caches->scale(v, o); },
        [&m](const ColumnIndex& index, Side side) { return m.caches->grid(index, m.options.geometry, side); },
        m.stats.get(),
        m.process_op,
        m.layout_op,
        m.column_link,
        m.provenance,
        [&m](const CompareOptions& co) { return std::pair(m.difference_scale(), m.difference_fills(co)); }};
    try {
        const FigureScene fig = build_figure(ds, baseline, request, ctx);
        // The family as asked goes into the SVG (the viewer's fonts draw it); cairo draws PNG and PDF
        // with fontconfig's nearest match when the family is missing: said, not refused.
        std::string note;
        if (any_raster(formats) && !font_family_available(request.options.font_family))
            note = fmt::format("font family '{}' not found: PNG and PDF text is drawn in fontconfig's nearest match{}",
                               request.options.font_family,
                               request.options.font_family == "Liberation Sans" ? " (Debian: apt-get install fonts-liberation2)" : "");
        std::vector<FigureOutput> out;
        for (const OutputFormat f : formats) {
            FigureOutput o{f, {}, fig.width / kPointsPerMm, fig.height / kPointsPerMm, fig.rows, fig.columns, f == OutputFormat::svg ? "" : note};
            switch (f) {
                case OutputFormat::svg: {
                    ScopedTimer t(m.stats.get(), m.svg_op);
                    BufferLease lease;
                    lease.buf->clear();
                    write_figure_svg(fig, *m.templates, *lease.buf);
                    o.bytes.assign(lease.buf->data(), lease.buf->size());
                    t.add_bytes(o.bytes.size());
                    break;
                }
                case OutputFormat::png: {
                    RasterImage img;
                    {
                        ScopedTimer t(m.stats.get(), m.png_op);
                        img = render_figure_image(fig, request.options.dpi);
                        t.add_bytes(img.argb.size() * 4);
                    }
                    ScopedTimer t(m.stats.get(), m.encode_op);
                    o.bytes = encode_png(img, m.raster.png);
                    t.add_bytes(o.bytes.size());
                    break;
                }
                case OutputFormat::pdf: {
                    ScopedTimer t(m.stats.get(), m.pdf_op);
                    o.bytes = render_figure_pdf(fig);
                    t.add_bytes(o.bytes.size());
                    break;
                }
            }
            out.push_back(std::move(o));
        }
        return out;
    } catch (const Error& e) {
        // A figure option out of bounds only once the panels are known (a page too large for the dpi, a
        // legend that would mix metrics) is the option's fault, not the data file's: named alone.
        if (is_figure_option_field(e.where().field)) throw;
        rethrow_in_file(e, ds.source);
    }
}

}  // namespace eyemap

// Figure building: which panels, their data on one scale per legend, their Scenes, the page layout.
#include "renderer/figure.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "process/compare.hpp"
#include "process/process.hpp"
#include "process/summary.hpp"

namespace eyemap {
namespace {

// One panel: the eyemap it shows.
struct PanelSpec {
    std::string type;
    EyemapRequest request;
    int layer = 0;
    ComparePart part = ComparePart::none;  // a comparison's A, B or difference
};

// The values of one dimension: the given ones on an axis (empty: `all`), else exactly one (empty: `fallback`).
template <class T>
std::vector<T> dimension(const FigurePanels& p, FigureAxis axis, const std::vector<T>& given, std::vector<T> all,
                         std::optional<T> fallback, std::string_view field) {
    if (p.rows == axis || p.columns == axis) {
        if (!given.empty()) return given;
        if (all.empty())
            throw_input(fmt::format("the {} on the figure's {} must be listed", to_string(axis), p.rows == axis ? "rows" : "columns"),
                        ErrorLocation{{}, 0, std::string(field), {}});
        return all;
    }
    if (!given.empty()) return given;  // one value (validate(FigurePanels))
    if (!fallback)
        throw_input(fmt::format("a figure needs {}: give one, or put {} on the rows or columns", to_string(axis), to_string(axis)),
                    ErrorLocation{{}, 0, std::string(field), {}});
    return {*fallback};
}

// A value's label on an axis (its header) or in a panel's own label.
std::string axis_value_label(FigureAxis a, const PanelSpec& p, const EyemapData& d, const CompareOptions& co) {
    switch (a) {
        case FigureAxis::datasets:
            return p.part == ComparePart::a   ? co.label_a
                   : p.part == ComparePart::b ? co.label_b
                   : co.mode == CompareMode::log2_ratio ? fmt::format("log2 {}/{}", co.label_a, co.label_b)
                                                        : fmt::format("{} \u2212 {}", co.label_a, co.label_b);
        case FigureAxis::types: return p.type;
        case FigureAxis::regions: return p.request.region;
        case FigureAxis::sides: return std::string(to_string(p.request.side));
        case FigureAxis::metrics: return std::string(metric_label(p.request.metric));
        case FigureAxis::layers:
            return p.layer == 0 ? std::string("all layers")
                                : fmt::format("layer {}", d.layer_names.empty() ? std::to_string(p.layer) : d.layer_names[static_cast<std::size_t>(p.layer - 1)]);
    }
    return {};
}

// The values a panel draws: its column values, or its layer's, where they are data.
void append_drawn(const EyemapData& d, int layer, std::vector<double>& out) {
    if (layer == 0) {
        for (std::size_t c = 0; c < d.status.size(); ++c)
            if (d.status[c] == ColumnStatus::has_data) out.push_back(d.value[c]);
        return;
    }
    const std::size_t L = d.layer_count(), l = static_cast<std::size_t>(layer - 1);
    for (std::size_t c = 0; c < d.status.size(); ++c)  // a layer's fill is white exactly where it has no data
        if (d.status[c] != ColumnStatus::not_in_region && d.layer_fill[c * L + l] != kFillWhite) out.push_back(d.layer_value[c * L + l]);
}

// A panel shows one layer as a static eyemap does (fills_for_layer), with that layer's values in its
// tooltips; the per-layer arrays (for layer buttons) are dropped.
void keep_layer(EyemapData& d, int layer) {
    if (layer != 0) {
        const std::size_t L = d.layer_count(), l = static_cast<std::size_t>(layer - 1);
        d.fill = fills_for_layer(d, layer);
        d.has_data_count = 0;
        for (std::size_t c = 0; c < d.status.size(); ++c) {
            if (d.status[c] == ColumnStatus::not_in_region) continue;
            const bool data = d.layer_fill[c * L + l] != kFillWhite;
            d.status[c] = data ? ColumnStatus::has_data : ColumnStatus::no_data;
            d.value[c] = d.layer_value[c * L + l];
            d.has_data_count += data;
        }
    }
    d.layer_value.clear();
    d.layer_fill.clear();
    d.layer_names.clear();
}

}  // namespace

FigureScene build_figure(const Dataset& ds, const Dataset* baseline, const FigureRequest& req, const FigureContext& ctx) {
    validate(req.options);
    validate(req.panels);
    const FigurePanels& fp = req.panels;
    const bool comparing = baseline != nullptr;
    if (comparing) validate(req.compare);
    const bool datasets_on_axis = fp.rows == FigureAxis::datasets || fp.columns == FigureAxis::datasets;
    if (!comparing && (datasets_on_axis || !fp.datasets.empty()))
        throw_input("the datasets axis needs a comparison: a baseline dataset, or a baseline type",
                    ErrorLocation{{}, 0, "datasets", datasets_on_axis ? "axis" : "given"});
    if (comparing && datasets_on_axis &&
        ((req.options.legend == FigureLegend::column && fp.columns == FigureAxis::datasets) ||
         (req.options.legend == FigureLegend::row && fp.rows == FigureAxis::datasets)))
        throw_input(fmt::format("a legend per {} would give A and B scales of their own: with the datasets on the {}s, give a legend "
                                "per figure or per {}",
                                to_string(req.options.legend), to_string(req.options.legend),
                                req.options.legend == FigureLegend::column ? "row" : "column"),
                    ErrorLocation{{}, 0, "legend", std::string(to_string(req.options.legend))});
    // A comparison draws every panel on the two layouts together, so a column sits in one place in A, B and the difference.
    const std::shared_ptr<const ColumnIndex> joint = comparing ? joint_index(ds.index, baseline->index) : ds.index;
    const ColumnIndex& index = *joint;
    const CompareOptions& co = req.compare;

    // Each dimension's values, checked against the data before anything is processed.
    std::vector<std::string> all_types;
    for (const auto& t : ds.types) all_types.push_back(t.neuron_type);
    const auto types = dimension<std::string>(fp, FigureAxis::types, fp.types, all_types,
                                              ds.types.size() == 1 ? std::optional<std::string>(ds.types[0].neuron_type) : std::nullopt, "types");
    for (const auto& t : types) ds.type(t);  // did-you-mean for an unknown type
    auto type_b = [&](const std::string& t) -> const TypeRows& {
        const std::string& name = co.type_b.empty() ? t : co.type_b;
        if (baseline == &ds && name == t)
            throw_input("a type compared with itself: give another type (type_b) or another dataset", ErrorLocation{{}, 0, "type_b", name});
        try {
            return baseline->type(name);
        } catch (const Error& e) {
            ErrorLocation w = e.where();
            w.file = baseline->source;
            throw Error(e.kind(), fmt::format("{} (the baseline, {})", e.reason(), co.label_b), std::move(w));
        }
    };
    if (comparing)
        for (const auto& t : types) type_b(t);
    const auto datasets = comparing ? dimension<ComparePart>(fp, FigureAxis::datasets, fp.datasets,
                                                             {ComparePart::a, ComparePart::b, ComparePart::difference},
                                                             ComparePart::difference, "datasets")
                                    : std::vector<ComparePart>{ComparePart::none};
    const auto sides = dimension<Side>(fp, FigureAxis::sides, fp.sides, {Side::L, Side::R}, Side::R, "sides");
    std::vector<std::string> all_regions;
    for (const auto& r : index.regions.regions)
        for (Side s : sides)
            if (has_columns(index, r.name, s)) {
                all_regions.push_back(r.name);
                break;
            }
    const auto regions = dimension<std::string>(fp, FigureAxis::regions, fp.regions, all_regions,
                                                all_regions.empty() ? std::nullopt : std::optional<std::string>(all_regions[0]), "regions");
    for (const auto& r : regions) check_region_known(index, r, "regions");
    check_metrics_in_data(ds.columns, fp.metrics);
    const std::vector<Metric> defaults = default_metrics(ds.columns);
    const auto metrics = dimension<Metric>(fp, FigureAxis::metrics, fp.metrics, defaults,
                                           defaults.empty() ? std::nullopt : std::optional<Metric>(defaults[0]), "metrics");
    const auto layers = dimension<int>(fp, FigureAxis::layers, fp.layers, {}, 0, "layers");

    // The panels, row-major, each dimension's value from its axis or its one value.
    auto values_of = [&](FigureAxis a) -> std::size_t {
        switch (a) {
            case FigureAxis::types: return types.size();
            case FigureAxis::regions: return regions.size();
            case FigureAxis::sides: return sides.size();
            case FigureAxis::metrics: return metrics.size();
            case FigureAxis::layers: return layers.size();
            case FigureAxis::datasets: return datasets.size();
        }
        return 0;
    };
    const std::size_t R = values_of(fp.rows), C = values_of(fp.columns);
    if (R * C > 400)
        throw_input(fmt::format("{} x {} panels: a figure has at most 400", R, C), ErrorLocation{{}, 0, "panels", fmt::format("{}x{}", R, C)});
    std::vector<PanelSpec> specs;
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) {
            auto pick = [&](FigureAxis a, auto& v) -> const auto& { return v[fp.rows == a ? r : fp.columns == a ? c : 0]; };
            PanelSpec p{pick(FigureAxis::types, types), {pick(FigureAxis::regions, regions), pick(FigureAxis::sides, sides),
                                                          pick(FigureAxis::metrics, metrics)}, pick(FigureAxis::layers, layers),
                        pick(FigureAxis::datasets, datasets)};
            if (!has_columns(index, p.request.region, p.request.side))
                throw_input(fmt::format("region {} has no columns on side {} in the layout (panel row {}, column {})", p.request.region,
                                        to_string(p.request.side), r + 1, c + 1),
                            ErrorLocation{{}, 0, "sides", std::string(to_string(p.request.side))});
            specs.push_back(std::move(p));
        }

    // A comparison's difference panels: the type's difference rows (eyemap/compare.hpp), made once per type.
    std::map<std::string, DifferenceRows, std::less<>> diffs;
    auto of_b = [&](auto&& f) -> decltype(auto) {  // B's rows' errors name B's file
        try {
            return f();
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::input && e.where().file.empty() && baseline->source != ds.source) rethrow_in_file(e, baseline->source);
            throw;
        }
    };
    auto diff_of = [&](const std::string& type) -> const DifferenceRows& {
        if (auto it = diffs.find(type); it != diffs.end()) return it->second;
        const TypeRows& b = type_b(type);
        DifferenceRows d = difference_rows(ds.type(type).rows, ds.columns, b.rows, baseline->columns, index, metrics, co, ds.source,
                                           baseline->source, regions);
        return diffs.emplace(type, std::move(d)).first->second;
    };
    auto metric_at = [&](const Metric& m) { return static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), m) - metrics.begin()); };
    // What a panel draws: the request's metric, or its difference's derived one.
    auto drawn_metric = [&](const PanelSpec& p) {
        return p.part == ComparePart::difference ? difference_metric(p.request.metric, co) : p.request.metric;
    };
    auto look_of = [&](const PanelSpec& p) { return p.part == ComparePart::difference ? ctx.difference_look(co) : ctx.look(p.request.metric); };

    // The legend each panel belongs to: the figure's, its row's or its column's, and in a comparison the
    // difference panels' apart from A's and B's; a legend's panels must show one metric (one scale, one title).
    const auto base_of = [&](std::size_t i) -> std::size_t {
        return req.options.legend == FigureLegend::figure ? 0 : req.options.legend == FigureLegend::row ? i / C : i % C;
    };
    std::vector<std::size_t> legend_of(specs.size()), legend_source, legend_slot, keys;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const std::size_t key = base_of(i) * 2 + (specs[i].part == ComparePart::difference);
        auto at = std::find(keys.begin(), keys.end(), key);
        if (at == keys.end()) {
            keys.push_back(key);
            legend_source.push_back(i);
            legend_slot.push_back(base_of(i));
            at = keys.end() - 1;
        }
        const std::size_t l = static_cast<std::size_t>(at - keys.begin());
        legend_of[i] = l;
        const Metric m = drawn_metric(specs[legend_source[l]]);
        if (!(drawn_metric(specs[i]) == m))
            throw_input(fmt::format("one legend would serve panels of {} and {}: give a legend per {} (the metrics' axis)", to_string(m),
                                    to_string(specs[i].request.metric), fp.rows == FigureAxis::metrics ? "row" : "column"),
                        ErrorLocation{{}, 0, "legend", std::string(to_string(req.options.legend))});
    }
    const std::size_t n_legends = legend_source.size();

    // Pass 1: each panel as a single eyemap, for the values it draws; pooled per legend.
    std::vector<std::vector<double>> pools(n_legends);
    const Geometry& geometry = ctx.options.geometry;
    auto process = [&](const PanelSpec& p, const ScaleSource& source) {
        const ScaleOptions look = look_of(p).first;
        EyemapData d;
        if (p.part == ComparePart::difference) {
            const DifferenceRows& dr = diff_of(p.type);
            const EyemapRequest r{p.request.region, p.request.side, dr.metrics[metric_at(p.request.metric)]};
            d = std::move(process_type(p.type, dr.rows, dr.columns, index, std::span(&r, 1), look, source).front());
        } else if (p.part == ComparePart::b) {
            const TypeRows& t = type_b(p.type);
            d = of_b([&] {
                check_requests(index, baseline->columns, std::span(&p.request, 1));
                EyemapData e = std::move(process_type(t.neuron_type, t.rows, baseline->columns, index, std::span(&p.request, 1), look, source).front());
                check_layer_of(e, p.layer, "layers");
                return e;
            });
        } else {
            const TypeRows& t = ds.type(p.type);
            check_requests(index, ds.columns, std::span(&p.request, 1));
            d = std::move(process_type(t.neuron_type, t.rows, ds.columns, index, std::span(&p.request, 1), look, source).front());
        }
        check_layer_of(d, p.layer, "layers");
        return d;
    };
    {
        ScopedTimer t(ctx.stats, ctx.process_op);
        for (std::size_t i = 0; i < specs.size(); ++i) append_drawn(process(specs[i], ctx.scales), specs[i].layer, pools[legend_of[i]]);
    }
    std::vector<ColorScale> shared(n_legends);
    for (std::size_t l = 0; l < n_legends; ++l) shared[l] = ctx.scales(pools[l], look_of(specs[legend_source[l]]).first);

    // Pass 2: each panel on its legend's scale, then its Scene.
    FigureLayoutInput in;
    in.rows = R;
    in.columns = C;
    in.options = req.options;
    in.style = *ctx.style;
    in.legend_of = legend_of;
    in.legend_source = legend_source;
    in.legend_slot = legend_slot;
    std::vector<EyemapData> data;
    {
        ScopedTimer t(ctx.stats, ctx.process_op);
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const ColorScale& s = shared[legend_of[i]];
            data.push_back(process(specs[i], [&s](std::span<const double>, const ScaleOptions&) { return s; }));
        }
        // A legend's panels print their values alike (a value column's format from all of their values).
        std::vector<std::vector<double>> drawn(n_legends);
        for (std::size_t i = 0; i < specs.size(); ++i)
            if (!data[i].counts) append_drawn(data[i], specs[i].layer, drawn[legend_of[i]]);
        for (std::size_t i = 0; i < specs.size(); ++i)
            if (!data[i].counts && comparing) data[i].format = value_format(drawn[legend_of[i]]);
    }
    ScopedTimer t(ctx.stats, ctx.layout_op);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        EyemapData& d = data[i];
        const std::size_t r = i / C, c = i % C;
        if (c == 0) in.row_labels.push_back(axis_value_label(fp.rows, specs[i], d, co));
        if (r == 0) in.column_labels.push_back(axis_value_label(fp.columns, specs[i], d, co));
        in.panel_labels.push_back(fmt::format("{} {}", axis_value_label(fp.rows, specs[i], d, co), axis_value_label(fp.columns, specs[i], d, co)));
        keep_layer(d, specs[i].layer);
        const auto look = look_of(specs[i]);
        const Side side = d.side;
        in.panels.push_back(layout_eyemap(std::move(d), ctx.grid(index, side), geometry, ctx.style, look.first.scope, look.second));
        in.panels.back().column_link = ctx.column_link;
        in.panels.back().provenance = ctx.provenance;
        in.panels.back().marks = scene_marks(ctx.options.marks, index, in.panels.back().data.region, side);  // legend: layout_figure
        if (specs[i].part == ComparePart::difference)
            add_only_in_marks(in.panels.back(),
                              only_in(diff_of(specs[i].type), metric_at(specs[i].request.metric), index, specs[i].request.region, side), co);
        make_scene_drawable(in.panels.back());
    }
    for (auto* labels : {&in.row_labels, &in.column_labels, &in.panel_labels})
        for (auto& l : *labels) make_drawable(l);

    // The id: the user's, or one derived from what the panels show, so figures inlined in one page differ.
    HashBuilder h;
    h.add(std::string_view(to_string(fp.rows))).add(std::string_view(to_string(fp.columns)));
    for (const auto& p : specs)
        h.add(std::string_view(p.type)).add(std::string_view(p.request.region)).add(std::string_view(to_string(p.request.side)))
            .add(std::string_view(to_string(p.request.metric))).add(std::int64_t{p.layer});
    if (comparing) {  // a comparison's figure differs by what is compared and how
        for (const auto& p : specs) h.add(std::string_view(to_string(p.part)));
        h.add(std::string_view(to_string(co.mode))).add(std::string_view(co.label_a)).add(std::string_view(co.label_b));
        h.add(std::string_view(co.type_b)).add(std::string_view(co.colormap));
    }
    in.id = req.options.svg_id.empty() ? fmt::format("fg{:08x}", static_cast<std::uint32_t>(h.digest() ^ (h.digest() >> 32))) : req.options.svg_id;
    in.title = fmt::format("Eyemaps of {} {} by {} {}", to_string(fp.rows), fmt::join(in.row_labels, ", "), to_string(fp.columns),
                           fmt::join(in.column_labels, ", "));
    return layout_figure(std::move(in));
}

bool is_figure_option_field(std::string_view field) noexcept {
    for (const std::string_view f : {"width_mm", "font_pt", "line_pt", "dpi", "font_family", "background", "svg_id", "rows", "columns",
                                     "legend", "labels", "canvas", "label_a", "label_b", "type_b", "compare_colormap", "datasets"})
        if (field == f) return true;
    return false;
}

}  // namespace eyemap

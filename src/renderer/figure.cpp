// Figure building: which panels, their data on one scale per legend, their Scenes, the page layout.
#include "renderer/figure.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "process/process.hpp"

namespace eyemap {
namespace {

// One panel: the eyemap it shows.
struct PanelSpec {
    std::string type;
    EyemapRequest request;
    int layer = 0;
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
std::string axis_value_label(FigureAxis a, const PanelSpec& p, const EyemapData& d) {
    switch (a) {
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

FigureScene build_figure(const Dataset& ds, const FigureRequest& req, const FigureContext& ctx) {
    validate(req.options);
    validate(req.panels);
    const FigurePanels& fp = req.panels;
    const ColumnIndex& index = *ds.index;

    // Each dimension's values, checked against the data before anything is processed.
    std::vector<std::string> all_types;
    for (const auto& t : ds.types) all_types.push_back(t.neuron_type);
    const auto types = dimension<std::string>(fp, FigureAxis::types, fp.types, all_types,
                                              ds.types.size() == 1 ? std::optional<std::string>(ds.types[0].neuron_type) : std::nullopt, "types");
    for (const auto& t : types) ds.type(t);  // did-you-mean for an unknown type
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
                                                          pick(FigureAxis::metrics, metrics)}, pick(FigureAxis::layers, layers)};
            if (!has_columns(index, p.request.region, p.request.side))
                throw_input(fmt::format("region {} has no columns on side {} in the layout (panel row {}, column {})", p.request.region,
                                        to_string(p.request.side), r + 1, c + 1),
                            ErrorLocation{{}, 0, "sides", std::string(to_string(p.request.side))});
            specs.push_back(std::move(p));
        }

    // The legend each panel belongs to; a legend's panels must show one metric (one scale, one title).
    const std::size_t n_legends = req.options.legend == FigureLegend::figure ? 1 : req.options.legend == FigureLegend::row ? R : C;
    std::vector<std::size_t> legend_of(specs.size()), legend_source(n_legends, specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const std::size_t l = req.options.legend == FigureLegend::figure ? 0 : req.options.legend == FigureLegend::row ? i / C : i % C;
        legend_of[i] = l;
        if (legend_source[l] == specs.size()) legend_source[l] = i;
        const Metric& m = specs[legend_source[l]].request.metric;
        if (!(specs[i].request.metric == m))
            throw_input(fmt::format("one legend would serve panels of {} and {}: give a legend per {} (the metrics' axis)", to_string(m),
                                    to_string(specs[i].request.metric), fp.rows == FigureAxis::metrics ? "row" : "column"),
                        ErrorLocation{{}, 0, "legend", std::string(to_string(req.options.legend))});
    }

    // Pass 1: each panel as a single eyemap, for the values it draws; pooled per legend.
    std::vector<std::vector<double>> pools(n_legends);
    const Geometry& geometry = ctx.options.geometry;
    auto process = [&](const PanelSpec& p, const ScaleSource& source) {
        const TypeRows& t = ds.type(p.type);
        const auto look = ctx.look(p.request.metric);
        check_requests(index, ds.columns, std::span(&p.request, 1));
        EyemapData d = std::move(process_type(t.neuron_type, t.rows, ds.columns, index, std::span(&p.request, 1), look.first, source).front());
        check_layer_of(d, p.layer, "layers");
        return d;
    };
    {
        ScopedTimer t(ctx.stats, ctx.process_op);
        for (std::size_t i = 0; i < specs.size(); ++i) append_drawn(process(specs[i], ctx.scales), specs[i].layer, pools[legend_of[i]]);
    }
    std::vector<ColorScale> shared(n_legends);
    for (std::size_t l = 0; l < n_legends; ++l) shared[l] = ctx.scales(pools[l], ctx.look(specs[legend_source[l]].request.metric).first);

    // Pass 2: each panel on its legend's scale, then its Scene.
    FigureLayoutInput in;
    in.rows = R;
    in.columns = C;
    in.options = req.options;
    in.style = *ctx.style;
    in.legend_of = legend_of;
    in.legend_source = legend_source;
    std::vector<EyemapData> data;
    {
        ScopedTimer t(ctx.stats, ctx.process_op);
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const ColorScale& s = shared[legend_of[i]];
            data.push_back(process(specs[i], [&s](std::span<const double>, const ScaleOptions&) { return s; }));
        }
    }
    ScopedTimer t(ctx.stats, ctx.layout_op);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        EyemapData& d = data[i];
        const std::size_t r = i / C, c = i % C;
        if (c == 0) in.row_labels.push_back(axis_value_label(fp.rows, specs[i], d));
        if (r == 0) in.column_labels.push_back(axis_value_label(fp.columns, specs[i], d));
        in.panel_labels.push_back(fmt::format("{} {}", axis_value_label(fp.rows, specs[i], d), axis_value_label(fp.columns, specs[i], d)));
        keep_layer(d, specs[i].layer);
        const auto look = ctx.look(d.metric);
        const Side side = d.side;
        in.panels.push_back(layout_eyemap(std::move(d), ctx.grid(index, side), geometry, ctx.style, look.first.scope, look.second));
        in.panels.back().column_link = ctx.column_link;
        in.panels.back().provenance = ctx.provenance;
        in.panels.back().marks = scene_marks(ctx.options.marks, index, in.panels.back().data.region, side);  // legend: layout_figure
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
    in.id = req.options.svg_id.empty() ? fmt::format("fg{:08x}", static_cast<std::uint32_t>(h.digest() ^ (h.digest() >> 32))) : req.options.svg_id;
    in.title = fmt::format("Eyemaps of {} {} by {} {}", to_string(fp.rows), fmt::join(in.row_labels, ", "), to_string(fp.columns),
                           fmt::join(in.column_labels, ", "));
    return layout_figure(std::move(in));
}

bool is_figure_option_field(std::string_view field) noexcept {
    for (const std::string_view f : {"width_mm", "font_pt", "line_pt", "dpi", "font_family", "background", "svg_id", "rows", "columns",
                                     "legend", "labels", "canvas"})
        if (field == f) return true;
    return false;
}

}  // namespace eyemap

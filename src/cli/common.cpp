// Options shared by the rendering subcommands.
#include <fmt/format.h>

#include "cli.hpp"
#include "eyemap/version.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {

void CommonOptions::add_to(CLI::App& app, bool data_required) {
    auto* d = app.add_option("--data", data,
                             "Data CSV: neuron_type,region,side,hex1,hex2 and optional synapses,cells,layer_synapses,layer_cells");
    if (data_required) d->required();
    app.add_option("--columns", columns,
                   "Layout CSV (region,side,hex1,hex2): the columns that exist per region and side; default: the columns seen in the data");
    app.add_option("--regions", regions, "JSON region config adding or replacing regions: {\"regions\":[{\"name\":..,\"layers\":[..]}]}");
    app.add_option("--templates", templates, "Folder with SVG template overrides (see templates/README.md)");
    app.add_option("--hex-size", hex_size, "Hexagon radius in pixels (1..50)")->capture_default_str();
    app.add_option("--spacing", spacing, "Centre spacing factor (1.0..3.0)")->capture_default_str();
    app.add_option("--margin", margin, "Margin around the drawing in pixels")->capture_default_str();
    app.add_option("--color-scale", scale_method, "Colour scale: linear (min..max), percentile, or fixed (with --color-min/--color-max)")
        ->check(CLI::IsMember({"linear", "percentile", "fixed"}))
        ->capture_default_str();
    app.add_option("--color-scope", scale_scope, "Values the colour scale is computed from: pooled (all regions and sides of the type) or region")
        ->check(CLI::IsMember({"pooled", "region"}))
        ->capture_default_str();
    app.add_option("--color-min", scale_min, "Fixed colour scale minimum (implies --color-scale fixed; shares one scale across eyemaps)");
    app.add_option("--color-max", scale_max, "Fixed colour scale maximum (implies --color-scale fixed)");
    app.add_flag("--static", static_svg, "SVG without script, tooltip and buttons' behaviour (a plain picture)");
    app.add_flag("--stats", stats, "Print per-operation timing and cache statistics to standard error at the end");
    app.add_flag("--no-cache", no_cache, "Switch off the coordinate, colour and metadata caches (same output; for measuring them)");
    app.add_option("--stats-json", stats_json, "Write the statistics as JSON (schema eyemap-stats/1) to this file");
}

void CommonOptions::report(const Renderer& renderer) const {
    if (!stats && stats_json.empty()) return;
    const auto snap = renderer.stats().snapshot();
    if (stats) {
        fmt::print(stderr, "{}", stats_to_table(snap));
        fmt::print(stderr, "\n{}", cache_stats_table(renderer.cache_statistics()));
    }
    if (!stats_json.empty())
        write_file_atomic(stats_json, stats_to_json(StatsDocument{snap, renderer.cache_statistics(), std::string(kVersion), process_command_line()}));
}

RegionSet CommonOptions::region_set() const {
    return regions.empty() ? builtin_regions() : load_region_config(regions);
}

RenderOptions CommonOptions::render_options() const {
    RenderOptions o;
    o.geometry.hex_size = hex_size;
    o.geometry.spacing = spacing;
    o.geometry.margin = margin;
    if (scale_min || scale_max || scale_method == "fixed") {
        if (!scale_min || !scale_max)
            throw_input("a fixed colour scale needs both --color-min and --color-max", ErrorLocation{{}, 0, "--color-scale", scale_method});
        o.scale.method = ScaleMethod::fixed;
        o.scale.min = *scale_min;
        o.scale.max = *scale_max;
    } else {
        o.scale.method = scale_method == "percentile" ? ScaleMethod::percentile : ScaleMethod::linear;
    }
    o.scale.scope = scale_scope == "region" ? ScaleScope::per_region : ScaleScope::pooled;
    o.templates = templates;
    o.interactive = !static_svg;
    o.caches.set_enabled(!no_cache);
    return o;
}

std::vector<std::string> split_list(const std::string& text, std::initializer_list<std::string_view> allowed,
                                    std::string_view option) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        bool ok = false;
        for (auto a : allowed) ok |= item == a;
        if (!ok) {
            std::string list;
            for (auto a : allowed) list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
            throw_input(fmt::format("expected one of: {}", list), ErrorLocation{{}, 0, std::string(option), item});
        }
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace eyemap::cli

// Options shared by the rendering subcommands, usage errors, and the helpers every command prints with.
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <set>

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/command_line.hpp"
#include "ingest/csv.hpp"
#include "eyemap/version.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {

void CommonOptions::add_to(CLI::App& app, bool data_required) {
    auto* d = app.add_option("--data", data,
                             "Data CSV ('-' = standard input): neuron_type,region,side,hex1,hex2 and optional synapses,cells,"
                             "layer_synapses,layer_cells")
                  ->type_name("FILE");
    if (data_required) d->required();
    app.add_option("--columns", columns,
                   "Layout CSV (region,side,hex1,hex2; '-' = standard input): the columns that exist per region and side; "
                   "default: the columns seen in the data")
        ->type_name("FILE");
    app.add_option("--regions", regions, "JSON region config adding or replacing regions: {\"regions\":[{\"name\":..,\"layers\":[..]}]}")
        ->type_name("FILE");
    app.add_option("--templates", templates, "Folder with SVG template overrides (see templates/README.md)")->type_name("DIR");
    app.add_option("--hex-size", hex_size, "Hexagon radius in pixels (1..50)")->capture_default_str();
    app.add_option("--spacing", spacing, "Centre spacing factor (1.0..3.0)")->capture_default_str();
    app.add_option("--margin", margin, "Margin around the drawing in pixels")->capture_default_str();
    app.add_option("--color-scale", scale_method,
                   "Colour scale: linear (min..max), percentile, stddev (mean +-0.5/1.5 sd, clamped), log (geometric "
                   "from the smallest value > 0), or fixed (with --color-min/--color-max)")
        ->check(CLI::IsMember({"linear", "percentile", "stddev", "log", "fixed"}))
        ->capture_default_str();
    app.add_option("--color-scope", scale_scope, "Values the colour scale is computed from: pooled (all regions and sides of the type) or region")
        ->check(CLI::IsMember({"pooled", "region"}))
        ->capture_default_str();
    app.add_option("--color-min", scale_min, "Fixed colour scale minimum (implies --color-scale fixed; shares one scale across eyemaps)");
    app.add_option("--color-max", scale_max, "Fixed colour scale maximum (implies --color-scale fixed)");
    app.add_flag("--static", static_svg, "SVG without script, tooltip and buttons' behaviour (a plain picture)");
    app.add_flag("--stats", stats, "Print per-operation timing and cache statistics to standard error at the end");
    app.add_flag("--no-cache", no_cache, "Switch off the coordinate, colour and metadata caches (same output; for measuring them)");
    app.add_option("--stats-json", stats_json, "Write the statistics as JSON (schema eyemap-stats/2) to this file")->type_name("FILE");
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
            usage_error(scale_min ? "--color-min" : scale_max ? "--color-max" : "--color-scale", "",
                        "a fixed colour scale needs both --color-min and --color-max");
        o.scale.method = ScaleMethod::fixed;
        o.scale.min = *scale_min;
        o.scale.max = *scale_max;
    } else {
        o.scale.method = parse_scale_method(scale_method).value_or(ScaleMethod::linear);  // checked by IsMember
    }
    o.scale.scope = scale_scope == "region" ? ScaleScope::per_region : ScaleScope::pooled;
    o.templates = templates;
    o.interactive = !static_svg;
    o.caches.set_enabled(!no_cache);
    return o;
}

void CommonOptions::check_inputs() const {
    if (data == "-" && columns == "-") usage_error("--columns", "-", "only one input can be standard input (--data - already reads it)");
}

ColumnLayout CommonOptions::column_layout(const RegionSet& regions) const {
    if (columns != "-") return read_column_layout(columns, regions);
    std::cin.exceptions(std::ios::goodbit);
    const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw_io("cannot read standard input", "-");
    return parse_column_layout(text, "standard input", regions);
}

// --- usage errors ------------------------------------------------------------------------------

void usage_error(std::string_view option, std::string_view value, std::string_view what) {
    std::string msg(option);
    if (!value.empty()) msg += fmt::format("{}'{}'", msg.empty() ? "" : " ", value);
    if (!msg.empty()) msg += ": ";
    throw UsageError(msg + std::string(what));
}

std::string option_name(std::string_view field) {
    // RenderOptions / BatchOptions field -> the option that sets it (cmd_render.cpp, cmd_batch.cpp, above).
    static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
        {"hex_size", "--hex-size"}, {"spacing", "--spacing"},     {"margin", "--margin"}, {"color_min", "--color-min"},
        {"color_max", "--color-max"}, {"layer", "--layer"},       {"png_scale", "--scale"}, {"scale", "--scale"},
        {"id", "--id"},              {"format", "--format"},     {"formats", "--format"}, {"shards", "--shards"},
    };
    for (const auto& [f, o] : kNames)
        if (field == f) return std::string(o);
    return std::string(field);
}

// --- did you mean ------------------------------------------------------------------------------

std::string unknown_option_messages(const CLI::App& app, int argc, const char* const* argv) {
    // Follow the subcommands named in argv; check every long option against the one it is given to.
    const CLI::App* current = &app;
    std::string path = app.get_name().empty() ? "eyemap" : app.get_name();
    std::string out;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg.rfind("--", 0) != 0) {
            if (arg.empty() || arg[0] == '-') continue;
            const auto subs = current->get_subcommands([](const CLI::App*) { return true; });
            const CLI::App* next = nullptr;
            for (const CLI::App* sub : subs)
                if (sub->get_name() == arg) next = sub;
            if (next) {
                current = next;
                path += " " + next->get_name();
            } else if (current->get_require_subcommand_min() > 0) {  // no option values here: a mistyped command
                std::string best;
                std::size_t best_d = 3;
                for (const CLI::App* sub : subs)
                    if (const auto d = detail::edit_distance(arg, sub->get_name()); d < best_d) best_d = d, best = sub->get_name();
                out += fmt::format("eyemap: error: unknown command '{}' for '{}'", arg, path);
                out += best.empty() ? "\n" : fmt::format("; did you mean '{}'?\n", best);
                break;
            }
            continue;
        }
        const std::string name(arg.substr(0, arg.find('=')));
        if (current->get_option_no_throw(name) != nullptr || name == "--help" || name == "--version") continue;
        bool known = false;
        for (const CLI::App* a = current->get_parent(); a && !known; a = a->get_parent()) known = a->get_option_no_throw(name) != nullptr;
        if (known) continue;
        std::string best;
        std::size_t best_d = std::max<std::size_t>(2, (name.size() - 2) / 3) + 1;
        for (const CLI::Option* o : current->get_options()) {
            if (o->get_group().empty()) continue;  // hidden: old spellings are not suggested
            for (const auto& l : o->get_lnames()) {
                const std::string cand = "--" + l;
                const std::size_t d = detail::edit_distance(name, cand);
                if (d < best_d) best_d = d, best = cand;
            }
        }
        out += fmt::format("eyemap: error: unknown option '{}' for '{}'", name, path);
        out += best.empty() ? "\n" : fmt::format("; did you mean '{}'?\n", best);
    }
    return out;
}

// --- printing ----------------------------------------------------------------------------------

int terminal_columns() {
    struct winsize ws {};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
        char* end = nullptr;
        const long v = std::strtol(c, &end, 10);
        if (end != c && *end == '\0' && v > 0 && v < 100000) return static_cast<int>(v);
    }
    return 80;
}

std::string fit_line(const std::vector<LinePart>& parts, std::size_t width) {
    std::vector<bool> keep(parts.size(), true);
    const auto joined = [&] {
        std::string s;
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (keep[i]) s += (s.empty() ? "" : ", ") + parts[i].text;
        return s;
    };
    std::string s = joined();
    while (s.size() > width) {
        std::size_t drop = 0;  // the least important part after the first; the later one on a tie
        for (std::size_t i = 1; i < parts.size(); ++i)
            if (keep[i] && (drop == 0 || parts[i].priority <= parts[drop].priority)) drop = i;
        if (drop == 0) break;
        keep[drop] = false;
        s = joined();
    }
    if (s.size() > width) s.resize(width);
    return s;
}

}  // namespace eyemap::cli

// Command-line tool internals: options shared by the subcommands, and the subcommand registrations.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "eyemap/eyemap.hpp"

namespace eyemap::cli {

// Options every rendering command takes: inputs, geometry, colour scale, templates.
struct CommonOptions {
    std::string data;
    std::string columns;
    std::string regions;
    std::string templates;
    double hex_size = 6, spacing = 1.1, margin = 10;
    std::string scale_method = "linear";
    std::string scale_scope = "pooled";
    std::optional<double> scale_min, scale_max;
    bool static_svg = false;
    bool stats = false;
    bool no_cache = false;  // --no-cache: coordinate, colour and metadata caches off (same output, slower)
    std::string stats_json;

    void add_to(CLI::App& app, bool data_required = true);
    // At the end of a command: prints/writes the renderer's statistics as asked (--stats also
    // prints the cache table).
    void report(const Renderer& renderer) const;
    RegionSet region_set() const;
    // Geometry, colour scale, templates, --static, --no-cache (validated by the Renderer).
    RenderOptions render_options() const;
};

void add_render_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_batch_command(CLI::App& app);  // cmd_batch.cpp
void add_runs_command(CLI::App& app);   // cmd_runs.cpp
void add_stats_command(CLI::App& app);  // cmd_stats.cpp

// Splits "a,b,c" and checks each against `allowed`.
std::vector<std::string> split_list(const std::string& text, std::initializer_list<std::string_view> allowed,
                                    std::string_view option);

}  // namespace eyemap::cli

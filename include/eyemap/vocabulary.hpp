// The domain's words, each defined once: sides, metrics and output formats with their names and labels.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap {

// Soma side of an eyemap.
enum class Side : std::uint8_t { L, R };
std::string_view to_string(Side s) noexcept;                       // "L", "R"
std::optional<Side> parse_side(std::string_view text) noexcept;  // exactly "L" or "R"

// What an eyemap colours by: the enumerators are the identifiers users type (MetricWords::id).
enum class Metric : std::uint8_t { synapses, cells };

// Every word of one metric, beside its identifier (the field's wording: ../shared/docs/eyemap-spec.md).
struct MetricWords {
    Metric metric;
    std::string_view id;            // what a user types and reads: CLI value, API, JSON, pages' controls
    std::string_view alias;         // the old identifier, still accepted (with a note)
    std::string_view file_word;     // in file names and SVG ids: unchanged, so existing runs resume and verify
    std::string_view column;        // the data column of totals
    std::string_view layer_column;  // the data column of per-layer values
    std::string_view label;         // tooltips, page captions and headings: "<label>: 35"
    std::string_view title;         // the eyemap's first title line
    std::string_view legend_title;  // above the legend's bins
};
inline constexpr std::array<MetricWords, 2> kMetricWords{{
    {Metric::synapses, "synapses", "synapse_density", "synapse_density", "synapses", "layer_synapses", "Synapse count",
     "Synapses (All Columns)", "Total Synapses"},
    {Metric::cells, "cells", "cell_count", "cell_count", "cells", "layer_cells", "Cell count", "Cells (All Columns)",
     "Cell Count"},
}};
const MetricWords& words(Metric m) noexcept;
std::string_view to_string(Metric m) noexcept;     // the identifier: "synapses", "cells"
std::string_view metric_label(Metric m) noexcept;  // "Synapse count", "Cell count"

// A metric as typed: its identifier or its old alias (then `alias` is set so the caller can say so).
struct ParsedMetric {
    Metric metric;
    bool alias = false;
};
std::optional<ParsedMetric> parse_metric_name(std::string_view text) noexcept;
std::optional<Metric> parse_metric(std::string_view text) noexcept;  // identifier or alias
// "synapses, cells": the identifiers, for messages.
std::string metric_list();
// What a front end says when an alias was used: "metric 'cell_count' is now called 'cells' (...)".
std::string metric_alias_note(std::string_view typed, Metric m);

// An eyemap's file format. (A type's HTML page is the batch's, not the renderer's: FileFormat in batch.hpp.)
enum class OutputFormat : std::uint8_t { svg, png, pdf };

// One file format: adding an eyemap format is a row of kEyemapFormats and a case in Renderer::Impl::write.
struct FormatWords {
    OutputFormat format;
    std::string_view name;        // "svg": CLI and API value, manifests
    std::string_view extension;   // without the dot
    std::string_view media_type;  // for links and downloads
    std::string_view folder;      // its sub-folder of a run folder
    std::string_view label;       // download links on pages
};
inline constexpr std::array<FormatWords, 3> kEyemapFormats{{
    {OutputFormat::svg, "svg", "svg", "image/svg+xml", "svg", "SVG"},
    {OutputFormat::png, "png", "png", "image/png", "png", "PNG"},
    {OutputFormat::pdf, "pdf", "pdf", "application/pdf", "pdf", "PDF"},
}};
const FormatWords& words(OutputFormat f) noexcept;
std::string_view to_string(OutputFormat f) noexcept;  // "svg", "png", "pdf"
// An eyemap format: "svg", "png" or "pdf"; nullopt otherwise.
std::optional<OutputFormat> parse_format(std::string_view text) noexcept;
// The format a file name asks for by its extension (case-insensitive); nullopt for any other.
std::optional<OutputFormat> format_for_path(const std::filesystem::path& path);
// "svg, png, pdf": the eyemap formats, for messages.
std::string format_list();
// Parses "svg,png,pdf" (duplicates dropped, order kept). Throws eyemap::Error (input) naming `option`.
std::vector<OutputFormat> parse_formats(std::string_view text, std::string_view option = "--format");

}  // namespace eyemap

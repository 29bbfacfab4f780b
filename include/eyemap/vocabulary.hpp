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

// Every word of a count metric (synapses, cells), beside its identifier (the field's wording:
// ../shared/docs/eyemap-spec.md).
struct MetricWords {
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
    {"synapses", "synapse_density", "synapse_density", "synapses", "layer_synapses", "Synapse count",
     "Synapses (All Columns)", "Total Synapses"},
    {"cells", "cell_count", "cell_count", "cells", "layer_cells", "Cell count", "Cells (All Columns)", "Cell Count"},
}};

// What an eyemap colours by: a value column of the data, by its name. The two count columns are built
// in (Metric::synapses, Metric::cells: whole numbers >= 0, 0 = no data, the words of kMetricWords); any
// other name is a value column the data brought (TableColumns::values: float64, NaN = no data, signed).
class Metric {
public:
    Metric() = default;  // synapses
    // A metric by its identifier ("synapses", "cells") or a value column's name, as is: no alias
    // (parse_metric takes those). Names are checked where they enter (check_value_column_name).
    explicit Metric(std::string_view name) : name_(name) {}
    static const Metric synapses;
    static const Metric cells;

    const std::string& name() const noexcept { return name_; }
    // The count metric's words, or nullptr for a value column.
    const MetricWords* count_words() const noexcept;
    bool is_count() const noexcept { return count_words() != nullptr; }

    // A value column's words for people: a label (default: its name) and a unit, shown as
    // "label (unit)" in the legend title, tooltips, titles and page headings. Counts keep the field's
    // words. Throws input (field "label"/"unit") for text with control characters or over 100 bytes.
    Metric with_label(std::string_view label, std::string_view unit = {}) const;
    const std::string& label() const noexcept { return label_; }
    const std::string& unit() const noexcept { return unit_; }
    // What a value column is called on the picture: "label (unit)", or its name.
    std::string_view shown() const noexcept { return shown_.empty() ? std::string_view(name_) : std::string_view(shown_); }
    // The same column: labels are presentation (they enter the content hashes, not the identity).
    friend bool operator==(const Metric& a, const Metric& b) noexcept { return a.name_ == b.name_; }
    bool same_words(const Metric& o) const noexcept { return name_ == o.name_ && shown_ == o.shown_; }

private:
    std::string name_ = "synapses";
    std::string label_, unit_, shown_;
};
inline const Metric Metric::synapses{"synapses"};
inline const Metric Metric::cells{"cells"};

// The metric's words: a count's from kMetricWords; a value column's are its name (views into `m`).
std::string_view to_string(const Metric& m) noexcept;      // the identifier: "synapses", "cells", "coverage"
std::string_view metric_label(const Metric& m) noexcept;   // "Synapse count", "Cell count", "coverage"
std::string_view metric_file_word(const Metric& m) noexcept;  // "synapse_density", "cell_count", "coverage"
std::string_view metric_column(const Metric& m) noexcept;     // the data column: "synapses", "coverage"
std::string metric_layer_column(const Metric& m);             // "layer_synapses", "layer_coverage"
std::string_view metric_title(const Metric& m) noexcept;      // "Synapses (All Columns)", "coverage"
std::string_view metric_legend_title(const Metric& m) noexcept;  // "Total Synapses", "coverage"

// A metric as typed: its identifier or its old alias (then `alias` is set so the caller can say so).
struct ParsedMetric {
    Metric metric;
    bool alias = false;
};
// A count metric's identifier or alias; nullopt for anything else (a value column's name included).
std::optional<ParsedMetric> parse_metric_name(std::string_view text);
std::optional<Metric> parse_metric(std::string_view text);  // identifier or alias
// What a user typed as a metric: a count's identifier or alias, or else a value column's name, which
// must be a valid value column name (check_value_column_name; throws input naming `field`).
ParsedMetric metric_from_name(std::string_view text, std::string_view field = "metric");
// Value column names become file name parts, SVG id seeds and JSON keys: a letter, then letters,
// digits, '_', '-' or '.', at most 64 bytes, and none of the table's own columns (neuron_type, region,
// side, hex1, hex2, the counts' aliases, layer_*). Throws input naming `field` and the name.
void check_value_column_name(std::string_view name, std::string_view field = "metric");
bool valid_value_column_name(std::string_view name) noexcept;  // the same as a test
// "synapses, cells": the identifiers, for messages.
std::string metric_list();
// What a front end says when an alias was used: "metric 'cell_count' is now called 'cells' (...)".
std::string metric_alias_note(std::string_view typed, const Metric& m);

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

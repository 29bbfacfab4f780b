// The one renderer: a type's rows and its column layout in, its eyemaps out as SVG, PNG or PDF bytes.
#pragma once

// Every caller goes through eyemap::Renderer: the CLI's render and batch commands, report
// builders, the Python module. It runs process -> layout -> SVG writer / cairo painter, owns its
// caches (grids, colour scales, SVG frames: keyed by content, byte-identical output whether on or
// off) and its statistics (per-operation timing). Two renderers share nothing unless one is built
// with the other's caches. A renderer is safe to use from several threads at once.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eyemap/compare.hpp"
#include "eyemap/figure.hpp"
#include "eyemap/options.hpp"
#include "eyemap/regions.hpp"
#include "eyemap/stats.hpp"
#include "eyemap/summary.hpp"
#include "eyemap/table.hpp"

namespace eyemap {

struct TemplateSet;  // src/render/svg.hpp: opaque here

// The column layout indexed for drawing: every column of the dataset (the grid every eyemap
// shows) and which of them exist per region and side. Opaque; made once per release.
struct ColumnIndex;
std::shared_ptr<const ColumnIndex> index_columns(const ColumnLayout& layout, const RegionSet& regions = builtin_regions());
const RegionSet& regions_of(const ColumnIndex& index) noexcept;
std::size_t column_count(const ColumnIndex& index) noexcept;  // columns of the grid (both sides)
bool has_columns(const ColumnIndex& index, std::string_view region, Side side) noexcept;
// The layout two datasets are compared on: `a` itself when both hold the same columns, else their
// union (every column of either, in every region and side it is in). Throws input when the two
// define different regions or layers.
std::shared_ptr<const ColumnIndex> joint_index(const std::shared_ptr<const ColumnIndex>& a, const std::shared_ptr<const ColumnIndex>& b);

// Rows of one neuron type, in file order. The name is the type's: its rows may leave
// ColumnRow::neuron_type empty (make_dataset from typed columns does, so a name is held once).
struct TypeRows {
    std::string neuron_type;
    std::vector<ColumnRow> rows;
};

// Everything needed to draw any eyemap of any type of one data release.
struct Dataset {
    std::string source;  // the data file (for error messages)
    TableColumns columns;
    std::vector<TypeRows> types;  // in order of first appearance
    std::shared_ptr<const ColumnIndex> index;

    const TypeRows* find_type(std::string_view name) const noexcept;
    // The type's rows; an input error naming the data file and the closest name ("did you mean") otherwise.
    const TypeRows& type(std::string_view name) const;
    // The type whose name is closest to `name` (case or a few edits apart), for "did you mean"; "" if none.
    std::string closest_type(std::string_view name) const;
};

// Groups the table by type; without a layout, the columns seen in the data are the layout.
Dataset make_dataset(ColumnTable table, std::optional<ColumnLayout> layout = std::nullopt,
                     const RegionSet& regions = builtin_regions());
// The same from typed columns (a data frame), checked as table_from_columns does; each type's name
// is stored once, in TypeRows (its rows leave theirs empty), however many rows it has.
Dataset make_dataset(const DataColumns& columns, std::optional<ColumnLayout> layout = std::nullopt,
                     const RegionSet& regions = builtin_regions());
// Reads the data file ("-": standard input) and the layout file. `stats` (optional) gets "ingest".
// `values`: the value columns to read besides the counts (metrics by column name, e.g. "coverage").
// `types` (optional): keep only these types' rows. Every row is still read and checked, and without
// a layout file every row's column is in the layout, but memory holds the named types' rows, not the
// file's (one type of a 1 GB release); duplicate rows are found among them. A name the file lacks
// is an input error naming the closest type.
Dataset load_dataset(const std::filesystem::path& data, const std::optional<std::filesystem::path>& layout = std::nullopt,
                     const RegionSet& regions = builtin_regions(), Stats* stats = nullptr, std::span<const std::string> values = {},
                     std::span<const std::string> types = {});

// The one rule for the metrics a run selects (render, batch and Python all reach it): each metric
// in `metrics` needs its value column in the data; with none given (all metrics), the data needs at
// least one value column, and one that is missing must not be there misspelt. Throws input naming
// the value columns the data has, with "did you mean" for a near name among the columns the reader
// ignored (e.g. `cell_count` or `Cells` for `cells`), before anything is rendered or written.
void check_metrics_in_data(const TableColumns& columns, std::span<const Metric> metrics = {});

// The metrics drawn when none is selected: the counts the data has (synapses, cells); with neither,
// its value columns. (So data with counts draws what it always drew, whatever else it carries.)
std::vector<Metric> default_metrics(const TableColumns& columns);
// "synapses,coverage": metric identifiers as a list, for messages.
std::string metric_names(std::span<const Metric> metrics);

// Every eyemap the layout and the data allow for the default metrics (with the counts: up to 12,
// 3 regions x 2 sides x 2 metrics), in region, side, metric order. Throws input as
// check_metrics_in_data(columns).
std::vector<EyemapRequest> all_requests(const ColumnIndex& index, const TableColumns& columns);

// Which eyemaps a command asks for: empty / nullopt = all.
struct RequestFilter {
    std::string region;
    std::optional<Side> side;
    std::vector<Metric> metrics;  // in the order drawn; empty: the default metrics
};
struct RequestSelection {
    std::vector<EyemapRequest> requests;
    std::vector<std::string> skipped;  // "LOP L cell_count (no columns in the layout)", for a note
};
// The matching requests. A fully specified filter is taken as asked (the renderer then says why it
// cannot be drawn); partial ones leave out what the layout or data lack, noted in `skipped`.
// Throws input for an unknown region, a metric not in the data (check_metrics_in_data) or when
// nothing matches.
RequestSelection select_requests(const ColumnIndex& index, const TableColumns& columns, const RequestFilter& filter);

// One rendered file.
struct Eyemap {
    std::string neuron_type;
    EyemapRequest request;
    OutputFormat format = OutputFormat::svg;
    EyemapCounts counts;
    EyemapSummary summary;
    std::string bytes;
    ComparePart part = ComparePart::none;  // render_compare: A, B or their difference
    // "<type>_<region>_<side>_<metric>.<ext>", every part safe for a file name; a comparison's A and B
    // end "_a" / "_b" (its difference has its own metric, "<metric>_diff" or "<metric>_log2").
    std::string file_name() const;
};

// Side of the coarse picture of an eyemap in EyemapView::thumbnail (index thumbnails).
inline constexpr int kThumbnailCells = 20;

// The same, handed out while rendering, with what a report needs beside the bytes. Valid during
// the call only.
struct EyemapView {
    std::string_view neuron_type;
    const EyemapRequest& request;
    OutputFormat format;
    const EyemapCounts& counts;
    std::string_view bytes;
    const EyemapSummary& summary;
    // The eyemap downsampled to kThumbnailCells^2 cells, row-major: palette index + 1 of the darkest
    // column in the cell (0: no column of the region there).
    std::span<const std::uint8_t> thumbnail;
    double width = 0, height = 0;  // canvas, pixels
    ComparePart part = ComparePart::none;
};

class Renderer {
public:
    // Validates every option (input error naming it) and loads the templates folder.
    explicit Renderer(RenderOptions options = {});
    // A renderer with its own options that uses `other`'s caches (keys hold every option that
    // shapes a value, so sharing never mixes results); statistics stay separate.
    Renderer(RenderOptions options, const Renderer& share_caches_with);
    ~Renderer();
    Renderer(Renderer&&) noexcept;
    Renderer& operator=(Renderer&&) noexcept;

    const RenderOptions& options() const noexcept;

    // One type's eyemaps (no requests: all_requests), each in every format (default SVG), in request
    // then format order. Throws input for an unknown type, a request the data cannot draw, or a
    // layer an eyemap does not have; nothing is returned then.
    std::vector<Eyemap> render(const Dataset& dataset, std::string_view neuron_type,
                               std::span<const EyemapRequest> requests = {},
                               std::span<const OutputFormat> formats = {}) const;
    // The streaming form (batch): a type's rows in, each file handed to `out` as soon as it is made
    // (from one reusable buffer). Every request and layer is checked before the first call.
    void render(const ColumnIndex& index, const TableColumns& columns, std::string_view neuron_type,
                std::span<const ColumnRow> rows, std::span<const EyemapRequest> requests,
                std::span<const OutputFormat> formats, const std::function<void(const EyemapView&)>& out) const;
    // A comparison (eyemap/compare.hpp) of type `neuron_type` of `a` with type options.type_b (empty:
    // the same name) of `b`, on joint_index(a, b): per request, A and B on one locked scale, then their
    // difference, each in every format (Eyemap::part says which; the difference's request names the
    // derived metric). Throws input for a type, request or metric either dataset lacks, or a value
    // the comparison cannot take (log2 of a value <= 0); nothing is returned then.
    std::vector<Eyemap> render_compare(const Dataset& a, const Dataset& b, std::string_view neuron_type, const CompareOptions& options,
                                       std::span<const EyemapRequest> requests = {}, std::span<const OutputFormat> formats = {}) const;
    // The streaming form (batch): both types' rows on one index, each file handed to `out`. Errors in
    // B's rows name `source_b`; A's are left without a file unless `source_a` is given.
    void render_compare(const ColumnIndex& index, std::string_view neuron_type, const TableColumns& columns_a,
                        std::span<const ColumnRow> rows_a, const TableColumns& columns_b, std::span<const ColumnRow> rows_b,
                        const CompareOptions& options, std::span<const EyemapRequest> requests, std::span<const OutputFormat> formats,
                        const std::function<void(const EyemapView&)>& out, std::string_view source_a = {},
                        std::string_view source_b = {}) const;
    // One PDF with a page per requested eyemap.
    std::string render_pdf_pages(const Dataset& dataset, std::string_view neuron_type,
                                 std::span<const EyemapRequest> requests = {}) const;

    // A figure (eyemap/figure.hpp): many eyemaps of the dataset in one picture, in each format (default
    // SVG), in format order; panels drawn as this renderer draws single eyemaps (its geometry, colour
    // map, scale method, style colours). Throws input for an option out of range or a panel the data
    // cannot draw; nothing is returned then.
    std::vector<FigureOutput> render_figure(const Dataset& dataset, const FigureRequest& request,
                                            std::span<const OutputFormat> formats = {}) const;
    // A comparison's figure (request.compare): `baseline` is B (pass `dataset` again to compare two of
    // its types, request.compare.type_b); FigurePanels::datasets chooses A, B and their difference.
    std::vector<FigureOutput> render_figure(const Dataset& dataset, const Dataset& baseline, const FigureRequest& request,
                                            std::span<const OutputFormat> formats = {}) const;

    // Timing of every stage this renderer ran (process, layout, render_svg, render_png, encode_png,
    // render_pdf); callers may add their own operations to it.
    Stats& stats() const noexcept;
    std::vector<NamedCacheStats> cache_statistics() const;
    void reset_statistics() const;  // timings and cache counters to zero; entries stay
    void clear_caches() const;
    // Content hash of every option that shapes the output bytes (templates by content).
    std::uint64_t settings_hash() const;
    // The templates (SVG fragments, pages, site, report) read once, when the renderer was made: pages
    // written beside its eyemaps use this set, so they match settings_hash() even if the folder changes.
    const std::shared_ptr<const TemplateSet>& templates() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "<type>_<region>_<side>_<metric>" with every part made safe for a file name.
std::string eyemap_file_stem(std::string_view neuron_type, std::string_view region, Side side, const Metric& metric);

}  // namespace eyemap

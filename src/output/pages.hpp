// Release site: a type's page, the index, the shared site files and thumbnails, from Mustache templates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "eyemap/batch.hpp"
#include "eyemap/runs.hpp"
#include "render/svg.hpp"

namespace eyemap {

// Pages and index are rendered from the Mustache templates page.html, index.html, site.css and
// site.js (templates/*.mustache; `--templates DIR` overrides them like the SVG fragments).
struct TypePageSettings {
    std::shared_ptr<const TemplateSet> templates;  // null: built-in
    double eyemap_width = 0, eyemap_height = 0;    // canvas of the eyemaps (the same for every eyemap of a batch)
    bool empty_maps = false;                       // show eyemaps without data instead of a "no data" line
    ReleaseLinks links;                            // a link out per type and the footer's dataset; empty: none
    std::optional<Manifest::Baseline> baseline;   // a comparison's: the page's compare section
};

// One type's page, for pages/<file_key>.html: a summary table, its eyemaps as a grid (regions x
// sides, a metric switch) of lazily loaded frames referring to the run's eyemap files (no bytes
// copied), download links, previous/next/index navigation. Links are relative to the run folder.
std::string render_type_page(const TypeRecord& type, const TypePageSettings& options = {});

struct IndexNotice {
    std::string text;  // shown on top of the index (e.g. an unfinished shard)
};
// index.html: every type (sorted by seq, then name): thumbnail, rows, totals, columns with data per
// region and side; search, sort and filters in site.js (the table is complete without script).
// `report_link`: link the run report (report.html next to index.html).
// `links`: a column of links out per type (type_link) and the footer's dataset.
// `baseline`: a comparison's (the change column, types in only one of the two listed apart).
std::string render_index_page(std::span<const TypeRecord> types, std::span<const IndexNotice> notices = {},
                              const std::shared_ptr<const TemplateSet>& templates = nullptr, bool report_link = false,
                              const ReleaseLinks& links = {}, const std::optional<Manifest::Baseline>& baseline = std::nullopt);
// The run's shared files next to index.html: site.css, site.js and types.js (the type list the
// pages' previous/next links come from), by file name.
std::vector<std::pair<std::string, std::string>> render_site_assets(std::span<const TypeRecord> types,
                                                                    const std::shared_ptr<const TemplateSet>& templates = nullptr);

namespace detail {
// A type's thumbnail: each eyemap's EyemapView::thumbnail cells (kept while rendering), then a
// few-KB SVG of one map per region (the side with more data, the first metric), in the eyemaps'
// fills (fill_colours of the renderer's style, colour map and bins).
inline constexpr int kThumbCells = kThumbnailCells;
std::string render_thumbnail(std::span<const RenderedEyemap> maps, const FillColours& fills);
// The index's columns, which depend on every type (regions, region/side columns, value columns).
struct IndexShape {
    struct Col {
        std::string region;
        Side side;
    };
    std::vector<std::string> regions;  // in order of first appearance
    std::vector<Col> cols;             // region/side columns: by region, then side
    std::vector<Metric> values;        // value columns drawn, in order of first appearance
    bool has_syn = false, has_cells = false;
    std::uint64_t eyemaps = 0;  // the types' own eyemaps (not a comparison's)
};
// An IndexShape from the types the index shows, added in any order (the index's order, seq then
// name, decides what appears first).
class IndexShapeBuilder {
public:
    void add(const TypeRecord& t);
    IndexShape finish() const;

private:
    using At = std::tuple<std::uint64_t, std::string, std::size_t>;  // (seq, name, eyemap): where something first appears
    std::vector<std::pair<std::string, At>> regions_;
    std::vector<IndexShape::Col> cols_;
    std::vector<std::pair<Metric, At>> values_;
    bool has_syn_ = false, has_cells_ = false;
    std::uint64_t eyemaps_ = 0;
};

// index.html (render_index_page's page) made a row at a time: when the template splits into head,
// row and tail (streams(); the built-in one does), head() + row(t) for each type in the index's order
// + tail(any rows) are the bytes of the whole page, so a run's index is written without holding every
// type; otherwise whole() renders it at once. `only_a`: the types (in order) only in the data,
// `only_b`: the baseline's types not in it (a comparison's lists).
class IndexPage {
public:
    IndexPage(const std::shared_ptr<const TemplateSet>& templates, IndexShape shape, std::uint64_t type_count,
              std::span<const IndexNotice> notices, bool report_link, const ReleaseLinks& links,
              const std::optional<Manifest::Baseline>& baseline, std::span<const std::string> only_a, std::span<const std::string> only_b);
    ~IndexPage();
    IndexPage(const IndexPage&) = delete;
    IndexPage& operator=(const IndexPage&) = delete;
    bool streams() const;
    // The page's pieces; together they are refused past kMaxTemplateOutputBytes, as a whole page is.
    std::string head();
    std::string row(const TypeRecord& t);
    std::string tail(bool after_rows);
    std::string whole(std::span<const TypeRecord* const> types) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A type's entry of types.js ([file key, name] as JSON safe in a script), "" for a type without a page.
std::string types_js_entry(const TypeRecord& t);
// types.js in pieces to `write(std::string_view)`: its head, '[', the entries of the types (in the
// index's order; `entry(p, e)` sets e to the p-th one's, p < n) that have one, joined by ',', "];".
template <class Write, class Entry>
void write_types_js(const Write& write, std::size_t n, const Entry& entry) {
    write("// The run's types in input order, [file key, name]: the pages' previous/next links.\nwindow.eyemapTypes = [");
    bool first = true;
    std::string e;
    for (std::size_t p = 0; p < n; ++p) {
        entry(p, e);
        if (e.empty()) continue;
        if (!first) write(",");
        first = false;
        write(e);
    }
    write("];\n");
}
// A comparison's types found in one dataset only, as the index lists them apart: in A only (the
// index's types marked only_in_data), in B only (the baseline's types the index does not have).
// `for_each_type(f)` calls f(name, only_in_data) for the index's types in its order.
template <class ForEachType>
std::pair<std::vector<std::string>, std::vector<std::string>> types_in_one_only(const Manifest::Baseline& baseline,
                                                                               const ForEachType& for_each_type) {
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    std::unordered_set<std::string_view> in_data;
    for_each_type([&](std::string_view name, bool only_in_data) {
        in_data.insert(name);
        if (only_in_data) out.first.emplace_back(name);
    });
    for (const auto& name : baseline.types)
        if (!in_data.count(name)) out.second.push_back(name);
    return out;
}
// site.css and site.js, by file name.
std::vector<std::pair<std::string, std::string>> site_files(const std::shared_ptr<const TemplateSet>& templates);

// A relative URL from '/'-separated path components: bytes outside [A-Za-z0-9-._~/] percent-encoded.
std::string url_path(std::string_view path);
// Dumped JSON made safe inside <script> or a .js file: '<', '>', '&', U+2028, U+2029 as \u escapes.
std::string script_safe_json(std::string_view json);
}  // namespace detail

}  // namespace eyemap

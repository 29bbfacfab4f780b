// Release site: a type's page, the index, the shared site files and thumbnails, from Mustache templates.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
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
// A relative URL from '/'-separated path components: bytes outside [A-Za-z0-9-._~/] percent-encoded.
std::string url_path(std::string_view path);
// Dumped JSON made safe inside <script> or a .js file: '<', '>', '&', U+2028, U+2029 as \u escapes.
std::string script_safe_json(std::string_view json);
}  // namespace detail

}  // namespace eyemap

// Run report: one self-contained HTML page (report.html) with the statistics of a run drawn as inline SVG.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/batch.hpp"
#include "eyemap/stats.hpp"
#include "render/svg.hpp"

namespace eyemap {

// Files and bytes of one kind of output recorded in a run's manifests.
struct FormatBytes {
    std::string format;  // "svg", "png", "pdf", "html (pages)", "svg (thumbnails)"
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    bool operator==(const FormatBytes&) const = default;
};

// Everything the report shows. Pure data: build it from a StatsDocument (run_report_from) or by hand.
struct RunReport {
    std::string run_name;                // heading; "" for none
    std::string version;                 // eyemap version that made the run; "" unknown
    std::vector<std::string> command;    // its command line; empty unknown
    StatsSnapshot stats;                 // ops (time per stage, latency), memory, wall time, progress samples
    std::vector<NamedCacheStats> caches;
    std::vector<FormatBytes> formats;    // empty: not known (e.g. a statistics file without its run folder)
    bool index_link = false;             // link back to index.html (the report sits in a run folder)
    std::string provenance;              // the dataset's label, version and input (Provenance::sentence); "" none
};

RunReport run_report_from(const StatsDocument& doc, std::string run_name = {}, std::vector<FormatBytes> formats = {});

// Output records of `types` grouped by kind, in the order svg, png, pdf, pages, thumbnails (kinds without files left out).
std::vector<FormatBytes> bytes_per_format(std::span<const TypeRecord> types);
// bytes_per_format a type at a time (for a manifest read a type at a time).
class FormatBytesTally {
public:
    void add(const TypeRecord& t);
    std::vector<FormatBytes> result() const;

private:
    FormatBytes acc_[5];
};

// The page: summary figures, time per stage (bars), eyemaps/s over the run (line, from the progress
// samples), latency percentiles per operation (dot plot and table), cache hit rates (bars), bytes per
// format (bars), the command line. No script, no network: the charts are SVG built here, every string
// XML-escaped (invalid UTF-8 becomes U+FFFD) and every number finite. The page is well-formed XML
// (polyglot XHTML). Rendered from report.html.mustache of `templates` (null: built-in).
std::string render_run_report(const RunReport& report, const std::shared_ptr<const TemplateSet>& templates = nullptr);

// The batch's report: the renderer's statistics and caches, this process's command line and the
// bytes per format (bytes_per_format of the run's types), written atomically to run_dir/report.html.
void write_run_report(const std::filesystem::path& run_dir, std::string run_name, const Renderer& renderer,
                      std::vector<FormatBytes> formats);

namespace detail {
// The charts alone (each one <svg> element, or "" when there is nothing to draw); exposed for tests.
std::string report_stage_chart(const StatsSnapshot& s);
std::string report_rate_chart(std::span<const ProgressSample> samples);
std::string report_latency_chart(const StatsSnapshot& s);
std::string report_cache_chart(std::span<const NamedCacheStats> caches);
std::string report_format_chart(std::span<const FormatBytes> formats);
}  // namespace detail

}  // namespace eyemap

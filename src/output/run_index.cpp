// A run's index.html and site files, from every manifest of the run folder (shards merged).
#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "eyemap/stats.hpp"
#include "output/pages.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;

std::size_t detail::write_index(const fs::path& run_dir, const std::shared_ptr<const TemplateSet>& templates, Stats* stats, bool report_link) {
    ScopedTimer timer(stats, stats ? stats->op("batch_index") : OpId{});
    auto manifests = read_run_manifests(run_dir);
    if (manifests.empty()) throw_input("no manifest*.json in this folder: not a batch run", ErrorLocation{run_dir.string(), 0, {}, {}});
    std::vector<IndexNotice> notices;
    ReleaseLinks links;  // every manifest of a run records the same (its settings)
    for (const auto& [path, m] : manifests)
        if (links.empty()) links = m.links;
    std::optional<Manifest::Baseline> baseline;  // the same in every manifest of a run
    for (const auto& [path, m] : manifests)
        if (!baseline && m.baseline) baseline = m.baseline;
    std::uint32_t shard_count = 0;
    std::vector<bool> shard_seen;
    for (const auto& [path, m] : manifests) {
        if (m.shard.sharded()) {
            if (shard_count == 0 || m.shard.count == shard_count) {
                shard_count = m.shard.count;
                shard_seen.resize(shard_count);
                shard_seen[m.shard.index] = true;
            }
            if (!m.complete)
                notices.push_back({fmt::format("Shard {}/{} has not finished ({} types so far); run eyemap batch --index-only again when it has.",
                                               m.shard.index, m.shard.count, m.types.size())});
        } else if (!m.complete) {
            notices.push_back({fmt::format("This run has not finished ({} types so far{}).", m.types.size(),
                                           m.cancelled ? "; it was interrupted: resume it with eyemap batch --resume" : "")});
        }
    }
    std::uint32_t missing = 0;
    for (std::uint32_t i = 0; i < shard_count; ++i)
        if (!shard_seen[i] && ++missing <= 20) notices.push_back({fmt::format("Shard {}/{} has not run yet: its types are missing.", i, shard_count)});
    if (missing > 20) notices.push_back({fmt::format("{} more shards of {} have not run yet.", missing - 20, shard_count)});
    const auto types = detail::merge_types(manifests);
    const std::string html = render_index_page(types, notices, templates, report_link, links, baseline);
    timer.add_bytes(html.size());
    for (const auto& [name, text] : render_site_assets(types, templates)) write_file_atomic(run_dir / name, text);
    write_file_atomic(run_dir / "index.html", html);
    return types.size();
}
std::size_t write_run_index(const fs::path& run_dir, const fs::path& templates_dir, Stats* stats) {
    detail::refuse_linked_run(run_dir);  // --index-only writes into the run as the batch does
    return detail::write_index(run_dir, templates_dir.empty() ? builtin_templates() : load_templates(templates_dir), stats,
                       fs::exists(run_dir / "report.html"));
}

}  // namespace eyemap

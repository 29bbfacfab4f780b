// `eyemap stats report`: a statistics file (--stats-json) drawn as a run report (HTML with SVG charts).
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/read_file.hpp"
#include "core/throw.hpp"
#include "eyemap/runs.hpp"
#include "output/report.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {
namespace {

namespace fs = std::filesystem;

struct StatsArgs {
    std::string input;
    std::string output;
    std::string run_dir;
    std::string title;
    std::string templates;
};

void run_report(const StatsArgs& a) {
    StatsDocument doc;
    try {
        doc = stats_document_from_json(read_regular_file(a.input, kMaxStatsFileBytes, "statistics file"));
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) throw;
        throw_input(e.reason(), ErrorLocation{a.input, 0, e.where().field, e.where().value});  // name the file
    }
    std::string name = a.title;
    std::vector<FormatBytes> formats;
    if (!a.run_dir.empty()) {
        const auto manifests = read_run_manifests(a.run_dir);
        if (manifests.empty()) throw_input("no manifest*.json in this folder: not a batch run", ErrorLocation{a.run_dir, 0, "--run-dir", {}});
        std::vector<TypeRecord> types;
        for (const auto& [path, m] : manifests) {
            if (name.empty()) name = m.run;
            types.insert(types.end(), m.types.begin(), m.types.end());
        }
        formats = bytes_per_format(types);
    }
    if (name.empty()) name = fs::path(a.input).filename().string();
    const auto templates = a.templates.empty() ? builtin_templates() : load_templates(a.templates);
    const std::string html = render_run_report(run_report_from(doc, name, std::move(formats)), templates);
    if (a.output.empty() || a.output == "-") {
        write_stdout(html);
    } else {
        write_output_file(a.output, html);
        fmt::print(stderr, "eyemap stats: wrote {}\n", a.output);
    }
}

}  // namespace

void add_stats_command(CLI::App& app) {
    auto* stats = app.add_subcommand("stats", "Statistics files written with --stats-json (schema eyemap-stats/2; /1 files are read too)");
    stats->require_subcommand(1);
    auto args = std::make_shared<StatsArgs>();
    auto* report = stats->add_subcommand(
        "report", "Draw a statistics file as a run report: one HTML page with SVG charts (time per stage, eyemaps/s, latency, caches, memory)");
    report->add_option("stats", args->input, "Statistics JSON (--stats-json)")->required();
    report->add_option("-o,--output", args->output, "HTML file to write (default, or -: standard output)");
    report->add_option("--run-dir", args->run_dir, "The run folder the statistics belong to: adds the bytes per format from its manifests");
    report->add_option("--title", args->title, "Run name in the heading (default: the run folder's run name, else the file name)");
    report->add_option("--templates", args->templates, "Folder with template overrides (report.html.mustache)");
    report->callback([args] { run_report(*args); });
}

}  // namespace eyemap::cli

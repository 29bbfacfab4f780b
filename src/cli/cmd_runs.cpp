// `eyemap runs`: list, clean, protect and unprotect the run folders of `eyemap batch`.
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "eyemap/batch.hpp"

namespace eyemap::cli {
namespace {

namespace fs = std::filesystem;

std::string size_text(std::uint64_t b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, ++u;
    return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

// NAME under --out-dir, or NAME itself when it is a path to a folder.
fs::path run_path(const std::string& out_dir, const std::string& name) {
    if (name.find('/') != std::string::npos) return fs::path(name);
    validate_run_name(name);
    return fs::path(out_dir) / name;
}

}  // namespace

void add_runs_command(CLI::App& app) {
    struct Args {
        std::string out_dir = ".";
        std::size_t keep = 0;
        bool dry_run = false;
        std::string name;
    };
    auto args = std::make_shared<Args>();
    auto* runs = app.add_subcommand("runs", "List, clean and protect the run folders written by 'eyemap batch'");
    runs->require_subcommand(1);
    runs->footer("A run is a subfolder of --out-dir holding a batch manifest. Protected runs are never cleaned.");

    auto* list = runs->add_subcommand("list", "List runs, oldest first: name, size, date, protected, status");
    list->add_option("--out-dir", args->out_dir, "Folder holding the runs")->capture_default_str();
    list->callback([args] {
        const auto all = list_runs(args->out_dir);
        if (all.empty()) {
            fmt::print("no runs in {}\n", args->out_dir);
            return;
        }
        std::size_t w = 4;
        for (const auto& r : all) w = std::max(w, r.name.size());
        fmt::print("{:<{}}  {:>10}  {:>7}  {:<20}  {:<9}  {}\n", "name", w, "size", "files", "date (UTC)", "protected", "status");
        std::uint64_t total = 0;
        for (const auto& r : all) {
            total += r.bytes;
            std::string status = r.complete ? "complete" : "incomplete";
            status += fmt::format(", {} types", r.types);
            if (r.in_use) status += ", in use";
            fmt::print("{:<{}}  {:>10}  {:>7}  {:<20}  {:<9}  {}\n", r.name, w, size_text(r.bytes), r.files, r.started,
                       r.is_protected ? "yes" : "no", status);
        }
        fmt::print("{} runs, {}\n", all.size(), size_text(total));
    });

    auto* clean = runs->add_subcommand("clean", "Remove the oldest runs beyond the newest --keep N (never protected or in-use ones)");
    clean->add_option("--out-dir", args->out_dir, "Folder holding the runs")->capture_default_str();
    clean->add_option("--keep", args->keep, "Number of newest runs to keep")->required();
    clean->add_flag("--dry-run", args->dry_run, "Only say what would be removed");
    clean->callback([args] {
        const auto res = clean_runs(args->out_dir, args->keep, args->dry_run);
        const char* verb = args->dry_run ? "would remove" : "removed";
        for (const auto& r : res.removed) fmt::print("{} {} ({})\n", verb, r.name, size_text(r.bytes));
        for (const auto& r : res.kept_protected) fmt::print("kept {} (protected)\n", r.name);
        for (const auto& r : res.kept_in_use) fmt::print("kept {} (in use by a running batch)\n", r.name);
        fmt::print("{} {} runs, {} {}\n", verb, res.removed.size(), size_text(res.bytes_freed), args->dry_run ? "would be freed" : "freed");
    });

    auto* protect = runs->add_subcommand("protect", "Protect a run from 'runs clean' (and from being overwritten by a batch)");
    protect->add_option("name", args->name, "Run name (or path to the run folder)")->required();
    protect->add_option("--out-dir", args->out_dir, "Folder holding the runs")->capture_default_str();
    protect->callback([args] {
        const auto p = run_path(args->out_dir, args->name);
        set_run_protected(p, true);
        fmt::print("protected {}\n", p.string());
    });

    auto* unprotect = runs->add_subcommand("unprotect", "Remove a run's protection");
    unprotect->add_option("name", args->name, "Run name (or path to the run folder)")->required();
    unprotect->add_option("--out-dir", args->out_dir, "Folder holding the runs")->capture_default_str();
    unprotect->callback([args] {
        const auto p = run_path(args->out_dir, args->name);
        set_run_protected(p, false);
        fmt::print("unprotected {}\n", p.string());
    });
}

}  // namespace eyemap::cli

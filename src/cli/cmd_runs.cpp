// `eyemap runs`: list, clean, protect and unprotect the run folders of `eyemap batch`.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "eyemap/runs.hpp"
#include "output/run_internal.hpp"
#include "output/verify.hpp"

namespace eyemap::cli {
namespace {

namespace fs = std::filesystem;

// NAME under --out-dir, or NAME itself when it is a path to a folder.
fs::path run_path(const std::string& out_dir, const std::string& name) {
    if (name.find('/') != std::string::npos) return fs::path(name);
    check_options([&] { validate_run_name(name); });
    return fs::path(out_dir) / name;
}

// A folder that is not there is a file error (exit 3), as for any file the command cannot read.
void require_folder(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw_io(fs::exists(dir, ec) ? "not a folder" : "no such folder", dir.string());
}

}  // namespace

void add_runs_command(CLI::App& app) {
    struct Args {
        std::string out_dir = ".";
        long long keep = 0;
        bool dry_run = false;
        std::string name;
        std::string run;
        bool json = false;
        bool quick = false;
        std::uint64_t shards = 0;  // 64 bits: every value reaches the range check below
    };
    auto args = std::make_shared<Args>();
    auto* runs = app.add_subcommand("runs", "List, clean and protect the run folders written by 'eyemap batch'");
    runs->require_subcommand(1);
    runs->footer("A run is a subfolder of --out-dir holding a batch manifest. Protected runs are never cleaned.");

    auto* list = runs->add_subcommand("list", "List runs, oldest first: name, size, date, protected, status");
    list->add_option("--out-dir", args->out_dir, "Folder holding the runs")->type_name("DIR")->capture_default_str();
    list->callback([args] {
        require_folder(args->out_dir);
        const auto all = list_runs(args->out_dir);
        if (all.empty()) {
            print_stdout("no runs in {}\n", terminal_text(args->out_dir));
            return;
        }
        std::size_t w = 4;
        // Names and dates come from folders and manifests: escaped for the terminal, as error messages are.
        for (const auto& r : all) w = std::max(w, terminal_text(r.name).size());
        print_stdout("{:<{}}  {:>10}  {:>7}  {:<20}  {:<9}  {}\n", "name", w, "size", "files", "date (UTC)", "protected", "status");
        std::uint64_t total = 0;
        for (const auto& r : all) {
            total += r.bytes;
            std::string status = r.complete ? "complete" : "incomplete";
            status += fmt::format(", {} types", r.types);
            if (r.linked) status = "refused: a symbolic link (eyemap does not follow it)";
            if (r.in_use) status += ", in use";
            print_stdout("{:<{}}  {:>10}  {:>7}  {:<20}  {:<9}  {}\n", terminal_text(r.name), w, human_bytes(static_cast<double>(r.bytes)), r.files, terminal_text(r.started),
                       r.is_protected ? "yes" : "no", status);
        }
        print_stdout("{} runs, {}\n", all.size(), human_bytes(static_cast<double>(total)));
    });

    auto* clean = runs->add_subcommand("clean", "Remove the oldest runs beyond the newest --keep N (never protected or in-use ones)");
    clean->add_option("--out-dir", args->out_dir, "Folder holding the runs")->type_name("DIR")->capture_default_str();
    clean->add_option("--keep", args->keep, "Number of newest runs to keep")->required();
    clean->add_flag("--dry-run", args->dry_run, "Only say what would be removed");
    clean->callback([args] {
        if (args->keep < 0)
            usage_error("--keep", std::to_string(args->keep), "must be 0 or more (the number of newest runs to keep)");
        require_folder(args->out_dir);
        const auto res = clean_runs(args->out_dir, static_cast<std::size_t>(args->keep), args->dry_run);
        const char* verb = args->dry_run ? "would remove" : "removed";
        for (const auto& r : res.removed) print_stdout("{} {} ({})\n", verb, terminal_text(r.name), human_bytes(static_cast<double>(r.bytes)));
        for (const auto& r : res.kept_protected) print_stdout("kept {} (protected)\n", terminal_text(r.name));
        for (const auto& r : res.kept_in_use) print_stdout("kept {} (in use by a running batch)\n", terminal_text(r.name));
        print_stdout("{} {} runs, {} {}\n", verb, res.removed.size(), human_bytes(static_cast<double>(res.bytes_freed)), args->dry_run ? "would be freed" : "freed");
    });

    auto* protect = runs->add_subcommand("protect", "Protect a run from 'runs clean' (and from being overwritten by a batch)");
    protect->add_option("name", args->name, "Run name (or path to the run folder)")->type_name("NAME|DIR")->required();
    protect->add_option("--out-dir", args->out_dir, "Folder holding the runs")->type_name("DIR")->capture_default_str();
    protect->callback([args] {
        const auto p = run_path(args->out_dir, args->name);
        set_run_protected(p, true);
        print_stdout("protected {}\n", terminal_text(p.string()));
    });

    auto* unprotect = runs->add_subcommand("unprotect", "Remove a run's protection");
    unprotect->add_option("name", args->name, "Run name (or path to the run folder)")->type_name("NAME|DIR")->required();
    unprotect->add_option("--out-dir", args->out_dir, "Folder holding the runs")->type_name("DIR")->capture_default_str();
    unprotect->callback([args] {
        const auto p = run_path(args->out_dir, args->name);
        set_run_protected(p, false);
        print_stdout("unprotected {}\n", terminal_text(p.string()));
    });

    // verify (issue 18, docs/cluster.md): exit 0 complete, 2 incomplete.
    auto* verify = runs->add_subcommand("verify", "Check a run (sharded or not) is complete: every shard finished, every file "
                                                  "there with its recorded size and content; exit 2 and the commands to redo it if not");
    verify->add_option("run_dir", args->name, "Path to the run folder (or give --out-dir and --run)")->type_name("DIR");
    verify->add_option("--out-dir", args->out_dir, "Folder holding the runs")->type_name("DIR")->capture_default_str();
    verify->add_option("--run", args->run, "Run name")->type_name("NAME");
    verify->add_option("--shards", args->shards, "Expected shard count (default: from the manifests)");
    verify->add_flag("--json", args->json, "Machine-readable report on standard output");
    verify->add_flag("--quick", args->quick, "Check sizes only, not the content hashes");
    verify->callback([args] {
        if (args->name.empty() && args->run.empty())
            usage_error("", "", "give the run folder, or --out-dir DIR --run NAME");
        const fs::path p = !args->name.empty() ? fs::path(args->name) : run_path(args->out_dir, args->run);
        require_folder(p);
        detail::refuse_linked_run(p);  // as the batch, --index-only, protect and list
        // The batch's limit, before any work: a count it cannot have written is a usage error
        // (4000000000 made verify allocate one record per shard).
        if (args->shards > kMaxShards)
            usage_error("--shards", std::to_string(args->shards), fmt::format("must be 1 to {} (the most shards a batch can have)", kMaxShards));
        RunVerifyOptions o;
        o.check_content = !args->quick;
        o.expect_shards = static_cast<std::uint32_t>(args->shards);
        const auto r = verify_run(p, o);
        if (args->json) {
            print_stdout("{}", verify_report_json(r));
        } else {
            // Everything from the run (paths, type names, temporary files, problems) is escaped for the terminal.
            print_stdout("run {}: {}, {} types, {} files checked ({}{})\n", terminal_text(r.run_name.empty() ? p.string() : r.run_name),
                       r.shard_count > 1 ? fmt::format("{} shards", r.shard_count) : std::string("not sharded"), r.types,
                       r.files_checked, human_bytes(static_cast<double>(r.bytes_checked)), o.check_content ? ", sizes and content" : ", sizes only");
            for (const auto& s : r.shards) {
                // The manifest's state only: the verdict on the run is the last line (complete or INCOMPLETE).
                std::string state = s.state == "unfinished" ? "manifest unfinished (failed, interrupted or still running)"
                                    : s.state == "missing"  ? "manifest missing (never ran, or its manifest is gone)"
                                                            : "manifest finished";
                if (r.shard_count > 1) print_stdout("shard {}/{}: {}, {} types\n", s.index, r.shard_count, state, s.types);
                else print_stdout("{}, {} types\n", state, s.types);
            }
            for (const auto& f : r.files)
                print_stdout("file {}: {} (type {}, shard {})\n", terminal_text(f.problem), terminal_text(f.path), terminal_text(f.type), f.shard);
            for (const auto& q : r.problems) print_stdout("problem: {}\n", terminal_text(q));
            const auto temps = detail::run_temp_files(p);
            if (!temps.empty())
                print_stdout("note: {} temporary files (writers still running, or leftovers of killed ones), e.g. {}\n", temps.size(), terminal_text(temps.front()));
            if (r.complete) {
                print_stdout("complete\n");
            } else {
                std::string list;
                for (auto i : r.redo_shards) list += fmt::format("{}{}", list.empty() ? "" : " ", i);
                const std::string what = list.empty() ? std::string() : (r.shard_count > 1 ? ": redo shards " + list : std::string(": redo the run"));
                if (r.redo_commands.empty()) print_stdout("INCOMPLETE{}; rebuild the run from its source (see the problems above)\n", what);
                else print_stdout("INCOMPLETE{}; to finish it (then verify again):\n", what);
                for (const auto& c : r.redo_commands) print_stdout("  {}\n", terminal_text(c));
            }
        }
        finish_stdout();
        if (!r.complete) std::exit(2);
    });
}

}  // namespace eyemap::cli

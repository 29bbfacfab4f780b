// `eyemap batch`: every type of a data file, streamed, rendered in parallel into a run folder.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/read_file.hpp"
#include "core/throw.hpp"
#include "core/command_line.hpp"
#include "core/text.hpp"
#include "eyemap/runs.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {
namespace {

namespace fs = std::filesystem;

// --- signals ----------------------------------------------------------------------------------

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
    if (g_signal != 0) {  // second signal: stop at once
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return;
    }
    g_signal = sig;
    g_cancel.store(true);
    static const char msg[] = "\neyemap batch: stopping (finishing the files being written; press again to abort at once)\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
}

class SignalGuard {
public:
    SignalGuard() {
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~SignalGuard() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {}, old_term_{};
};

// --- progress ---------------------------------------------------------------------------------

std::string human_count(std::uint64_t n) {
    if (n >= 10'000'000) return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
    if (n >= 100'000) return fmt::format("{:.0f}k", static_cast<double>(n) / 1e3);
    return fmt::format("{}", n);
}

std::string human_duration(double s) {
    if (!(s >= 0) || s > 360000) return "?";
    const auto t = static_cast<long>(s + 0.5);
    return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

// A line on standard error: redrawn in place on a terminal, else printed every `interval`.
class Progress {
public:
    Progress(const BatchCounters& c, const DataFileSource& src, bool enabled, double interval_s)
        : c_(c), src_(src), tty_(::isatty(2) == 1), enabled_(enabled), interval_(interval_s) {
        if (enabled_) thread_ = std::thread([this] { loop(); });
    }
    ~Progress() { stop(); }
    void stop() {
        {
            std::lock_guard lk(mu_);
            if (stopped_) return;
            stopped_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
        if (enabled_ && tty_ && drawn_) fmt::print(stderr, "\r\033[K");
    }

private:
    void loop() {
        const auto period = tty_ ? std::chrono::milliseconds(250)
                                 : std::chrono::milliseconds(static_cast<long>(std::max(0.2, interval_) * 1000));
        std::unique_lock lk(mu_);
        while (!cv_.wait_for(lk, period, [this] { return stopped_; })) {
            const std::string line = text();
            if (tty_) fmt::print(stderr, "\r\033[K{}", line);
            else fmt::print(stderr, "eyemap batch: {}\n", line);
            std::fflush(stderr);
            drawn_ = true;
        }
    }
    // On a terminal the line must fit in one row (a wrapped line scrolls a new row up at every
    // redraw): the least important parts go first, then it is cut, to the width less one.
    std::string text() const {
        const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        const auto types = c_.types_done.load(), reused = c_.types_reused.load(), eyes = c_.eyemaps_done.load();
        const auto rows = c_.rows_read.load();
        const double bytes = static_cast<double>(src_.bytes_read()), size = static_cast<double>(src_.file_size());
        std::vector<LinePart> parts;
        parts.push_back({fmt::format("{} types done", types), 9});
        if (reused) parts.push_back({fmt::format("{} up to date", reused), 3});
        parts.push_back({fmt::format("{} eyemaps", eyes), 6});
        parts.push_back({fmt::format("{} rows", human_count(rows)), 1});
        if (size > 0) {
            parts.push_back({fmt::format("{:.0f}% read", 100 * bytes / size), 8});
            parts.push_back({fmt::format("{} of {}", human_bytes(bytes), human_bytes(size)), 2});
        } else {
            parts.push_back({fmt::format("read {}", human_bytes(bytes)), 5});
        }
        if (el > 0) parts.push_back({fmt::format("{:.0f} eyemaps/s", static_cast<double>(eyes) / el), 4});
        if (size > 0 && bytes > 0) parts.push_back({fmt::format("ETA {}", human_duration(el * (size - bytes) / bytes)), 7});
        if (!tty_) return fit_line(parts, std::string::npos);
        const int cols = terminal_columns();
        return fit_line(parts, static_cast<std::size_t>(std::max(cols, 2) - 1));
    }

    const BatchCounters& c_;
    const DataFileSource& src_;
    const bool tty_, enabled_;
    const double interval_;
    const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopped_ = false;
    bool drawn_ = false;
    std::thread thread_;
};

// --- the command ------------------------------------------------------------------------------

struct BatchArgs {
    CommonOptions common;
    std::string out_dir;
    std::string formats = "svg";
    unsigned jobs = 0;
    bool pages = false;
    bool empty_maps = false;
    bool resume = false;
    bool no_sync = false;
    std::string shard;
    std::string run;
    std::string sink = "file";
    bool index_only = false;
    bool quiet = false;
    double progress_interval = 10;
    std::string plan;       // --plan FILE: shard by this plan (issue 18)
    std::string plan_out;   // --plan-out FILE --shards N: write a plan and stop
    std::uint64_t shards = 0;  // 64 bits: every value reaches run_plan_out's range check
};

// The command line that resumes this run: this process's arguments plus --run NAME --resume.
std::string resume_command(const std::string& run) {
    const std::vector<std::string> args = process_command_line();
    if (args.empty()) return fmt::format("eyemap batch <same options> --run {} --resume", shell_quote(run));
    bool has_run = false, has_resume = false;
    for (const auto& a : args) {
        has_run |= a == "--run" || a.rfind("--run=", 0) == 0;
        has_resume |= a == "--resume";
    }
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + shell_quote(a);
    if (!has_run) out += " --run " + shell_quote(run);
    if (!has_resume) out += " --resume";
    return out;
}

void run_index_only(const BatchArgs& a) {
    if (a.out_dir.empty() || a.run.empty())
        usage_error("--index-only", "", "needs --out-dir DIR and --run NAME");
    check_options([&] { validate_run_name(a.run); });
    const fs::path run_dir = fs::path(a.out_dir) / a.run;
    const auto n = write_run_index(run_dir, a.common.text("templates"));
    fmt::print(stderr, "eyemap batch: wrote {} ({} types from the run's manifests)\n", (run_dir / "index.html").string(), n);
}

// --plan-out FILE --shards N: count every type's rows, assign types to shards by rows (LPT), write
// the plan; prints the imbalance (max/mean rows per shard) of hash sharding and of the plan.
void run_plan_out(const BatchArgs& a) {
    if (a.common.data.empty() || a.common.data == "-") usage_error("--plan-out", "", "needs --data FILE (a file: it is read once to count rows)");
    if (a.shards == 0) usage_error("--plan-out", "", "needs --shards N");
    // The limit `--shard I/N` has (kMaxShards): a plan the batch would refuse is not written.
    if (a.shards > kMaxShards)
        usage_error("--shards", std::to_string(a.shards), fmt::format("must be 1 to {} (the most shards a batch can have)", kMaxShards));
    const auto shards = static_cast<std::uint32_t>(a.shards);
    const RegionSet regions = a.common.region_set();
    DataFileSource src(a.common.data, regions);
    const auto types = count_type_rows(src);
    const ShardPlan plan = make_shard_plan(types, shards);
    write_output_file(a.plan_out, shard_plan_to_json(plan));
    auto imbalance = [&](const ShardPlan* p) {
        const auto rows = rows_per_shard(types, shards, p);
        std::uint64_t total = 0, max = 0;
        for (auto r : rows) total += r, max = std::max(max, r);
        return total ? static_cast<double>(max) * shards / static_cast<double>(total) : 1.0;
    };
    fmt::print(stderr, "eyemap batch: wrote {}: {} types in {} shards; max/mean rows per shard {:.3f} (hash sharding: {:.3f})\n", a.plan_out,
               types.size(), shards, imbalance(&plan), imbalance(nullptr));
}

// An output written only at the end (--stats-json) is checked before the batch starts, so a
// folder that cannot take it is found now rather than after the whole run: a temporary file is
// made and removed beside it (or beside the file a symlink points to, which is what is replaced).
// A FIFO or device is written into, not replaced: nothing to check here.
void check_output_writable(const std::string& path, std::string_view option) {
    std::error_code ec;
    const auto st = fs::status(path, ec);  // follows a symlink
    if (st.type() == fs::file_type::directory) throw_io(fmt::format("{}: is a folder, not a file", option), path);
    if (st.type() == fs::file_type::fifo || st.type() == fs::file_type::character) return;
    fs::path target = path;
    if (fs::is_symlink(fs::symlink_status(target, ec))) target = fs::weakly_canonical(target, ec);
    const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::string probe = (dir / ".eyemap-write-check-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0)
        throw_io(fmt::format("{}: cannot write a file in {} ({}); checked before the batch starts", option, dir.string(), std::strerror(errno)), path);
    ::close(fd);
    ::unlink(probe.c_str());
}

void run_batch_command(const BatchArgs& a) {
    if (a.index_only) return run_index_only(a);
    if (!a.plan_out.empty()) return run_plan_out(a);
    // The command line first (usage errors, exit 1), before any input is read.
    if (a.common.data.empty()) usage_error("--data", "", "is required (except with --index-only)");
    const bool null_sink = a.sink == "null";
    if (!null_sink && a.out_dir.empty()) usage_error("--out-dir", "", "is required (or --sink null to write nothing)");
    if (null_sink && a.resume) usage_error("--resume", "", "needs files: not with --sink null");
    if (a.common.data == "-" && a.common.columns.empty())
        usage_error("--data", "-", "reading the data from standard input needs --columns (the layout cannot be taken from the data in one pass)");
    a.common.check_inputs();
    if (!a.plan.empty() && a.shard.empty()) usage_error("--plan", a.plan, "needs --shard I/N");
    if (!a.run.empty()) check_options([&] { validate_run_name(a.run); });
    // One range, checked here: 0, negative, NaN or 1e308 made progress lines every 0.2 s or never.
    if (!(a.progress_interval >= 0.2 && a.progress_interval <= 86400))
        usage_error("--progress-interval", fmt::format("{}", a.progress_interval), "must be 0.2 to 86400 seconds");
    if (!a.common.stats_json.empty()) check_output_writable(a.common.stats_json, "--stats-json");
    const std::vector<Metric> metrics = a.common.metrics();  // --metric, --label, --unit
    a.common.check_compare_flags();
    const std::optional<CompareOptions> compare = a.common.comparing() ? std::optional(a.common.compare_options()) : std::nullopt;

    BatchOptions opt;
    PageOptions pages;
    pages.make = a.pages;
    pages.empty_maps = a.empty_maps;
    opt.formats = check_options([&] { return parse_formats(a.formats, "--format"); });
    if (!a.shard.empty()) opt.shard = check_options([&] { return parse_shard(a.shard); });
    if (!a.plan.empty()) {
        auto plan = std::make_shared<ShardPlan>(shard_plan_from_json(read_regular_file(a.plan, kMaxPlanFileBytes, "shard plan"), a.plan));
        plan->source = a.plan;
        if (plan->count != opt.shard.count)
            throw_input(fmt::format("the plan is for {} shards, --shard says {}", plan->count, opt.shard.count), ErrorLocation{a.plan, 0, "--plan", {}});
        opt.shard_plan = std::move(plan);
    }
    opt.jobs = a.jobs;
    opt.source_name = a.common.data == "-" ? std::string("<stdin>") : a.common.data;
    opt.cancel = &g_cancel;

    const RegionSet regions = a.common.region_set();
    // Validates every option before any input is read.
    const Renderer renderer = check_options([&] { return Renderer(a.common.render_options()); });

    std::string run = a.run;
    fs::path run_dir;
    if (!null_sink) {
        if (run.empty() && a.resume) {
            auto runs = list_runs(a.out_dir);
            if (runs.empty()) throw_input("no run to resume in this folder; give --run NAME", ErrorLocation{a.out_dir, 0, "--resume", {}});
            run = runs.back().name;
            fmt::print(stderr, "eyemap batch: resuming the latest run, {}\n", run);
        }
        if (run.empty()) run = default_run_name(a.out_dir);  // the folder is made with the first finished type
        validate_run_name(run);
        run_dir = fs::path(a.out_dir) / run;
    }

    ColumnLayout layout;
    if (!a.common.columns.empty()) {
        layout = a.common.column_layout(regions);
    } else {
        if (!a.quiet) fmt::print(stderr, "eyemap batch: no --columns: reading the data once more to find its columns\n");
        layout = layout_from_data_file(a.common.data, regions);  // one extra streaming pass
    }
    std::shared_ptr<const ColumnIndex> prepared = index_columns(layout, regions);
    DataFileSource src(a.common.data, regions, a.common.value_columns());
    if (compare) {
        // The baseline is read whole into memory (the data is streamed).
        const CompareOptions& co = *compare;
        std::optional<Dataset> base = a.common.baseline_dataset(regions, renderer.stats());
        // Without --columns the comparison is drawn on the two datasets' columns together; the types'
        // own eyemaps keep the data's layout.
        auto drawn_on = a.common.columns.empty() ? joint_index(prepared, base->index) : nullptr;
        // Metrics asked for by name must be in the baseline too (render refuses them alike); of the default
        // ones, those it lacks are drawn without a comparison, and said so.
        for (const Metric& m : metrics)
            if (!has_metric(base->columns, m))
                throw_input(fmt::format("the baseline has no '{}' column to compare", to_string(m)),
                            ErrorLocation{a.common.baseline, 0, "metric", std::string(to_string(m))});
        if (metrics.empty() && !a.quiet)
            for (const Metric& m : default_metrics(src.columns()))
                if (!has_metric(base->columns, m))
                    fmt::print(stderr, "eyemap batch: note: the baseline has no '{}' column: {} is drawn without a comparison\n", to_string(m),
                               to_string(m));
        opt.baseline = check_options([&] { return make_batch_baseline(std::move(*base), co, std::move(drawn_on)); });
        if (!a.quiet)
            fmt::print(stderr, "eyemap batch: comparing with {} ({} types, {}): each page gets a compare section\n", a.common.baseline,
                       opt.baseline->data.types.size(), to_string(co.mode));
    }

    if (!metrics.empty()) {
        RequestFilter filter;
        filter.metrics = metrics;
        opt.requests = select_requests(*prepared, src.columns(), filter).requests;
    }
    BatchCounters counters;
    g_cancel.store(false);
    g_signal = 0;
    SignalGuard signals;
    Progress progress(counters, src, !a.quiet, a.progress_interval);

    BatchSummary s;
    DirectoryBatchResult dres;
    try {
        if (null_sink) {
            BatchCallbacks discard;  // every file is dropped; pages are still made, to time them
            if (pages.make) add_type_pages(discard, src.columns(), *prepared, renderer, opt, pages);
            s = run_batch(src, *prepared, renderer, opt, discard, &counters);
        } else {
            DirectoryBatchOptions d;
            d.run_dir = run_dir;
            d.run_name = run;
            d.resume = a.resume;
            d.sync = !a.no_sync;
            d.data_label = a.common.data;
            d.columns_label = a.common.columns;
            d.pages = pages;
            dres = run_batch_to_directory(src, *prepared, renderer, opt, d, &counters);
            s = dres.summary;
        }
    } catch (...) {
        progress.stop();
        if (!null_sink && counters.types_done.load() > 0)
            fmt::print(stderr, "eyemap batch: stopped by an error after {} types; they are recorded in {}\n", counters.types_done.load(),
                       (run_dir / manifest_file_name(opt.shard)).string());
        throw;
    }
    progress.stop();

    const double rate = s.seconds > 0 ? static_cast<double>(s.eyemaps_rendered) / s.seconds : 0;
    const std::uint64_t done = s.types_rendered + s.types_reused;
    std::string what = fmt::format("{} types", done);
    if (s.cancelled && s.types_in_shard > done) what += fmt::format(" done ({} in progress dropped)", s.types_in_shard - done);
    if (opt.shard.sharded()) what += fmt::format(" (shard {}/{}; {} types read in all)", opt.shard.index, opt.shard.count, s.types_seen);
    if (s.types_reused) what += fmt::format(", {} up to date", s.types_reused);
    // The time is the types' pass (read, render, write); --stats' wall is the whole command (also the
    // layout pass, the index and the report), so it is longer: said here, as the two are compared.
    fmt::print(stderr, "eyemap batch: {}{}: {} eyemaps rendered, {} files ({}){} in {:.2f} s (the types' pass; --stats wall: the whole command), {:.0f} eyemaps/s, {} rows\n",
               s.cancelled ? "interrupted: " : "", what, s.eyemaps_rendered, s.files, human_bytes(static_cast<double>(s.bytes)),
               null_sink ? " discarded (--sink null)" : " written", s.seconds, rate, s.rows_read);
    if (!null_sink) {
        // "files" above are the ones this command made; `runs list` counts every file in the run
        // folder (reused ones, manifests, index, site files): that number too, counted as it does.
        std::uint64_t in_folder = 0;
        std::error_code wec;
        for (fs::recursive_directory_iterator w(run_dir, fs::directory_options::skip_permission_denied, wec), wend; !wec && w != wend; w.increment(wec)) {
            std::error_code fec;
            if (w->symlink_status(fec).type() == fs::file_type::regular) ++in_folder;
        }
        fmt::print(stderr, "eyemap batch: run {} ({} files in the folder, as 'eyemap runs list' counts them): manifest {}", run_dir.string(), in_folder,
                   dres.manifest.string());
        if (dres.index_types) fmt::print(stderr, ", index {} ({} types)", (run_dir / "index.html").string(), dres.index_types);
        fmt::print(stderr, "\n");
        if (opt.shard.sharded() && pages.make && !s.cancelled)
            fmt::print(stderr, "eyemap batch: when every shard has finished, rebuild the index: eyemap batch --index-only --out-dir {} --run {}\n",
                       shell_quote(a.out_dir), shell_quote(run));
    }
    a.common.report(renderer);
    if (s.cancelled) {
        if (null_sink) {
            fmt::print(stderr, "eyemap batch: interrupted; nothing was written (--sink null)\n");
        } else {
            fmt::print(stderr,
                       "eyemap batch: the {} finished types are recorded in {}; no partial or temporary file was left.\n"
                       "eyemap batch: to finish the run: {}\n",
                       done, dres.manifest.string(), resume_command(run));
        }
        std::fflush(stderr);
        std::fflush(stdout);
        std::exit(g_signal == SIGTERM ? 143 : 130);
    }
}

}  // namespace

void add_batch_command(CLI::App& app) {
    auto args = std::make_shared<BatchArgs>();
    auto* sub = app.add_subcommand("batch", "Render every neuron type of a data file (streamed, in parallel) into a run folder");
    sub->footer(
        "The data file must be grouped by neuron type; it is read once (twice without --columns).\n"
        "Each type gets the metrics --metric names (default both counts the data has: synapses, the synapse count per\n"
        "column, and cells, the cell count per column); --metric coverage,synapses adds a numeric column of the data.\n"
        "Output: DIR/RUN/{svg,png,pdf}/<type>_<region>_<side>_<metric>.<ext>, DIR/RUN/pages/<type>.html and\n"
        "DIR/RUN/index.html (--pages), DIR/RUN/manifest.json (manifest-I-of-N.json per shard).\n"
        "Ctrl-C stops cleanly (exit 130); continue with --run NAME --resume. See docs/batch.md.\n"
        "Examples:\n"
        "  eyemap batch --data data.csv --columns columns.csv --out-dir out --pages --run release1\n"
        "  eyemap batch --data data.csv --columns columns.csv --out-dir out --run release1 --resume\n"
        "  eyemap batch --data data.csv --columns columns.csv --out-dir out --run r1 --pages --shard 2/8\n"
        "  eyemap batch --out-dir out --run r1 --index-only");
    args->common.add_to(*sub, false, {"png_scale", "type_link"});
    args->common.add_compare_to(*sub, false);
    sub->add_option("--out-dir", args->out_dir, "Folder that holds the runs (each run is a subfolder)")->type_name("DIR");
    sub->add_option("--format", args->formats, "Eyemap formats, comma-separated: svg, png, pdf (e.g. svg,png)")
        ->type_name("LIST")
        ->capture_default_str();
    add_hidden_alias(*sub, "--formats", "--format", args->formats);
    sub->add_option("--jobs,-j", args->jobs, "Worker threads (0 = one per core)")->check(CLI::Range(0u, 256u))->capture_default_str();
    sub->add_flag("--pages", args->pages, "Also write one HTML page per type (eyemaps by reference, thumbnails) and index.html");
    sub->add_flag("--empty-maps", args->empty_maps, "Pages: show eyemaps without data as maps too (default: one line 'no data in <region>')");
    sub->add_flag("--resume", args->resume, "Skip outputs whose manifest entry is up to date (same inputs, file present); without --run: the latest run");
    sub->add_flag("--no-sync", args->no_sync, "Do not flush the run's files to disk before the manifest says complete (faster; not power-cut safe)");
    sub->add_option("--shard", args->shard, "Process only shard I of N (I/N, 0-based): types whose stable name hash mod N is I")
        ->type_name("I/N");
    sub->add_option("--run", args->run, "Run name: the subfolder of --out-dir (default: the current date and time)")->type_name("NAME");
    sub->add_option("--sink", args->sink, "file: write the run folder; null: render everything, write nothing (for measuring)")
        ->check(one_of({"file", "null"}))
        ->capture_default_str();
    sub->add_flag("--index-only", args->index_only, "Only rebuild DIR/RUN/index.html from the run's manifests (after sharded runs)");
    sub->add_flag("--quiet,-q", args->quiet, "No progress output");
    sub->add_option("--progress-interval", args->progress_interval, "Seconds between progress lines when standard error is not a terminal")
        ->capture_default_str();
    add_hidden_alias(*sub, "--png-scale", "--scale", args->common.given["png_scale"]);
    sub->add_option("--plan", args->plan, "With --shard I/N: take the types of shard I from this plan file (made by --plan-out)")
        ->type_name("FILE");
    sub->add_option("--plan-out", args->plan_out, "Write a size-balanced shard plan for --shards N to this file and stop (reads --data once)")
        ->type_name("FILE");
    sub->add_option("--shards", args->shards, "Shard count for --plan-out (1 to 65536)");
    sub->callback([args] { run_batch_command(*args); });
}

}  // namespace eyemap::cli

// Batch generation: a stream of rows (grouped by neuron type) in, every type's eyemaps out, rendered
// in parallel; plus the on-disk layer (atomic files, resumable manifest, HTML pages, retention).
//
// Two levels:
//   run_batch()              rows in (a pull callback), files out through callbacks; nothing touches
//                            the disk. Usable from a report builder fed by a database cursor.
//   run_batch_to_directory() run_batch() + write_file_atomic into a run folder, manifest, --resume,
//                            pages and index.html. The `eyemap batch` command is a thin shell over it.
//
// Memory: the rows of one type per worker plus the files of the type being rendered; the input is
// never held whole. Output bytes do not depend on the number of workers or on sharding.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/options.hpp"
#include "eyemap/renderer.hpp"
#include "eyemap/summary.hpp"
#include "eyemap/table.hpp"

namespace eyemap {

// ---------------------------------------------------------------------------------------------
// Formats, shards, names

// Parses "svg,png,pdf" (duplicates dropped, order kept). Throws input naming `option`.
std::vector<OutputFormat> parse_formats(std::string_view text, std::string_view option = "--format");

// Limits of what a run can hold; a manifest beyond them is not one eyemap wrote.
inline constexpr std::uint32_t kMaxShards = 65536;                    // --shard I/N: N at most this
inline constexpr std::uint64_t kMaxManifestBytes = 1ull << 30;        // 1 GiB per manifest file
inline constexpr std::size_t kMaxManifestEyemaps = 1024 * 2 * 2;      // regions x sides x metrics per type

struct Shard {
    std::uint32_t index = 0;
    std::uint32_t count = 1;
    bool sharded() const noexcept { return count > 1; }
};
// "I/N" with 0 <= I < N. Throws input.
Shard parse_shard(std::string_view text);

// The type's file-name key before collision handling: safe_file_name(neuron_type).
// Types whose keys are equal ignoring ASCII case may share a file on a case-insensitive disk, so the
// shard is chosen from the case-folded key: such types always land in the same shard, where the
// collision is resolved deterministically (see TypeRecord::file_key).
std::string type_file_base(std::string_view neuron_type);
// Stable across runs and platforms: HashBuilder of the case-folded file key, mod count.
std::uint32_t shard_of(std::string_view neuron_type, std::uint32_t count);

// ---------------------------------------------------------------------------------------------
// Records: what a batch made (also what the manifest stores)

struct EyemapRecord {
    EyemapRequest request;
    std::uint64_t has_data = 0;
    std::uint64_t no_data = 0;
    std::uint64_t not_in_region = 0;
    // Totals, mean/median/max per column with data and the colour scale (summarize_eyemap);
    // absent in records of manifests written before it existed.
    std::optional<EyemapSummary> summary;
};

struct OutputRecord {
    OutputFormat format = OutputFormat::svg;
    std::string path;          // relative to the run folder, '/'-separated, e.g. "svg/Mi1_ME_L_cell_count.svg"
    int eyemap = -1;           // index into TypeRecord::eyemaps; -1 for the page
    std::uint64_t input_hash = 0;  // rows + layout + options + templates + format (+ tool version)
    std::uint64_t bytes = 0;
    std::uint64_t content_hash = 0;  // hash_bytes of the file as written (manifest "content"); 0: not recorded
};

struct TypeRecord {
    std::string neuron_type;
    // File-name key, unique within a batch even ignoring case: type_file_base(), or, when an
    // earlier type of the input already took that key, the base + "~" + 8 hex digits of the name's hash.
    std::string file_key;
    std::uint64_t seq = 0;         // 0-based position of the type in the input, counting every shard's types
    std::uint64_t first_line = 0;  // lines of its first and last row (0 when the source has no lines)
    std::uint64_t last_line = 0;
    std::uint64_t rows = 0;
    std::uint64_t rows_hash = 0;
    std::vector<EyemapRecord> eyemaps;
    std::vector<OutputRecord> outputs;
    bool reused = false;  // found up to date (resume): not rendered in this run
};

// ---------------------------------------------------------------------------------------------
// The streaming core

// Pull one row into `row` (reuse its storage) and return true, or false at the end of the input.
// Rows must come grouped by neuron type. Called under a lock, from one worker at a time.
using RowSource = std::function<bool(ColumnRow& row)>;

struct ShardPlan;  // see "Clusters" at the end of this file

// How to batch; how to draw is the Renderer's (its options, caches and statistics).
struct BatchOptions {
    std::vector<OutputFormat> formats{OutputFormat::svg};  // eyemap files; html is not allowed here
    std::vector<EyemapRequest> requests;  // empty: all_requests(layout, columns) (up to 12)
    bool pages = false;                   // also make one HTML page per type (format html) and its thumbnail
    bool empty_maps = false;              // pages: show eyemaps without data too (default: a "no data" line)
    unsigned jobs = 0;                    // worker threads; 0 = std::thread::hardware_concurrency()
    Shard shard;
    std::shared_ptr<const ShardPlan> shard_plan;  // set: which types shard.index owns (else shard_of)
    std::string source_name = "input";    // file name used in error messages
    const std::atomic<bool>* cancel = nullptr;  // set to stop: workers finish or drop their current type
};

// One finished file handed to the sink.
struct BatchOutput {
    const TypeRecord& type;      // outputs/eyemaps filled so far
    const OutputRecord& output;
    std::string_view bytes;      // valid during the call only
};

struct BatchCallbacks {
    // Every file made. Called from worker threads, concurrently for different types and in
    // order for the files of one type. Empty: bytes are discarded (the null sink).
    std::function<void(const BatchOutput&)> output;
    // A type is complete: every one of its files was delivered (or found up to date). Called with a
    // lock held (one call at a time), in completion order; the type's seq gives input order.
    std::function<void(const TypeRecord&)> type_done;
    // Resume: `planned` has every field but the counts (paths and input hashes filled). Return true
    // when all its files are already up to date, after filling planned.eyemaps[i] counts and
    // planned.outputs[i].bytes; the type is then not rendered. Called concurrently from workers.
    std::function<bool(TypeRecord& planned)> up_to_date;
    // Called once, before the first type is checked for reuse or rendered: after the options were
    // checked and that type's rows read and validated. Never called when they are invalid, nor
    // when no type is in the shard. From a worker thread; the other workers wait until it returns.
    // If it throws, the batch fails with that error and renders nothing (run_batch_to_directory
    // takes its writer lock here).
    std::function<void()> start;
};

// Live counters for progress displays; read them from any thread.
struct BatchCounters {
    std::atomic<std::uint64_t> rows_read{0};
    std::atomic<std::uint64_t> types_read{0};       // every type seen, any shard
    std::atomic<std::uint64_t> types_done{0};       // of this shard: rendered or reused
    std::atomic<std::uint64_t> types_reused{0};
    std::atomic<std::uint64_t> eyemaps_done{0};     // eyemaps rendered in this run
    std::atomic<std::uint64_t> files_done{0};
    std::atomic<std::uint64_t> bytes_out{0};
};

struct BatchSummary {
    std::uint64_t rows_read = 0;
    std::uint64_t types_seen = 0;      // every type of the input read so far (all shards)
    std::uint64_t types_in_shard = 0;  // of those, the ones this shard owns
    std::uint64_t types_rendered = 0;
    std::uint64_t types_reused = 0;
    std::uint64_t eyemaps_rendered = 0;
    std::uint64_t files = 0;           // files made in this run (not the reused ones)
    std::uint64_t bytes = 0;
    bool cancelled = false;            // stopped by BatchOptions::cancel before the end of the input
    double seconds = 0;
};

class DataFileSource;

// What a batch reads:
//   - rows from a pull callback (a report builder's database cursor): the caller parses them, one
//     at a time, under the reader lock;
//   - a data file: only finding its records and grouping them by type is serial; each worker parses
//     and validates its own type's records, in parallel. A shard parses only its own types' rows.
// Either way the outputs are the same bytes. The callback and the file must outlive the batch.
struct BatchInput {
    BatchInput(const RowSource& r, const TableColumns& c) : rows(&r), columns(c) {}
    BatchInput(DataFileSource& f);  // NOLINT(google-explicit-constructor): a file is an input
    const RowSource* rows = nullptr;
    DataFileSource* file = nullptr;
    TableColumns columns;
};

// Renders every type of the input. Throws eyemap::Error: input when rows are not grouped by type
// (naming the type, both lines and how to sort the file) or a type's rows are invalid (with the
// file and line); whatever a callback throws is rethrown after the workers stopped. When several
// types fail, the error of the earliest type in the input is thrown.
BatchSummary run_batch(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer, const BatchOptions& options,
                       const BatchCallbacks& callbacks, BatchCounters* counters = nullptr);

// The hash all of a batch's output hashes start from: tool version, layout, columns and the
// renderer's settings (Renderer::settings_hash). Exposed for tests and tools.
std::uint64_t batch_settings_hash(const TableColumns& columns, const ColumnIndex& layout, const Renderer& renderer);

// ---------------------------------------------------------------------------------------------
// Reading a data file with byte-level progress

// A data file opened for streaming: read in chunks (bytes counted for progress), rows validated
// as ColumnRowReader does. Pass it to run_batch as is (BatchInput) so the workers parse in parallel.
class DataFileSource {
public:
    DataFileSource(const std::filesystem::path& path, const RegionSet& regions);
    ~DataFileSource();
    DataFileSource(const DataFileSource&) = delete;
    DataFileSource& operator=(const DataFileSource&) = delete;

    const TableColumns& columns() const noexcept;
    bool next(ColumnRow& row);
    RowSource source();  // calls next(); the DataFileSource must outlive it
    std::uint64_t bytes_read() const noexcept;  // thread-safe
    std::uint64_t file_size() const noexcept;   // 0 when unknown (a pipe)

    struct Impl;  // run_batch reads the records itself (src/batch/batch.cpp)
    Impl& impl() noexcept { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Manifest

struct Manifest {
    std::string tool;
    std::string run;
    Shard shard;
    bool complete = false;   // every type of the input was done
    bool cancelled = false;
    std::string started, updated;  // ISO 8601 UTC
    std::string data, columns;     // file names as given
    std::vector<OutputFormat> formats;
    bool pages = false;
    std::uint64_t settings_hash = 0;
    std::string plan;               // the shard plan file used (--plan), recorded as given; "" for none
    std::vector<TypeRecord> types;  // sorted by seq
};

// JSON, schema "eyemap-batch/1" (see docs/batch.md).
std::string manifest_to_json(const Manifest& m);
// Throws input (naming `source`) on malformed JSON, another schema or bad fields.
Manifest manifest_from_json(std::string_view text, std::string_view source);

// "manifest.json", or "manifest-I-of-N.json" for a shard.
std::string manifest_file_name(Shard shard);
// Every manifest*.json in a run folder, sorted by file name. Unreadable ones throw.
std::vector<std::pair<std::filesystem::path, Manifest>> read_run_manifests(const std::filesystem::path& run_dir);

// Merges the types of all manifests of a run (a type in several: the record of the manifest updated
// last) and writes index.html atomically. Returns the number of types listed.
// Also writes the shared site files (site.css, site.js, types.js) from the templates in
// `templates` (a folder of overrides; empty: built-in). `stats` (optional) gets "batch_index".
std::size_t write_run_index(const std::filesystem::path& run_dir, const std::filesystem::path& templates = {},
                            Stats* stats = nullptr);

// ---------------------------------------------------------------------------------------------
// Batch into a run folder

struct DirectoryBatchOptions {
    std::filesystem::path run_dir;  // created if missing
    std::string run_name;           // recorded in the manifest
    bool resume = false;            // skip outputs whose recorded input hash matches and whose file exists
    std::string data_label, columns_label;  // recorded in the manifest
    std::chrono::milliseconds manifest_interval{1000};  // how often the manifest is rewritten while running
    // Durable completion: before the manifest says "complete", every file of the run is flushed
    // to disk (syncfs) and the manifest is fsync'ed, so a completed run survives a power cut.
    // false (--no-sync): atomic but not durable (see bench/README.md for the cost).
    bool sync = true;
};

struct DirectoryBatchResult {
    BatchSummary summary;
    std::filesystem::path manifest;
    std::size_t index_types = 0;  // types listed by index.html (0: not written)
    std::size_t stale_temp_removed = 0;
};

// run_batch + atomic files + manifest (rewritten as types finish, always valid) + pages + index.
// On an error or cancellation the manifest records exactly the types finished. A protected run
// folder is refused. The folder is flock'ed (shared) while in use so `runs clean` leaves it alone,
// and each (run, shard) has one writer: ".<run>.lock-<manifest name>", beside the run folder, is
// flock'ed exclusively and names its holder (host, pid, start); a second writer of the same shard
// is refused with that name before it renders anything. The lock is taken when the options and the
// first type's rows are valid (BatchCallbacks::start), or at once for an existing run folder. The
// folder itself is created when the first type is done (invalid options or rows leave nothing). Symbolic links inside the run folder are never followed.
// File writes are timed as "write" in the renderer's statistics.
DirectoryBatchResult run_batch_to_directory(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer,
                                            const BatchOptions& options, const DirectoryBatchOptions& dir,
                                            BatchCounters* counters = nullptr);

// ---------------------------------------------------------------------------------------------
// Runs: retention of run folders under an output folder

struct RunInfo {
    std::string name;
    std::filesystem::path path;
    std::uint64_t bytes = 0;
    std::uint64_t files = 0;
    std::string started;  // from the manifest(s), ISO 8601 UTC; else the folder's mtime
    bool is_protected = false;
    bool complete = false;  // an unsharded manifest is complete, or all N shards' manifests are
    bool in_use = false;    // a batch holds its lock now
    std::uint64_t types = 0;
};

// A run is a direct subfolder holding a manifest. Sorted oldest first (started, then name).
std::vector<RunInfo> list_runs(const std::filesystem::path& out_dir);

struct CleanResult {
    std::vector<RunInfo> removed;
    std::vector<RunInfo> kept_protected;  // beyond --keep but protected
    std::vector<RunInfo> kept_in_use;     // beyond --keep but a batch is writing it
    std::uint64_t bytes_freed = 0;
};
// Keeps the newest `keep` runs; removes older ones unless protected or in use. dry_run: only report.
CleanResult clean_runs(const std::filesystem::path& out_dir, std::size_t keep, bool dry_run = false);

// Marks a run folder protected (a ".protected" file) or not. Throws input if it is not a run.
void set_run_protected(const std::filesystem::path& run_dir, bool on);
bool is_run_protected(const std::filesystem::path& run_dir);

// A run name must be one safe path component: [A-Za-z0-9._-]{1,100}, not starting with '.'.
void validate_run_name(std::string_view name);
// "YYYYmmdd-HHMMSS" (local time), with "-2", "-3", ... when a folder of that name exists.
std::string default_run_name(const std::filesystem::path& out_dir);

// Paths inside a run folder: "svg/<file_key>_<region>_<side>_<metric>.svg", "pages/<file_key>.html".
std::string eyemap_path(OutputFormat f, std::string_view file_key, const EyemapRequest& r);
std::string page_path(std::string_view file_key);
// "eyemap X.Y.Z batch/1": recorded in manifests and part of every output hash.
std::string_view batch_tool_version() noexcept;

// =============================================================================================
// Clusters (issue 18): size-balanced shard plans and verifying a (sharded) run folder.
// src/batch/shard_plan.cpp, src/output/verify.cpp; see docs/cluster.md.

// A type and its rows in a data file (count_type_rows).
struct TypeRowCount {
    std::string name;
    std::uint64_t rows = 0;
};

// Which shard owns which type, made from the types' row counts (greedy longest-processing-time:
// biggest first, each to the shard with the fewest rows so far). Types whose file keys are equal
// ignoring case are one unit (as with shard_of). A type the plan does not know falls back to
// shard_of(name, count). The plan only filters types: the union of the shards' files is the
// unsharded run's, byte for byte.
struct ShardPlan {
    std::uint32_t count = 1;
    std::string source;  // the plan file's name as given (recorded in the manifests)
    struct Entry {
        std::string name;
        std::uint64_t rows = 0;
        std::uint32_t shard = 0;
    };
    std::vector<Entry> types;  // input order
    std::uint32_t shard_of(std::string_view neuron_type) const;

private:
    // Lookup by case-folded file key, built by the two functions that make plans; a plan made by
    // hand (types filled directly) is searched entry by entry instead.
    std::vector<std::pair<std::string, std::uint32_t>> by_key_;  // sorted by key
    void index();
    friend ShardPlan make_shard_plan(std::span<const TypeRowCount> types, std::uint32_t count);
    friend ShardPlan shard_plan_from_json(std::string_view text, std::string_view source);
};

// Rows per type of a data file, in input order (parses every row: a plain serial pass).
std::vector<TypeRowCount> count_type_rows(DataFileSource& source);
ShardPlan make_shard_plan(std::span<const TypeRowCount> types, std::uint32_t count);
// JSON, schema "eyemap-plan/1", one type per line.
std::string shard_plan_to_json(const ShardPlan& plan);
// Throws input (naming `source`) on malformed JSON or another schema.
ShardPlan shard_plan_from_json(std::string_view text, std::string_view source);
// The shard that owns a type under these options: the plan's, else shard_of(name, shard.count).
std::uint32_t shard_for(const BatchOptions& options, std::string_view neuron_type);
// Rows per shard (index = shard) when `types` are split by `plan` (nullptr: by shard_of).
std::vector<std::uint64_t> rows_per_shard(std::span<const TypeRowCount> types, std::uint32_t count, const ShardPlan* plan = nullptr);

// `eyemap runs verify`: is a run folder complete? Every shard's manifest present and complete,
// all shards of one count and one settings hash, every recorded output file present with its
// recorded size (and content hash, when the manifest records one and check_content is set).
struct RunVerifyOptions {
    bool check_content = true;
    std::uint32_t expect_shards = 0;  // 0: from the manifests
};
struct ShardState {
    std::uint32_t index = 0;
    std::string state;  // "complete", "unfinished" (running, failed or interrupted), "missing"
    std::uint64_t types = 0;
};
struct FileProblem {
    std::string path;     // relative to the run folder
    std::string problem;  // "missing", "size", "content", "not a file"
    std::string type;
    std::uint32_t shard = 0;  // the shard whose manifest recorded it
};
struct RunVerifyReport {
    std::filesystem::path run_dir;
    std::uint32_t shard_count = 1;  // 1: an unsharded run
    bool complete = false;
    std::vector<ShardState> shards;
    std::vector<FileProblem> files;
    std::vector<std::string> problems;        // other findings (mixed shard counts, settings, gaps)
    std::vector<std::uint32_t> redo_shards;   // shards to run again (with --resume)
    std::vector<std::string> redo_commands;   // one shell command per shard to redo
    std::uint64_t types = 0, files_checked = 0, bytes_checked = 0;
};
RunVerifyReport verify_run(const std::filesystem::path& run_dir, const RunVerifyOptions& options = {});
std::string verify_report_json(const RunVerifyReport& report);
// Temporary files of write_file_atomic in a run folder (any host's), relative paths.
std::vector<std::string> run_temp_files(const std::filesystem::path& run_dir);

}  // namespace eyemap

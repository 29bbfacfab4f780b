// Run folders: a batch written into a folder (atomic files, resumable manifest, HTML pages, index),
// manifests, `runs verify`, and the retention of run folders (list, clean, protect).
//
//   run_batch_to_directory() run_batch() + write_file_atomic into a run folder, manifest, --resume,
//                            pages and index.html. The `eyemap batch` command is a thin shell over it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eyemap/batch.hpp"
#include "eyemap/stats.hpp"

namespace eyemap {

// Limits of what a run can hold; a manifest beyond them is not one eyemap wrote.
inline constexpr std::uint64_t kMaxManifestBytes = 1ull << 30;    // 1 GiB per manifest file
inline constexpr std::size_t kMaxManifestEyemaps = 1024 * 2 * 2;  // regions x sides x metrics per type

// ---------------------------------------------------------------------------------------------
// Manifest

// What a run read, recorded when it completes (eyemap-batch/2): `runs verify` requires the shards of
// one run to agree on it. /1 manifests and unfinished runs have none (known = false).
struct InputIdentity {
    bool known = false;
    bool from_file = true;         // false: rows handed over by a program (a Python DataFrame), no file to read again
    std::uint64_t data_digest = 0; // digest of the data file's bytes as read (CRC-32, Adler-32 and length)
    std::uint64_t data_bytes = 0;
    std::uint64_t types = 0;       // types of the whole input (every shard reads all of them)
    std::uint64_t plan_hash = 0;   // the shard plan's entries; 0: no plan (layout and options: settings_hash)
};

// How the outputs' "content" hashes of a manifest were made (its "content_hash" field; absent:
// hash64, the only one before issue 26). `runs verify` checks each manifest's files with its own.
enum class ContentHash : std::uint8_t {
    hash64,         // eyemap's 64-bit word hash (serial: ~2 instructions per byte)
    crc32_adler32,  // CRC-32 and Adler-32 (libdeflate's, vectorised) and the length: what runs write now
};

// A release's links and provenance as its pages show them (RenderOptions' type_link, dataset_label,
// dataset_version and input_digest): recorded in the manifest when any is given, so that the index
// and report made from it agree with the type pages. A manifest's links are checked when read.
struct ReleaseLinks {
    std::string type_link, dataset_label, dataset_version, input_digest;
    bool empty() const noexcept { return type_link.empty() && dataset_label.empty() && dataset_version.empty() && input_digest.empty(); }
    bool operator==(const ReleaseLinks&) const = default;
};
ReleaseLinks release_links(const RenderOptions& options);

struct Manifest {
    std::string tool;
    std::string run;
    Shard shard;
    bool complete = false;   // every type of the input was done
    bool cancelled = false;
    std::string started, updated;  // ISO 8601 UTC
    int schema = 2;                // 1 or 2: the "eyemap-batch/N" it was read from (written: always 2)
    std::string data, columns;     // file names: /2 absolute (as given when not a file), /1 as given
    std::vector<OutputFormat> formats;
    bool pages = false;
    std::uint64_t settings_hash = 0;
    std::string plan;               // the shard plan file used (--plan), recorded as given; "" for none
    InputIdentity input;
    ContentHash content_hash = ContentHash::crc32_adler32;
    ReleaseLinks links;             // "links", when any is given
    // A comparison's baseline ("baseline", when the run had one): its file, how it was compared and
    // its types (the index lists those the data lacks).
    struct Baseline {
        std::string source;
        CompareMode mode = CompareMode::difference;
        std::string label_a, label_b;
        std::string colormap = "rdbu";
        std::vector<std::string> types;
    };
    std::optional<Baseline> baseline;
    std::vector<TypeRecord> types;  // sorted by seq
};

// JSON, schema "eyemap-batch/2" (see docs/batch.md); the reader takes /1 too.
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
// Release pages: one HTML page per type ("pages/<file_key>.html", its eyemaps by reference) and its
// thumbnail ("thumbs/<file_key>.svg", for the index), made from the type's eyemaps as they are
// rendered. run_batch_to_directory makes them itself (DirectoryBatchOptions::pages); add_type_pages
// adds them to any other batch (a sink of the caller's, or none to time them).

struct PageOptions {
    bool make = false;        // --pages
    bool empty_maps = false;  // show eyemaps without data as maps too (default: a "no data in <region>" line)
};

// Sets callbacks.plan_type_files and make_type_files. Throws input when the formats have no svg (a
// page shows the SVG eyemaps). The templates are the renderer's, read once with it, so pages agree
// with the settings hash; page making is timed as "batch_page" in the renderer's statistics.
void add_type_pages(BatchCallbacks& callbacks, const TableColumns& columns, const ColumnIndex& layout, const Renderer& renderer,
                    const BatchOptions& options, const PageOptions& pages);

// ---------------------------------------------------------------------------------------------
// Batch into a run folder

struct DirectoryBatchOptions {
    std::filesystem::path run_dir;  // created if missing
    std::string run_name;           // recorded in the manifest
    bool resume = false;            // skip outputs whose recorded input hash matches and whose file exists
    std::string data_label, columns_label;  // recorded in the manifest
    std::chrono::milliseconds manifest_interval{1000};  // how often the manifest is rewritten while running
    // Durable completion: before the manifest says "complete", every file of the run is flushed
    // to disk (each file fdatasync'ed, its writeback started as it is written, then the folders) and the
    // manifest is fsync'ed, so a completed run survives a power cut; only the run's own files are waited for.
    // false (--no-sync): atomic but not durable (see bench/README.md for the cost).
    bool sync = true;
    PageOptions pages;              // pages.make: a page per type, its thumbnail, index.html and the report
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
    // The run folder is a symbolic link: listed so it is seen, but not read, protected or cleaned
    // (as `eyemap batch` refuses to write through it); the other fields stay empty.
    bool linked = false;
};

// A run is a direct subfolder holding a manifest (or a symbolic link to one: `linked`). Sorted
// oldest first (started, then name).
std::vector<RunInfo> list_runs(const std::filesystem::path& out_dir);

struct CleanResult {
    std::vector<RunInfo> removed;
    std::vector<RunInfo> kept_protected;  // beyond --keep but protected
    std::vector<RunInfo> kept_in_use;     // beyond --keep but a batch is writing it
    std::uint64_t bytes_freed = 0;
};
// Keeps the newest `keep` runs; removes older ones unless protected or in use. Linked runs are not
// counted or touched. dry_run: only report.
CleanResult clean_runs(const std::filesystem::path& out_dir, std::size_t keep, bool dry_run = false);

// Marks a run folder protected (a ".protected" file) or not. Throws input if it is not a run, io
// if the run folder is a symbolic link (as the batch does).
void set_run_protected(const std::filesystem::path& run_dir, bool on);
bool is_run_protected(const std::filesystem::path& run_dir);

// A run name must be one safe path component: [A-Za-z0-9._-]{1,100}, not starting with '.'.
void validate_run_name(std::string_view name);
// "YYYYmmdd-HHMMSS" (local time), with "-2", "-3", ... when a folder of that name exists.
std::string default_run_name(const std::filesystem::path& out_dir);


// ---------------------------------------------------------------------------------------------
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
    std::string problem;  // "missing", "size", "content", "not a file", "symlink" (the file or its folder is a link)
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
    std::vector<std::string> redo_commands;   // shell commands, absolute paths, that finish the run (each runs as printed)
    bool rebuild_from_source = false;         // rows came from a program (a DataFrame): no command can redo it
    std::string run_name;                     // the run folder's real name (`runs verify .` names it)
    std::uint64_t types = 0, files_checked = 0, bytes_checked = 0;
};
RunVerifyReport verify_run(const std::filesystem::path& run_dir, const RunVerifyOptions& options = {});
std::string verify_report_json(const RunVerifyReport& report);

}  // namespace eyemap

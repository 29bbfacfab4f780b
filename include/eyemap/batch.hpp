// Batch generation: a stream of rows (grouped by neuron type) in, every type's eyemaps out, rendered
// in parallel, each file handed to a callback (nothing touches the disk); shard plans for clusters.
// Run folders (atomic files, manifests, resume, pages, retention, verify) are eyemap/runs.hpp.
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

inline constexpr std::uint32_t kMaxShards = 65536;  // --shard I/N: N at most this

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
    ComparePart part = ComparePart::none;  // a comparison's A, B or difference (BatchOptions::baseline)
};

// A run's file: an eyemap format, or html for a type's page (made by the pages, never by the renderer).
// The eyemap formats keep OutputFormat's values.
enum class FileFormat : std::uint8_t { svg, png, pdf, html };
constexpr FileFormat file_format(OutputFormat f) noexcept { return static_cast<FileFormat>(f); }
std::string_view to_string(FileFormat f) noexcept;  // "svg", "png", "pdf", "html"
std::optional<FileFormat> parse_file_format(std::string_view text) noexcept;
// The eyemap format of a file; nullopt for a page.
std::optional<OutputFormat> eyemap_format(FileFormat f) noexcept;

struct OutputRecord {
    FileFormat format = FileFormat::svg;
    std::string path;          // relative to the run folder, '/'-separated, e.g. "svg/Mi1_ME_L_cell_count.svg"
    int eyemap = -1;           // index into TypeRecord::eyemaps; -1 for a type's own file (page, thumbnail)
    std::uint64_t input_hash = 0;  // rows + layout + options + templates + format (+ tool version)
    std::uint64_t bytes = 0;
    std::uint64_t content_hash = 0;  // hash_bytes of the file as written (manifest "content"); 0: not recorded
};

// The paths a batch gives its files (OutputRecord::path): "svg/<file_key>_<region>_<side>_<metric>.svg", "pages/<file_key>.html"
// (<metric>: the metric's file word, MetricWords::file_word).
// A comparison's A and B end "_a" / "_b"; its difference has its own metric ("<metric>_diff").
std::string eyemap_path(OutputFormat f, std::string_view file_key, const EyemapRequest& r, ComparePart part = ComparePart::none);
std::string page_path(std::string_view file_key);

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
    // With a baseline (BatchOptions::baseline): how much the type changed, per metric compared (empty
    // when the baseline lacks the type: only_in_data).
    std::vector<TypeChange> changes;
    bool only_in_data = false;
};

// ---------------------------------------------------------------------------------------------
// The streaming core

// Pull one row into `row` (reuse its storage) and return true, or false at the end of the input.
// Rows must come grouped by neuron type. Called under a lock, from one worker at a time.
using RowSource = std::function<bool(ColumnRow& row)>;

struct ShardPlan;  // see "Clusters" at the end of this file

// How to batch; how to draw is the Renderer's (its options, caches and statistics).
// A baseline dataset every type is compared with (eyemap/compare.hpp): held in memory whole.
struct BatchBaseline {
    Dataset data;
    CompareOptions options;
    // The layout the comparison is drawn on (null: the batch's): the two layouts together when none was
    // given, so the type's own eyemaps keep the data's layout.
    std::shared_ptr<const ColumnIndex> index;
    std::uint64_t content_hash = 0;  // its rows, the options and that layout: in every output's input hash
};
// The baseline, checked (validate(CompareOptions), options.type_b must be empty: a batch compares
// namesakes) and hashed.
std::shared_ptr<const BatchBaseline> make_batch_baseline(Dataset data, CompareOptions options,
                                                         std::shared_ptr<const ColumnIndex> index = nullptr);

struct BatchOptions {
    std::vector<OutputFormat> formats{OutputFormat::svg};  // eyemap files; html is not allowed here
    std::vector<EyemapRequest> requests;  // empty: all_requests(layout, columns) (up to 12); batch_requests()
    unsigned jobs = 0;                    // worker threads; 0 = std::thread::hardware_concurrency()
    Shard shard;
    std::shared_ptr<const ShardPlan> shard_plan;  // set: which types shard.index owns (else shard_of)
    std::string source_name = "input";    // file name used in error messages
    const std::atomic<bool>* cancel = nullptr;  // set to stop: workers finish or drop their current type
    // Set: each type is also drawn as A (the data) and B (the baseline's type of that name, or
    // options.type_b) on one locked scale with their difference (after its own eyemaps, as eyemaps with a
    // ComparePart), and its change is recorded; the baseline's layout must be the batch's.
    std::shared_ptr<const BatchBaseline> baseline;
};

// One finished file handed to the sink.
struct BatchOutput {
    const TypeRecord& type;      // outputs/eyemaps filled so far
    const OutputRecord& output;
    std::string_view bytes;      // valid during the call only
};

// An eyemap of a type as the batch rendered it, handed to the type's own files (make_type_files).
struct RenderedEyemap {
    EyemapRequest request;
    std::uint64_t has_data = 0;
    std::vector<std::uint8_t> thumbnail;  // EyemapView::thumbnail
    double width = 0, height = 0;         // canvas, pixels
    ComparePart part = ComparePart::none;
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
    // A type's own files besides its eyemaps (the release pages: add_type_pages in eyemap/runs.hpp).
    // `plan_type_files` appends their records (eyemap -1; format, path, input hash) to a planned type
    // before `up_to_date` sees it. After the type's eyemaps were delivered, `make_type_files` is
    // handed them and passes each planned file's bytes to `deliver`, in the planned order; they then
    // reach `output` like the eyemaps. Called concurrently from workers, for different types.
    std::function<void(TypeRecord& planned)> plan_type_files;
    std::function<void(const TypeRecord& type, std::span<const RenderedEyemap> eyemaps,
                       const std::function<void(std::string_view bytes)>& deliver)>
        make_type_files;
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

// The eyemaps a batch draws for each type: options.requests, or all_requests(layout, columns).
std::vector<EyemapRequest> batch_requests(const BatchOptions& options, const ColumnIndex& layout, const TableColumns& columns);

// Renders every type of the input. Throws eyemap::Error: input when rows are not grouped by type
// (naming the type, both lines and how to sort the file) or a type's rows are invalid (with the
// file and line); whatever a callback throws is rethrown after the workers stopped. When several
// types fail, the error of the earliest type in the input is thrown.
BatchSummary run_batch(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer, const BatchOptions& options,
                       const BatchCallbacks& callbacks, BatchCounters* counters = nullptr);

// ---------------------------------------------------------------------------------------------
// Reading a data file with byte-level progress

// A data file opened for streaming: read in chunks (bytes counted for progress), rows validated
// as ColumnRowReader does. Pass it to run_batch as is (BatchInput) so the workers parse in parallel.
// `values`: the value columns to read besides the counts (ColumnRowReader).
class DataFileSource {
public:
    DataFileSource(const std::filesystem::path& path, const RegionSet& regions, std::span<const std::string> values = {});
    ~DataFileSource();
    DataFileSource(const DataFileSource&) = delete;
    DataFileSource& operator=(const DataFileSource&) = delete;

    const TableColumns& columns() const noexcept;
    bool next(ColumnRow& row);
    RowSource source();  // calls next(); the DataFileSource must outlive it
    std::uint64_t bytes_read() const noexcept;  // thread-safe
    std::uint64_t file_size() const noexcept;   // 0 when unknown (a pipe)

    // The library's own way in (defined in src/ingest/data_file.hpp; incomplete, so unusable here):
    // run_batch finds records and their type field serially and lets workers parse them.
    struct Access;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// =============================================================================================
// Clusters (issue 18): size-balanced shard plans (src/batch/shard_plan.cpp; see docs/cluster.md).

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

// "eyemap X.Y.Z batch/1": recorded in manifests and part of every output hash.
std::string_view batch_tool_version() noexcept;

}  // namespace eyemap

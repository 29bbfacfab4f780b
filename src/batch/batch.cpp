// Batch core: the streaming, parallel renderer behind run_batch().
//
// Design: there is no separate reader thread. Each of the N workers takes the reader lock, pulls the
// rows of the next type (skipping other shards' types), releases the lock and renders that type.
// From a data file the serial part is only finding records and their type field (a memchr per line
// and a copy of the type's records into the worker's block); the worker parses and validates the
// block after releasing the lock, so parsing runs in parallel too. --jobs 1 is plain sequential
// code, and memory is bounded by N types in flight (each worker reuses its buffers).
#include "eyemap/batch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cmath>
#include <cstring>
#include <exception>
#include <istream>
#include <limits>
#include <mutex>
#include <streambuf>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "output/naming.hpp"
#include "output/sink.hpp"
#include "process/process.hpp"
#include "eyemap/stats.hpp"
#include "eyemap/version.hpp"
#include "ingest/csv.hpp"
#include "batch/settings_hash.hpp"
#include "process/compare.hpp"
#include "ingest/data_file.hpp"
#include "ingest/row_parser.hpp"

namespace eyemap {
namespace {

// The tool version in every output hash: a new version re-renders on --resume.
const std::string kBatchToolVersion = fmt::format("eyemap {} batch/1", kVersion);

// Content hash of a type's rows (every field but the line), in order. The numbers go through a
// small cache-resident buffer hashed a chunk at a time: one hash call per row field was 7% of a
// batch, one growing buffer per type still 3%.
class RowHasher {
public:
    explicit RowHasher(HashBuilder& h) : h_(h) {}
    void put(std::int64_t v) {
        buf_[n_++] = v;
        if (n_ == buf_.size()) flush();
    }
    void put(const std::vector<std::int64_t>& v) {
        put(static_cast<std::int64_t>(v.size()));
        for (auto x : v) put(x);
    }
    // A value by its bits, with -0 as 0 and every NaN (no data) as one: equal data, equal hash.
    void put(const std::vector<double>& v) {
        put(static_cast<std::int64_t>(v.size()));
        for (double x : v) put(std::bit_cast<std::int64_t>(std::isnan(x) ? kNoData : x == 0.0 ? 0.0 : x));
    }
    void flush() {
        if (n_) h_.add(std::span<const std::int64_t>(buf_.data(), n_));
        n_ = 0;
    }

private:
    static constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();
    HashBuilder& h_;
    std::array<std::int64_t, 512> buf_{};
    std::size_t n_ = 0;
};

std::uint64_t hash_rows(std::string_view name, std::span<const ColumnRow> rows) {
    HashBuilder h(0x726f7773);  // "rows"
    h.add(name).add(rows.size());
    std::vector<std::string_view> regions;  // a type has rows in a few regions: region -> small id
    RowHasher rh(h);
    for (const auto& r : rows) {
        std::size_t id = 0;
        while (id < regions.size() && regions[id] != r.region) ++id;
        if (id == regions.size()) regions.push_back(r.region);
        rh.put(static_cast<std::int64_t>(id));
        rh.put(static_cast<std::int64_t>(r.side));
        rh.put(r.hex1);
        rh.put(r.hex2);
        rh.put(r.synapses);
        rh.put(r.cells);
        rh.put(r.layer_synapses);
        rh.put(r.layer_cells);
        // Value columns: every row of a table has the same number, so rows without any (counts
        // only) keep the hashes they had before value columns were hashed, and --resume of such a
        // run redoes nothing.
        if (!r.values.empty() || !r.layer_values.empty()) {
            rh.put(r.values);
            rh.put(r.layer_values);
        }
    }
    rh.flush();
    h.add(regions.size());
    for (auto r : regions) h.add(r);
    return h.digest();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Formats, shards, names

Shard parse_shard(std::string_view text) {
    auto bad = [&] {
        throw_input("expected I/N with 0 <= I < N (e.g. 0/4 ... 3/4)", ErrorLocation{{}, 0, "--shard", std::string(text)});
    };
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) bad();
    auto num = [&](std::string_view s) {
        std::uint64_t v = 0;
        if (s.empty() || s.size() > 9) bad();
        for (char c : s) {
            if (c < '0' || c > '9') bad();
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return static_cast<std::uint32_t>(v);
    };
    Shard s{num(text.substr(0, slash)), num(text.substr(slash + 1))};
    if (s.count == 0 || s.index >= s.count) bad();
    if (s.count > kMaxShards)
        throw_input(fmt::format("at most {} shards", kMaxShards), ErrorLocation{{}, 0, "--shard", std::string(text)});
    return s;
}

std::uint32_t shard_of(std::string_view neuron_type, std::uint32_t count) {
    if (count <= 1) return 0;
    const std::uint64_t h = HashBuilder(0x7368617264).add(std::string_view(detail::fold_case(type_file_base(neuron_type)))).digest();
    return static_cast<std::uint32_t>(h % count);
}

// ---------------------------------------------------------------------------------------------
// Hashes

std::shared_ptr<const BatchBaseline> make_batch_baseline(Dataset data, CompareOptions options, std::shared_ptr<const ColumnIndex> index) {
    validate(options);
    if (!options.type_b.empty())
        throw_input("a batch compares each type with its namesake in the baseline: no baseline type", ErrorLocation{{}, 0, "type_b", options.type_b});
    auto b = std::make_shared<BatchBaseline>();
    HashBuilder h(0x62617365);  // "base"
    h.add(to_string(options.mode)).add(std::string_view(options.label_a)).add(std::string_view(options.label_b));
    h.add(std::string_view(options.type_b)).add(std::string_view(options.colormap));
    const TableColumns& c = data.columns;
    h.add(c.synapses).add(c.cells).add(c.layer_synapses).add(c.layer_cells);
    for (const auto& v : c.values) h.add(std::string_view(v.name)).add(v.layers);
    h.add(data.types.size());
    for (const auto& t : data.types) h.add(hash_rows(t.neuron_type, t.rows));
    if (index) {  // the layout drawn on: its columns per region and side
        h.add(index->universe.size());
        for (const auto& c : index->universe) h.add(c.hex1).add(c.hex2);
        for (const auto& v : index->in_region) h.add(static_cast<std::uint64_t>(std::count(v.begin(), v.end(), true)));
    }
    b->content_hash = h.digest();
    b->index = std::move(index);
    b->data = std::move(data);
    b->options = std::move(options);
    return b;
}

std::uint64_t detail::batch_settings_hash(const TableColumns& columns, const ColumnIndex& layout, const Renderer& renderer,
                                          const BatchBaseline* baseline) {
    HashBuilder h(0x73657474);  // "sett"
    h.add(kBatchToolVersion);
    h.add(columns.synapses).add(columns.cells).add(columns.layer_synapses).add(columns.layer_cells);
    // Value columns read (none: the hash of runs before them).
    for (const auto& v : columns.values) h.add(std::string_view(v.name)).add(v.layers);
    // Layout: the universe, which columns exist where, and the region definitions.
    h.add(layout.universe.size());
    for (const auto& c : layout.universe) h.add(c.hex1).add(c.hex2);
    h.add(layout.in_region.size());
    for (const auto& v : layout.in_region) {
        std::uint64_t word = 0;
        std::size_t bits = 0;
        h.add(v.size());
        for (bool b : v) {
            word = (word << 1) | (b ? 1u : 0u);
            if (++bits == 64) h.add(word), word = 0, bits = 0;
        }
        h.add(word);
    }
    h.add(layout.regions.regions.size());
    for (const auto& r : layout.regions.regions) {
        h.add(r.name).add(r.layers.size());
        for (const auto& l : r.layers) h.add(l);
    }
    h.add(renderer.settings_hash());
    if (baseline) h.add(std::string_view("baseline")).add(baseline->content_hash);  // none: the hash of runs before comparisons
    return h.digest();
}

std::string_view batch_tool_version() noexcept { return kBatchToolVersion; }

BatchInput::BatchInput(DataFileSource& f) : file(&f), columns(f.columns()) {}

// ---------------------------------------------------------------------------------------------
// run_batch

namespace {

struct Job {
    std::string name;
    std::string file_key;
    std::uint64_t seq = 0;
    std::uint64_t first_line = 0, last_line = 0;
    std::uint64_t records = 0;  // rows read for it
    std::size_t n = 0;          // rows in the worker's buffer (parsed)
};

using detail::trim_blanks;

struct Ctx {
    const RowSource* src;  // rows parsed by the caller, or
    detail::CsvReader* csv = nullptr;  // a data file's records, parsed by the workers with `parser`
    const detail::RowParser* parser = nullptr;
    std::size_t type_column = 0;  // for the sort command of the "not grouped" error
    const TableColumns& columns;
    const ColumnIndex& layout;
    const Renderer& renderer;
    const BatchOptions& options;
    const BatchCallbacks& cb;
    BatchCounters* counters;
    std::vector<EyemapRequest> requests;
    Stats& stats;
    OpId read_op, wait_op, parse_op;
    std::uint64_t settings_hash = 0;

    // Reader state, under read_mu. The look-ahead is the first row of the next type: parsed (rows)
    // or its record's text, first and last line (file).
    std::mutex read_mu;
    ColumnRow look;
    std::string look_raw, look_type;
    std::uint64_t look_line = 0, look_end_line = 0;
    bool have_look = false;
    std::uint64_t reading_seq = 0;  // the type a reading error belongs to
    bool eof = false;
    struct Seen {
        std::uint64_t first, last;
    };
    std::unordered_map<std::string, Seen> seen;
    detail::FileKeys keys;
    std::uint64_t next_seq = 0;
    std::uint64_t rows_read = 0;
    std::uint64_t in_shard = 0;

    // Stop: an error (lowest seq wins) or cancellation.
    std::atomic<bool> stop{false};
    std::atomic<bool> cancel_hit{false};
    // BatchCallbacks::start: called once, before the first type is checked or rendered.
    std::mutex start_mu;
    std::atomic<bool> started{false};
    std::exception_ptr start_error;
    std::mutex err_mu;
    std::exception_ptr error;
    std::uint64_t error_seq = ~std::uint64_t{0};

    std::mutex done_mu;
    std::atomic<std::uint64_t> rendered{0}, reused{0}, eyemaps{0}, files{0}, bytes{0};

    // Progress samples into the renderer's Stats (the run report's eyemaps/s chart), under done_mu.
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    std::uint64_t last_sample_ns = 0;

    Ctx(const BatchInput& in, const ColumnIndex& l, const Renderer& r, const BatchOptions& o, const BatchCallbacks& b, BatchCounters* k)
        : src(in.rows), columns(in.columns), layout(l), renderer(r), options(o), cb(b), counters(k), stats(r.stats()),
          read_op(stats.op("batch_read")),
          wait_op(stats.op("batch_read_wait")),  // a worker waiting for another to finish reading
          // Rendering is timed by the renderer (process, layout, render_svg, ...), writing by the
          // sink's caller; no batch timer wraps them, so nothing counts twice.
          parse_op(stats.op("batch_parse")) {}  // a worker parsing its type's records (file input)

    bool cancelled() const noexcept { return options.cancel && options.cancel->load(std::memory_order_relaxed); }

    void fail(std::uint64_t seq, std::exception_ptr e) {
        std::lock_guard lk(err_mu);
        if (!error || seq < error_seq) {
            error = std::move(e);
            error_seq = seq;
        }
        stop.store(true);
    }
    std::uint64_t failed_seq() {
        std::lock_guard lk(err_mu);
        return error_seq;
    }
};

[[noreturn]] void throw_regrouped(const Ctx& c, const std::string& name, const Ctx::Seen& before, std::uint64_t line) {
    const std::string& file = c.options.source_name;
    throw_input(fmt::format("neuron type '{}' appears again on line {}, but its rows already ended (lines {}-{}); "
                            "the data must be grouped by neuron type (all rows of a type together). "
                            "Sort it, keeping the header first: "
                            "(head -n1 {}; tail -n+2 {} | LC_ALL=C sort -t, -k{},{} -s) > sorted.csv",
                            name, line, before.first, before.last, file, file, c.type_column + 1, c.type_column + 1),
                ErrorLocation{file, line, "neuron_type", name});
}

struct WorkerState {
    std::vector<ColumnRow> rows;
    std::string block;  // file input: the records of the worker's type, parsed outside the lock
    std::unique_ptr<detail::CsvReader> block_csv;
    std::vector<std::string_view> fields;
    std::vector<RenderedEyemap> rendered;  // the type's eyemaps, for its own files (make_type_files)
};

// Pulls the first row of the next type into the look-ahead. False at the end of the input.
bool pull_look(Ctx& c) {
    if (c.src) {
        if (!(*c.src)(c.look)) return false;
        c.look_type = c.look.neuron_type;
    } else {
        std::string_view field, raw;
        if (!c.csv->read_record_raw(c.parser->type_field(), field, raw)) return false;
        c.look_type.assign(trim_blanks(field));
        c.look_raw.assign(raw);
        c.look_line = c.csv->record_line();
        c.look_end_line = c.csv->record_end_line();
    }
    ++c.rows_read;
    c.have_look = true;
    return true;
}

// Reads the rest of type `name` after its first row (the look-ahead): parsed rows into w.rows, or,
// from a file, the records' text into w.block (blank lines between them kept as line breaks, so
// that a reader of the block counts the same lines). `mine`: keep them (else only skip them).
// Leaves the next type's first row in the look-ahead. False when cancelled.
bool read_type(Ctx& c, const std::string& name, bool mine, WorkerState& w, Job& job) {
    job.first_line = c.src ? c.look.line : c.look_line;
    job.last_line = job.first_line;
    job.records = 1;
    job.n = 0;
    c.have_look = false;
    if (c.src) {
        auto& rows = w.rows;
        if (mine) {
            if (rows.empty()) rows.emplace_back();
            std::swap(rows[0], c.look);
            job.n = 1;
        }
        for (;;) {
            ColumnRow* slot = &c.look;
            if (mine) {
                if (job.n == rows.size()) rows.emplace_back();
                slot = &rows[job.n];
            }
            if (!(*c.src)(*slot)) {
                c.eof = true;
                return true;
            }
            ++c.rows_read;
            if (slot->neuron_type != name) {
                if (mine) std::swap(*slot, c.look);
                c.look_type = c.look.neuron_type;
                c.have_look = true;
                return true;
            }
            job.last_line = slot->line;
            if (mine) ++job.n;
            if ((++job.records & 8191) == 0 && c.cancelled()) return false;
        }
    }
    auto& block = w.block;
    block.clear();
    if (mine) {
        block.append(c.look_raw);
        block += '\n';
    }
    std::uint64_t end_line = c.look_end_line;
    const std::size_t type_field = c.parser->type_field();
    std::string_view field, raw;
    for (;;) {
        if (!c.csv->read_record_raw(type_field, field, raw)) {
            c.eof = true;
            return true;
        }
        ++c.rows_read;
        const auto type = trim_blanks(field);
        const std::uint64_t line = c.csv->record_line();
        if (type != name) {
            c.look_type.assign(type);
            c.look_raw.assign(raw);
            c.look_line = line;
            c.look_end_line = c.csv->record_end_line();
            c.have_look = true;
            return true;
        }
        if (mine) {
            block.append(line - end_line - 1, '\n');
            block.append(raw);
            block += '\n';
        }
        job.last_line = line;
        end_line = c.csv->record_end_line();
        if ((++job.records & 8191) == 0 && c.cancelled()) return false;
    }
}

// Reads the next type of this shard. Caller holds read_mu. False at the end, on stop or cancel.
bool read_job(Ctx& c, WorkerState& w, Job& job) {
    ScopedTimer timer(&c.stats, c.read_op);
    for (;;) {
        if (c.stop.load(std::memory_order_relaxed)) return false;
        if (!c.have_look && c.eof) {
            timer.cancel();
            return false;
        }
        if (c.cancelled()) {
            c.cancel_hit = true;
            return false;
        }
        c.reading_seq = c.next_seq;
        if (!c.have_look && !pull_look(c)) {
            c.eof = true;
            timer.cancel();
            return false;
        }
        const std::string name = c.look_type;
        const std::uint64_t first = c.src ? c.look.line : c.look_line;
        if (auto it = c.seen.find(name); it != c.seen.end()) throw_regrouped(c, name, it->second, first);
        const std::uint64_t seq = c.next_seq++;
        c.reading_seq = seq;
        std::string key = c.keys.assign(name);
        const bool mine = shard_for(c.options, name) == c.options.shard.index;
        if (!read_type(c, name, mine, w, job)) {
            c.cancel_hit = true;
            return false;
        }
        c.seen.emplace(name, Ctx::Seen{first, job.last_line});
        if (c.counters) {
            c.counters->rows_read.store(c.rows_read, std::memory_order_relaxed);
            c.counters->types_read.fetch_add(1, std::memory_order_relaxed);
        }
        if (!mine) continue;
        ++c.in_shard;
        job.name = name;
        job.file_key = std::move(key);
        job.seq = seq;
        return true;
    }
}

// File input: parses the worker's block into w.rows (outside the reader lock).
void parse_block(Ctx& c, WorkerState& w, Job& job) {
    ScopedTimer timer(&c.stats, c.parse_op);
    timer.add_bytes(w.block.size());
    if (!w.block_csv) {
        w.block_csv = std::make_unique<detail::CsvReader>(std::string_view(), c.csv->source());
        w.block_csv->set_field_names(c.csv->field_names());
    }
    w.block_csv->reset(w.block, job.first_line);
    // The type's rows are counted already: one allocation, not a doubling that moves every row and
    // touches twice their memory (its page faults were ~15 % of a small batch's CPU).
    if (w.rows.size() < job.records) {
        w.rows.reserve(job.records);
        w.rows.resize(job.records);
    }
    std::size_t n = 0;
    while (w.block_csv->read_record(w.fields)) {
        if (n == w.rows.size()) w.rows.emplace_back();
        c.parser->parse(*w.block_csv, w.fields, w.rows[n]);
        ++n;
    }
    if (n != job.records)
        throw_internal(fmt::format("type '{}': {} records grouped but {} parsed", job.name, job.records, n));
    job.n = n;
}

void deliver(Ctx& c, const TypeRecord& rec, const OutputRecord& out, std::string_view bytes) {
    if (c.cb.output) c.cb.output(BatchOutput{rec, out, bytes});
    c.files.fetch_add(1, std::memory_order_relaxed);
    c.bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
    if (c.counters) {
        c.counters->files_done.fetch_add(1, std::memory_order_relaxed);
        c.counters->bytes_out.fetch_add(bytes.size(), std::memory_order_relaxed);
    }
}

// Offers the counts so far to the renderer's Stats: at most one sample per 5 ms (Stats thins them
// further), and always the last. Called with done_mu held (or after the workers stopped).
void sample_progress(Ctx& c, bool last) {
    constexpr std::uint64_t kMinGapNs = 5'000'000;
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - c.t0).count());
    if (!last && c.last_sample_ns != 0 && now - c.last_sample_ns < kMinGapNs) return;
    c.last_sample_ns = std::max<std::uint64_t>(now, 1);
    c.stats.record_progress(ProgressSample{now, c.eyemaps.load(std::memory_order_relaxed),
                                           c.rendered.load(std::memory_order_relaxed) + c.reused.load(std::memory_order_relaxed),
                                           c.bytes.load(std::memory_order_relaxed)},
                            last);
}

void type_finished(Ctx& c, const TypeRecord& rec) {
    std::lock_guard lk(c.done_mu);
    if (c.cb.type_done) c.cb.type_done(rec);
    (rec.reused ? c.reused : c.rendered).fetch_add(1, std::memory_order_relaxed);
    if (c.counters) {
        c.counters->types_done.fetch_add(1, std::memory_order_relaxed);
        if (rec.reused) c.counters->types_reused.fetch_add(1, std::memory_order_relaxed);
    }
    sample_progress(c, false);
}

// Adds the source file to a row-level error that lacks it.
[[noreturn]] void rethrow_located(const Error& e, const Ctx& c) { rethrow_in_file(e, c.options.source_name); }

// Calls the start callback once (the first worker to get here; the others wait for it). A failed
// start fails every worker that gets here, so nothing is rendered.
void ensure_started(Ctx& c) {
    if (c.started.load(std::memory_order_acquire)) return;
    std::lock_guard lk(c.start_mu);
    if (c.start_error) std::rethrow_exception(c.start_error);
    if (c.started.load(std::memory_order_relaxed)) return;
    try {
        if (c.cb.start) c.cb.start();
    } catch (...) {
        c.start_error = std::current_exception();
        throw;
    }
    c.started.store(true, std::memory_order_release);
}

void process_job(Ctx& c, WorkerState& w, const Job& job) {
    ensure_started(c);  // the job's rows are read and validated (parse_block); nothing rendered yet
    const std::span<const ColumnRow> rows(w.rows.data(), job.n);
    TypeRecord rec;
    rec.neuron_type = job.name;
    rec.file_key = job.file_key;
    rec.seq = job.seq;
    rec.first_line = job.first_line;
    rec.last_line = job.last_line;
    rec.rows = job.n;
    rec.rows_hash = hash_rows(job.name, rows);

    const auto& formats = c.options.formats;
    rec.eyemaps.reserve(c.requests.size());
    rec.outputs.reserve(c.requests.size() * formats.size() + 1);
    for (std::size_t i = 0; i < c.requests.size(); ++i) {
        const auto& req = c.requests[i];
        rec.eyemaps.push_back(EyemapRecord{req, 0, 0, 0, std::nullopt});
        for (OutputFormat f : formats) {
            HashBuilder h(c.settings_hash);
            h.add(rec.rows_hash).add(std::string_view(rec.neuron_type)).add(std::string_view(rec.file_key));
            h.add(f).add(std::string_view(req.region)).add(req.side).add(req.metric);
            rec.outputs.push_back(OutputRecord{file_format(f), eyemap_path(f, rec.file_key, req), static_cast<int>(i), h.digest(), 0});
        }
    }
    // A comparison's eyemaps (A, B, difference per request both datasets can draw) after the type's own.
    const BatchBaseline* base = c.options.baseline.get();
    const TypeRows* rows_b = nullptr;
    std::vector<EyemapRequest> compare_requests;
    const std::size_t own_eyemaps = rec.eyemaps.size();
    if (base) {
        rows_b = base->data.find_type(base->options.type_b.empty() ? std::string_view(rec.neuron_type) : std::string_view(base->options.type_b));
        rec.only_in_data = rows_b == nullptr;
        if (rows_b) {
            for (const auto& r : c.requests)
                if (has_metric(base->data.columns, r.metric)) compare_requests.push_back(r);
            std::vector<Metric> compared;
            for (const auto& r : compare_requests)
                if (std::find(compared.begin(), compared.end(), r.metric) == compared.end()) compared.push_back(r.metric);
            for (const Metric& m : compared)
                rec.changes.push_back(type_change(rec.neuron_type, rows, c.columns, rows_b->rows, base->data.columns, m));
            const std::uint64_t b_hash = hash_rows(rows_b->neuron_type, rows_b->rows);
            for (const auto& req : compare_requests)
                for (ComparePart part : {ComparePart::a, ComparePart::b, ComparePart::difference}) {
                    EyemapRequest shown = req;
                    if (part == ComparePart::difference) shown.metric = difference_metric(req.metric, base->options);
                    const int index = static_cast<int>(rec.eyemaps.size());
                    rec.eyemaps.push_back(EyemapRecord{shown, 0, 0, 0, std::nullopt, part});
                    for (OutputFormat f : formats) {
                        HashBuilder h(c.settings_hash);
                        h.add(rec.rows_hash).add(b_hash).add(std::string_view(rec.neuron_type)).add(std::string_view(rec.file_key));
                        h.add(f).add(std::string_view(shown.region)).add(shown.side).add(shown.metric).add(std::string_view(to_string(part)));
                        rec.outputs.push_back(OutputRecord{file_format(f), eyemap_path(f, rec.file_key, shown, part), index, h.digest(), 0});
                    }
                }
        }
    }
    const std::size_t eyemap_files = rec.outputs.size();
    if (c.cb.plan_type_files) c.cb.plan_type_files(rec);
    const bool type_files = rec.outputs.size() > eyemap_files;
    if (type_files && !c.cb.make_type_files) throw_internal("a batch planned a type's own files but has nothing to make them");

    if (c.cb.up_to_date && c.cb.up_to_date(rec)) {
        rec.reused = true;
        type_finished(c, rec);
        return;
    }

    // The renderer hands out each file as it is made: eyemap i's formats in order, as rec.outputs.
    struct Cancelled {};
    std::size_t kept = 0;  // w.rendered's entries in use (their thumbnail buffers are reused)
    std::size_t out_i = 0, eyemap_i = 0;
    const std::size_t per_eyemap = c.options.formats.size();
    std::size_t in_eyemap = 0;
    try {
        const auto on_view = [&](const EyemapView& v) {
            if (in_eyemap == 0) {
                if (c.cancelled()) throw Cancelled{};  // between eyemaps: written files are whole
                auto& eye = rec.eyemaps[eyemap_i];
                eye.has_data = v.counts.has_data;
                eye.no_data = v.counts.no_data;
                eye.not_in_region = v.counts.not_in_region;
                eye.summary = v.summary;
                if (type_files) {
                    if (kept == w.rendered.size()) w.rendered.emplace_back();
                    auto& r = w.rendered[kept++];
                    r.request = v.request;
                    r.part = v.part;
                    r.has_data = v.counts.has_data;
                    r.thumbnail.assign(v.thumbnail.begin(), v.thumbnail.end());
                    r.width = v.width;
                    r.height = v.height;
                }
            }
            auto& out = rec.outputs[out_i++];
            out.bytes = v.bytes.size();
            deliver(c, rec, out, v.bytes);
            if (++in_eyemap == per_eyemap) {
                in_eyemap = 0;
                ++eyemap_i;
                c.eyemaps.fetch_add(1, std::memory_order_relaxed);
                if (c.counters) c.counters->eyemaps_done.fetch_add(1, std::memory_order_relaxed);
            }
        };
        c.renderer.render(c.layout, c.columns, rec.neuron_type, rows, c.requests, c.options.formats, on_view);
        if (!compare_requests.empty()) {
            if (eyemap_i != own_eyemaps) throw_internal("a batch's compare eyemaps began before its own ended");
            c.renderer.render_compare(base->index ? *base->index : c.layout, rec.neuron_type, c.columns, rows, base->data.columns,
                                      rows_b->rows, base->options, compare_requests, c.options.formats, on_view, {}, base->data.source);
        }
    } catch (const Cancelled&) {
        c.cancel_hit = true;
        return;  // dropped: files already written for this type are whole, and it is not recorded
    } catch (const Error& e) {
        rethrow_located(e, c);
    }
    if (type_files) {
        if (c.cancelled()) {
            c.cancel_hit = true;
            return;
        }
        c.cb.make_type_files(rec, std::span<const RenderedEyemap>(w.rendered.data(), kept), [&](std::string_view bytes) {
            if (out_i == rec.outputs.size()) throw_internal(fmt::format("type '{}': more files made than planned", rec.neuron_type));
            auto& out = rec.outputs[out_i++];
            out.bytes = bytes.size();
            deliver(c, rec, out, bytes);
        });
        if (out_i != rec.outputs.size())
            throw_internal(fmt::format("type '{}': {} of its {} planned files made (besides its eyemaps)", rec.neuron_type,
                                       out_i - eyemap_files, rec.outputs.size() - eyemap_files));
    }
    type_finished(c, rec);
}

void worker_loop(Ctx& c) {
    WorkerState w;
    Job job;
    for (;;) {
        {
            std::unique_lock lk(c.read_mu, std::defer_lock);
            if (!lk.try_lock()) {
                ScopedTimer wait(&c.stats, c.wait_op);
                lk.lock();
            }
            try {
                if (!read_job(c, w, job)) return;
            } catch (...) {
                c.fail(c.reading_seq, std::current_exception());
                return;
            }
        }
        // After an error, finish only types that come before it (they may hold an earlier error).
        if (c.stop.load() && job.seq > c.failed_seq()) return;
        try {
            if (!c.src) parse_block(c, w, job);
            process_job(c, w, job);
        } catch (...) {
            c.fail(job.seq, std::current_exception());
            return;
        }
    }
}

}  // namespace

std::vector<EyemapRequest> batch_requests(const BatchOptions& options, const ColumnIndex& layout, const TableColumns& columns) {
    return options.requests.empty() ? all_requests(layout, columns) : options.requests;
}

BatchSummary run_batch(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer, const BatchOptions& options,
                       const BatchCallbacks& callbacks, BatchCounters* counters) {
    if (!input.rows && !input.file) throw_input("a batch input needs rows or a data file", ErrorLocation{});
    const TableColumns& columns = input.columns;
    const auto t0 = std::chrono::steady_clock::now();
    if (options.shard.count == 0 || options.shard.index >= options.shard.count)
        throw_input("shard index must be below the shard count", ErrorLocation{{}, 0, "--shard", fmt::format("{}/{}", options.shard.index, options.shard.count)});
    if (options.formats.empty()) throw_input("no eyemap format", ErrorLocation{{}, 0, "formats", {}});

    Ctx c(input, layout, renderer, options, callbacks, counters);
    c.stats.begin_progress();
    c.stats.record_progress(ProgressSample{});  // the start: nothing done yet
    if (!input.rows) {
        auto& file = DataFileSource::Access::impl(*input.file);
        c.csv = file.csv.get();
        c.parser = file.parser.get();
        c.type_column = c.parser->type_field();
    }
    c.requests = batch_requests(options, layout, columns);
    for (const auto& r : c.requests) check_metrics_in_data(columns, std::span<const Metric>(&r.metric, 1));
    check_requests(layout, columns, c.requests);
    c.settings_hash = detail::batch_settings_hash(columns, layout, renderer, options.baseline.get());
    if (const BatchBaseline* base = options.baseline.get()) {
        // A type's files are its own eyemaps' and the comparison's: no two may share a name (a value
        // column called "synapses_diff" beside the difference of synapses, or "synapse_density_a").
        std::unordered_map<std::string, std::string> seen;
        auto add = [&](const EyemapRequest& r, ComparePart part) {
            const std::string what = part == ComparePart::none ? fmt::format("the metric {}", to_string(r.metric))
                                                               : fmt::format("the comparison's {} of {}", to_string(part), to_string(r.metric));
            const auto [it, fresh] = seen.emplace(eyemap_path(OutputFormat::svg, "T", r, part), what);
            if (!fresh)
                throw_input(fmt::format("{} and {} would write the same file ({}): rename the value column", it->second, what,
                                        it->first.substr(it->first.find('/') + 1)),
                            ErrorLocation{{}, 0, "metric", std::string(to_string(r.metric))});
        };
        for (const auto& r : c.requests) add(r, ComparePart::none);
        for (const auto& r : c.requests)
            if (has_metric(base->data.columns, r.metric)) {
                add(r, ComparePart::a);
                add(r, ComparePart::b);
                add(EyemapRequest{r.region, r.side, difference_metric(r.metric, base->options)}, ComparePart::difference);
            }
    }

    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    jobs = std::min(jobs, 256u);
    std::vector<std::thread> threads;
    threads.reserve(jobs - 1);
    try {
        for (unsigned i = 1; i < jobs; ++i) threads.emplace_back([&c] { worker_loop(c); });
    } catch (...) {
        c.stop = true;
        for (auto& t : threads) t.join();
        throw;
    }
    worker_loop(c);
    for (auto& t : threads) t.join();
    sample_progress(c, true);

    if (c.error) std::rethrow_exception(c.error);

    BatchSummary s;
    s.rows_read = c.rows_read;
    s.types_seen = c.next_seq;
    s.types_in_shard = c.in_shard;
    s.types_rendered = c.rendered;
    s.types_reused = c.reused;
    s.eyemaps_rendered = c.eyemaps;
    s.files = c.files;
    s.bytes = c.bytes;
    s.cancelled = c.cancel_hit.load();
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

}  // namespace eyemap

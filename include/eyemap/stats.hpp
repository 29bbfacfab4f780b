// eyemap stats: a per-operation timing registry owned by an object (e.g. a renderer); table, JSON and CSV export.
#pragma once

// Usage:
//   eyemap::Stats stats;                                      // typically a member of the object whose work is timed
//   const eyemap::OpId render_svg = stats.op("render_svg");   // once; the hot path never sees the name
//   { eyemap::ScopedTimer t(&stats, render_svg); ...work...; t.add_bytes(n); }
//   std::string report = eyemap::stats_to_table(stats.snapshot());
//
// There is no process-wide registry: every Stats object has its own operation names, slow thresholds, counts
// and wall clock, and an OpId means something only to the Stats that issued it. Any number of Stats objects
// may be used at once from any number of threads, independently.
// Recording is lock-free. A Stats holds 16 cache-line-aligned shards; each thread writes into one of them
// (picked once per thread, round robin) with relaxed atomic adds and CAS min/max, so threads that share a shard
// still sum exactly. A shard allocates an operation's slot (counters + histogram) on its first record.
// snapshot() sums the shards; op(), op_name(), snapshot() and reset() take the object's mutex.
// A Stats must outlive every timer and every thread that records into it.
// Collection is on by default; set_enabled(false) makes timers skip the clock, and a ScopedTimer given a null
// Stats* is a no-op. Defining EYEMAP_NO_STATS makes ScopedTimer an empty object (Stats itself and record()
// stay available and have the same layout either way).
//
// JSON schema "eyemap-stats/2" (stats_to_json / stats_from_json). All numbers are unsigned 64-bit integers
// except bytes_per_s. Readers accept /2 and /1, reject other "schema" values and ignore unknown keys, so
// fields may be added within /2; removing or changing the meaning of a field means /3. "enabled" and
// "memory" may be omitted. /2 is /1 without the caches' "expirations" and "validation_failures" (the
// cache lost its time-to-live and validator); a /1 file's validation_failures are read as invalidations,
// its expirations (0 in every file eyemap wrote: it never set a time-to-live) are ignored.
// {
//   "schema": "eyemap-stats/2",
//   "enabled": true,              collection was on when the snapshot was taken
//   "wall_ns": 1234567,           steady-clock time since the Stats was constructed or last reset
//   "ops": [                      every registered operation, in registration order (count may be 0)
//     {
//       "name": "render_svg",
//       "count": 12,              recorded calls
//       "total_ns": 0,            sum of durations
//       "min_ns": 0, "max_ns": 0, exact; 0 when count is 0
//       "mean_ns": 0,             total_ns / count, rounded
//       "p50_ns": 0, "p90_ns": 0, "p99_ns": 0,
//                                 estimated from a log-linear histogram (8 buckets per power of two from 8 ns
//                                 to 2^37 ns ~ 137 s, interpolated inside a bucket, clamped to [min, max]);
//                                 error below 1/8 of the value
//       "slow_count": 1,          calls longer than the threshold in force when they were recorded
//       "slow_threshold_ns": 0,   threshold now in force; 0 = none
//       "bytes": 4096,            bytes the timed code reported producing
//       "bytes_per_s": 1.2e6      derived: bytes / total time (0 if either is 0); ignored on read
//     }
//   ],
//   "memory": {                   process memory, separate from the timings; 0 = unknown on this platform
//     "peak_rss_bytes": 0,        getrusage(RUSAGE_SELF).ru_maxrss
//     "vm_hwm_bytes": 0,          VmHWM from /proc/self/status (Linux)
//     "rss_bytes": 0              VmRSS from /proc/self/status (Linux), resident size at snapshot time
//   },
//   "progress": [                 optional (absent when empty): a batch's progress over time, oldest first,
//     {                           at most kMaxProgressSamples (see Stats::record_progress)
//       "elapsed_ns": 100000000,  since the batch started
//       "eyemaps": 120,           eyemaps rendered so far
//       "types": 10,              types done so far (rendered or up to date)
//       "bytes_out": 65536        bytes of files made so far
//     }
//   ],
//   Added by StatsDocument (stats_to_json(const StatsDocument&)); each optional, absent when unknown:
//   "version": "0.9.0",           eyemap::kVersion of the program that wrote the file
//   "command": ["eyemap", "batch", "--data", "x.csv"],   its command line (argv), strings
//   "caches": [                   the renderer's caches (Renderer::cache_statistics), in its order
//     {
//       "name": "coordinates",
//       "hits": 0, "misses": 0, "insertions": 0, "updates": 0, "evictions_entries": 0, "evictions_bytes": 0,
//       "invalidations": 0, "rejections": 0,
//       "entries": 0, "bytes": 0, the CacheStats fields
//       "hit_rate": 0.5           derived: hits / (hits + misses), 0 without gets; ignored on read
//     }
//   ]
// }
// The JSON Schema (draft 7) of this format is docs/stats.schema.json.
// CSV (stats_to_csv): a header row, then one row per operation with the per-op keys above in that order;
// names are quoted per RFC 4180 when needed; memory and wall time are not included.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eyemap {

// Handle of an operation registered in one Stats object: a small index into its slot arrays.
struct OpId {
    static constexpr std::uint32_t invalid = 0xffffffffu;
    std::uint32_t index = invalid;  // a default handle records nothing
    friend bool operator==(OpId, OpId) = default;
};

// Operations per Stats object; fixed so slot arrays never reallocate under a reader.
inline constexpr std::size_t kMaxStatsOps = 512;

struct OpStats {
    std::string name;
    std::uint64_t count = 0;
    std::uint64_t total_ns = 0;
    std::uint64_t min_ns = 0;
    std::uint64_t max_ns = 0;
    std::uint64_t mean_ns = 0;
    std::uint64_t p50_ns = 0;
    std::uint64_t p90_ns = 0;
    std::uint64_t p99_ns = 0;
    std::uint64_t slow_count = 0;
    std::uint64_t slow_threshold_ns = 0;
    std::uint64_t bytes = 0;
    bool operator==(const OpStats&) const = default;
};

// Process memory figures in bytes; 0 = not available.
struct MemoryStats {
    std::uint64_t peak_rss_bytes = 0;
    std::uint64_t vm_hwm_bytes = 0;
    std::uint64_t rss_bytes = 0;
    bool operator==(const MemoryStats&) const = default;
};

// One point of a batch's progress (Stats::record_progress): counts so far at a time since the start.
struct ProgressSample {
    std::uint64_t elapsed_ns = 0;
    std::uint64_t eyemaps = 0;
    std::uint64_t types = 0;
    std::uint64_t bytes_out = 0;
    bool operator==(const ProgressSample&) const = default;
};

// Progress samples a Stats keeps; when full, every other one is dropped (see Stats::record_progress).
inline constexpr std::size_t kMaxProgressSamples = 1000;

struct StatsSnapshot {
    bool enabled = true;
    std::uint64_t wall_ns = 0;
    std::vector<OpStats> ops;  // registration order
    MemoryStats memory;
    std::vector<ProgressSample> progress;  // oldest first; empty when no batch recorded any
    bool operator==(const StatsSnapshot&) const = default;
};

// Peak and current resident set size of this process.
MemoryStats memory_snapshot();

// Per-operation timing registry. All members are thread-safe; record() takes no lock.
class Stats {
public:
    // Collection enabled, no operations registered, wall clock starts now.
    Stats();
    ~Stats();
    Stats(const Stats&) = delete;
    Stats& operator=(const Stats&) = delete;

    // Registers `name` or finds it; takes the mutex, so call once and keep the handle.
    // Throws eyemap::Error (input) for an empty name, (internal) when kMaxStatsOps names are registered.
    OpId op(std::string_view name);
    // The registered name, or "" for an index not registered in this object.
    std::string op_name(OpId op) const;

    // Adds one call of duration `d` (negative counts as 0) that produced `bytes`. Lock-free; dropped when
    // collection is off or `op`'s index is not registered in this object.
    void record(OpId op, std::chrono::nanoseconds d, std::uint64_t bytes = 0) noexcept;

    void set_enabled(bool on) noexcept { enabled_.store(on, std::memory_order_relaxed); }
    bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }

    // Calls longer than `t` are counted as slow from now on; 0 turns counting off. Ignored for unknown indexes.
    void set_slow_threshold(OpId op, std::chrono::nanoseconds t) noexcept;
    // 0 for none or an unknown index.
    std::chrono::nanoseconds slow_threshold(OpId op) const noexcept;

    // Sums every shard's counts, with the wall time since construction or the last reset() and
    // memory_snapshot(). Safe while other threads record; a call being recorded at that instant may be
    // partly visible.
    StatsSnapshot snapshot() const;
    // Progress of a long job over time (a batch records its counters as types finish). begin_progress()
    // drops the samples of an earlier job. record_progress() keeps every `stride`-th sample offered (stride
    // starts at 1); when kMaxProgressSamples are kept, every other one is dropped and the stride doubles, so
    // the samples stay spread over the whole job. A sample with `last` set (the job's final counts) is always
    // kept. Takes the mutex: offer samples at a modest rate (the batch offers at most one per 5 ms).
    void begin_progress();
    void record_progress(const ProgressSample& sample, bool last = false);

    // Zeroes all counts, drops progress samples and restarts the wall clock; registrations and slow thresholds are kept.
    // A call being recorded by another thread at that instant may be lost or partly kept.
    void reset();

private:
    struct Impl;
    std::atomic<bool> enabled_{true};  // inline so a timer can skip the clock without a call
    std::unique_ptr<Impl> impl_;
};

// The entry named `name`, or nullptr.
const OpStats* find_op(const StatsSnapshot& snap, std::string_view name) noexcept;
// bytes / total time in bytes per second; 0 when either is 0.
double bytes_per_second(const OpStats& op) noexcept;

// Aligned table of the operations that ran, sorted by total time descending, with share of the summed totals,
// followed by wall time and memory.
std::string stats_to_table(const StatsSnapshot& snap);
std::string stats_to_json(const StatsSnapshot& snap);
std::string stats_to_csv(const StatsSnapshot& snap);
// Parses stats_to_json output; throws eyemap::Error (input) on malformed JSON, another schema or bad fields.
StatsSnapshot stats_from_json(std::string_view text);

// Timers. Use ScopedTimer; ClockTimer and NoopTimer are both declared so that EYEMAP_NO_STATS picks one by
// alias instead of giving one class two definitions in translation units built with and without it.

// Times its own lifetime into `stats`; reads the clock only when `stats` is non-null and enabled at construction.
class ClockTimer {
public:
    ClockTimer(Stats* stats, OpId op) noexcept : op_(op) {
        if (stats && stats->enabled()) {
            stats_ = stats;
            start_ = std::chrono::steady_clock::now();
        }
    }
    ~ClockTimer() {
        if (stats_) stats_->record(op_, std::chrono::steady_clock::now() - start_, bytes_);
    }
    ClockTimer(const ClockTimer&) = delete;
    ClockTimer& operator=(const ClockTimer&) = delete;

    void add_bytes(std::uint64_t n) noexcept { bytes_ += n; }
    // Leaves this call out of the statistics, e.g. when the work turned out not to happen.
    void cancel() noexcept { stats_ = nullptr; }

private:
    Stats* stats_ = nullptr;  // null = not timing
    OpId op_;
    std::uint64_t bytes_ = 0;
    std::chrono::steady_clock::time_point start_{};
};

// Same interface, no state and no code: what ScopedTimer becomes under EYEMAP_NO_STATS.
class NoopTimer {
public:
    NoopTimer(Stats*, OpId) noexcept {}
    NoopTimer(const NoopTimer&) = delete;
    NoopTimer& operator=(const NoopTimer&) = delete;
    void add_bytes(std::uint64_t) noexcept {}
    void cancel() noexcept {}
};

#ifdef EYEMAP_NO_STATS
using ScopedTimer = NoopTimer;
#else
using ScopedTimer = ClockTimer;
#endif

// ---------------------------------------------------------------------------------------------
// Cache statistics (Renderer::cache_statistics)

struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;               // includes gets of a disabled cache
    std::uint64_t insertions = 0;           // puts that created an entry
    std::uint64_t updates = 0;              // puts that replaced a live entry of the same key
    std::uint64_t evictions_entries = 0;    // dropped (LRU) because the entry limit was exceeded
    std::uint64_t evictions_bytes = 0;      // dropped (LRU) because the byte limit was exceeded
    std::uint64_t invalidations = 0;        // dropped by invalidate, invalidate_if or clear
    std::uint64_t rejections = 0;           // puts not stored: entry larger than a shard's byte budget
    std::size_t entries = 0;                // current
    std::size_t bytes = 0;                  // current

    std::uint64_t gets() const noexcept { return hits + misses; }
    std::uint64_t evictions() const noexcept { return evictions_entries + evictions_bytes; }
    // Fraction of gets that hit; 0 when there were no gets.
    double hit_rate() const noexcept { return gets() ? static_cast<double>(hits) / static_cast<double>(gets()) : 0.0; }

    CacheStats& operator+=(const CacheStats& o) noexcept;
};

// Aligned human-readable table, one row per named cache, plus a total row when there are several.
// Statistics of one named cache (a renderer has "coordinates", "colours", "metadata").
struct NamedCacheStats {
    std::string name;
    CacheStats stats;
};
std::string cache_stats_table(std::span<const NamedCacheStats> caches);

// ---------------------------------------------------------------------------------------------
// A statistics file: the snapshot plus what a report needs to say where it came from

struct StatsDocument {
    StatsSnapshot snapshot;
    std::vector<NamedCacheStats> caches;  // empty: not recorded
    std::string version;                  // eyemap version that wrote it; "": unknown
    std::vector<std::string> command;     // its command line (argv); empty: unknown
};

// Schema "eyemap-stats/2" with the optional "version", "command" and "caches" fields (see the top of
// this file); stats_to_json(snap) is stats_to_json(StatsDocument{snap}).
std::string stats_to_json(const StatsDocument& doc);
// Reads any eyemap-stats/2 or /1 file (the added fields are optional); throws like stats_from_json.
StatsDocument stats_document_from_json(std::string_view text);

}  // namespace eyemap

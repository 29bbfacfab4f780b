// eyemap stats: process-wide per-operation timing registry fed by scoped timers, exported as table, JSON or CSV.
#pragma once

// Usage:
//   static const eyemap::OpId kRenderSvg = eyemap::stats_op("render_svg");  // once; hot path never sees the name
//   { eyemap::ScopedTimer t(kRenderSvg); ...work...; t.add_bytes(n); }
//   std::string report = eyemap::stats_to_table(eyemap::stats_snapshot());
//
// Each thread records into its own slot block without locks; stats_snapshot() merges the blocks of live threads
// and of threads that have exited (a block outlives its thread and is handed to the next new thread).
// Collection is on by default; set_stats_enabled(false) makes timers skip the clock. Defining EYEMAP_NO_STATS
// makes ScopedTimer an empty object (record() and the registry stay available).
//
// JSON schema "eyemap-stats/1" (stats_to_json / stats_from_json). All numbers are unsigned 64-bit integers
// except bytes_per_s. Readers reject other "schema" values and ignore unknown keys, so fields may be added
// within /1; removing or changing the meaning of a field means /2. "enabled" and "memory" may be omitted.
// {
//   "schema": "eyemap-stats/1",
//   "enabled": true,              collection was on when the snapshot was taken
//   "wall_ns": 1234567,           steady-clock time since the registry was first used or last reset
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
//   }
// }
// CSV (stats_to_csv): a header row, then one row per operation with the per-op keys above in that order;
// names are quoted per RFC 4180 when needed; memory and wall time are not included.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap {

// Handle of a registered operation: a small index into the per-thread slot blocks.
struct OpId {
    static constexpr std::uint32_t invalid = 0xffffffffu;
    std::uint32_t index = invalid;  // a default handle records nothing
    friend bool operator==(OpId, OpId) = default;
};

// Fixed so thread blocks never reallocate under a reader.
inline constexpr std::size_t kMaxStatsOps = 512;

// Registers `name` or finds it; thread-safe, takes a mutex, so call once and keep the handle.
// Throws eyemap::Error (input) for an empty name, (internal) when kMaxStatsOps names are registered.
OpId stats_op(std::string_view name);
// The registered name, or "" for an unknown handle.
std::string stats_op_name(OpId op);

// Adds one call of duration `d` (negative counts as 0) that produced `bytes`. Lock-free; dropped when disabled.
void record(OpId op, std::chrono::nanoseconds d, std::uint64_t bytes = 0) noexcept;

void set_stats_enabled(bool on) noexcept;
bool stats_enabled() noexcept;

// Calls longer than `threshold` are counted as slow from now on; 0 turns counting off.
void set_slow_threshold(OpId op, std::chrono::nanoseconds threshold) noexcept;
std::chrono::nanoseconds slow_threshold(OpId op) noexcept;

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

struct StatsSnapshot {
    bool enabled = true;
    std::uint64_t wall_ns = 0;
    std::vector<OpStats> ops;  // registration order
    MemoryStats memory;
    bool operator==(const StatsSnapshot&) const = default;
};

// Peak and current resident set size of this process.
MemoryStats memory_snapshot();
// Merges every thread's counts (and takes memory_snapshot()). Safe while other threads record; a call that
// is being recorded at that instant may be partly visible.
StatsSnapshot stats_snapshot();
// Zeroes all counts and restarts the wall clock; registrations and slow thresholds are kept.
// A call being recorded by another thread at that instant may be lost.
void stats_reset();

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

namespace detail {

extern std::atomic<bool> g_stats_enabled;
// Reads the clock and records; out of line to keep timer call sites small.
void finish_timer(OpId op, std::chrono::steady_clock::time_point start, std::uint64_t bytes) noexcept;

// Times its own lifetime; reads the clock only when collection was on at construction.
class ClockTimer {
public:
    explicit ClockTimer(OpId op) noexcept : op_(op) {
        if (g_stats_enabled.load(std::memory_order_relaxed)) {
            start_ = std::chrono::steady_clock::now();
            armed_ = true;
        }
    }
    ~ClockTimer() {
        if (armed_) finish_timer(op_, start_, bytes_);
    }
    ClockTimer(const ClockTimer&) = delete;
    ClockTimer& operator=(const ClockTimer&) = delete;

    void add_bytes(std::uint64_t n) noexcept { bytes_ += n; }
    // Leaves this call out of the statistics, e.g. when the work turned out not to happen.
    void cancel() noexcept { armed_ = false; }

private:
    OpId op_;
    bool armed_ = false;
    std::uint64_t bytes_ = 0;
    std::chrono::steady_clock::time_point start_{};
};

// Same interface, no state and no code: what ScopedTimer becomes under EYEMAP_NO_STATS.
class NoopTimer {
public:
    explicit NoopTimer(OpId) noexcept {}
    NoopTimer(const NoopTimer&) = delete;
    NoopTimer& operator=(const NoopTimer&) = delete;
    void add_bytes(std::uint64_t) noexcept {}
    void cancel() noexcept {}
};

}  // namespace detail

// An alias rather than an #ifdef'd class body, so translation units built with and without EYEMAP_NO_STATS
// do not give one class two definitions.
#ifdef EYEMAP_NO_STATS
using ScopedTimer = detail::NoopTimer;
#else
using ScopedTimer = detail::ClockTimer;
#endif

}  // namespace eyemap

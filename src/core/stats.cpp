// Statistics registry object: per-instance shards written lock-free with relaxed atomics, summed on read.
#include "eyemap/stats.hpp"

#include "core/units.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>

namespace eyemap {

namespace {

using Clock = std::chrono::steady_clock;
using Counter = std::atomic<std::uint64_t>;

// Histogram layout: bucket 0 is [0, 8 ns); then 8 equal sub-buckets per power of two for [2^3, 2^37) ns, so a
// bucket is never wider than 1/8 of its lower bound; the last bucket takes everything from 2^37 ns (~137 s).
constexpr int kSubBits = 3;
constexpr std::uint64_t kSub = 1u << kSubBits;
constexpr int kMinExp = kSubBits;  // first octave starts at 8 ns, where sub-buckets are 1 ns wide
constexpr int kMaxExp = 36;        // last full octave [2^36, 2^37)
constexpr std::size_t kBuckets = 1 + (kMaxExp - kMinExp + 1) * kSub + 1;

std::size_t bucket_of(std::uint64_t ns) noexcept {
    if (ns < (std::uint64_t{1} << kMinExp)) return 0;
    const int e = std::bit_width(ns) - 1;
    if (e > kMaxExp) return kBuckets - 1;
    const std::uint64_t sub = (ns >> (e - kSubBits)) & (kSub - 1);
    return 1 + static_cast<std::size_t>(e - kMinExp) * kSub + sub;
}

double bucket_low(std::size_t i) noexcept {
    if (i == 0) return 0.0;
    if (i == kBuckets - 1) return std::ldexp(1.0, kMaxExp + 1);
    const std::size_t k = i - 1;
    const int e = kMinExp + static_cast<int>(k / kSub);
    return std::ldexp(static_cast<double>(kSub + k % kSub), e - kSubBits);
}

// Exclusive upper bound; the overflow bucket has none (the caller clamps to the observed max).
double bucket_high(std::size_t i) noexcept {
    if (i == 0) return static_cast<double>(std::uint64_t{1} << kMinExp);
    if (i == kBuckets - 1) return std::numeric_limits<double>::infinity();
    const int e = kMinExp + static_cast<int>((i - 1) / kSub);
    return bucket_low(i) + std::ldexp(1.0, e - kSubBits);
}

constexpr std::uint64_t kNoMin = std::numeric_limits<std::uint64_t>::max();

// One operation's counters in one shard. Several threads may share a shard, so every update is an atomic
// read-modify-write (relaxed: the counters are independent tallies, read as a best-effort sum).
// Cache-line aligned so that slots of different shards never share a line.
struct alignas(64) OpSlot {
    Counter count{0};
    Counter total{0};
    Counter min{kNoMin};
    Counter max{0};
    Counter slow{0};
    Counter bytes{0};
    std::array<Counter, kBuckets> hist{};
};

void zero(OpSlot& s) noexcept {
    s.count.store(0, std::memory_order_relaxed);
    s.total.store(0, std::memory_order_relaxed);
    s.min.store(kNoMin, std::memory_order_relaxed);
    s.max.store(0, std::memory_order_relaxed);
    s.slow.store(0, std::memory_order_relaxed);
    s.bytes.store(0, std::memory_order_relaxed);
    for (auto& h : s.hist) h.store(0, std::memory_order_relaxed);
}

void lower_to(Counter& c, std::uint64_t v) noexcept {
    std::uint64_t cur = c.load(std::memory_order_relaxed);
    while (v < cur && !c.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

void raise_to(Counter& c, std::uint64_t v) noexcept {
    std::uint64_t cur = c.load(std::memory_order_relaxed);
    while (v > cur && !c.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

constexpr std::uint32_t kShards = 16;

// A shard's slots, allocated on the shard's first record of an operation so that an idle operation costs
// 8 bytes per shard, not a histogram. A slot pointer, once set, stays until the Stats is destroyed.
struct alignas(64) Shard {
    std::array<std::atomic<OpSlot*>, kMaxStatsOps> slots{};
};

// Which shard this thread writes to, in every Stats object: assigned round robin on the thread's first record,
// so up to kShards threads never contend. Only this index is process-wide; it carries no statistics.
constinit std::atomic<std::uint32_t> g_next_shard{0};
constinit thread_local std::uint32_t tl_shard = kShards;  // kShards = not assigned yet

std::uint32_t my_shard() noexcept {
    std::uint32_t s = tl_shard;
    if (s == kShards) [[unlikely]] {
        s = g_next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
        tl_shard = s;
    }
    return s;
}

struct Merged {
    std::uint64_t count = 0, total = 0, min = kNoMin, max = 0, slow = 0, bytes = 0;
    std::array<std::uint64_t, kBuckets> hist{};
};

// Interpolates linearly inside the bucket holding rank q*n; the bucket is narrowed to [min, max] so that
// tight distributions are not smeared over the whole bucket.
std::uint64_t percentile(const Merged& m, double q) {
    std::uint64_t n = 0;
    for (auto c : m.hist) n += c;  // not m.count: a concurrent writer may have updated one but not the other
    if (n == 0) return 0;
    const double rank = q * static_cast<double>(n);
    std::uint64_t cum = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        const std::uint64_t c = m.hist[i];
        if (c == 0) continue;
        if (static_cast<double>(cum + c) >= rank) {
            const double lo = std::max(bucket_low(i), static_cast<double>(m.min));
            const double hi = std::max(lo, std::min(bucket_high(i), static_cast<double>(m.max)));
            const double frac = std::clamp((rank - static_cast<double>(cum)) / static_cast<double>(c), 0.0, 1.0);
            return static_cast<std::uint64_t>(std::llround(lo + frac * (hi - lo)));
        }
        cum += c;
    }
    return m.max;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

// "VmHWM:     1234 kB" -> bytes; 0 if the line is not in the expected form.
std::uint64_t proc_kib_field(const std::string& line, std::size_t prefix_len) {
    const char* p = line.data() + prefix_len;
    const char* end = line.data() + line.size();
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    std::uint64_t kib = 0;
    if (std::from_chars(p, end, kib).ec != std::errc{}) return 0;
    return kib * 1024;
}

using ojson = nlohmann::ordered_json;

const ojson& require(const ojson& obj, const char* key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end()) throw_input("missing field in stats JSON", ErrorLocation{{}, 0, path + key, {}});
    return *it;
}

std::uint64_t require_u64(const ojson& obj, const char* key, const std::string& path) {
    const ojson& v = require(obj, key, path);
    if (!v.is_number_unsigned())
        throw_input("expected an unsigned integer", ErrorLocation{{}, 0, path + key, v.dump().substr(0, 60)});
    return v.get<std::uint64_t>();
}

}  // namespace

struct Stats::Impl {
    std::array<Shard, kShards> shards;
    std::array<Counter, kMaxStatsOps> slow_ns{};
    std::atomic<std::uint32_t> n_ops{0};  // registered operations; written under mu, read lock-free by record()

    mutable std::mutex mu;  // guards the fields below and serializes snapshot() with reset()
    std::vector<std::string> names;  // index = OpId::index
    std::unordered_map<std::string, std::uint32_t> by_name;
    Clock::time_point start = Clock::now();
    struct Progress {
        std::vector<ProgressSample> samples;
        std::uint64_t stride = 1, offered = 0;  // keep every stride-th sample offered
    } progress;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        for (auto& shard : shards)
            for (auto& slot : shard.slots) delete slot.load(std::memory_order_relaxed);
    }

    bool known(OpId op) const noexcept { return op.index < n_ops.load(std::memory_order_acquire); }
};

Stats::Stats() : impl_(std::make_unique<Impl>()) {}
Stats::~Stats() = default;

OpId Stats::op(std::string_view name) {
    if (name.empty()) throw_input("statistics operation name is empty");
    Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    std::string key(name);
    if (auto it = r.by_name.find(key); it != r.by_name.end()) return OpId{it->second};
    if (r.names.size() >= kMaxStatsOps)
        throw_internal(fmt::format("too many statistics operations (limit {}) registering '{}'", kMaxStatsOps, key));
    const auto index = static_cast<std::uint32_t>(r.names.size());
    r.names.push_back(key);
    r.by_name.emplace(std::move(key), index);
    r.n_ops.store(index + 1, std::memory_order_release);
    return OpId{index};
}

std::string Stats::op_name(OpId op) const {
    const Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    return op.index < r.names.size() ? r.names[op.index] : std::string();
}

void Stats::record(OpId op, std::chrono::nanoseconds d, std::uint64_t bytes) noexcept {
    if (!enabled()) return;
    Impl& r = *impl_;
    if (!r.known(op)) return;
    std::atomic<OpSlot*>& ref = r.shards[my_shard()].slots[op.index];
    OpSlot* s = ref.load(std::memory_order_acquire);
    if (!s) [[unlikely]] {
        auto* fresh = new (std::nothrow) OpSlot;
        if (!fresh) return;  // out of memory: losing a sample beats failing the timed work
        // Another thread of this shard may have installed one first; then use that one.
        if (ref.compare_exchange_strong(s, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
            s = fresh;
        } else {
            delete fresh;
        }
    }
    const std::uint64_t ns = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
    s->count.fetch_add(1, std::memory_order_relaxed);
    s->total.fetch_add(ns, std::memory_order_relaxed);
    if (bytes) s->bytes.fetch_add(bytes, std::memory_order_relaxed);
    lower_to(s->min, ns);
    raise_to(s->max, ns);
    const std::uint64_t slow = r.slow_ns[op.index].load(std::memory_order_relaxed);
    if (slow != 0 && ns > slow) s->slow.fetch_add(1, std::memory_order_relaxed);
    s->hist[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
}

void Stats::set_slow_threshold(OpId op, std::chrono::nanoseconds t) noexcept {
    if (!impl_->known(op)) return;
    const auto ns = t.count() > 0 ? static_cast<std::uint64_t>(t.count()) : 0;
    impl_->slow_ns[op.index].store(ns, std::memory_order_relaxed);
}

std::chrono::nanoseconds Stats::slow_threshold(OpId op) const noexcept {
    if (!impl_->known(op)) return std::chrono::nanoseconds(0);
    const std::uint64_t ns = impl_->slow_ns[op.index].load(std::memory_order_relaxed);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

MemoryStats memory_snapshot() {
    MemoryStats m;
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0) {
#ifdef __APPLE__
        m.peak_rss_bytes = static_cast<std::uint64_t>(ru.ru_maxrss);  // macOS reports bytes
#else
        m.peak_rss_bytes = static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;  // Linux/BSD report KiB
#endif
    }
#ifdef __linux__
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) m.vm_hwm_bytes = proc_kib_field(line, 6);
        else if (line.starts_with("VmRSS:")) m.rss_bytes = proc_kib_field(line, 6);
    }
#endif
    return m;
}

StatsSnapshot Stats::snapshot() const {
    StatsSnapshot snap;
    snap.enabled = enabled();
    snap.memory = memory_snapshot();
    const Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    snap.wall_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - r.start).count());

    snap.ops.reserve(r.names.size());
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        Merged m;
        for (const Shard& shard : r.shards) {
            const OpSlot* s = shard.slots[i].load(std::memory_order_acquire);
            if (!s) continue;
            m.count += s->count.load(std::memory_order_relaxed);
            m.total += s->total.load(std::memory_order_relaxed);
            m.min = std::min(m.min, s->min.load(std::memory_order_relaxed));
            m.max = std::max(m.max, s->max.load(std::memory_order_relaxed));
            m.slow += s->slow.load(std::memory_order_relaxed);
            m.bytes += s->bytes.load(std::memory_order_relaxed);
            for (std::size_t k = 0; k < kBuckets; ++k) m.hist[k] += s->hist[k].load(std::memory_order_relaxed);
        }
        OpStats o;
        o.name = r.names[i];
        o.count = m.count;
        o.total_ns = m.total;
        o.slow_count = m.slow;
        o.slow_threshold_ns = r.slow_ns[i].load(std::memory_order_relaxed);
        o.bytes = m.bytes;
        if (m.count > 0 && m.min != kNoMin) {
            o.min_ns = m.min;
            o.max_ns = m.max;
            o.mean_ns = (m.total + m.count / 2) / m.count;
            o.p50_ns = percentile(m, 0.50);
            o.p90_ns = percentile(m, 0.90);
            o.p99_ns = percentile(m, 0.99);
        }
        snap.ops.push_back(std::move(o));
    }
    snap.progress = r.progress.samples;
    return snap;
}

void Stats::begin_progress() {
    Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    r.progress = {};
}

void Stats::record_progress(const ProgressSample& sample, bool last) {
    Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    Impl::Progress& p = r.progress;
    const bool keep = last || p.offered % p.stride == 0;
    ++p.offered;
    if (!keep) return;
    if (p.samples.size() >= kMaxProgressSamples) {
        std::size_t w = 0;
        for (std::size_t i = 0; i < p.samples.size(); i += 2) p.samples[w++] = p.samples[i];
        p.samples.resize(w);
        p.stride *= 2;
    }
    p.samples.push_back(sample);
}

void Stats::reset() {
    Impl& r = *impl_;
    std::lock_guard lock(r.mu);
    r.progress = {};
    for (Shard& shard : r.shards)
        for (auto& slot : shard.slots)
            if (OpSlot* s = slot.load(std::memory_order_acquire)) zero(*s);
    r.start = Clock::now();
}

const OpStats* find_op(const StatsSnapshot& snap, std::string_view name) noexcept {
    for (const auto& o : snap.ops)
        if (o.name == name) return &o;
    return nullptr;
}

double bytes_per_second(const OpStats& op) noexcept {
    if (op.bytes == 0 || op.total_ns == 0) return 0.0;
    return static_cast<double>(op.bytes) * 1e9 / static_cast<double>(op.total_ns);
}

std::string stats_to_table(const StatsSnapshot& snap) {
    std::vector<const OpStats*> ran;
    std::uint64_t sum_total = 0;
    for (const auto& o : snap.ops) {
        if (o.count == 0) continue;  // registered but never run: noise in a human report (JSON/CSV keep them)
        ran.push_back(&o);
        sum_total += o.total_ns;
    }
    std::stable_sort(ran.begin(), ran.end(), [](const OpStats* a, const OpStats* b) {
        if (a->total_ns != b->total_ns) return a->total_ns > b->total_ns;
        return a->name < b->name;
    });

    constexpr std::size_t kCols = 13;
    using Row = std::array<std::string, kCols>;
    std::vector<Row> rows;
    rows.push_back(
        {"operation", "count", "total", "share", "mean", "min", "p50", "p90", "p99", "max", "slow", "bytes", "rate"});
    for (const OpStats* o : ran) {
        // Shares are of the summed totals; nested operations are counted in both parent and child.
        const double share = sum_total ? 100.0 * static_cast<double>(o->total_ns) / static_cast<double>(sum_total) : 0.0;
        const double rate = bytes_per_second(*o);
        rows.push_back({o->name, fmt::format("{}", o->count), human_ns(static_cast<double>(o->total_ns)),
                        fmt::format("{:.1f}%", share), human_ns(static_cast<double>(o->mean_ns)),
                        human_ns(static_cast<double>(o->min_ns)), human_ns(static_cast<double>(o->p50_ns)),
                        human_ns(static_cast<double>(o->p90_ns)), human_ns(static_cast<double>(o->p99_ns)),
                        human_ns(static_cast<double>(o->max_ns)),
                        o->slow_threshold_ns ? fmt::format("{} >{}", o->slow_count,
                                                           human_ns(static_cast<double>(o->slow_threshold_ns)))
                                             : std::string("-"),
                        o->bytes ? human_bytes(static_cast<double>(o->bytes)) : std::string("-"),
                        rate > 0 ? human_bytes(rate) + "/s" : std::string("-")});
    }
    std::array<std::size_t, kCols> width{};
    for (const Row& row : rows)
        for (std::size_t c = 0; c < kCols; ++c) width[c] = std::max(width[c], row[c].size());

    std::string out;
    if (ran.empty()) {
        out += "no operations timed\n";
    } else {
        for (const Row& row : rows) {
            std::string line = fmt::format("{:<{}}", row[0], width[0]);
            for (std::size_t c = 1; c < kCols; ++c) line += fmt::format("  {:>{}}", row[c], width[c]);
            out += line;
            out += '\n';
        }
    }
    out += fmt::format("wall {}{}\n", human_ns(static_cast<double>(snap.wall_ns)),
                       snap.enabled ? "" : " (statistics collection is off)");
    const MemoryStats& m = snap.memory;
    if (m.peak_rss_bytes || m.vm_hwm_bytes || m.rss_bytes) {
        std::string mem = "memory:";
        if (m.peak_rss_bytes) mem += " peak RSS " + human_bytes(static_cast<double>(m.peak_rss_bytes));
        if (m.vm_hwm_bytes) mem += ", VmHWM " + human_bytes(static_cast<double>(m.vm_hwm_bytes));
        if (m.rss_bytes) mem += ", current RSS " + human_bytes(static_cast<double>(m.rss_bytes));
        out += mem + '\n';
    }
    return out;
}

std::string stats_to_json(const StatsSnapshot& snap) { return stats_to_json(StatsDocument{snap, {}, {}, {}}); }

std::string stats_to_json(const StatsDocument& doc) {
    const StatsSnapshot& snap = doc.snapshot;
    ojson j;
    j["schema"] = "eyemap-stats/2";
    if (!doc.version.empty()) j["version"] = doc.version;
    if (!doc.command.empty()) j["command"] = doc.command;
    j["enabled"] = snap.enabled;
    j["wall_ns"] = snap.wall_ns;
    ojson ops = ojson::array();
    for (const auto& o : snap.ops) {
        ops.push_back({{"name", o.name},
                       {"count", o.count},
                       {"total_ns", o.total_ns},
                       {"min_ns", o.min_ns},
                       {"max_ns", o.max_ns},
                       {"mean_ns", o.mean_ns},
                       {"p50_ns", o.p50_ns},
                       {"p90_ns", o.p90_ns},
                       {"p99_ns", o.p99_ns},
                       {"slow_count", o.slow_count},
                       {"slow_threshold_ns", o.slow_threshold_ns},
                       {"bytes", o.bytes},
                       {"bytes_per_s", bytes_per_second(o)}});
    }
    j["ops"] = std::move(ops);
    j["memory"] = {{"peak_rss_bytes", snap.memory.peak_rss_bytes},
                   {"vm_hwm_bytes", snap.memory.vm_hwm_bytes},
                   {"rss_bytes", snap.memory.rss_bytes}};
    if (!doc.caches.empty()) {
        ojson caches = ojson::array();
        for (const auto& [name, c] : doc.caches) {
            caches.push_back({{"name", name},
                              {"hits", c.hits},
                              {"misses", c.misses},
                              {"insertions", c.insertions},
                              {"updates", c.updates},
                              {"evictions_entries", c.evictions_entries},
                              {"evictions_bytes", c.evictions_bytes},
                              {"invalidations", c.invalidations},
                              {"rejections", c.rejections},
                              {"entries", static_cast<std::uint64_t>(c.entries)},
                              {"bytes", static_cast<std::uint64_t>(c.bytes)},
                              {"hit_rate", c.hit_rate()}});
        }
        j["caches"] = std::move(caches);
    }
    if (!snap.progress.empty()) {
        ojson progress = ojson::array();
        for (const auto& p : snap.progress)
            progress.push_back({{"elapsed_ns", p.elapsed_ns}, {"eyemaps", p.eyemaps}, {"types", p.types}, {"bytes_out", p.bytes_out}});
        j["progress"] = std::move(progress);
    }
    // Invalid UTF-8 in a user-chosen name must not make the export throw.
    return j.dump(2, ' ', false, ojson::error_handler_t::replace) + '\n';
}

std::string stats_to_csv(const StatsSnapshot& snap) {
    std::string out =
        "name,count,total_ns,min_ns,max_ns,mean_ns,p50_ns,p90_ns,p99_ns,slow_count,slow_threshold_ns,bytes,"
        "bytes_per_s\n";
    for (const auto& o : snap.ops) {
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(o.name), o.count, o.total_ns,
                           o.min_ns, o.max_ns, o.mean_ns, o.p50_ns, o.p90_ns, o.p99_ns, o.slow_count,
                           o.slow_threshold_ns, o.bytes, bytes_per_second(o));
    }
    return out;
}

StatsSnapshot stats_from_json(std::string_view text) { return stats_document_from_json(text).snapshot; }

StatsDocument stats_document_from_json(std::string_view text) {
    ojson j;
    try {
        j = ojson::parse(text.begin(), text.end());
    } catch (const ojson::exception& e) {  // parse_error, and out_of_range for a number beyond double (fuzz_stats)
        throw_input(fmt::format("stats JSON is not valid JSON: {}", e.what()));
    }
    if (!j.is_object()) throw_input("stats JSON must be an object");
    const ojson& schema = require(j, "schema", "");
    // /1 had two more cache counters (expirations, validation_failures); see stats.hpp.
    const bool v1 = schema.is_string() && schema.get<std::string>() == "eyemap-stats/1";
    if (!v1 && !(schema.is_string() && schema.get<std::string>() == "eyemap-stats/2"))
        throw_input("unsupported stats schema, expected \"eyemap-stats/2\" or \"eyemap-stats/1\"",
                    ErrorLocation{{}, 0, "schema", schema.dump().substr(0, 60)});

    StatsSnapshot snap;
    if (auto it = j.find("enabled"); it != j.end()) {
        if (!it->is_boolean()) throw_input("expected true or false", ErrorLocation{{}, 0, "enabled", it->dump()});
        snap.enabled = it->get<bool>();
    }
    snap.wall_ns = require_u64(j, "wall_ns", "");

    const ojson& ops = require(j, "ops", "");
    if (!ops.is_array()) throw_input("expected an array", ErrorLocation{{}, 0, "ops", {}});
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::string path = fmt::format("ops[{}].", i);
        const ojson& o = ops[i];
        if (!o.is_object()) throw_input("expected an object", ErrorLocation{{}, 0, path.substr(0, path.size() - 1), {}});
        OpStats s;
        const ojson& name = require(o, "name", path);
        if (!name.is_string() || name.get<std::string>().empty())
            throw_input("expected a non-empty string", ErrorLocation{{}, 0, path + "name", name.dump().substr(0, 60)});
        s.name = name.get<std::string>();
        s.count = require_u64(o, "count", path);
        s.total_ns = require_u64(o, "total_ns", path);
        s.min_ns = require_u64(o, "min_ns", path);
        s.max_ns = require_u64(o, "max_ns", path);
        s.mean_ns = require_u64(o, "mean_ns", path);
        s.p50_ns = require_u64(o, "p50_ns", path);
        s.p90_ns = require_u64(o, "p90_ns", path);
        s.p99_ns = require_u64(o, "p99_ns", path);
        s.slow_count = require_u64(o, "slow_count", path);
        s.slow_threshold_ns = require_u64(o, "slow_threshold_ns", path);
        s.bytes = require_u64(o, "bytes", path);
        snap.ops.push_back(std::move(s));
    }

    // Memory is optional so that timing-only producers can omit it.
    if (auto it = j.find("memory"); it != j.end()) {
        if (!it->is_object()) throw_input("expected an object", ErrorLocation{{}, 0, "memory", {}});
        snap.memory.peak_rss_bytes = require_u64(*it, "peak_rss_bytes", "memory.");
        snap.memory.vm_hwm_bytes = require_u64(*it, "vm_hwm_bytes", "memory.");
        snap.memory.rss_bytes = require_u64(*it, "rss_bytes", "memory.");
    }

    // Fields added within /1: all optional.
    if (auto it = j.find("progress"); it != j.end()) {
        if (!it->is_array()) throw_input("expected an array", ErrorLocation{{}, 0, "progress", {}});
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string path = fmt::format("progress[{}].", i);
            const ojson& p = (*it)[i];
            if (!p.is_object()) throw_input("expected an object", ErrorLocation{{}, 0, path.substr(0, path.size() - 1), {}});
            snap.progress.push_back(ProgressSample{require_u64(p, "elapsed_ns", path), require_u64(p, "eyemaps", path),
                                                   require_u64(p, "types", path), require_u64(p, "bytes_out", path)});
        }
    }
    StatsDocument doc;
    doc.snapshot = std::move(snap);
    if (auto it = j.find("version"); it != j.end()) {
        if (!it->is_string()) throw_input("expected a string", ErrorLocation{{}, 0, "version", it->dump().substr(0, 60)});
        doc.version = it->get<std::string>();
    }
    if (auto it = j.find("command"); it != j.end()) {
        if (!it->is_array()) throw_input("expected an array of strings", ErrorLocation{{}, 0, "command", {}});
        for (std::size_t i = 0; i < it->size(); ++i) {
            const ojson& a = (*it)[i];
            if (!a.is_string()) throw_input("expected a string", ErrorLocation{{}, 0, fmt::format("command[{}]", i), a.dump().substr(0, 60)});
            doc.command.push_back(a.get<std::string>());
        }
    }
    if (auto it = j.find("caches"); it != j.end()) {
        if (!it->is_array()) throw_input("expected an array", ErrorLocation{{}, 0, "caches", {}});
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string path = fmt::format("caches[{}].", i);
            const ojson& c = (*it)[i];
            if (!c.is_object()) throw_input("expected an object", ErrorLocation{{}, 0, path.substr(0, path.size() - 1), {}});
            NamedCacheStats n;
            const ojson& name = require(c, "name", path);
            if (!name.is_string()) throw_input("expected a string", ErrorLocation{{}, 0, path + "name", name.dump().substr(0, 60)});
            n.name = name.get<std::string>();
            n.stats.hits = require_u64(c, "hits", path);
            n.stats.misses = require_u64(c, "misses", path);
            n.stats.insertions = require_u64(c, "insertions", path);
            n.stats.updates = require_u64(c, "updates", path);
            n.stats.evictions_entries = require_u64(c, "evictions_entries", path);
            n.stats.evictions_bytes = require_u64(c, "evictions_bytes", path);
            n.stats.invalidations = require_u64(c, "invalidations", path);
            if (v1) {
                // Entries a validator rejected were dropped as invalid: shown with the invalidations, as
                // /1's table did. Expirations are checked and dropped (no TTL: always 0 from eyemap).
                require_u64(c, "expirations", path);
                const std::uint64_t rejected = require_u64(c, "validation_failures", path);
                n.stats.invalidations = rejected > UINT64_MAX - n.stats.invalidations ? UINT64_MAX : n.stats.invalidations + rejected;
            }
            n.stats.rejections = require_u64(c, "rejections", path);
            n.stats.entries = static_cast<std::size_t>(require_u64(c, "entries", path));
            n.stats.bytes = static_cast<std::size_t>(require_u64(c, "bytes", path));
            doc.caches.push_back(std::move(n));
        }
    }
    return doc;
}

}  // namespace eyemap

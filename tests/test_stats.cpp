// Tests of the Stats registry object: histogram percentiles, shard merging, independence of instances, reset,
// switches and exports.
#include "core/command_line.hpp"
#include "eyemap/error.hpp"
#include "eyemap/stats.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace std::chrono_literals;
using eyemap::OpId;
using eyemap::OpStats;

namespace {

OpStats get(const eyemap::Stats& stats, std::string_view name) {
    auto snap = stats.snapshot();
    const OpStats* o = eyemap::find_op(snap, name);
    REQUIRE(o != nullptr);
    return *o;
}

// Exact percentile of a sorted sample with the same rank convention (the value at rank ceil(q*n)).
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

bool within(std::uint64_t got, std::uint64_t want, double rel) {
    return std::abs(static_cast<double>(got) - static_cast<double>(want)) <= rel * static_cast<double>(want);
}

}  // namespace

TEST_CASE("Stats::op registers once and returns a stable handle", "[stats]") {
    eyemap::Stats stats;
    const OpId a = stats.op("reg_alpha");
    const OpId b = stats.op("reg_beta");
    CHECK(a != b);
    CHECK(stats.op("reg_alpha") == a);
    CHECK(stats.op_name(a) == "reg_alpha");
    CHECK(stats.op_name(OpId{}).empty());
    CHECK_THROWS_AS(stats.op(""), eyemap::Error);
}

TEST_CASE("count, total, min, max, mean and bytes are exact", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("basic_op");
    stats.record(op, 100ns, 10);
    stats.record(op, 300ns, 20);
    stats.record(op, 2us, 0);
    const OpStats s = get(stats, "basic_op");
    CHECK(s.count == 3);
    CHECK(s.total_ns == 2400);
    CHECK(s.min_ns == 100);
    CHECK(s.max_ns == 2000);
    CHECK(s.mean_ns == 800);
    CHECK(s.bytes == 30);
    CHECK(eyemap::bytes_per_second(s) == Approx(30.0 / 2400e-9));

    // A default handle and negative durations are harmless.
    stats.record(OpId{}, 5ns);
    stats.record(op, -5ns);
    CHECK(get(stats, "basic_op").min_ns == 0);
}

TEST_CASE("percentiles of uniform 1..1000 us", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("uniform_op");
    for (int us = 1; us <= 1000; ++us) stats.record(op, std::chrono::microseconds(us));
    const OpStats s = get(stats, "uniform_op");
    CHECK(s.count == 1000);
    CHECK(s.min_ns == 1'000);
    CHECK(s.max_ns == 1'000'000);
    CHECK(s.mean_ns == 500'500);
    // Interpolation inside a bucket makes a uniform distribution come out almost exact.
    CHECK(within(s.p50_ns, 500'000, 0.01));
    CHECK(within(s.p90_ns, 900'000, 0.01));
    CHECK(within(s.p99_ns, 990'000, 0.01));
}

TEST_CASE("percentiles of a log-normal sample stay within bucket resolution", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("lognormal_op");
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(std::log(50'000.0), 1.5);  // median 50 us, spans ns to seconds
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 20000; ++i) {
        const auto ns = static_cast<std::uint64_t>(dist(rng)) + 1;
        values.push_back(ns);
        stats.record(op, std::chrono::nanoseconds(ns));
    }
    std::sort(values.begin(), values.end());
    const OpStats s = get(stats, "lognormal_op");
    // A bucket is at most 1/8 of its lower bound wide.
    CHECK(within(s.p50_ns, exact_percentile(values, 0.50), 0.125));
    CHECK(within(s.p90_ns, exact_percentile(values, 0.90), 0.125));
    CHECK(within(s.p99_ns, exact_percentile(values, 0.99), 0.125));
    CHECK(s.min_ns == values.front());
    CHECK(s.max_ns == values.back());
    CHECK(s.p50_ns <= s.p90_ns);
    CHECK(s.p90_ns <= s.p99_ns);
}

TEST_CASE("percentiles at the histogram edges", "[stats]") {
    eyemap::Stats stats;
    SECTION("constant value is reported exactly") {
        const OpId op = stats.op("const_op");
        for (int i = 0; i < 100; ++i) stats.record(op, 1234ns);
        const OpStats s = get(stats, "const_op");
        CHECK(s.p50_ns == 1234);
        CHECK(s.p99_ns == 1234);
    }
    SECTION("two clusters") {
        const OpId op = stats.op("bimodal_op");
        for (int i = 0; i < 900; ++i) stats.record(op, 1us);
        for (int i = 0; i < 100; ++i) stats.record(op, 1ms);
        const OpStats s = get(stats, "bimodal_op");
        CHECK(within(s.p50_ns, 1'000, 0.125));
        // Interpolation spreads the 1 ms cluster over the part of its bucket below max.
        CHECK(within(s.p99_ns, 1'000'000, 0.02));
        CHECK(s.p99_ns <= 1'000'000);
    }
    SECTION("below 8 ns and beyond the last bucket") {
        const OpId op = stats.op("extreme_op");
        stats.record(op, 3ns);
        stats.record(op, 200s);
        stats.record(op, 300s);
        const OpStats s = get(stats, "extreme_op");
        CHECK(s.min_ns == 3);
        CHECK(s.max_ns == 300'000'000'000);
        CHECK(s.p99_ns <= s.max_ns);
        CHECK(s.p99_ns >= 200'000'000'000);
    }
}

TEST_CASE("records from several threads merge exactly, including exited threads", "[stats][threads]") {
    eyemap::Stats stats;
    const OpId op = stats.op("threads_op");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 50000;
    std::atomic<bool> stop{false};
    // A reader snapshots while the writers run: results must be sane, and TSan must stay quiet.
    std::thread reader([&] {
        while (!stop.load()) {
            auto snap = stats.snapshot();
            const OpStats* o = eyemap::find_op(snap, "threads_op");
            REQUIRE(o != nullptr);
            CHECK(o->count <= std::uint64_t{kThreads} * kPerThread);
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&stats, op, t] {
            for (int i = 0; i < kPerThread; ++i) stats.record(op, std::chrono::nanoseconds(100 + t), 1);
        });
    }
    for (auto& w : writers) w.join();
    stop = true;
    reader.join();

    const OpStats s = get(stats, "threads_op");
    CHECK(s.count == std::uint64_t{kThreads} * kPerThread);
    CHECK(s.bytes == std::uint64_t{kThreads} * kPerThread);
    CHECK(s.total_ns == std::uint64_t{kPerThread} * (100 + 101 + 102 + 103));
    CHECK(s.min_ns == 100);
    CHECK(s.max_ns == 103);

    // What exited threads recorded stays; a new thread adds to it.
    std::thread([&stats, op] { stats.record(op, 100ns); }).join();
    CHECK(get(stats, "threads_op").count == std::uint64_t{kThreads} * kPerThread + 1);
}

TEST_CASE("many threads recording into one Stats sum exactly", "[stats][threads]") {
    eyemap::Stats stats;
    const OpId op = stats.op("many_op");
    // More threads than shards, so several threads share a shard and its counters.
    constexpr int kThreads = 40;
    constexpr int kPerThread = 5000;
    std::latch start(kThreads);
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&stats, &start, op, t] {
            start.arrive_and_wait();
            // Registering from several threads at once finds the same handle.
            const OpId late = stats.op("many_late");
            for (int i = 0; i < kPerThread; ++i) {
                stats.record(op, std::chrono::nanoseconds(1000 + t), static_cast<std::uint64_t>(t));
                stats.record(late, std::chrono::nanoseconds(1 + i % 7));
            }
        });
    }
    for (auto& w : writers) w.join();

    std::uint64_t want_total = 0, want_bytes = 0;
    for (int t = 0; t < kThreads; ++t) {
        want_total += std::uint64_t{kPerThread} * static_cast<std::uint64_t>(1000 + t);
        want_bytes += std::uint64_t{kPerThread} * static_cast<std::uint64_t>(t);
    }
    const OpStats s = get(stats, "many_op");
    CHECK(s.count == std::uint64_t{kThreads} * kPerThread);
    CHECK(s.total_ns == want_total);
    CHECK(s.bytes == want_bytes);
    CHECK(s.min_ns == 1000);
    CHECK(s.max_ns == 1000 + kThreads - 1);
    CHECK(s.p50_ns >= s.min_ns);
    CHECK(s.p99_ns <= s.max_ns);
    const OpStats late = get(stats, "many_late");
    CHECK(late.count == std::uint64_t{kThreads} * kPerThread);
    CHECK(late.min_ns == 1);
    CHECK(late.max_ns == 7);
    CHECK(stats.snapshot().ops.size() == 2);
}

TEST_CASE("two Stats objects used from two threads stay independent", "[stats][threads]") {
    eyemap::Stats a;
    eyemap::Stats b;
    // Same name in both, registered at different positions, so the handles differ.
    const OpId a_shared = a.op("shared");
    const OpId a_only = a.op("only_a");
    const OpId b_only = b.op("only_b");
    const OpId b_shared = b.op("shared");
    CHECK(a_shared.index == 0);
    CHECK(b_shared.index == 1);
    CHECK(a.op_name(a_only) == "only_a");
    CHECK(b.op_name(a_only) == "shared");  // handles are per object: same index, another operation
    CHECK(b.op_name(OpId{2}).empty());
    a.set_slow_threshold(a_shared, 1us);

    constexpr int kN = 20000;
    std::latch start(2);
    std::thread ta([&] {
        start.arrive_and_wait();
        for (int i = 0; i < kN; ++i) {
            eyemap::ScopedTimer t(&a, a_shared);
            t.add_bytes(1);
        }
        for (int i = 0; i < kN; ++i) a.record(a_only, 2us);
    });
    std::thread tb([&] {
        start.arrive_and_wait();
        for (int i = 0; i < kN / 2; ++i) b.record(b_shared, 3us, 2);
        b.record(b_only, 5us);
    });
    ta.join();
    tb.join();

    const auto sa = a.snapshot();
    const auto sb = b.snapshot();
    REQUIRE(sa.ops.size() == 2);
    REQUIRE(sb.ops.size() == 2);
    CHECK(eyemap::find_op(sa, "only_b") == nullptr);
    CHECK(eyemap::find_op(sb, "only_a") == nullptr);
    CHECK(eyemap::find_op(sa, "shared")->count == kN);
    CHECK(eyemap::find_op(sa, "shared")->bytes == kN);
    CHECK(eyemap::find_op(sa, "shared")->slow_threshold_ns == 1000);
    CHECK(eyemap::find_op(sa, "only_a")->total_ns == std::uint64_t{kN} * 2000);
    CHECK(eyemap::find_op(sb, "shared")->count == kN / 2);
    CHECK(eyemap::find_op(sb, "shared")->total_ns == std::uint64_t{kN / 2} * 3000);
    CHECK(eyemap::find_op(sb, "shared")->bytes == std::uint64_t{kN});
    CHECK(eyemap::find_op(sb, "shared")->slow_threshold_ns == 0);
    CHECK(eyemap::find_op(sb, "only_b")->count == 1);

    // Switches, thresholds and reset act on one object only.
    a.set_enabled(false);
    CHECK(b.enabled());
    b.record(b_only, 5us);
    a.record(a_only, 5us);
    CHECK(get(b, "only_b").count == 2);
    CHECK(get(a, "only_a").count == kN);
    a.reset();
    CHECK(get(a, "shared").count == 0);
    CHECK(get(b, "shared").count == kN / 2);
    CHECK(b.slow_threshold(b_shared) == 0ns);
    CHECK(a.slow_threshold(a_shared) == 1us);

    // A handle index this object never issued is dropped, not recorded into an unnamed slot.
    b.record(OpId{7}, 1us);
    b.set_slow_threshold(OpId{7}, 1us);
    CHECK(b.slow_threshold(OpId{7}) == 0ns);
    CHECK(b.snapshot().ops.size() == 2);
}

TEST_CASE("a ScopedTimer with a null Stats records nothing", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("null_timer_op");
    {
        eyemap::ScopedTimer t(nullptr, op);
        t.add_bytes(5);
    }
    {
        eyemap::ScopedTimer t(nullptr, op);
        t.cancel();
    }
    const OpStats s = get(stats, "null_timer_op");
    CHECK(s.count == 0);
    CHECK(s.bytes == 0);
    // The same timer with the object does record.
    { eyemap::ScopedTimer t(&stats, op); }
    CHECK(get(stats, "null_timer_op").count == 1);
}

TEST_CASE("registration stops at kMaxStatsOps names", "[stats]") {
    eyemap::Stats stats;
    for (std::size_t i = 0; i < eyemap::kMaxStatsOps; ++i) stats.op("op_" + std::to_string(i));
    CHECK(stats.op("op_0").index == 0);  // finding an existing name still works
    try {
        stats.op("one_too_many");
        FAIL("registration past the limit accepted");
    } catch (const eyemap::Error& e) {
        CHECK(e.kind() == eyemap::ErrorKind::internal);
    }
    const OpId last{static_cast<std::uint32_t>(eyemap::kMaxStatsOps - 1)};
    stats.record(last, 1us);
    CHECK(get(stats, "op_511").count == 1);
}

TEST_CASE("reset zeroes counts, also those a live thread recorded", "[stats][threads]") {
    eyemap::Stats stats;
    const OpId op = stats.op("reset_op");
    stats.set_slow_threshold(op, 1us);
    std::latch recorded(1), reset_done(1), recorded_again(1);
    std::thread worker([&] {
        for (int i = 0; i < 10; ++i) stats.record(op, 5us, 7);
        recorded.count_down();
        reset_done.wait();
        for (int i = 0; i < 3; ++i) stats.record(op, 2us);
        recorded_again.count_down();
    });
    recorded.wait();
    stats.record(op, 5us);
    CHECK(get(stats, "reset_op").count == 11);

    stats.reset();
    const OpStats zeroed = get(stats, "reset_op");
    CHECK(zeroed.count == 0);
    CHECK(zeroed.total_ns == 0);
    CHECK(zeroed.bytes == 0);
    CHECK(zeroed.slow_count == 0);
    CHECK(zeroed.p50_ns == 0);
    CHECK(zeroed.slow_threshold_ns == 1000);  // configuration survives a reset

    reset_done.count_down();
    recorded_again.wait();
    worker.join();
    const OpStats after = get(stats, "reset_op");
    CHECK(after.count == 3);
    CHECK(after.total_ns == 6000);
    CHECK(after.min_ns == 2000);
    CHECK(after.max_ns == 2000);
    CHECK(after.slow_count == 3);
}

TEST_CASE("runtime switch: nothing is recorded while disabled", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("disabled_op");
    stats.set_enabled(false);
    CHECK_FALSE(stats.enabled());
    stats.record(op, 1ms, 100);
    {
        eyemap::ScopedTimer t(&stats, op);
        t.add_bytes(5);
    }
    auto snap = stats.snapshot();
    CHECK_FALSE(snap.enabled);
    CHECK(eyemap::find_op(snap, "disabled_op")->count == 0);
    CHECK(eyemap::find_op(snap, "disabled_op")->bytes == 0);

    stats.set_enabled(true);
    stats.record(op, 1ms, 100);
    CHECK(get(stats, "disabled_op").count == 1);
}

TEST_CASE("ScopedTimer records its lifetime and bytes", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("timer_op");
    const auto before = std::chrono::steady_clock::now();
    {
        eyemap::ScopedTimer t(&stats, op);
        t.add_bytes(1000);
        t.add_bytes(24);
    }
    const auto outer = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - before);
    {
        eyemap::ScopedTimer t(&stats, op);
        t.cancel();
    }
    const OpStats s = get(stats, "timer_op");
    CHECK(s.count == 1);
    CHECK(s.bytes == 1024);
    CHECK(s.total_ns <= static_cast<std::uint64_t>(outer.count()));

    // The EYEMAP_NO_STATS variant is an empty object with the same interface.
    STATIC_REQUIRE(std::is_empty_v<eyemap::NoopTimer>);
    {
        eyemap::NoopTimer t(&stats, op);
        t.add_bytes(5);
    }
    CHECK(get(stats, "timer_op").count == 1);
}

TEST_CASE("slow threshold counts calls strictly over it", "[stats]") {
    eyemap::Stats stats;
    const OpId op = stats.op("slow_op");
    stats.record(op, 10ms);  // no threshold yet: not slow
    stats.set_slow_threshold(op, 5ms);
    CHECK(stats.slow_threshold(op) == 5ms);
    stats.record(op, 4ms);
    stats.record(op, 5ms);  // equal is not over
    stats.record(op, 6ms);
    stats.record(op, 50ms);
    OpStats s = get(stats, "slow_op");
    CHECK(s.count == 5);
    CHECK(s.slow_count == 2);
    CHECK(s.slow_threshold_ns == 5'000'000);

    stats.set_slow_threshold(op, 0ns);
    stats.record(op, 60ms);
    s = get(stats, "slow_op");
    CHECK(s.slow_count == 2);
    CHECK(s.slow_threshold_ns == 0);
}

TEST_CASE("JSON round trip and schema", "[stats][json]") {
    eyemap::Stats stats;
    const OpId a = stats.op("json_a");
    const OpId b = stats.op("json, \"quoted\"");
    stats.set_slow_threshold(a, 2us);
    for (int i = 1; i <= 50; ++i) stats.record(a, std::chrono::microseconds(i), 3);
    stats.record(b, 7ms, 1 << 20);

    const auto snap = stats.snapshot();
    const std::string json = eyemap::stats_to_json(snap);
    CHECK(json.find("\"schema\": \"eyemap-stats/2\"") != std::string::npos);
    CHECK(json.find("\"bytes_per_s\"") != std::string::npos);
    const auto back = eyemap::stats_from_json(json);
    CHECK(back == snap);
    CHECK(eyemap::find_op(back, "json_a")->slow_count == 48);

    const std::string csv = eyemap::stats_to_csv(snap);
    CHECK(csv.starts_with("name,count,total_ns,"));
    CHECK(csv.find("\"json, \"\"quoted\"\"\",1,7000000,") != std::string::npos);
}

TEST_CASE("stats_from_json rejects bad input with eyemap::Error", "[stats][json]") {
    auto kind_of = [](const std::string& text) {
        try {
            eyemap::stats_from_json(text);
        } catch (const eyemap::Error& e) {
            return e.kind();
        }
        FAIL("no exception for: " << text);
        return eyemap::ErrorKind::internal;
    };
    const std::string op =
        R"({"name":"x","count":1,"total_ns":1,"min_ns":1,"max_ns":1,"mean_ns":1,"p50_ns":1,"p90_ns":1,)"
        R"("p99_ns":1,"slow_count":0,"slow_threshold_ns":0,"bytes":0})";
    CHECK_NOTHROW(eyemap::stats_from_json(R"({"schema":"eyemap-stats/2","wall_ns":5,"ops":[)" + op + "]}"));
    CHECK_NOTHROW(eyemap::stats_from_json(R"({"schema":"eyemap-stats/1","wall_ns":5,"ops":[)" + op + "]}"));
    CHECK(kind_of("{not json") == eyemap::ErrorKind::input);
    CHECK(kind_of("[]") == eyemap::ErrorKind::input);
    CHECK(kind_of(R"({"schema":"eyemap-stats/3","wall_ns":5,"ops":[]})") == eyemap::ErrorKind::input);
    CHECK(kind_of(R"({"wall_ns":5,"ops":[]})") == eyemap::ErrorKind::input);
    CHECK(kind_of(R"({"schema":"eyemap-stats/1","wall_ns":-5,"ops":[]})") == eyemap::ErrorKind::input);
    CHECK(kind_of(R"({"schema":"eyemap-stats/1","wall_ns":5,"ops":{}})") == eyemap::ErrorKind::input);
    std::string missing = op;
    missing.erase(missing.find(R"("bytes":0)") - 1);
    missing += "}";
    try {
        eyemap::stats_from_json(R"({"schema":"eyemap-stats/1","wall_ns":5,"ops":[)" + missing + "]}");
        FAIL("missing field accepted");
    } catch (const eyemap::Error& e) {
        CHECK(e.where().field == "ops[0].bytes");
    }
}

TEST_CASE("table lists operations that ran, sorted by total time", "[stats][table]") {
    eyemap::Stats stats;
    const OpId small = stats.op("table_small");
    const OpId large = stats.op("table_large");
    const OpId middle = stats.op("table_middle");
    stats.op("table_idle");
    stats.record(small, 1ms);
    stats.record(large, 3ms, 3'000'000);
    stats.record(middle, 1ms);
    stats.record(middle, 1ms);

    const std::string table = eyemap::stats_to_table(stats.snapshot());
    const auto p_large = table.find("table_large");
    const auto p_middle = table.find("table_middle");
    const auto p_small = table.find("table_small");
    REQUIRE(p_large != std::string::npos);
    REQUIRE(p_middle != std::string::npos);
    REQUIRE(p_small != std::string::npos);
    CHECK(p_large < p_middle);
    CHECK(p_middle < p_small);
    CHECK(table.find("table_idle") == std::string::npos);
    CHECK(table.find("50.0%") != std::string::npos);  // 3 ms of 6 ms
    CHECK(table.find("953.7 MiB/s") != std::string::npos);  // 3e6 bytes in 3 ms
    CHECK(table.find("wall ") != std::string::npos);

    // Columns line up: every row of the table has the same length.
    std::vector<std::size_t> lengths;
    for (std::size_t pos = 0; pos < table.size();) {
        const auto nl = table.find('\n', pos);
        const std::string line = table.substr(pos, nl - pos);
        if (line.starts_with("wall ") || line.starts_with("memory:")) break;
        lengths.push_back(line.size());
        pos = nl + 1;
    }
    REQUIRE(lengths.size() == 4);
    CHECK(std::all_of(lengths.begin(), lengths.end(), [&](std::size_t n) { return n == lengths.front(); }));
}

TEST_CASE("memory snapshot reports peak RSS", "[stats]") {
    const eyemap::MemoryStats m = eyemap::memory_snapshot();
    CHECK(m.peak_rss_bytes > 0);
#ifdef __linux__
    CHECK(m.vm_hwm_bytes > 0);
    CHECK(m.rss_bytes > 0);
    CHECK(m.rss_bytes <= m.vm_hwm_bytes);
#endif
}

TEST_CASE("progress samples: bounded, thinned by two, spread over the job, last kept", "[stats][progress]") {
    eyemap::Stats stats;
    stats.begin_progress();
    CHECK(stats.snapshot().progress.empty());
    const std::uint64_t n = 5000;
    for (std::uint64_t i = 0; i < n; ++i) stats.record_progress({i * 1000, i, i / 10, i * 100});
    stats.record_progress({n * 1000, n, n / 10, n * 100}, true);
    const auto p = stats.snapshot().progress;
    CHECK(p.size() <= eyemap::kMaxProgressSamples);
    CHECK(p.size() >= eyemap::kMaxProgressSamples / 2);
    CHECK(p.front().elapsed_ns == 0);
    CHECK(p.back() == eyemap::ProgressSample{n * 1000, n, n / 10, n * 100});
    for (std::size_t i = 1; i < p.size(); ++i) CHECK(p[i].elapsed_ns > p[i - 1].elapsed_ns);
    // Evenly spread: the gaps (but the last one) are equal.
    const auto gap = p[1].elapsed_ns - p[0].elapsed_ns;
    for (std::size_t i = 1; i + 1 < p.size(); ++i) CHECK(p[i].elapsed_ns - p[i - 1].elapsed_ns == gap);
    // A new job starts a new series; reset drops it too.
    stats.begin_progress();
    stats.record_progress({1, 2, 3, 4});
    CHECK(stats.snapshot().progress == std::vector<eyemap::ProgressSample>{{1, 2, 3, 4}});
    stats.reset();
    CHECK(stats.snapshot().progress.empty());
}

TEST_CASE("StatsDocument JSON: caches, version, command and progress round trip, and old files still read", "[stats][json]") {
    eyemap::Stats stats;
    const OpId a = stats.op("render_svg");
    stats.record(a, 3ms, 100);
    stats.begin_progress();
    stats.record_progress({0, 0, 0, 0});
    stats.record_progress({1'000'000, 12, 1, 4096}, true);
    eyemap::StatsDocument doc;
    doc.snapshot = stats.snapshot();
    eyemap::CacheStats c;
    c.hits = 9, c.misses = 3, c.insertions = 3, c.updates = 1, c.evictions_entries = 2, c.evictions_bytes = 4,
    c.invalidations = 6, c.rejections = 8, c.entries = 10, c.bytes = 11;
    doc.caches = {{"coordinates", c}, {"colours", {}}};
    doc.version = "1.2.3";
    doc.command = {"eyemap", "batch", "--run", "</script>&\"'<", std::string("bad \xff\xfe utf8")};

    const std::string json = eyemap::stats_to_json(doc);
    CHECK(json.find("\"hit_rate\": 0.75") != std::string::npos);
    const auto back = eyemap::stats_document_from_json(json);
    CHECK(back.snapshot == doc.snapshot);
    CHECK(back.version == "1.2.3");
    REQUIRE(back.command.size() == 5);
    CHECK(back.command[3] == "</script>&\"'<");
    CHECK(back.command[4] == "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8");  // invalid bytes written as U+FFFD
    REQUIRE(back.caches.size() == 2);
    CHECK(back.caches[0].name == "coordinates");
    const auto& b = back.caches[0].stats;
    CHECK((b.hits == 9 && b.misses == 3 && b.insertions == 3 && b.updates == 1 && b.evictions_entries == 2 && b.evictions_bytes == 4 &&
           b.invalidations == 6 && b.rejections == 8 && b.entries == 10 && b.bytes == 11));
    CHECK(json.find("expirations") == std::string::npos);  // /2: the cache has no TTL or validator
    CHECK(json.find("validation_failures") == std::string::npos);
    CHECK(back.caches[1].stats.gets() == 0);

    // The snapshot-only writer leaves the new fields out (no progress here), and a file without them reads.
    eyemap::Stats plain;
    plain.record(plain.op("x"), 1us);
    const std::string old = eyemap::stats_to_json(plain.snapshot());
    for (const char* k : {"\"caches\"", "\"version\"", "\"command\"", "\"progress\""}) CHECK(old.find(k) == std::string::npos);
    const auto old_doc = eyemap::stats_document_from_json(old);
    CHECK(old_doc.caches.empty());
    CHECK(old_doc.version.empty());
    CHECK(old_doc.command.empty());
    CHECK(old_doc.snapshot == eyemap::stats_from_json(old));

    // Bad new fields are input errors naming the field.
    auto field_of = [](const std::string& extra) {
        try {
            eyemap::stats_document_from_json(R"({"schema":"eyemap-stats/1","wall_ns":5,"ops":[],)" + extra + "}");
        } catch (const eyemap::Error& e) {
            CHECK(e.kind() == eyemap::ErrorKind::input);
            return e.where().field;
        }
        return std::string("accepted");
    };
    CHECK(field_of(R"("command":["a",1])") == "command[1]");
    CHECK(field_of(R"("version":3)") == "version");
    CHECK(field_of(R"("caches":[{"name":"c","hits":1}])") == "caches[0].misses");
    CHECK(field_of(R"("progress":[{"elapsed_ns":1,"eyemaps":-1,"types":0,"bytes_out":0}])") == "progress[0].eyemaps");
}

TEST_CASE("an eyemap-stats/1 document still reads: its validation failures count as invalidations", "[stats][json]") {
    const std::string v1 = R"({"schema": "eyemap-stats/1", "version": "0.1.0", "wall_ns": 5, "ops": [
      {"name": "render_svg", "count": 2, "total_ns": 10, "min_ns": 4, "max_ns": 6, "mean_ns": 5, "p50_ns": 4, "p90_ns": 6,
       "p99_ns": 6, "slow_count": 0, "slow_threshold_ns": 0, "bytes": 100, "bytes_per_s": 1e10}],
      "caches": [{"name": "metadata", "hits": 9, "misses": 3, "insertions": 3, "updates": 1, "evictions_entries": 2,
                  "evictions_bytes": 4, "expirations": 0, "invalidations": 6, "validation_failures": 7, "rejections": 8,
                  "entries": 10, "bytes": 11, "hit_rate": 0.75}]})";
    const auto doc = eyemap::stats_document_from_json(v1);
    CHECK(doc.version == "0.1.0");
    REQUIRE(doc.snapshot.ops.size() == 1);
    CHECK(doc.snapshot.ops[0].count == 2);
    REQUIRE(doc.caches.size() == 1);
    const auto& c = doc.caches[0].stats;
    CHECK((c.hits == 9 && c.misses == 3 && c.evictions() == 6 && c.invalidations == 13 && c.rejections == 8 && c.entries == 10));
    // /1 required both old counters; a /1 file without them is malformed, a /2 file needs neither.
    std::string no_expirations = v1;
    no_expirations.erase(no_expirations.find("\"expirations\": 0, "), 18);
    CHECK_THROWS_AS(eyemap::stats_document_from_json(no_expirations), eyemap::Error);
    std::string v2 = no_expirations;
    v2.replace(v2.find("eyemap-stats/1"), 14, "eyemap-stats/2");
    v2.erase(v2.find("\"validation_failures\": 7, "), 26);
    CHECK(eyemap::stats_document_from_json(v2).caches.at(0).stats.invalidations == 6);
}

TEST_CASE("process_command_line is this test's argv", "[stats]") {
    const auto args = eyemap::process_command_line();
#ifdef __linux__
    REQUIRE(!args.empty());
    CHECK(args[0].find("test_stats") != std::string::npos);
#endif
}

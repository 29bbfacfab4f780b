// Tests of core/lru_cache: eyemap::Cache (LRU order, limits, invalidation, statistics, threads) and its statistics table.
#include "core/lru_cache.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using eyemap::Cache;
using eyemap::CacheConfig;
using eyemap::CacheStats;

namespace {

CacheConfig one_shard(std::size_t max_entries, std::size_t max_bytes = 0) {
    CacheConfig c;
    c.max_entries = max_entries;
    c.max_bytes = max_bytes;
    c.shards = 1;  // exact LRU order needs a single shard
    return c;
}

template <class V>
std::shared_ptr<const V> sp(V v) {
    return std::make_shared<const V>(std::move(v));
}

// Every key hashes to the same value: only equality can tell keys apart.
struct CollidingHash {
    std::size_t operator()(int) const noexcept { return 42; }
};

}  // namespace

TEST_CASE("cache: get after put, miss for absent key") {
    Cache<int, std::string> c(one_shard(10));
    CHECK(c.get(1) == nullptr);
    c.put(1, sp<std::string>("one"), 3);
    auto v = c.get(1);
    REQUIRE(v);
    CHECK(*v == "one");
    const CacheStats s = c.stats();
    CHECK(s.hits == 1);
    CHECK(s.misses == 1);
    CHECK(s.insertions == 1);
    CHECK(s.entries == 1);
    CHECK(s.bytes == 3);
}

TEST_CASE("cache: LRU order, touching an entry protects it") {
    Cache<int, int> c(one_shard(3));
    c.put(1, sp(10), 1);
    c.put(2, sp(20), 1);
    c.put(3, sp(30), 1);
    REQUIRE(c.get(1));  // 1 becomes most recent; 2 is now the LRU entry
    c.put(4, sp(40), 1);
    CHECK(c.get(2) == nullptr);
    CHECK(c.get(1));
    CHECK(c.get(3));
    CHECK(c.get(4));
    // Order now (old -> new): 1, 3, 4. Re-putting 1 also refreshes it.
    c.put(1, sp(11), 1);
    c.put(5, sp(50), 1);
    CHECK(c.get(3) == nullptr);
    REQUIRE(c.get(1));
    CHECK(*c.get(1) == 11);
    const CacheStats s = c.stats();
    CHECK(s.evictions_entries == 2);
    CHECK(s.evictions_bytes == 0);
    CHECK(s.updates == 1);
    CHECK(s.insertions == 5);
    CHECK(s.entries == 3);
}

TEST_CASE("cache: entry capacity evicts and counts") {
    Cache<int, int> c(one_shard(5));
    for (int i = 0; i < 20; ++i) c.put(i, sp(i), 1);
    const CacheStats s = c.stats();
    CHECK(s.entries == 5);
    CHECK(s.evictions_entries == 15);
    CHECK(s.evictions() == 15);
    for (int i = 0; i < 15; ++i) CHECK(c.get(i) == nullptr);
    for (int i = 15; i < 20; ++i) CHECK(c.get(i));
}

TEST_CASE("cache: byte capacity evicts and counts, oversize entries are rejected") {
    Cache<int, int> c(one_shard(0, 100));
    c.put(1, sp(1), 40);
    c.put(2, sp(2), 40);
    CHECK(c.stats().bytes == 80);
    c.put(3, sp(3), 40);  // 120 > 100: the LRU entry (1) goes
    CHECK(c.get(1) == nullptr);
    CHECK(c.get(2));
    CHECK(c.get(3));
    c.put(4, sp(4), 90);  // needs both 2 and 3 to go
    CacheStats s = c.stats();
    CHECK(s.evictions_bytes == 3);
    CHECK(s.evictions_entries == 0);
    CHECK(s.entries == 1);
    CHECK(s.bytes == 90);

    c.put(5, sp(5), 101);  // larger than the whole cache: not stored, nothing evicted
    s = c.stats();
    CHECK(c.get(5) == nullptr);
    CHECK(s.rejections == 1);
    CHECK(s.entries == 1);

    // Replacing a stored entry with an oversize value must drop the stale one.
    c.put(4, sp(44), 500);
    CHECK(c.get(4) == nullptr);
    s = c.stats();
    CHECK(s.rejections == 2);
    CHECK(s.invalidations == 1);
    CHECK(s.entries == 0);
    CHECK(s.bytes == 0);

    // Updating an entry adjusts the byte count.
    c.put(6, sp(6), 10);
    c.put(6, sp(6), 30);
    CHECK(c.stats().bytes == 30);
}

TEST_CASE("cache: both limits at once attribute evictions to the limit that was exceeded") {
    Cache<int, int> c(one_shard(3, 100));
    c.put(1, sp(1), 10);
    c.put(2, sp(2), 10);
    c.put(3, sp(3), 10);
    c.put(4, sp(4), 10);  // 4 entries > 3: 1 goes (entry limit)
    c.put(5, sp(5), 90);  // 4 entries, 120 bytes: 2 goes (entry limit), then 3 (110 > 100 bytes)
    const CacheStats s = c.stats();
    CHECK(s.evictions_entries == 2);
    CHECK(s.evictions_bytes == 1);
    CHECK(c.get(4));
    CHECK(c.get(5));
    CHECK(s.entries == 2);
    CHECK(s.bytes == 100);
}

TEST_CASE("cache: invalidate by key, by predicate, clear") {
    Cache<int, std::string> c(one_shard(100));
    for (int i = 0; i < 10; ++i) c.put(i, sp(std::to_string(i)), 2);
    CHECK(c.invalidate(3));
    CHECK_FALSE(c.invalidate(3));
    CHECK_FALSE(c.invalidate(1000));
    CHECK(c.get(3) == nullptr);
    CHECK(c.stats().invalidations == 1);

    // Even keys, and the value "9".
    const std::size_t n = c.invalidate_if([](const int& k, const std::string& v) { return k % 2 == 0 || v == "9"; });
    CHECK(n == 6);
    for (int i : {1, 5, 7}) CHECK(c.get(i));
    for (int i : {0, 2, 4, 6, 8, 9}) CHECK(c.get(i) == nullptr);
    CacheStats s = c.stats();
    CHECK(s.invalidations == 7);
    CHECK(s.entries == 3);
    CHECK(s.bytes == 6);

    c.clear();
    s = c.stats();
    CHECK(s.entries == 0);
    CHECK(s.bytes == 0);
    CHECK(s.invalidations == 10);
    CHECK(c.get(1) == nullptr);
    // Usable after clear, and the LRU list is intact.
    c.put(1, sp<std::string>("x"), 1);
    CHECK(*c.get(1) == "x");
}

TEST_CASE("cache: statistics arithmetic and reset") {
    Cache<int, int> c(one_shard(4));
    int gets = 0;
    for (int i = 0; i < 8; ++i) c.put(i, sp(i), 1);
    for (int i = 0; i < 8; ++i, ++gets) (void)c.get(i);  // 4 misses, 4 hits
    (void)c.get(100);
    ++gets;
    CacheStats s = c.stats();
    CHECK(s.hits == 4);
    CHECK(s.misses == 5);
    CHECK(s.gets() == static_cast<std::uint64_t>(gets));
    CHECK(s.hit_rate() == Approx(4.0 / 9.0));
    // Every entry that ever existed is either still there or was counted as leaving.
    CHECK(s.insertions - s.evictions() - s.invalidations == s.entries);

    c.reset_stats();
    s = c.stats();
    CHECK(s.hits == 0);
    CHECK(s.misses == 0);
    CHECK(s.insertions == 0);
    CHECK(s.evictions() == 0);
    CHECK(s.hit_rate() == 0.0);
    CHECK(s.entries == 4);  // contents untouched
    CHECK(s.bytes == 4);

    CacheStats a, b;
    a.hits = 3;
    a.misses = 1;
    b.hits = 1;
    b.misses = 3;
    a += b;
    CHECK(a.hit_rate() == Approx(0.5));
}

TEST_CASE("cache: colliding hash never mixes keys") {
    CacheConfig cfg;
    cfg.max_entries = 10000;
    cfg.shards = 4;  // all keys land in one shard and one bucket
    Cache<int, int, CollidingHash> c(cfg);
    for (int i = 0; i < 500; ++i) c.put(i, sp(i * 7), 1);
    for (int i = 0; i < 500; ++i) {
        auto v = c.get(i);
        REQUIRE(v);
        CHECK(*v == i * 7);
    }
    CHECK(c.get(500) == nullptr);  // same hash, different key: a miss
    CHECK(c.invalidate(250));
    CHECK(c.get(250) == nullptr);
    CHECK(*c.get(249) == 249 * 7);
    CHECK(*c.get(251) == 251 * 7);

    // The coordinate cache's situation: key = (content hash, full column list).
    struct Key {
        std::uint64_t hash;
        std::vector<int> columns;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept { return k.hash; }
    };
    Cache<Key, std::string, KeyHash> cc(CacheConfig{});
    cc.put(Key{1, {1, 2, 3}}, sp<std::string>("abc"), 1);
    CHECK(cc.get(Key{1, {1, 2, 4}}) == nullptr);
    CHECK(*cc.get(Key{1, {1, 2, 3}}) == "abc");
}

TEST_CASE("cache: disabled cache stores nothing, every get misses") {
    CacheConfig cfg;
    cfg.enabled = false;
    Cache<int, int> c(cfg);
    c.put(1, sp(1), 1);
    CHECK(c.get(1) == nullptr);
    c.put(5, sp(10), 8);
    CHECK(c.get(5) == nullptr);
    const CacheStats s = c.stats();
    CHECK(s.entries == 0);
    CHECK(s.insertions == 0);
    CHECK(s.hits == 0);
    CHECK(s.misses == 2);
}

TEST_CASE("cache: a reader keeps its value alive after eviction") {
    Cache<int, std::string> c(one_shard(1));
    c.put(1, sp<std::string>("kept"), 1);
    auto v = c.get(1);
    c.put(2, sp<std::string>("other"), 1);  // evicts 1
    CHECK(c.get(1) == nullptr);
    REQUIRE(v);
    CHECK(*v == "kept");
    CHECK(v.use_count() == 1);
}

TEST_CASE("cache: invalid configs and arguments are input errors") {
    CacheConfig cfg;
    cfg.shards = 0;
    try {
        Cache<int, int> c(cfg);
        FAIL("0 shards accepted");
    } catch (const eyemap::Error& e) {
        CHECK(e.kind() == eyemap::ErrorKind::input);
        CHECK(e.where().field == "shards");
    }
    cfg.shards = 4097;
    CHECK_THROWS_AS((Cache<int, int>(cfg)), eyemap::Error);

    Cache<int, int> c(CacheConfig{});
    CHECK_THROWS_AS(c.put(1, nullptr, 1), eyemap::Error);
}

TEST_CASE("cache: shards are capped so each can hold an entry, limits are split exactly") {
    CacheConfig cfg;
    cfg.max_entries = 3;
    cfg.shards = 8;
    Cache<int, int> c(cfg);
    CHECK(c.shard_count() == 3);
    for (int i = 0; i < 1000; ++i) c.put(i, sp(i), 1);
    CHECK(c.stats().entries <= 3);

    cfg.max_entries = 1000;
    cfg.shards = 7;
    Cache<int, int> d(cfg);
    CHECK(d.shard_count() == 7);
    for (int i = 0; i < 100000; ++i) d.put(i, sp(i), 1);
    CHECK(d.stats().entries == 1000);  // the per-shard limits sum to exactly max_entries
}

TEST_CASE("cache: concurrent mixed operations keep statistics consistent") {
    for (std::size_t shards : {std::size_t{1}, std::size_t{4}}) {
        CacheConfig cfg;
        cfg.max_entries = 256;
        cfg.max_bytes = 256 * 64;
        cfg.shards = shards;
        Cache<int, std::pair<int, int>> c(cfg);
        constexpr int kThreads = 4;
        constexpr int kOps = 100000;
        std::atomic<std::uint64_t> gets{0};
        std::atomic<int> wrong{0};

        auto work = [&](int t) {
            std::mt19937 rng(static_cast<unsigned>(1234 + t));
            std::uniform_int_distribution<int> key_dist(0, 999);
            std::uniform_int_distribution<int> op_dist(0, 999);
            std::uint64_t my_gets = 0;
            for (int i = 0; i < kOps; ++i) {
                const int k = key_dist(rng);
                const int op = op_dist(rng);
                if (op < 600) {
                    ++my_gets;
                    if (auto v = c.get(k); v && v->first != k) ++wrong;
                } else if (op < 850) {
                    c.put(k, sp(std::pair{k, t}), static_cast<std::size_t>(1 + k % 100));
                } else if (op < 950) {  // get, and on a miss put: what the renderer's caches do
                    ++my_gets;
                    auto v = c.get(k);
                    if (!v) c.put(k, v = sp(std::pair{k, t}), 32);
                    if (v->first != k) ++wrong;
                } else if (op < 990) {
                    c.invalidate(k);
                } else if (op < 996) {
                    (void)c.stats();
                } else if (op < 999) {
                    c.invalidate_if([k](const int& key, const std::pair<int, int>&) { return key % 97 == k % 97; });
                } else {
                    c.clear();
                }
            }
            gets += my_gets;
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) threads.emplace_back(work, t);
        for (auto& th : threads) th.join();

        const CacheStats s = c.stats();
        INFO("shards " << shards);
        CHECK(wrong == 0);
        CHECK(s.hits + s.misses == gets.load());
        CHECK(s.entries <= cfg.max_entries);
        CHECK(s.bytes <= cfg.max_bytes);
        CHECK(s.insertions - s.evictions() - s.invalidations == s.entries);
        CHECK(s.hits > 0);
        CHECK(s.evictions() > 0);
        // The entry count matches the entries actually present.
        std::size_t entries = 0;
        c.invalidate_if([&](const int&, const std::pair<int, int>&) {
            ++entries;
            return false;
        });
        CHECK(entries == s.entries);
    }
}

TEST_CASE("cache_stats_table: aligned rows with a total") {
    CacheStats coords;
    coords.hits = 90;
    coords.misses = 10;
    coords.insertions = 10;
    coords.entries = 10;
    coords.bytes = 3 * 1024 * 1024;
    CacheStats colours;
    colours.misses = 5;
    const std::vector<eyemap::NamedCacheStats> rows{{"coordinates", coords}, {"colours", colours},
                                                                {"metadata", CacheStats{}}};
    const std::string t = eyemap::cache_stats_table(rows);
    INFO(t);
    CHECK(t.find("coordinates") != std::string::npos);
    CHECK(t.find("90.0%") != std::string::npos);
    CHECK(t.find("3.0 MiB") != std::string::npos);
    CHECK(t.find("total") != std::string::npos);
    // All lines have the same width.
    std::vector<std::size_t> widths;
    std::size_t start = 0;
    for (std::size_t nl; (nl = t.find('\n', start)) != std::string::npos; start = nl + 1) widths.push_back(nl - start);
    REQUIRE(widths.size() == 7);  // header, rule, 3 rows, rule, total
    for (std::size_t w : widths) CHECK(w == widths[0]);
}

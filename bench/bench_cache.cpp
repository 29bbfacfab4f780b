// Contention benchmark of eyemap::Cache: 1 shard vs several, 1 vs 2 threads, gets and a get/put mix.
//
// How to read it: with threads:2 the "Time" column is wall time / total operations of both threads
// (aggregate cost per op); CPU ~= 2 x Time means the threads really ran in parallel. On a shared box
// discard runs where that does not hold.
//
// Measured on the 2-core build machine (GCC 12 -O2, --benchmark_min_time=0.2, 1024 resident keys,
// BM_CacheGet, ns per get, clean runs only):
//   shards            1       2       4       8      16      32
//   1 thread       16-23   25-30   24-27   24-27   25-31   31-33
//   2 threads      ~140    ~120     ~88     ~70     ~58     ~46   plain std::mutex
//   2 threads      ~112     ~80     ~63     ~52     ~45     ~45   mutex with a 16-64 try_lock spin
// Contention (futex sleeps) falls with the shard count; the rest of the 2-thread cost is cache-line
// traffic from LRU relinking, which sharding cannot remove. Default: 16 shards with the short spin.
#include "core/lru_cache.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>

namespace {

using BenchCache = eyemap::Cache<std::uint64_t, std::uint64_t>;
constexpr std::uint64_t kKeys = 1024;

std::unique_ptr<BenchCache> g_cache;

void setup(const benchmark::State& state) {
    eyemap::CacheConfig cfg;
    cfg.max_entries = 2 * kKeys;  // everything fits: measures locking, not eviction
    cfg.shards = static_cast<std::size_t>(state.range(0));
    g_cache = std::make_unique<BenchCache>(cfg);
    for (std::uint64_t k = 0; k < kKeys; ++k) g_cache->put(k, std::make_shared<const std::uint64_t>(k), 8);
}

// Cheap per-thread random keys so the generator does not dominate.
struct XorShift {
    std::uint64_t s;
    std::uint64_t next() noexcept {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

void BM_CacheGet(benchmark::State& state) {
    if (state.thread_index() == 0) setup(state);
    XorShift rng{0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(state.thread_index() + 1)};
    for (auto _ : state) {
        auto v = g_cache->get(rng.next() % kKeys);
        benchmark::DoNotOptimize(v);
    }
    if (state.thread_index() == 0) g_cache.reset();
    state.SetItemsProcessed(state.iterations());
}

// 90 % gets, 10 % puts (replacing a resident key), like a renderer revisiting columns.
void BM_CacheMixed(benchmark::State& state) {
    if (state.thread_index() == 0) setup(state);
    XorShift rng{0x2545f4914f6cdd1dULL * static_cast<std::uint64_t>(state.thread_index() + 1)};
    auto value = std::make_shared<const std::uint64_t>(1);
    for (auto _ : state) {
        const std::uint64_t r = rng.next();
        const std::uint64_t k = r % kKeys;
        if ((r >> 32) % 10 == 0) {
            g_cache->put(k, value, 8);
        } else {
            auto v = g_cache->get(k);
            benchmark::DoNotOptimize(v);
        }
    }
    if (state.thread_index() == 0) g_cache.reset();
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_CacheGet)->ArgName("shards")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_CacheMixed)->ArgName("shards")->Arg(1)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Threads(1)->Threads(2)->UseRealTime();

// eyemap::Cache: the one generic thread-safe sharded LRU cache behind the coordinate, colour and metadata caches.
#pragma once

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "core/hash.hpp"
#include "eyemap/stats.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <concepts>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace eyemap {

// ---------------------------------------------------------------------------------------------
// Configuration and statistics.

struct CacheConfig {
    bool enabled = true;              // false: every get misses, nothing is stored (results must not change)
    std::size_t max_entries = 4096;   // 0 = no entry limit
    std::size_t max_bytes = 64u << 20;  // 0 = no byte limit; sizes are what callers pass to put()
    // Independent LRU lists, each with its own mutex. Limits are split evenly between shards, so LRU
    // order is exact only within a shard and an entry larger than max_bytes / shards is not stored.
    // 16: with 2 threads hammering gets it halves the cost per get against 4 shards and is ~3x
    // cheaper than 1 shard, while a single thread pays only a few ns (bench/bench_cache.cpp).
    std::size_t shards = 16;
};

// Throws eyemap::Error (input) for a config that cannot work (0 or more than 4096 shards).
void validate_cache_config(const CacheConfig& cfg);

namespace detail {

// std::mutex that spins briefly before sleeping. glibc's mutex goes straight to a futex wait on
// contention, which costs microseconds; the cache's critical sections are ~20 ns, so a short spin
// nearly always gets the lock first (bench/bench_cache.cpp measures the difference).
class ShardMutex {
public:
    void lock() {
        for (int i = 0; i < kSpins; ++i) {
            if (m_.try_lock()) return;
            relax();
        }
        m_.lock();
    }
    bool try_lock() { return m_.try_lock(); }
    void unlock() { m_.unlock(); }

private:
    // 16 measured as good as 64 and wastes less when threads outnumber cores.
    static constexpr int kSpins = 16;
    static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }
    std::mutex m_;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// The cache.
//
// Values are std::shared_ptr<const V>: a reader keeps its value alive even if the entry is evicted
// meanwhile, and values are never mutated in place. Keys are compared with Eq; Hash only picks the
// shard and bucket, so colliding hashes cost speed, never correctness.
template <class K, class V, class Hash = std::hash<K>, class Eq = std::equal_to<K>>
class Cache {
public:
    using key_type = K;
    using value_type = V;
    using Value = std::shared_ptr<const V>;

    explicit Cache(CacheConfig cfg = {}, Hash hash = Hash{}, Eq eq = Eq{}) : cfg_(cfg), hash_(hash) {
        validate_cache_config(cfg_);
        std::size_t n = cfg_.shards;
        // Never more shards than entries or bytes, so that every shard can hold at least one entry.
        if (cfg_.max_entries) n = std::min(n, cfg_.max_entries);
        if (cfg_.max_bytes) n = std::min(n, cfg_.max_bytes);
        shard_count_ = n;
        shards_ = std::make_unique<Shard[]>(n);
        for (std::size_t i = 0; i < n; ++i) {
            Shard& s = shards_[i];
            s.map = Map(0, hash, eq);
            s.max_entries = split(cfg_.max_entries, n, i);
            s.max_bytes = cfg_.max_bytes ? split(cfg_.max_bytes, n, i) : std::numeric_limits<std::size_t>::max();
        }
    }

    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    const CacheConfig& config() const noexcept { return cfg_; }
    // Effective number of shards (cfg.shards capped so every shard can hold an entry).
    std::size_t shard_count() const noexcept { return shard_count_; }

    // The value for key, or null on a miss (absent or disabled).
    Value get(const K& key) {
        Shard& s = shard_for(key);
        std::lock_guard lock(s.mu);
        if (!cfg_.enabled) {
            ++s.c.misses;
            return nullptr;
        }
        auto it = s.map.find(key);
        if (it == s.map.end()) {
            ++s.c.misses;
            return nullptr;
        }
        s.touch(it->second);
        ++s.c.hits;
        return it->second.value;
    }

    // Stores (or replaces) key's value. bytes: the entry's size for the byte limit.
    void put(const K& key, Value value, std::size_t bytes) {
        if (!value) throw_input("cache put: null value (a null value would be indistinguishable from a miss)");
        if (!cfg_.enabled) return;

        Shard& s = shard_for(key);
        Graveyard dropped;  // destroyed after the lock is released (V's destructor may be costly)
        std::lock_guard lock(s.mu);
        auto it = s.map.find(key);
        if (bytes > s.max_bytes) {
            ++s.c.rejections;
            if (it != s.map.end()) {
                // The caller replaced the value: the old one must not be served any more.
                ++s.c.invalidations;
                erase(s, it, dropped);
            }
            return;
        }
        if (it != s.map.end()) {
            Entry& e = it->second;
            ++s.c.updates;
            s.bytes -= e.bytes;
            dropped.push_back(std::move(e.value));
            e.value = std::move(value);
            e.bytes = bytes;
            s.bytes += bytes;
            s.touch(e);
        } else {
            const auto pos = s.map.try_emplace(key).first;
            Entry& e = pos->second;
            e.key = &pos->first;
            e.value = std::move(value);
            e.bytes = bytes;
            s.bytes += bytes;
            s.link_front(e);
            ++s.c.insertions;
        }
        // The new entry is at the front and fits alone, so the loop stops before reaching it.
        while ((s.max_entries && s.map.size() > s.max_entries) || s.bytes > s.max_bytes) {
            Entry& victim = *static_cast<Entry*>(s.head.prev);
            if (s.max_entries && s.map.size() > s.max_entries) ++s.c.evictions_entries;
            else ++s.c.evictions_bytes;
            erase(s, s.map.find(*victim.key), dropped);
        }
    }

    // Drops key's entry; true if there was one.
    bool invalidate(const K& key) {
        Shard& s = shard_for(key);
        Graveyard dropped;
        std::lock_guard lock(s.mu);
        auto it = s.map.find(key);
        if (it == s.map.end()) return false;
        ++s.c.invalidations;
        erase(s, it, dropped);
        return true;
    }

    // Drops every entry for which pred(key, value) is true; returns how many.
    // pred runs under a shard lock: it must not call back into this cache.
    template <class P>
    std::size_t invalidate_if(P&& pred) {
        return erase_if_counted(
            [&pred](const K& key, const Entry& e) { return std::invoke(pred, key, std::as_const(*e.value)); },
            &Counters::invalidations);
    }

    // Drops everything; the dropped entries count as invalidations.
    void clear() { erase_if_counted([](const K&, const Entry&) { return true; }, &Counters::invalidations); }

    // Summed over shards; each shard is read under its lock.
    CacheStats stats() const {
        CacheStats out;
        for (std::size_t i = 0; i < shard_count_; ++i) {
            const Shard& s = shards_[i];
            std::lock_guard lock(s.mu);
            CacheStats one = s.c;
            one.entries = s.map.size();
            one.bytes = s.bytes;
            out += one;
        }
        return out;
    }

    // Zeroes the counters; current entries and bytes are unchanged.
    void reset_stats() {
        for (std::size_t i = 0; i < shard_count_; ++i) {
            Shard& s = shards_[i];
            std::lock_guard lock(s.mu);
            s.c = Counters{};
        }
    }

private:
    // Intrusive doubly-linked LRU list through the map's nodes (unordered_map nodes never move),
    // which saves a separate list allocation and a second copy of every key.
    struct Links {
        Links* prev = this;
        Links* next = this;
    };
    struct Entry : Links {
        const K* key = nullptr;  // the map node's key, for erasing the LRU tail
        Value value;
        std::size_t bytes = 0;
    };
    using Map = std::unordered_map<K, Entry, Hash, Eq>;
    using Counters = CacheStats;  // entries/bytes members unused here: they come from the map
    // Values removed under a lock, released after it (the last reference runs V's destructor).
    // The first one is held inline: a put usually evicts at most one entry, so no allocation.
    struct Graveyard {
        Value one;
        std::vector<Value> more;
        void push_back(Value v) {
            if (!one) one = std::move(v);
            else more.push_back(std::move(v));
        }
    };

    // Own cache line per shard so that two threads on different shards do not false-share.
    struct alignas(64) Shard {
        mutable detail::ShardMutex mu;
        Map map;
        Links head;  // head.next = most recently used, head.prev = least
        std::size_t bytes = 0;
        std::size_t max_entries = 0;                                 // 0 = unlimited
        std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
        Counters c;

        void unlink(Links& e) noexcept {
            e.prev->next = e.next;
            e.next->prev = e.prev;
        }
        void link_front(Links& e) noexcept {
            e.prev = &head;
            e.next = head.next;
            head.next->prev = &e;
            head.next = &e;
        }
        void touch(Links& e) noexcept {
            if (head.next == &e) return;
            unlink(e);
            link_front(e);
        }
    };

    static std::size_t split(std::size_t total, std::size_t n, std::size_t i) noexcept {
        return total / n + (i < total % n ? 1 : 0);
    }

    Shard& shard_for(const K& key) const {
        if (shard_count_ == 1) return shards_[0];
        // Re-mix: std::hash of integers is the identity, and the map buckets use the same hash.
        // Multiply-shift of the top 32 bits instead of % (a 64-bit division costs ~15 ns here);
        // shard_count_ <= 4096 keeps the product within 64 bits.
        const std::uint64_t h = mix64(static_cast<std::uint64_t>(hash_(key)));
        return shards_[((h >> 32) * shard_count_) >> 32];
    }

    void erase(Shard& s, typename Map::iterator it, Graveyard& dropped) {
        Entry& e = it->second;
        s.unlink(e);
        s.bytes -= e.bytes;
        dropped.push_back(std::move(e.value));
        s.map.erase(it);
    }

    template <class Pred>
    std::size_t erase_if_counted(Pred pred, std::uint64_t Counters::*counter) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < shard_count_; ++i) {
            Shard& s = shards_[i];
            Graveyard dropped;
            std::lock_guard lock(s.mu);
            for (auto it = s.map.begin(); it != s.map.end();) {
                auto next = std::next(it);
                if (pred(std::as_const(it->first), std::as_const(it->second))) {
                    ++(s.c.*counter);
                    ++n;
                    erase(s, it, dropped);
                }
                it = next;
            }
        }
        return n;
    }

    CacheConfig cfg_;
    Hash hash_;
    std::size_t shard_count_ = 1;
    std::unique_ptr<Shard[]> shards_;
};

}  // namespace eyemap

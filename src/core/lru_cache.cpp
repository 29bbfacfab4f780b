// Non-template parts of core/lru_cache.hpp: config validation, statistics sums and table.
#include "core/lru_cache.hpp"
#include "core/throw.hpp"

#include "core/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace eyemap {

CacheStats& CacheStats::operator+=(const CacheStats& o) noexcept {
    hits += o.hits;
    misses += o.misses;
    insertions += o.insertions;
    updates += o.updates;
    evictions_entries += o.evictions_entries;
    evictions_bytes += o.evictions_bytes;
    invalidations += o.invalidations;
    rejections += o.rejections;
    entries += o.entries;
    bytes += o.bytes;
    return *this;
}

void validate_cache_config(const CacheConfig& cfg) {
    if (cfg.shards == 0) throw_input("cache config: shards must be at least 1", {{}, 0, "shards", "0"});
    if (cfg.shards > 4096)
        throw_input("cache config: more than 4096 shards", {{}, 0, "shards", std::to_string(cfg.shards)});
}


std::string cache_stats_table(std::span<const NamedCacheStats> caches) {
    static constexpr std::array<const char*, 10> header{"cache",   "hits",    "misses",  "hit rate", "inserts",
                                                        "evicted", "invalid", "rejected", "entries", "bytes"};
    auto row = [](const std::string& name, const CacheStats& s) {
        return std::array<std::string, 10>{
            name,
            std::to_string(s.hits),
            std::to_string(s.misses),
            s.gets() ? fmt::format("{:.1f}%", 100.0 * s.hit_rate()) : std::string("-"),
            std::to_string(s.insertions + s.updates),
            std::to_string(s.evictions()),
            std::to_string(s.invalidations),
            std::to_string(s.rejections),
            std::to_string(s.entries),
            human_bytes(static_cast<double>(s.bytes)),
        };
    };

    std::vector<std::array<std::string, 10>> rows;
    rows.push_back({});
    for (std::size_t c = 0; c < header.size(); ++c) rows[0][c] = header[c];
    CacheStats total;
    for (const auto& [name, s] : caches) {
        rows.push_back(row(name, s));
        total += s;
    }
    if (caches.size() > 1) rows.push_back(row("total", total));

    std::array<std::size_t, 10> width{};
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());

    std::string out;
    auto emit = [&](const std::array<std::string, 10>& r) {
        std::string line;
        for (std::size_t c = 0; c < r.size(); ++c) {
            if (c) line += "  ";
            // Names left-aligned, numbers right-aligned so digits line up.
            line += c == 0 ? fmt::format("{:<{}}", r[c], width[c]) : fmt::format("{:>{}}", r[c], width[c]);
        }
        out += line;
        out += '\n';
    };
    std::size_t total_width = 2 * (width.size() - 1);
    for (std::size_t w : width) total_width += w;
    emit(rows[0]);
    out += std::string(total_width, '-') + '\n';
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (caches.size() > 1 && i + 1 == rows.size()) out += std::string(total_width, '-') + '\n';
        emit(rows[i]);
    }
    return out;
}

}  // namespace eyemap

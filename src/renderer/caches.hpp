// The three process-wide caches at the pipeline's stage seams, built on eyemap::Cache:
//
//  coordinates  grid_for(layout, geometry, side) -> GridCoordinates (shared_ptr).
//               Key: a 64-bit content hash of the exact universe column list (every hex1/hex2, in
//               order), the geometry parameters (bit patterns of hex_size, spacing, margin,
//               min_width, min_height), the side (mirroring) and the largest layer count of the
//               layout's regions (compute_grid sizes the layer-button panel from it). The key keeps
//               the column list and the parameters and compares them in full: the hash only picks
//               the shard and bucket, so two column sets with the same extents and count (or even
//               the same hash) never share coordinates. (The field's tool keyed on extents + count
//               and mixed such layouts up.) Lookups do not copy the column list; a miss stores one.
//               Measured: compute_grid ~4.5 us for 892 columns, a hit ~1.7 us (mostly hashing the
//               column list). A small saving (2 lookups per type); the main gain is that every
//               eyemap of a layout shares one grid.
//
//  colours      make_scale(values, options) -> ColorScale, i.e. what turning values into bins
//               needs: the six bin edges (also the legend ticks) and the method; a bin's palette
//               index is bin + 1, fixed, so there is nothing else to keep. Used by process_type for
//               the "all layers" scale and the per-layer scale alike (each a separate entry).
//               Key: the method, min/max for a fixed scale, and the value set (its 64-bit hash
//               buckets, the full list of value bits is compared). The scope is not in the key: it
//               decides which values are pooled, so it is already in the value set, and make_scale
//               reads nothing else. Measured (bench/bench_caches.cpp on the real 892-column layout,
//               one type: 4.6k pooled values, 9.1k ME per-layer values; CPU time on a shared,
//               noisy 2-core box), hence:
//                - per value: NOT cached. ColorScale::bin costs ~3 ns a value; a per-value memo
//                  costs ~7-10 ns a value at best (an unlocked std::unordered_map, all hits) and
//                  ~85 ns a value in the shared thread-safe cache: 3x and ~30x slower than just
//                  computing the bin. Binning is always computed.
//                - linear and fixed scales: NOT cached. A fixed scale reads no values; a linear one
//                  is one min/max pass (~2 us for 4.6k values), cheaper than merely hashing the same
//                  values for a key (~7 us), so no content-keyed lookup can win.
//                - percentile scales: cached. They sort the value set: ~50 us (4.6k values) and
//                  ~110 us (9.1k) against ~9 us and ~16 us for a hit (hash, probe, full compare).
//                  process_type asks for the same pooled scale for every region and side of a
//                  metric (6 of a type's 12 eyemaps) and for each per-layer scale twice (L and R),
//                  so 16 of a type's 24 scales are hits (fewer when a region has no values: an
//                  empty value set needs no work and is not looked up).
//               Entries hit only for identical value sets: across types they practically never do
//               (their values differ); this cache saves work within a type and when a type is
//               rendered again. The key keeps a copy of the values (counted in its bytes).
//
//  metadata     The expanded SVG frame (detail::SvgFrame: head/tail text with id and type slots).
//               Key: detail::frame_key(...) as the hash, with full equality on everything it
//               hashes: template set (content, compared in full), interactive, canvas size, hex
//               size, region, side, metric, layer names, title positions, texts (but the type's)
//               and badges, layer buttons. The field's design keys its metadata per (type, region,
//               side, metric, template set); ours deliberately leaves the neuron type out (the frame
//               has slots for the id and type name), so one entry serves every type of a release
//               with the same region/side/metric/geometry/templates: hits across types, not only
//               within one. Measured: expanding a frame (Mustache) ~350 us, a hit ~1.2 us; this is
//               the cache that matters most (12 frames per type).
//
// Every cache can be switched off; off, it is not consulted at all (no key is made, no get is
// counted), the value is computed every time and the output is byte-identical (tests/test_caches.cpp
// checks all 12 eyemaps of several types, each scale method, interactive and static). The caches
// are thread-safe; values are immutable and shared. Two threads missing the same key may both
// compute it (the second put counts as an update).
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/lru_cache.hpp"
#include "process/process.hpp"

namespace eyemap {

struct CachesConfig {
    CacheConfig coordinates = defaults(64, 64u << 20);
    CacheConfig colours = defaults(1024, 32u << 20);
    CacheConfig metadata = defaults(1024, 32u << 20);

    // All three on or off.
    CachesConfig& set_enabled(bool on) noexcept {
        coordinates.enabled = colours.enabled = metadata.enabled = on;
        return *this;
    }

private:
    static CacheConfig defaults(std::size_t entries, std::size_t bytes) noexcept {
        CacheConfig c;
        c.max_entries = entries;
        c.max_bytes = bytes;
        c.shards = 4;  // a few gets per eyemap: contention is negligible, and fewer shards keep
                       // each shard's byte budget (max_bytes / shards) large enough for big layouts
        return c;
    }
};

// Replaces the three caches with new ones built from config (validated first: on an error nothing
// changes). Their entries and counters are dropped. Safe while other threads render: they finish
// with the caches they started with.
void configure_caches(const CachesConfig& config);
// The configuration in force (the defaults until configure_caches is called).
CachesConfig caches_config();

// Statistics of each cache, named "coordinates", "colours", "metadata" (in that order); print them
// with cache_stats_table().
std::vector<std::pair<std::string, CacheStats>> cache_statistics();
// Zeroes the counters; entries stay.
void reset_cache_statistics();
// Drops every entry (counted as invalidations); the configuration stays.
void clear_caches();

// make_scale through the colour cache where that saves work (percentile scales; see above).
// Same result as make_scale(values, options), always.
ColorScale cached_scale(std::span<const double> values, const ScaleOptions& options);

namespace detail {
// Tests only: when on, every key of the three caches hashes to the same value, so only the full
// key comparison tells entries apart.
void force_cache_hash_collisions(bool on) noexcept;
}  // namespace detail

}  // namespace eyemap

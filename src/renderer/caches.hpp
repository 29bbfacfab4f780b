// The renderer's three caches at the stage seams: grids (layout), colour scales (process), SVG frames (render).
#pragma once

//  coordinates  grid(index, geometry, side) -> GridCoordinates.
//               Key: the exact universe column list (every hex1/hex2, in order), the geometry
//               (bit patterns), the side (mirroring) and the largest layer count of the regions
//               (compute_grid sizes the layer-button panel from it). The 64-bit content hash only
//               picks the shard and bucket; equality compares everything, so two column sets with
//               the same extents and count never share coordinates (the field's tool keyed on
//               extents + count and mixed such layouts up). compute_grid ~4.5 us for 892 columns, a
//               hit ~1.7 us: the gain is that every eyemap of a layout shares one grid.
//
//  colours      scale(values, options) -> ColorScale. Only percentile scales are cached: they sort
//               the values (~50 us for 4.6k values against ~9 us for a hit); a linear scale is one
//               min/max pass, cheaper than hashing its key, and a fixed one reads no values
//               (bench/bench_caches.cpp). Key: method, bins, fixed min/max, the value list (full compare).
//               Hits within a type (the pooled scale serves 6 of its 12 eyemaps) and on re-renders.
//
//  metadata     frame(scene, templates, interactive) -> the expanded SVG frame (Mustache, ~350 us;
//               a hit ~1.2 us). Key: FrameKey below, everything expand_frame reads except the type
//               name and id (slots in the frame), so one entry serves every type of a release.
//
// A disabled cache is not consulted (no key is made, nothing counted) and the output is
// byte-identical either way. Thread-safe; values are immutable and shared.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "eyemap/options.hpp"
#include "eyemap/renderer.hpp"
#include "layout/layout.hpp"
#include "process/process.hpp"
#include "render/svg.hpp"
#include "render/svg_frame.hpp"

namespace eyemap {

class Caches {
public:
    // hash_collisions: tests only; every key hashes alike, so only full comparison tells them apart.
    explicit Caches(const CacheOptions& options, bool hash_collisions = false);
    ~Caches();
    Caches(const Caches&) = delete;
    Caches& operator=(const Caches&) = delete;

    std::shared_ptr<const GridCoordinates> grid(const ColumnIndex& index, const Geometry& geometry, Side side);
    ColorScale scale(std::span<const double> values, const ScaleOptions& options);
    std::shared_ptr<const detail::SvgFrame> frame(const Scene& scene, const TemplateSet& templates, bool interactive);

    std::vector<NamedCacheStats> statistics() const;  // "coordinates", "colours", "metadata"
    void reset_statistics();
    void clear();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace eyemap

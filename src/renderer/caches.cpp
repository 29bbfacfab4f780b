// The caches at the stage seams: coordinates (layout), colour scales (process) and SVG frames
// (metadata). What each keys on and why: include/eyemap/caches.hpp.
#include "renderer/caches.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <deque>
#include <mutex>

#include "eyemap/eyemap.hpp"
#include "render/svg_frame.hpp"

namespace eyemap {
namespace {

std::atomic<bool> g_force_collisions{false};

// The bucket hash of a key, fixed when the key is made (so flipping the test switch never moves
// stored entries between buckets).
std::uint64_t bucket(std::uint64_t content_hash) noexcept {
    return g_force_collisions.load(std::memory_order_relaxed) ? 0 : content_hash;
}

std::uint64_t bits(double v) noexcept { return std::bit_cast<std::uint64_t>(v); }

struct KeyHash {
    template <class K>
    std::size_t operator()(const K& k) const noexcept {
        return static_cast<std::size_t>(k.hash);
    }
};

// ---------------------------------------------------------------------------------------------
// Coordinates.

using Column = PreparedLayout::Column;
static_assert(sizeof(Column) == 2 * sizeof(std::int32_t), "Column must have no padding (hashed as bytes)");

struct GridKey {
    std::uint64_t hash = 0;
    // The universe column list: the caller's on a lookup, `owned` once stored (no copy per lookup).
    std::span<const Column> columns;
    std::shared_ptr<const std::vector<Column>> owned;
    std::array<std::uint64_t, 5> geometry{};  // bit patterns: hex_size, spacing, margin, min_width, min_height
    std::size_t max_layers = 0;               // compute_grid sizes the button panel from it
    Side side = Side::R;

    bool operator==(const GridKey& o) const noexcept {
        return hash == o.hash && side == o.side && max_layers == o.max_layers && geometry == o.geometry &&
               columns.size() == o.columns.size() &&
               (columns.data() == o.columns.data() ||
                std::memcmp(columns.data(), o.columns.data(), columns.size_bytes()) == 0);
    }
};

GridKey grid_key(const PreparedLayout& layout, const Geometry& g, Side side) {
    GridKey k;
    k.columns = layout.universe;
    k.geometry = {bits(g.hex_size), bits(g.spacing), bits(g.margin), bits(g.min_width), bits(g.min_height)};
    for (const auto& r : layout.regions.regions) k.max_layers = std::max(k.max_layers, r.layers.size());
    k.side = side;
    HashBuilder h;
    h.add_bytes(std::as_bytes(k.columns));
    for (auto b : k.geometry) h.add(b);
    h.add(k.max_layers).add(side);
    k.hash = bucket(h.digest());
    return k;
}

std::size_t grid_bytes(const GridKey& k, const GridCoordinates& g) {
    return sizeof(GridKey) + k.columns.size_bytes() + sizeof(GridCoordinates) +
           (g.x.capacity() + g.y.capacity()) * sizeof(float) + (g.hex1.capacity() + g.hex2.capacity()) * sizeof(std::int32_t);
}

// ---------------------------------------------------------------------------------------------
// Colour scales.

struct ScaleKey {
    std::uint64_t hash = 0;
    ScaleMethod method = ScaleMethod::linear;
    std::uint64_t min = 0, max = 0;  // bit patterns; only a fixed scale reads them
    std::span<const double> values;  // the caller's on a lookup, `owned` once stored
    std::shared_ptr<const std::vector<double>> owned;

    bool operator==(const ScaleKey& o) const noexcept {
        // Bitwise: the scale is a function of the bits, so equal bits always give the same scale.
        return hash == o.hash && method == o.method && min == o.min && max == o.max && values.size() == o.values.size() &&
               (values.data() == o.values.data() || std::memcmp(values.data(), o.values.data(), values.size_bytes()) == 0);
    }
};

ScaleKey scale_key(std::span<const double> values, const ScaleOptions& options) {
    ScaleKey k;
    k.method = options.method;
    if (options.method == ScaleMethod::fixed) {
        k.min = bits(options.min);
        k.max = bits(options.max);
    }
    k.values = values;
    HashBuilder h;
    h.add(k.method).add(k.min).add(k.max).add_bytes(std::as_bytes(values));
    k.hash = bucket(h.digest());
    return k;
}

// The measured rule (bench/bench_caches.cpp): only a percentile scale costs more than its key.
bool scale_worth_caching(std::span<const double> values, const ScaleOptions& options) noexcept {
    return options.method == ScaleMethod::percentile && !values.empty();
}

// ---------------------------------------------------------------------------------------------
// SVG frames (metadata): everything detail::frame_key hashes, for full comparison.

struct FrameTitle {
    std::uint64_t x = 0, y = 0;
    std::string text;  // empty for the type's line (a slot in the frame)
    std::string badge;
    bool operator==(const FrameTitle&) const = default;
};
struct FrameButton {
    std::uint64_t x = 0, y = 0, width = 0, height = 0;
    std::string label;
    int layer = 0;
    bool operator==(const FrameButton&) const = default;
};

bool same_templates(const TemplateSet* a, const TemplateSet* b) noexcept {
    return a == b || (a->content_hash == b->content_hash && a->files == b->files);
}

struct FrameKey {
    std::uint64_t hash = 0;
    const TemplateSet* templates = nullptr;  // the caller's on a lookup, owned_templates once stored
    std::shared_ptr<const TemplateSet> owned_templates;
    bool interactive = true;
    std::uint64_t width = 0, height = 0, hex_size = 0;
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapse_density;
    std::vector<std::string> layer_names;
    std::array<FrameTitle, 3> titles;
    std::vector<FrameButton> buttons;

    bool operator==(const FrameKey& o) const noexcept {
        return hash == o.hash && interactive == o.interactive && width == o.width && height == o.height &&
               hex_size == o.hex_size && side == o.side && metric == o.metric && region == o.region &&
               layer_names == o.layer_names && titles == o.titles && buttons == o.buttons &&
               same_templates(templates, o.templates);
    }

    std::size_t bytes() const noexcept {
        std::size_t n = sizeof(*this) + region.size();
        for (const auto& l : layer_names) n += sizeof(l) + l.size();
        for (const auto& t : titles) n += t.text.size() + t.badge.size();
        for (const auto& b : buttons) n += sizeof(b) + b.label.size();
        return n;  // the template set is shared between entries (see intern_templates)
    }
};

FrameKey frame_cache_key(const Scene& scene, const TemplateSet& templates, bool interactive) {
    const EyemapData& d = scene.data;
    FrameKey k;
    k.hash = bucket(detail::frame_key(scene, templates, interactive));
    k.templates = &templates;
    k.interactive = interactive;
    k.width = bits(scene.width);
    k.height = bits(scene.height);
    k.hex_size = bits(scene.hex_size);
    k.region = d.region;
    k.side = d.side;
    k.metric = d.metric;
    k.layer_names = d.layer_names;
    for (std::size_t i = 0; i < scene.titles.size(); ++i) {
        const auto& t = scene.titles[i];
        k.titles[i] = {bits(t.x), bits(t.y), i == 1 ? std::string() : t.text, t.badge};
    }
    k.buttons.reserve(scene.buttons.size());
    for (const auto& b : scene.buttons)
        k.buttons.push_back({bits(b.x), bits(b.y), bits(b.width), bits(b.height), b.label, b.layer});
    return k;
}

// Stored frame keys share one copy of each template set: the built-in set as it is, and a few
// recently seen user sets.
std::shared_ptr<const TemplateSet> intern_templates(const TemplateSet& t) {
    if (auto builtin = builtin_templates(); builtin.get() == &t) return builtin;
    static std::mutex mu;
    static std::deque<std::shared_ptr<const TemplateSet>> recent;
    std::lock_guard lock(mu);
    for (const auto& r : recent)
        if (same_templates(r.get(), &t)) return r;
    if (recent.size() >= 8) recent.pop_front();
    recent.push_back(std::make_shared<const TemplateSet>(t));
    return recent.back();
}

// ---------------------------------------------------------------------------------------------
// The three caches, replaced as a whole by configure_caches.

struct Caches {
    explicit Caches(const CachesConfig& c)
        : config(c), coordinates(c.coordinates), colours(c.colours), metadata(c.metadata) {}
    CachesConfig config;
    Cache<GridKey, GridCoordinates, KeyHash> coordinates;
    Cache<ScaleKey, ColorScale, KeyHash> colours;
    Cache<FrameKey, detail::SvgFrame, KeyHash> metadata;
};

std::mutex g_mu;
std::shared_ptr<Caches> g_caches;

std::shared_ptr<Caches> current() {
    std::lock_guard lock(g_mu);
    if (!g_caches) g_caches = std::make_shared<Caches>(CachesConfig{});
    return g_caches;
}

}  // namespace

void configure_caches(const CachesConfig& config) {
    auto fresh = std::make_shared<Caches>(config);  // validates; throws before anything changes
    std::shared_ptr<Caches> old;
    std::lock_guard lock(g_mu);
    old = std::exchange(g_caches, std::move(fresh));
    // `old` is released here, outside the lock (or later, by threads still using it).
}

CachesConfig caches_config() { return current()->config; }

std::vector<std::pair<std::string, CacheStats>> cache_statistics() {
    auto c = current();
    return {{"coordinates", c->coordinates.stats()}, {"colours", c->colours.stats()}, {"metadata", c->metadata.stats()}};
}

void reset_cache_statistics() {
    auto c = current();
    c->coordinates.reset_stats();
    c->colours.reset_stats();
    c->metadata.reset_stats();
}

void clear_caches() {
    auto c = current();
    c->coordinates.clear();
    c->colours.clear();
    c->metadata.clear();
}

namespace detail {
void force_cache_hash_collisions(bool on) noexcept { g_force_collisions.store(on, std::memory_order_relaxed); }
}  // namespace detail

std::shared_ptr<const GridCoordinates> grid_for(const PreparedLayout& layout, const Geometry& geometry, Side side) {
    auto c = current();
    // Off: no key, no lookup (nothing counted), just the computation.
    if (!c->coordinates.config().enabled) return std::make_shared<const GridCoordinates>(compute_grid(layout, geometry, side));
    GridKey key = grid_key(layout, geometry, side);
    if (auto hit = c->coordinates.get(key)) return hit;
    auto grid = std::make_shared<const GridCoordinates>(compute_grid(layout, geometry, side));
    // The stored key owns its column list: the caller's layout may go away.
    key.owned = std::make_shared<const std::vector<Column>>(layout.universe);
    key.columns = *key.owned;
    const std::size_t bytes = grid_bytes(key, *grid);
    c->coordinates.put(key, grid, bytes);
    return grid;
}

ColorScale cached_scale(std::span<const double> values, const ScaleOptions& options) {
    if (!scale_worth_caching(values, options)) return make_scale(values, options);
    auto c = current();
    if (!c->colours.config().enabled) return make_scale(values, options);
    ScaleKey key = scale_key(values, options);
    if (auto hit = c->colours.get(key)) return *hit;
    const ColorScale scale = make_scale(values, options);
    key.owned = std::make_shared<const std::vector<double>>(values.begin(), values.end());
    key.values = *key.owned;
    c->colours.put(key, std::make_shared<const ColorScale>(scale), sizeof(ScaleKey) + sizeof(ColorScale) + values.size_bytes());
    return scale;
}

namespace detail {
std::shared_ptr<const SvgFrame> cached_frame(const Scene& scene, const TemplateSet& templates, bool interactive) {
    auto c = current();
    if (!c->metadata.config().enabled) return std::make_shared<const SvgFrame>(expand_frame(scene, templates, interactive));
    FrameKey key = frame_cache_key(scene, templates, interactive);
    if (auto hit = c->metadata.get(key)) return hit;
    auto frame = std::make_shared<const SvgFrame>(expand_frame(scene, templates, interactive));
    key.owned_templates = intern_templates(templates);
    key.templates = key.owned_templates.get();
    const std::size_t bytes = frame->bytes() + key.bytes();
    c->metadata.put(std::move(key), frame, bytes);
    return frame;
}
}  // namespace detail

}  // namespace eyemap

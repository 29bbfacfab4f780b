// The renderer's caches: what each keys on and why, in renderer/caches.hpp.
#include "renderer/caches.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <deque>
#include <mutex>

#include "core/lru_cache.hpp"
#include "core/option_schema.hpp"

namespace eyemap {
namespace {

std::uint64_t bits(double v) noexcept { return std::bit_cast<std::uint64_t>(v); }

struct KeyHash {
    template <class K>
    std::size_t operator()(const K& k) const noexcept {
        return static_cast<std::size_t>(k.hash);
    }
};

// ---------------------------------------------------------------------------------------------
// Coordinates.

using Column = ColumnIndex::Column;
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

GridKey grid_key(const ColumnIndex& layout, const Geometry& g, Side side, bool collide) {
    GridKey k;
    k.columns = layout.universe;
    k.geometry = {bits(g.hex_size), bits(g.spacing), bits(g.margin), bits(g.min_width), bits(g.min_height)};
    for (const auto& r : layout.regions.regions) k.max_layers = std::max(k.max_layers, r.layers.size());
    k.side = side;
    HashBuilder h;
    h.add_bytes(std::as_bytes(k.columns));
    for (auto b : k.geometry) h.add(b);
    h.add(k.max_layers).add(side);
    k.hash = collide ? 0 : h.digest();
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
    int bins = 5;
    std::uint64_t clip = 0;          // clip_quantile's bit pattern
    std::uint64_t min = 0, max = 0;  // bit patterns; only a fixed scale reads them
    bool continuous = false;
    bool centred = false;
    std::uint64_t centre = 0;        // bit pattern, when centred
    std::span<const double> values;  // the caller's on a lookup, `owned` once stored
    std::shared_ptr<const std::vector<double>> owned;

    bool operator==(const ScaleKey& o) const noexcept {
        // Bitwise: the scale is a function of the bits, so equal bits always give the same scale.
        return hash == o.hash && method == o.method && bins == o.bins && clip == o.clip && min == o.min && max == o.max && continuous == o.continuous &&
               centred == o.centred && centre == o.centre && values.size() == o.values.size() &&
               (values.data() == o.values.data() || std::memcmp(values.data(), o.values.data(), values.size_bytes()) == 0);
    }
};

ScaleKey scale_key(std::span<const double> values, const ScaleOptions& options, bool collide) {
    ScaleKey k;
    k.method = options.method;
    k.bins = options.bins;
    k.clip = bits(options.clip_quantile);
    if (options.method == ScaleMethod::fixed) {
        k.min = bits(options.min);
        k.max = bits(options.max);
    }
    k.continuous = options.continuous;
    k.centred = options.centre.has_value();
    k.centre = bits(options.centre.value_or(0));
    k.values = values;
    HashBuilder h;
    h.add(k.method).add(k.bins).add(k.clip).add(k.min).add(k.max).add(k.continuous).add(k.centred).add(k.centre).add_bytes(std::as_bytes(values));
    k.hash = collide ? 0 : h.digest();
    return k;
}

// The measured rule (bench/bench_caches.cpp): only a percentile scale costs more than its key.
bool scale_worth_caching(std::span<const double> values, const ScaleOptions& options) noexcept {
    return options.method == ScaleMethod::percentile && !values.empty();
}

// ---------------------------------------------------------------------------------------------
// SVG frames (metadata): everything expand_frame reads but the type name and id, defined here
// only; the hash is computed from these fields.

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
    std::shared_ptr<const Style> style;
    std::shared_ptr<const FillColours> fills;  // the script's colours
    bool interactive = true;
    std::uint64_t width = 0, height = 0, hex_size = 0;
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapses;
    ScaleMethod scale_method = ScaleMethod::linear;  // the <desc> names the scale
    ScaleScope scale_scope = ScaleScope::pooled;
    std::vector<std::string> layer_names;
    std::array<FrameTitle, 3> titles;
    std::vector<FrameButton> buttons;
    bool links = false;  // the script finds hexagons inside links
    std::shared_ptr<const Provenance> provenance;  // the <metadata>

    bool operator==(const FrameKey& o) const noexcept {
        return hash == o.hash && interactive == o.interactive && links == o.links &&
               (provenance == o.provenance || (provenance && o.provenance && *provenance == *o.provenance)) &&
               width == o.width && height == o.height &&
               hex_size == o.hex_size && side == o.side && metric.same_words(o.metric) && scale_method == o.scale_method &&
               scale_scope == o.scale_scope && region == o.region &&
               layer_names == o.layer_names && titles == o.titles && buttons == o.buttons &&
               (style == o.style || *style == *o.style) && (fills == o.fills || *fills == *o.fills) &&
               same_templates(templates, o.templates);
    }

    std::uint64_t content_hash() const {
        HashBuilder h;
        h.add(templates->content_hash).add(interactive).add(width).add(height).add(hex_size);
        h.add(std::string_view(region)).add(side).add(metric).add(scale_method).add(scale_scope).add(layer_names.size());
        for (const auto& l : layer_names) h.add(std::string_view(l));
        for (const auto& t : titles) h.add(t.x).add(t.y).add(std::string_view(t.text)).add(std::string_view(t.badge));
        h.add(buttons.size());
        for (const auto& b : buttons) h.add(b.x).add(b.y).add(b.width).add(b.height).add(std::string_view(b.label)).add(b.layer);
        hash_style(h, *style);  // every Style field (core/option_schema.cpp)
        h.add(fills->colour.size());
        for (const auto& c : fills->colour) h.add(std::string_view(c));
        if (!fills->words.empty()) h.add(std::string_view(fills->words));  // the <desc> names the map
        if (links) h.add(links);
        if (provenance) h.add(std::string_view(provenance->label)).add(std::string_view(provenance->version)).add(std::string_view(provenance->input));
        return h.digest();
    }

    std::size_t bytes() const noexcept {
        std::size_t n = sizeof(*this) + region.size();
        for (const auto& l : layer_names) n += sizeof(l) + l.size();
        for (const auto& t : titles) n += t.text.size() + t.badge.size();
        for (const auto& b : buttons) n += sizeof(b) + b.label.size();
        return n;  // the template set and the style are shared between entries
    }
};

FrameKey frame_cache_key(const Scene& scene, const TemplateSet& templates, bool interactive, bool collide) {
    const EyemapData& d = scene.data;
    FrameKey k;
    k.templates = &templates;
    k.style = scene.style;
    k.fills = scene.fills;
    k.interactive = interactive;
    k.width = bits(scene.width);
    k.height = bits(scene.height);
    k.hex_size = bits(scene.hex_size);
    k.region = d.region;
    k.side = d.side;
    k.metric = d.metric;
    k.scale_method = d.scale.method;
    k.scale_scope = scene.scale_scope;
    k.layer_names = d.layer_names;
    for (std::size_t i = 0; i < scene.titles.size(); ++i) {
        const auto& t = scene.titles[i];
        k.titles[i] = {bits(t.x), bits(t.y), i == 1 ? std::string() : t.text, t.badge};
    }
    k.buttons.reserve(scene.buttons.size());
    for (const auto& b : scene.buttons)
        k.buttons.push_back({bits(b.x), bits(b.y), bits(b.width), bits(b.height), b.label, b.layer});
    k.links = scene.column_link != nullptr;
    k.provenance = scene.provenance;
    k.hash = collide ? 0 : k.content_hash();
    return k;
}

CacheConfig config_of(const CacheLimits& l) {
    CacheConfig c;
    c.enabled = l.enabled;
    c.max_entries = l.max_entries;
    c.max_bytes = l.max_bytes;
    c.shards = 4;  // a few gets per eyemap: contention is negligible, and fewer shards keep each
                   // shard's byte budget (max_bytes / shards) large enough for big layouts
    return c;
}

}  // namespace

struct Caches::Impl {
    Impl(const CacheOptions& o, bool collide)
        : collide(collide), coordinates(config_of(o.coordinates)), colours(config_of(o.colours)), metadata(config_of(o.metadata)) {}
    bool collide;
    Cache<GridKey, GridCoordinates, KeyHash> coordinates;
    Cache<ScaleKey, ColorScale, KeyHash> colours;
    Cache<FrameKey, detail::SvgFrame, KeyHash> metadata;
    // Stored frame keys share one copy of each template set (a renderer has one; a few when shared).
    std::mutex templates_mu;
    std::deque<std::shared_ptr<const TemplateSet>> templates;

    std::shared_ptr<const TemplateSet> intern(const TemplateSet& t) {
        std::lock_guard lock(templates_mu);
        for (const auto& r : templates)
            if (same_templates(r.get(), &t)) return r;
        if (templates.size() >= 8) templates.pop_front();
        templates.push_back(std::make_shared<const TemplateSet>(t));
        return templates.back();
    }
};

Caches::Caches(const CacheOptions& options, bool hash_collisions) : impl_(std::make_unique<Impl>(options, hash_collisions)) {}
Caches::~Caches() = default;

std::vector<NamedCacheStats> Caches::statistics() const {
    return {{"coordinates", impl_->coordinates.stats()}, {"colours", impl_->colours.stats()}, {"metadata", impl_->metadata.stats()}};
}

void Caches::reset_statistics() {
    impl_->coordinates.reset_stats();
    impl_->colours.reset_stats();
    impl_->metadata.reset_stats();
}

void Caches::clear() {
    impl_->coordinates.clear();
    impl_->colours.clear();
    impl_->metadata.clear();
}

std::shared_ptr<const GridCoordinates> Caches::grid(const ColumnIndex& layout, const Geometry& geometry, Side side) {
    auto& cache = impl_->coordinates;
    // Off: no key, no lookup (nothing counted), just the computation.
    if (!cache.config().enabled) return std::make_shared<const GridCoordinates>(compute_grid(layout, geometry, side));
    GridKey key = grid_key(layout, geometry, side, impl_->collide);
    if (auto hit = cache.get(key)) return hit;
    auto grid = std::make_shared<const GridCoordinates>(compute_grid(layout, geometry, side));
    // The stored key owns its column list: the caller's layout may go away.
    key.owned = std::make_shared<const std::vector<Column>>(layout.universe);
    key.columns = *key.owned;
    const std::size_t bytes = grid_bytes(key, *grid);
    cache.put(key, grid, bytes);
    return grid;
}

ColorScale Caches::scale(std::span<const double> values, const ScaleOptions& options) {
    auto& cache = impl_->colours;
    if (!scale_worth_caching(values, options) || !cache.config().enabled) return make_scale(values, options);
    ScaleKey key = scale_key(values, options, impl_->collide);
    if (auto hit = cache.get(key)) return *hit;
    const ColorScale scale = make_scale(values, options);
    key.owned = std::make_shared<const std::vector<double>>(values.begin(), values.end());
    key.values = *key.owned;
    // A continuous percentile scale holds its sorted values too.
    cache.put(key, std::make_shared<const ColorScale>(scale),
              sizeof(ScaleKey) + sizeof(ColorScale) + values.size_bytes() + (scale.sorted ? scale.sorted->size() * sizeof(double) : 0));
    return scale;
}

std::shared_ptr<const detail::SvgFrame> Caches::frame(const Scene& scene, const TemplateSet& templates, bool interactive) {
    auto& cache = impl_->metadata;
    if (!cache.config().enabled) return std::make_shared<const detail::SvgFrame>(detail::expand_frame(scene, templates, interactive));
    FrameKey key = frame_cache_key(scene, templates, interactive, impl_->collide);
    if (auto hit = cache.get(key)) return hit;
    auto frame = std::make_shared<const detail::SvgFrame>(detail::expand_frame(scene, templates, interactive));
    key.owned_templates = impl_->intern(templates);
    key.templates = key.owned_templates.get();
    const std::size_t bytes = frame->bytes() + key.bytes();
    cache.put(std::move(key), frame, bytes);
    return frame;
}

}  // namespace eyemap

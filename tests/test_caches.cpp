// Tests of the renderer's caches (src/renderer/caches.hpp): keys that never mix layouts up, identical
// output with caches on and off, hit counts across eyemaps and types, clear/reset/limits, sharing, threads.
#include "renderer/caches.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eyemap/eyemap.hpp"
#include "eyemap/sample.hpp"
#include "stage_support.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

// The caches under test, as two objects: `g_base`, a renderer whose caches every render() below
// shares (Renderer(options, g_base)), and `g_caches`, a Caches object the seam tests call directly.
// A test uses one or the other, so stats_of() adds both up.
bool g_collide = false;
std::unique_ptr<Renderer> g_base;
std::unique_ptr<Caches> g_caches;

void configure_caches(const CacheOptions& c) {
    RenderOptions o;
    o.caches = c;
    g_base = std::make_unique<Renderer>(o);
    g_caches = std::make_unique<Caches>(c, g_collide);
}
// Fresh caches with the default sizes, all on (or off).
void fresh_caches(bool on = true) {
    CacheOptions c;
    c.set_enabled(on);
    configure_caches(c);
}
std::vector<NamedCacheStats> cache_statistics() {
    auto all = g_base->cache_statistics();
    const auto direct = g_caches->statistics();
    for (std::size_t i = 0; i < all.size(); ++i) all[i].stats += direct.at(i).stats;
    return all;
}
CacheStats stats_of(const std::vector<NamedCacheStats>& all, const std::string& name) {
    for (const auto& [n, s] : all)
        if (n == name) return s;
    FAIL("no cache named " << name);
    return {};
}
CacheStats stats_of(const std::string& name) { return stats_of(cache_statistics(), name); }
void reset_cache_statistics() {
    g_base->reset_statistics();
    g_caches->reset_statistics();
}
void clear_caches() {
    g_base->clear_caches();
    g_caches->clear();
}
std::shared_ptr<const GridCoordinates> grid_for(const ColumnIndex& p, const Geometry& g, Side side) { return g_caches->grid(p, g, side); }
ColorScale cached_scale(std::span<const double> v, const ScaleOptions& o) { return g_caches->scale(v, o); }

// The sample layout (~900 columns per side, ME/LO/LOP) with `types` types, per-layer values.
const Dataset& sample_dataset() {
    static const Dataset ds = [] {
        const auto layout = sample_layout(1);
        std::stringstream csv;
        write_sample_data(csv, layout, SampleOptions{6, 3, true});
        return make_dataset(parse_column_table(csv.str(), "sample"), layout);
    }();
    return ds;
}

std::vector<std::string> render(const Dataset& ds, const std::string& type, const RenderOptions& o) {
    std::vector<std::string> out;
    for (auto& r : Renderer(o, *g_base).render(ds, type)) out.push_back(std::move(r.bytes));
    return out;
}

ColumnLayout columns_layout(std::initializer_list<std::pair<int, int>> cols) {
    ColumnLayout l;
    for (auto [h1, h2] : cols)
        for (Side s : {Side::L, Side::R}) l.entries.push_back({"ME", s, h1, h2});
    return l;
}

struct Extents {
    int min1, max1, min2, max2;
    std::size_t count;
    bool operator==(const Extents&) const = default;
};
Extents extents(const ColumnIndex& p) {
    Extents e{1 << 30, -(1 << 30), 1 << 30, -(1 << 30), p.universe.size()};
    for (const auto& c : p.universe) {
        e.min1 = std::min(e.min1, c.hex1);
        e.max1 = std::max(e.max1, c.hex1);
        e.min2 = std::min(e.min2, c.hex2);
        e.max2 = std::max(e.max2, c.hex2);
    }
    return e;
}

bool same_grid(const GridCoordinates& a, const GridCoordinates& b) {
    return a.x == b.x && a.y == b.y && a.hex1 == b.hex1 && a.hex2 == b.hex2 && a.width == b.width && a.height == b.height &&
           a.grid_left == b.grid_left && a.grid_top == b.grid_top && a.panel_left == b.panel_left && a.mirrored == b.mirrored;
}

// Restores normal hashing even when a check fails.
struct ForcedCollisions {
    ForcedCollisions() { g_collide = true; }
    ~ForcedCollisions() { g_collide = false; }
};

}  // namespace

TEST_CASE("coordinate cache: column sets with the same extents and count never share coordinates") {
    // The field's tool keyed coordinates on (extents, count) and drew B with A's hexagons.
    const ColumnIndex a = make_column_index(columns_layout({{0, 0}, {0, 2}, {1, 1}, {2, 0}, {2, 2}}), builtin_regions());
    const ColumnIndex b = make_column_index(columns_layout({{0, 0}, {0, 2}, {1, 2}, {2, 0}, {2, 2}}), builtin_regions());
    REQUIRE(extents(a) == extents(b));  // the premise: an extents+count key cannot tell them apart
    const Geometry g;

    auto check = [&] {
        for (Side side : {Side::L, Side::R}) {
            const auto ga = grid_for(a, g, side);
            const auto gb = grid_for(b, g, side);
            CHECK(same_grid(*ga, compute_grid(a, g, side)));
            CHECK(same_grid(*gb, compute_grid(b, g, side)));
            CHECK_FALSE(same_grid(*ga, *gb));
            CHECK(gb->hex2[2] == 2);  // B's third column is (1, 2), A's (1, 1)
            CHECK(ga->hex2[2] == 1);
            // Warm: the same objects come back.
            CHECK(grid_for(a, g, side) == ga);
            CHECK(grid_for(b, g, side) == gb);
        }
    };

    SECTION("normal hashing") {
        fresh_caches();
        check();
        const auto s = stats_of("coordinates");
        CHECK(s.misses == 4);
        CHECK(s.hits == 4);
        CHECK(s.entries == 4);
    }
    SECTION("every key hashing alike: only the full comparison separates them") {
        ForcedCollisions collide;
        fresh_caches();
        check();
        const auto s = stats_of("coordinates");
        CHECK(s.misses == 4);
        CHECK(s.hits == 4);
        CHECK(s.entries == 4);
    }
}

TEST_CASE("coordinate cache: geometry, side and the regions' layer count are part of the key") {
    fresh_caches();
    const auto cols = columns_layout({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    const ColumnIndex p = make_column_index(cols, builtin_regions());
    Geometry g;
    const auto l = grid_for(p, g, Side::L);
    const auto r = grid_for(p, g, Side::R);
    CHECK(l != r);
    CHECK_FALSE(l->mirrored);
    CHECK(r->mirrored);
    Geometry g2 = g;
    g2.spacing = 1.5;
    CHECK(same_grid(*grid_for(p, g2, Side::L), compute_grid(p, g2, Side::L)));
    g2 = g;
    g2.margin = -0.0;  // equal to 0.0 but not the same bits: a separate entry, never a wrong one
    g.margin = 0.0;
    CHECK(grid_for(p, g, Side::L) != grid_for(p, g2, Side::L));

    // Same columns, but a region with 40 layers: the button panel makes the canvas taller.
    RegionSet many = builtin_regions();
    many.regions[0].layers.assign(40, "x");
    const ColumnIndex q = make_column_index(cols, many);
    const auto tall = grid_for(q, Geometry{}, Side::L);
    CHECK(same_grid(*tall, compute_grid(q, Geometry{}, Side::L)));
    CHECK(tall->height > grid_for(p, Geometry{}, Side::L)->height);
}

TEST_CASE("colour cache: cached_scale equals make_scale for every method") {
    fresh_caches();
    std::mt19937_64 rng(5);
    std::uniform_int_distribution<int> dist(1, 5000);
    for (std::size_t n : {0u, 1u, 2u, 7u, 1000u}) {
        std::vector<double> v(n);
        for (auto& x : v) x = dist(rng);
        for (auto method : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed}) {
            ScaleOptions o;
            o.method = method;
            o.min = 3;
            o.max = 300;
            const auto want = make_scale(v, o);
            for (int round = 0; round < 2; ++round) {  // cold, then warm
                const auto got = cached_scale(v, o);
                CHECK(got.method == want.method);
                CHECK(got.edges == want.edges);
            }
        }
    }
    // Only percentile scales of non-empty value sets go through the cache (the measured rule):
    // 4 sets x (1 miss + 1 hit).
    const auto s = stats_of("colours");
    CHECK(s.misses == 4);
    CHECK(s.hits == 4);

    // The same values in another order are another key, but give the same scale.
    std::vector<double> v{5, 1, 9, 3, 7, 2};
    ScaleOptions p;
    p.method = ScaleMethod::percentile;
    const auto a = cached_scale(v, p);
    std::reverse(v.begin(), v.end());
    CHECK(cached_scale(v, p).edges == a.edges);
    // A different set with the same size and extremes is a different scale, even when every key collides.
    {
        ForcedCollisions collide;
        std::vector<double> x{1, 2, 3, 4, 100}, y{1, 90, 95, 99, 100};
        CHECK(cached_scale(x, p).edges == make_scale(x, p).edges);
        CHECK(cached_scale(y, p).edges == make_scale(y, p).edges);
        CHECK(cached_scale(x, p).edges != cached_scale(y, p).edges);
    }
}

TEST_CASE("caches off: byte-identical SVG for all 12 eyemaps of a type, every scale and frame option") {
    const Dataset& ds = sample_dataset();
    REQUIRE(ds.types.size() >= 3);
    for (auto method : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed})
        for (bool interactive : {true, false}) {
            RenderOptions o;
            o.scale.method = method;
            o.scale.min = 0;
            o.scale.max = 400;
            o.interactive = interactive;
            INFO("method " << static_cast<int>(method) << " interactive " << interactive);
            std::map<std::string, std::vector<std::string>> off;
            fresh_caches(false);
            for (std::size_t t = 0; t < 3; ++t) off[ds.types[t].neuron_type] = render(ds, ds.types[t].neuron_type, o);
            for (const auto& [n, st] : cache_statistics()) {
                INFO(n);
                CHECK(st.gets() == 0);  // off: not consulted at all
                CHECK(st.entries == 0);
            }

            fresh_caches(true);
            // Cold for the first type, then warm; the later types get frames and grids made for the first.
            for (int round = 0; round < 2; ++round)
                for (std::size_t t = 0; t < 3; ++t) {
                    const auto& name = ds.types[t].neuron_type;
                    const auto on = render(ds, name, o);
                    REQUIRE(on.size() == 12);
                    for (std::size_t i = 0; i < on.size(); ++i) {
                        INFO("type " << name << " eyemap " << i << " round " << round);
                        CHECK(on[i] == off[name][i]);
                    }
                }
            CHECK(stats_of("metadata").hits > 0);
        }
}

TEST_CASE("metadata cache: the scale's method and scope are part of the key (the SVG's <desc> names them)") {
    const Dataset& ds = sample_dataset();
    const auto& name = ds.types[0].neuron_type;
    std::vector<RenderOptions> variants(4);
    variants[1].scale.method = ScaleMethod::percentile;
    variants[2].scale.scope = ScaleScope::per_region;
    variants[3].scale.method = ScaleMethod::fixed;
    variants[3].scale.max = 400;
    fresh_caches(false);
    std::vector<std::vector<std::string>> off;
    for (const auto& o : variants) off.push_back(render(ds, name, o));
    fresh_caches(true);
    for (int round = 0; round < 2; ++round)  // every variant after another's frames are in the cache
        for (std::size_t v = 0; v < variants.size(); ++v) {
            INFO("variant " << v << " round " << round);
            CHECK(render(ds, name, variants[v]) == off[v]);
        }
    CHECK(stats_of("metadata").hits > 0);
    const std::string said[] = {"Colour scale: linear, evenly spaced", "Colour scale: percentiles of the values, shared by all",
                                "values of both sides.", "Colour scale: fixed limits, shared by all"};
    for (std::size_t v = 0; v < variants.size(); ++v) CHECK(off[v].at(0).find(said[v]) != std::string::npos);
}

TEST_CASE("metadata cache: a template set whose hash collides with the built-in one never gets its frames") {
    const Dataset& ds = sample_dataset();
    auto user = std::make_shared<TemplateSet>(*builtin_templates());
    user->files["style.css.mustache"] += "\n/* user style */\n";
    // content_hash left equal to the built-in set's: a colliding hash, so only the full comparison
    // of the template files keeps the built-in frames from being served for this set.
    fresh_caches(true);
    const auto scenes = test::stage_scenes(ds, ds.types[0].neuron_type);
    for (const auto& scene : scenes) {
        const auto builtin = g_caches->frame(scene, *builtin_templates(), true);
        const auto mine = g_caches->frame(scene, *user, true);
        CHECK(builtin != mine);
        CHECK(mine->head.at(1).text == detail::expand_frame(scene, *user, true).head.at(1).text);
        // An equal copy of the user set (another object) hits the same entry.
        CHECK(g_caches->frame(scene, TemplateSet(*user), true) == mine);
    }
    CHECK(stats_of("metadata").hits == scenes.size());
    CHECK(stats_of("metadata").misses == 2 * scenes.size());
}

TEST_CASE("caches on and off give the same bytes with user templates too") {
    const Dataset& ds = sample_dataset();
    const auto dir = test::fresh_dir("cache-templates");
    test::write_file(dir / "style.css.mustache", test::read_file(EYEMAP_SOURCE_DIR "/templates/style.css.mustache") + "\n/* user style */\n");
    RenderOptions o;
    o.templates = dir;
    fresh_caches(false);
    const auto off_user = render(ds, ds.types[0].neuron_type, o);
    const auto off_builtin = render(ds, ds.types[0].neuron_type, {});
    CHECK(off_user != off_builtin);
    fresh_caches(true);
    CHECK(render(ds, ds.types[0].neuron_type, {}) == off_builtin);
    CHECK(render(ds, ds.types[0].neuron_type, o) == off_user);  // never the built-in frame
    // Another renderer loading the same folder shares the entries.
    const auto before = stats_of("metadata");
    CHECK(render(ds, ds.types[0].neuron_type, o) == off_user);
    const auto after = stats_of("metadata");
    CHECK(after.hits - before.hits == 12);
    CHECK(after.misses == before.misses);
}

TEST_CASE("hit counting: the 12 eyemaps of a type, then several types sharing the layout") {
    const Dataset& ds = sample_dataset();
    RenderOptions o;
    o.scale.method = ScaleMethod::percentile;  // the scales the colour cache keeps
    fresh_caches();

    render(ds, ds.types[0].neuron_type, o);
    auto all = cache_statistics();
    // One grid per side (build_scenes asks once per side).
    CHECK(stats_of(all, "coordinates").misses == 2);
    CHECK(stats_of(all, "coordinates").hits == 0);
    // 12 distinct frames (3 regions x 2 sides x 2 metrics).
    CHECK(stats_of(all, "metadata").misses == 12);
    CHECK(stats_of(all, "metadata").hits == 0);
    CHECK(stats_of(all, "metadata").entries == 12);
    // 24 scales: the pooled "all layers" scale once per metric (2 misses, 10 hits), each per-layer
    // scale once per region and metric (6 misses, 6 hits: L and R share it).
    CHECK(stats_of(all, "colours").misses == 8);
    CHECK(stats_of(all, "colours").hits == 16);

    SECTION("the same type again: everything hits") {
        render(ds, ds.types[0].neuron_type, o);
        all = cache_statistics();
        CHECK(stats_of(all, "coordinates").hits == 2);
        CHECK(stats_of(all, "metadata").hits == 12);
        CHECK(stats_of(all, "colours").hits == 16 + 24);
        CHECK(stats_of(all, "colours").misses == 8);
    }
    SECTION("five more types: grids and frames hit, scales are per type") {
        for (std::size_t t = 1; t < 6; ++t) render(ds, ds.types[t].neuron_type, o);
        all = cache_statistics();
        CHECK(stats_of(all, "coordinates").misses == 2);
        CHECK(stats_of(all, "coordinates").hits == 2 * 5);
        CHECK(stats_of(all, "metadata").misses == 12);  // the first type's frames serve every type
        CHECK(stats_of(all, "metadata").hits == 12 * 5);
        CHECK(stats_of(all, "metadata").entries == 12);
        // Scales hit within a type only (values differ between types). Some sample types have no
        // values in a region (no scale to sort, so no lookup): the expected counts are each type's
        // own, measured alone on fresh caches.
        CacheStats alone;
        for (std::size_t t = 0; t < 6; ++t) {
            fresh_caches();
            render(ds, ds.types[t].neuron_type, o);
            alone += stats_of("colours");
        }
        CHECK(stats_of(all, "colours").misses == alone.misses);
        CHECK(stats_of(all, "colours").hits == alone.hits);
        CHECK(alone.hits >= 2 * alone.misses);  // the pooled scale serves 6 eyemaps, a layer scale 2
        const std::string table = cache_stats_table(all);
        CHECK(table.find("coordinates") != std::string::npos);
        CHECK(table.find("metadata") != std::string::npos);
        CHECK(table.find("83.3%") != std::string::npos);  // coordinates: 10 of 12, metadata: 60 of 72
    }
}

TEST_CASE("reset, clear, per-cache switches and limits") {
    const Dataset& ds = sample_dataset();
    const auto& name = ds.types[0].neuron_type;
    RenderOptions o;
    o.scale.method = ScaleMethod::percentile;
    fresh_caches();
    render(ds, name, o);

    reset_cache_statistics();
    for (const auto& [n, s] : cache_statistics()) {
        INFO(n);
        CHECK(s.gets() == 0);
        CHECK(s.insertions == 0);
        CHECK(s.entries > 0);  // entries stay
    }
    render(ds, name, o);
    CHECK(stats_of("metadata").hits == 12);
    CHECK(stats_of("metadata").misses == 0);

    clear_caches();
    for (const auto& [n, s] : cache_statistics()) {
        INFO(n);
        CHECK(s.entries == 0);
        CHECK(s.bytes == 0);
        CHECK(s.invalidations > 0);
    }
    reset_cache_statistics();
    render(ds, name, o);
    CHECK(stats_of("metadata").misses == 12);
    CHECK(stats_of("coordinates").misses == 2);

    // One cache off, the others on.
    CacheOptions c;
    c.metadata.enabled = false;
    configure_caches(c);
    CHECK_FALSE(g_base->options().caches.metadata.enabled);
    CHECK(g_base->options().caches.coordinates.enabled);
    render(ds, name, o);
    render(ds, name, o);
    CHECK(stats_of("metadata").hits == 0);
    CHECK(stats_of("metadata").entries == 0);
    CHECK(stats_of("coordinates").hits == 2);

    // Small limits evict but never change the output.
    CacheOptions tiny;
    tiny.metadata.max_entries = 2;
    tiny.coordinates.max_entries = 1;
    configure_caches(tiny);
    const auto small = render(ds, name, o);
    CHECK(stats_of("metadata").evictions() > 0);
    fresh_caches(false);
    CHECK(render(ds, name, o) == small);
    fresh_caches();
}

TEST_CASE("concurrent rendering from 4 threads: same bytes as a single thread without caches") {
    const Dataset& ds = sample_dataset();
    RenderOptions o;
    o.scale.method = ScaleMethod::percentile;
    constexpr std::size_t kTypes = 4;
    std::vector<std::vector<std::string>> want(kTypes);
    fresh_caches(false);
    for (std::size_t t = 0; t < kTypes; ++t) want[t] = render(ds, ds.types[t].neuron_type, o);

    CacheOptions c;
    c.metadata.max_entries = 8;  // small enough to evict while other threads read
    configure_caches(c);
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th)
        threads.emplace_back([&, th] {
            for (int round = 0; round < 2; ++round)
                for (std::size_t k = 0; k < kTypes; ++k) {
                    const std::size_t t = (k + static_cast<std::size_t>(th)) % kTypes;
                    if (render(ds, ds.types[t].neuron_type, o) != want[t]) ++failures[static_cast<std::size_t>(th)];
                    if (th == 0 && round == 1 && k == 1) clear_caches();  // while the others render
                }
        });
    for (auto& t : threads) t.join();
    for (int f : failures) CHECK(f == 0);
    const auto s = stats_of("metadata");
    CHECK(s.gets() == 4u * 2 * kTypes * 12);
    CHECK(s.hits > 0);
    fresh_caches();
}

// Layout stage: the spec's coordinate formula, mirroring, neighbour distance, canvas and furniture.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <sstream>

#include "eyemap/eyemap.hpp"
#include "layout/layout.hpp"
#include "eyemap/sample.hpp"
#include "process/colormap.hpp"
#include "stage_support.hpp"

using namespace eyemap;

namespace {

ColumnIndex layout_of(std::vector<std::pair<int, int>> cols, Side side = Side::L) {
    ColumnLayout l;
    for (auto [a, b] : cols) l.entries.push_back({"ME", side, a, b});
    return make_column_index(l, builtin_regions());
}

std::size_t idx(const ColumnIndex& p, int h1, int h2) { return static_cast<std::size_t>(p.find(h1, h2)); }

}  // namespace

TEST_CASE("centres follow the spec formula up to a translation") {
    const auto p = layout_of({{3, 5}, {4, 5}, {3, 6}, {7, 2}, {10, 12}});
    const Geometry g;
    const auto grid = compute_grid(p, g, Side::L);
    const double s = g.hex_size * g.spacing;
    auto expect = [&](int h1, int h2) {
        const double q = -((h1 - 3) - (h2 - 2)) - 3, r = -(h2 - 2);  // mins over the set: 3 and 2
        return std::pair{s * 1.5 * q, s * (std::sqrt(3.0) / 2 * q + std::sqrt(3.0) * r)};
    };
    const auto [x0, y0] = expect(3, 5);
    for (auto [h1, h2] : std::vector<std::pair<int, int>>{{4, 5}, {3, 6}, {7, 2}, {10, 12}}) {
        const auto [x, y] = expect(h1, h2);
        CHECK(grid.x[idx(p, h1, h2)] - grid.x[idx(p, 3, 5)] == Approx(x - x0).margin(1e-3));
        CHECK(grid.y[idx(p, h1, h2)] - grid.y[idx(p, 3, 5)] == Approx(y - y0).margin(1e-3));
    }
    CHECK(grid.hex1[idx(p, 7, 2)] == 7);
    CHECK(grid.hex2[idx(p, 7, 2)] == 2);
}

TEST_CASE("neighbours are exactly spacing * hex_size * sqrt(3) apart") {
    const auto p = layout_of({{5, 5}, {6, 5}, {5, 6}, {6, 6}, {4, 5}, {5, 4}, {4, 4}});
    for (double spacing : {1.0, 1.1, 2.5}) {
        Geometry g;
        g.spacing = spacing;
        g.hex_size = 7;
        const auto grid = compute_grid(p, g, Side::L);
        const auto c = idx(p, 5, 5);
        for (auto [h1, h2] : std::vector<std::pair<int, int>>{{6, 5}, {5, 6}, {6, 6}, {4, 5}, {5, 4}, {4, 4}}) {
            const auto n = idx(p, h1, h2);
            const double d = std::hypot(grid.x[n] - grid.x[c], grid.y[n] - grid.y[c]);
            CHECK(d == Approx(spacing * 7 * std::sqrt(3.0)).epsilon(1e-5));
        }
    }
}

TEST_CASE("side R is the mirror image of side L, on a canvas of the same size") {
    const auto p = layout_of({{1, 1}, {2, 1}, {5, 3}, {9, 9}, {3, 8}});
    const Geometry g;
    const auto L = compute_grid(p, g, Side::L);
    const auto R = compute_grid(p, g, Side::R);
    CHECK(!L.mirrored);
    CHECK(R.mirrored);
    CHECK(L.width == R.width);
    CHECK(L.height == R.height);
    // x -> -x: differences flip sign, y unchanged.
    for (std::size_t i = 1; i < L.x.size(); ++i) {
        CHECK(R.x[i] - R.x[0] == Approx(-(L.x[i] - L.x[0])).margin(1e-3));
        CHECK(R.y[i] - R.y[0] == Approx(L.y[i] - L.y[0]).margin(1e-3));
    }
}

TEST_CASE("canvas: at least the field's minimum, no hexagon clipped, nothing under the controls") {
    ColumnLayout l;
    for (int a = 1; a <= 40; ++a)
        for (int b = 1; b <= 40; ++b) l.entries.push_back({"ME", Side::R, a, b});
    const auto p = make_column_index(l, builtin_regions());
    const Geometry g;
    for (Side side : {Side::L, Side::R}) {
        const auto grid = compute_grid(p, g, side);
        CHECK(grid.width >= 380);
        CHECK(grid.height >= 410);
        for (std::size_t i = 0; i < grid.x.size(); ++i) {
            CHECK(grid.x[i] - g.hex_size >= g.margin - 1e-3);
            CHECK(grid.x[i] + g.hex_size <= grid.width - g.margin + 1e-3);
            CHECK(grid.y[i] - g.hex_size >= grid.header_height - 1e-3);
            CHECK(grid.y[i] + g.hex_size <= grid.height - g.margin + 1e-3);
            const bool in_panel = grid.x[i] + g.hex_size > grid.panel_left && grid.x[i] - g.hex_size < grid.panel_left + grid.panel_width;
            CHECK(!in_panel);
        }
    }
    const auto tiny = compute_grid(layout_of({{1, 1}}), g, Side::L);
    CHECK(tiny.width == 380);
    CHECK(tiny.height == 410);
}

TEST_CASE("geometry parameters are validated where they enter: the renderer") {
    const auto p = layout_of({{1, 1}});
    RenderOptions o;
    o.geometry.hex_size = 0.5;
    CHECK_THROWS_AS(Renderer(o), Error);
    o.geometry = {};
    o.geometry.spacing = 3.5;
    CHECK_THROWS_WITH(Renderer(o), Catch::Contains("spacing"));
    o.geometry = {};
    o.geometry.hex_size = 50;
    o.geometry.spacing = 3;
    CHECK_NOTHROW(Renderer(o));
    CHECK_NOTHROW(compute_grid(p, o.geometry, Side::L));
}

TEST_CASE("scene furniture: titles with badge, legend only with data, one button per layer plus all") {
    ColumnTable t;
    t.columns = {true, false, true, false};
    ColumnRow r;
    r.neuron_type = "Tm3";
    r.region = "LO";
    r.side = Side::R;
    r.hex1 = 1;
    r.hex2 = 1;
    r.synapses = 12;
    r.layer_synapses = {1, 2, 3, 0, 0, 6, 0};
    t.rows.push_back(r);
    ColumnLayout l;
    l.entries.push_back({"LO", Side::R, 1, 1});
    l.entries.push_back({"LO", Side::R, 1, 2});
    const Dataset ds = make_dataset(t, l);
    const auto scenes = test::stage_scenes(ds, ds.types[0].neuron_type);
    REQUIRE(scenes.size() == 1);
    const Scene& s = scenes[0];
    CHECK(s.titles[0].text == "Synapses (All Columns)");
    CHECK(s.titles[1].text == "Tm3");
    CHECK(s.titles[1].badge == "(R)");
    CHECK(s.titles[2].text == "LO");
    CHECK(s.legend.shown);
    CHECK(s.legend.title == "Total Synapses");
    REQUIRE(s.buttons.size() == 8);
    CHECK(s.buttons[0].label == "LO");
    CHECK(s.buttons[5].label == "5A");
    CHECK(s.buttons[7].label == "6");
    // Controls sit bottom left on a right-side map, inside the canvas.
    CHECK(s.buttons[0].x < s.width / 2);
    CHECK(s.buttons.back().y + s.buttons.back().height <= s.height);
    CHECK(s.legend.x > s.width / 2);
}

TEST_CASE("legend labels: exact, distinct, compact for large values") {
    CHECK(tick_label(0) == "0");
    CHECK(tick_label(7) == "7");
    CHECK(tick_label(9999) == "9999");
    CHECK(tick_label(10000) == "10k");
    CHECK(tick_label(12300) == "12.3k");
    CHECK(tick_label(12345) == "12.345k");  // exact, never rounded
    CHECK(tick_label(1200000) == "1.2M");
    CHECK(tick_label(999000) == "999k");
    CHECK(tick_label(4.62e18) == "4.62E");
    CHECK(tick_label(9.2e17) == "920P");
    CHECK(tick_label(2.5) == "2.5");
    CHECK(tick_label(4.9) == "4.9");
    CHECK(tick_label(-3) == "-3");

    auto labels = [](std::vector<double> v, ScaleMethod m = ScaleMethod::linear) {
        return legend_scale(make_scale(v, ScaleOptions{m}));
    };
    // A robust maximum: the top label says the last colour holds everything from there up.
    {
        std::vector<double> v;
        for (int i = 1; i <= 100; ++i) v.push_back(i);
        v.push_back(100000);
        ScaleOptions o;
        o.clip_quantile = 0.98;
        const auto l = legend_scale(make_scale(v, o));
        REQUIRE(l.labels.size() == 6);
        CHECK(l.labels.front() == "1");
        CHECK(l.labels.back() == "\u2265 99");
        CHECK(legend_scale(make_scale(v, ScaleOptions{})).labels.back() == "100k");
    }
    // Small integer ranges: one labelled box per value (today's "2 2 2 1 1 1" and "3 3 2 2 1 1").
    const auto l12 = labels({1, 2, 2, 1});
    CHECK(l12.per_box);
    CHECK(l12.bins == 2);
    CHECK(l12.labels == std::vector<std::string>{"1", "2"});
    CHECK((std::array{l12.fill[0], l12.fill[1]}) == std::array<std::uint8_t, 2>{1, 5});
    const auto l13 = labels({1, 2, 3});
    CHECK(l13.labels == std::vector<std::string>{"1", "2", "3"});
    CHECK((std::array{l13.fill[0], l13.fill[1], l13.fill[2]}) == std::array<std::uint8_t, 3>{1, 3, 5});
    const auto l01 = labels({0, 1});
    CHECK(l01.labels == std::vector<std::string>{"0", "1"});
    const auto l05 = labels({0, 5, 3});
    CHECK(!l05.per_box);
    CHECK(l05.labels == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
    CHECK(l05.fill == BoxFills{1, 2, 3, 4, 5});
    CHECK(labels({12345, 20000, 98765}).labels == std::vector<std::string>{"12.3k", "29.6k", "46.9k", "64.1k", "81.4k", "98.8k"});
    CHECK(labels({1, 4611686018427387904.0}).labels == std::vector<std::string>{"1", "922P", "1.84E", "2.76E", "3.68E", "4.62E"});
    for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::stddev, ScaleMethod::log}) {
        INFO(to_string(m));
        std::vector<double> v;
        for (int i = 1; i <= 300; ++i) v.push_back(i * i % 1000 + 1);
        const auto l = labels(v, m);
        std::set<std::string> distinct(l.labels.begin(), l.labels.end());
        CHECK(distinct.size() == l.labels.size());
        CHECK(l.labels.size() == static_cast<std::size_t>(l.bins + 1));
    }
    CHECK(labels({}).bins == 0);
    CHECK(labels({}).labels.empty());
}

TEST_CASE("N bins: the legend has N boxes in the five boxes' height, N + 1 edges, labels thinned where boxes are low") {
    // 300 distinct whole values: every bin count keeps all its edges apart.
    std::vector<double> v;
    for (int i = 1; i <= 300; ++i) v.push_back(i * 7);
    ColumnTable t;
    t.columns = {true, false, false, false};
    ColumnLayout lay;
    for (int i = 1; i <= 30; ++i) {
        ColumnRow r;
        r.neuron_type = "T";
        r.region = "ME";
        r.side = Side::L;
        r.hex1 = i;
        r.hex2 = i;
        r.synapses = i * i;
        t.rows.push_back(r);
        lay.entries.push_back({"ME", Side::L, i, i});
    }
    const Dataset ds = make_dataset(t, lay);
    const EyemapRequest req{"ME", Side::L, Metric::synapses};
    double five_height = 0;
    for (int n = 2; n <= 12; ++n) {
        INFO(n << " bins");
        ScaleOptions o;
        o.bins = n;
        const LegendScale l = legend_scale(make_scale(v, o));
        CHECK(l.bins == n);
        CHECK_FALSE(l.per_box);
        CHECK(l.labels.size() == static_cast<std::size_t>(n + 1));
        for (int b = 0; b < n; ++b) CHECK(l.fill[static_cast<std::size_t>(b)] == b + 1);  // palette bins 1..N, light to dark
        for (std::size_t b = static_cast<std::size_t>(n); b < l.fill.size(); ++b) CHECK(l.fill[b] == 0);

        const Scene s = test::stage_scenes(ds, "T", std::span(&req, 1), {}, o).at(0);
        const LegendBox& lg = s.legend;
        REQUIRE(lg.all.bins == n);
        // The boxes fill the height of the field's five: the top of the top box and the bottom of the bottom one.
        const double height = lg.box_y(lg.all, 0) + lg.bin_height - lg.box_y(lg.all, n - 1);
        if (n == 5) five_height = height;
        CHECK(height == Approx(70));
        CHECK(lg.box_y(lg.all, n - 1) == lg.y);
        CHECK(lg.bin_height == Approx(70.0 / n));
        // Labels drawn: the first and the last always, at least 0.8 of the tick font apart (8 px at 10 px).
        std::vector<double> ys;
        for (std::size_t k = 0; k < lg.all.labels.size(); ++k)
            if (lg.all.label_shown(k)) ys.push_back(lg.label_y(lg.all, static_cast<int>(k)));
        CHECK(lg.all.label_shown(0));
        CHECK(lg.all.label_shown(lg.all.labels.size() - 1));
        for (std::size_t k = 1; k < ys.size(); ++k) CHECK(ys[k - 1] - ys[k] >= 8 - 1e-9);
        CHECK(ys.size() == (n <= 8 ? static_cast<std::size_t>(n + 1) : static_cast<std::size_t>(n / 2 + 1)));
        // Fills: the style's no-data and grey around N bins.
        REQUIRE(s.fills);
        CHECK(s.fills->bins() == n);
        CHECK(s.fills->colour.front() == "#ffffff");
        CHECK(s.fills->colour.back() == "#999999");
    }
    CHECK(five_height == 5 * 14);
}

TEST_CASE("fill colours: the palette for reds with 5 bins, the map's bins otherwise, errors name the option") {
    Style st;
    CHECK(fill_colours(st).colour == std::vector<std::string>(st.palette.begin(), st.palette.end()));
    CHECK(fill_colours(st, "Reds", 5).colour == std::vector<std::string>(st.palette.begin(), st.palette.end()));
    st.palette[3] = "#010203";  // a Style's own palette keeps drawing with the default map
    CHECK(fill_colours(st).colour[3] == "#010203");
    // viridis 7: bin i is viridis at (i + 0.5) / 7 (matplotlib's viridis(0.5) is #21918c).
    const FillColours v7 = fill_colours(st, "viridis", 7);
    REQUIRE(v7.colour.size() == 9);
    CHECK(v7.colour[0] == "#ffffff");
    CHECK(v7.colour[4] == "#21918c");
    CHECK(v7.colour[8] == "#999999");
    CHECK(v7.grey() == 8);
    // A listed map's ends: the listed colours.
    const FillColours two = fill_colours(st, "#000000, #ffffff", 2);
    CHECK(two.colour == std::vector<std::string>{"#ffffff", "#404040", "#c0c0c0", "#999999"});
    // reds with another count: ColorBrewer's Reds classes.
    CHECK(fill_colours(st, "reds", 3).colour == std::vector<std::string>{"#ffffff", "#fee0d2", "#fc9272", "#de2d26", "#999999"});
    for (auto [map, bins, field] : {std::tuple{"virdis", 5, "colormap"}, std::tuple{"#12345g,#000000", 5, "colormap"},
                                    std::tuple{"viridis", 13, "bins"}, std::tuple{"viridis", 1, "bins"}}) {
        INFO(map << " " << bins);
        try {
            fill_colours(st, map, bins);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.where().field == field);
        }
    }
}

// ---- Continuous legends (issue 27) -----------------------------------------------------------------

TEST_CASE("nice ticks: multiples of one 1-2-5 step inside the range, 4..7 where a step gives that many") {
    CHECK(nice_ticks(0, 100) == std::vector<double>{0, 20, 40, 60, 80, 100});
    CHECK(nice_ticks(1, 37) == std::vector<double>{5, 10, 15, 20, 25, 30, 35});
    CHECK(nice_ticks(-10, 10) == std::vector<double>{-10, -5, 0, 5, 10});
    CHECK(nice_ticks(3, 3) == std::vector<double>{3});
    // Huge magnitudes with a small span: finite, few, increasing (k + 1 == k for the step's multiples there).
    for (const auto& [lo, hi] : {std::pair{1e17, 1e17 + 64}, std::pair{-1e300, 1e300}, std::pair{1e300, 1.7e308}}) {
        const auto t = nice_ticks(lo, hi);
        CHECK(!t.empty());
        CHECK(t.size() <= 16);
        CHECK(std::is_sorted(t.begin(), t.end()));
    }
    std::size_t in_range = 0, total = 0;
    for (double lo : {-1234.5, -3.0, 0.0, 0.001, 1.0, 17.0, 9999.0})
        for (double span : {0.0013, 0.07, 1.0, 2.9, 7.25, 13.0, 99.0, 345.0, 5e4, 1e9}) {
            const double hi = lo + span;
            INFO(lo << ".." << hi);
            const auto t = nice_ticks(lo, hi);
            REQUIRE(t.size() >= 2);
            const double step = t[1] - t[0];
            // The step is 1, 2 or 5 times a power of ten.
            const double p = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
            const double m = step / p;
            CHECK((std::abs(m - 1) < 1e-6 || std::abs(m - 2) < 1e-6 || std::abs(m - 5) < 1e-6));
            for (std::size_t k = 0; k < t.size(); ++k) {
                CHECK(t[k] >= lo - 1e-9 * std::abs(lo));
                CHECK(t[k] <= hi + 1e-9 * std::abs(hi));
                if (k) CHECK(t[k] - t[k - 1] == Approx(step));
            }
            CHECK(t.size() >= 3);
            CHECK(t.size() <= 8);
            in_range += t.size() >= 4 && t.size() <= 7;
            ++total;
        }
    CHECK(in_range * 10 >= total * 9);  // nearly always 4..7
}

TEST_CASE("continuous legend: a gradient bar with nice labels at the scale's positions, thinned, clipped ends marked") {
    std::vector<double> v;
    for (int i = 1; i <= 37; ++i) v.push_back(i);
    ScaleOptions o;
    o.continuous = true;
    const LegendScale l = legend_scale(make_scale(v, o), {}, 70, 8);
    CHECK(l.gradient);
    CHECK(l.bins == 1);
    CHECK(l.labels == std::vector<std::string>{"5", "10", "15", "20", "25", "30", "35"});
    REQUIRE(l.label_t.size() == l.labels.size());
    for (std::size_t k = 0; k < l.labels.size(); ++k) CHECK(l.label_t[k] == Approx((std::stod(l.labels[k]) - 1) / 36));
    // A taller minimum gap drops labels rather than overlapping them.
    const LegendScale thin = legend_scale(make_scale(v, o), {}, 70, 15);
    CHECK(thin.labels.size() < l.labels.size());
    for (std::size_t k = 1; k < thin.label_t.size(); ++k) CHECK((thin.label_t[k] - thin.label_t[k - 1]) * 70 >= 15);
    // Log: powers of ten (with 2 and 5 between when few) at their log positions.
    o.method = ScaleMethod::log;
    std::vector<double> lv{1, 3, 30, 300, 3000, 10000};
    const LegendScale lg = legend_scale(make_scale(lv, o), {}, 70, 8);
    CHECK(lg.labels == std::vector<std::string>{"1", "10", "100", "1000", "10k"});
    CHECK(lg.label_t[1] == Approx(0.25));
    // A clip: "≥ x" at the top, nice labels too close to it left out.
    o.method = ScaleMethod::linear;
    o.clip_quantile = 0.9;
    v.push_back(1000);
    const ColorScale clipped = make_scale(v, o);
    const LegendScale lc = legend_scale(clipped, {}, 70, 8);
    CHECK(lc.labels.back() == "\u2265 " + tick_label(clipped.hi));
    CHECK(lc.label_t.back() == 1);
    for (std::size_t k = 1; k < lc.label_t.size(); ++k) CHECK((lc.label_t[k] - lc.label_t[k - 1]) * 70 >= 8);
    // No values: no legend.
    CHECK(legend_scale(make_scale(std::vector<double>{}, o)).labels.empty());
    // The scene: the bar is the five boxes' height, labels on it at their positions.
    o = ScaleOptions{};
    o.continuous = true;
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const ColumnLayout layout = sample_layout(1);
    std::ostringstream csv;
    SampleOptions so;
    so.types = 1;
    write_sample_data(csv, layout, so);
    const Dataset ds = make_dataset(parse_column_table(csv.str(), "sample"), layout);
    const auto fills = std::make_shared<const FillColours>(fill_colours(Style{}, "magma", 5, true));
    const Scene s = test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1), {}, o, fills).at(0);
    CHECK(s.legend.bar_height == 70);
    CHECK(s.legend.all.gradient);
    CHECK(s.legend.layer.gradient);
    for (std::size_t k = 0; k < s.legend.all.labels.size(); ++k) {
        const double y = s.legend.label_y(s.legend.all, static_cast<int>(k)) - 3.5;
        CHECK(y >= s.legend.y);
        CHECK(y <= s.legend.y + 70);
    }
}

TEST_CASE("continuous fills: white, the map's 256 table entries, grey, and gradient stops within one level of every entry") {
    for (const char* map : {"viridis", "reds", "rdbu", "greys", "#000000,#ff0000,#ffff00"}) {
        INFO(map);
        const FillColours f = fill_colours(Style{}, map, 5, true);
        REQUIRE(f.colour.size() == 258);
        CHECK(f.bins() == 256);
        CHECK(f.grey() == 257);
        CHECK(f.colour.front() == Style{}.palette.front());
        CHECK(f.colour.back() == Style{}.palette.back());
        const detail::Colormap m = detail::colormap_from_spec(map);
        for (std::size_t i = 0; i < 256; ++i)
            CHECK(f.colour[i + 1] == fmt::format("#{:02x}{:02x}{:02x}", m.lut[i].r, m.lut[i].g, m.lut[i].b));
        CHECK_THAT(f.words, Catch::Matchers::EndsWith("continuous"));
        REQUIRE(f.stops.size() >= 2);
        CHECK(f.stops.front() == GradientStop{0.0, 1});
        CHECK(f.stops.back() == GradientStop{1.0, 256});
        CHECK(f.stops.size() < 80);  // far fewer than 256: a few KB of SVG at most
        // Between two stops, the linear interpolation a browser or cairo draws is within one level (plus
        // the offsets' rounding to 4 decimals) of every table entry.
        for (std::size_t s = 1; s < f.stops.size(); ++s) {
            const std::size_t a = f.stops[s - 1].fill - 1u, b = f.stops[s].fill - 1u;
            REQUIRE(b > a);
            for (std::size_t k = a; k <= b; ++k) {
                const double w = double(k - a) / double(b - a);
                for (int ch = 0; ch < 3; ++ch) {
                    auto c = [&](std::size_t i) { return ch == 0 ? m.lut[i].r : ch == 1 ? m.lut[i].g : m.lut[i].b; };
                    CHECK(std::abs(c(a) + (c(b) - c(a)) * w - c(k)) <= 1.0 + 1e-9);
                }
            }
        }
    }
    // Binned fills have no stops.
    CHECK(fill_colours(Style{}, "viridis", 7).stops.empty());
}

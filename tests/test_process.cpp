// Process stage: statuses on the real optic-lobe layout, thresholds and binning edge cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "eyemap/eyemap.hpp"
#include "process/process.hpp"
#include "layout/layout.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

// A scale's edges as a test writes them: the list, then its last edge repeated (the padding to
// kMaxScaleBins + 1 entries that ColorScale::edges has).
ScaleEdges padded(std::initializer_list<double> list) {
    ScaleEdges e{};
    std::size_t k = 0;
    for (double x : list) e[k++] = x;
    for (; k < e.size(); ++k) e[k] = k ? e[k - 1] : 0;
    return e;
}

const std::string kData = EYEMAP_SHARED_DIR "/data/optic-lobe/";

EyemapData one(const Dataset& ds, std::string_view type, std::string region, Side side, Metric m, ScaleOptions o = {}) {
    EyemapRequest req{std::move(region), side, m};
    const TypeRows* t = ds.find_type(type);
    REQUIRE(t != nullptr);
    check_requests(*ds.index, ds.columns, std::span(&req, 1));
    return std::move(process_type(t->neuron_type, t->rows, ds.columns, *ds.index, std::span(&req, 1), o).at(0));
}

std::size_t count_status(const EyemapData& d, ColumnStatus s) {
    return static_cast<std::size_t>(std::count(d.status.begin(), d.status.end(), s));
}

}  // namespace

TEST_CASE("Mi1 on the real ME layout: 892 hexagons, has_data = medulla columns with an Mi1 cell") {
    const Dataset ds = load_dataset(kData + "me_cells.csv", kData + "columns.csv");
    REQUIRE(ds.index->universe.size() == 892);
    // Independent count straight from the CSV text: Mi1 rows with cells > 0.
    std::set<std::pair<int, int>> with_cell;
    std::istringstream in(test::read_file(kData + "me_cells.csv"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.rfind("Mi1,ME,R,", 0) != 0) continue;
        int h1 = 0, h2 = 0, cells = 0;
        REQUIRE(std::sscanf(line.c_str() + 9, "%d,%d,%d", &h1, &h2, &cells) == 3);
        if (cells > 0) with_cell.insert({h1, h2});
    }
    REQUIRE(with_cell.size() > 800);

    const auto d = one(ds, "Mi1", "ME", Side::R, Metric::cells);
    CHECK(d.status.size() == 892);
    CHECK(count_status(d, ColumnStatus::has_data) == with_cell.size());
    CHECK(d.has_data_count == with_cell.size());
    CHECK(count_status(d, ColumnStatus::not_in_region) == 0);
    CHECK(count_status(d, ColumnStatus::no_data) == 892 - with_cell.size());

    const auto lop = one(ds, "Mi1", "LOP", Side::R, Metric::cells);
    CHECK(count_status(lop, ColumnStatus::not_in_region) == 892 - 817);
    CHECK(count_status(lop, ColumnStatus::has_data) == 0);
    const auto lo = one(ds, "Mi1", "LO", Side::R, Metric::cells);
    CHECK(count_status(lo, ColumnStatus::not_in_region) == 892 - 875);
    for (std::size_t c = 0; c < lop.status.size(); ++c)
        CHECK(lop.fill[c] == (lop.status[c] == ColumnStatus::not_in_region ? kFillGrey : kFillWhite));
}

TEST_CASE("linear scale: min..max in five bins, upper edges inclusive") {
    const std::vector<double> v{0, 2, 4, 6, 8, 10};
    const auto s = make_scale(v, {});
    CHECK(s.edges == padded({0, 2, 4, 6, 8, 10}));
    CHECK(s.bin(0) == 0);
    CHECK(s.bin(2) == 0);   // on the first edge: lower bin
    CHECK(s.bin(2.0001) == 1);
    CHECK(s.bin(4) == 1);
    CHECK(s.bin(6) == 2);
    CHECK(s.bin(8) == 3);
    CHECK(s.bin(8.5) == 4);
    CHECK(s.bin(10) == 4);
    CHECK(s.bin(-5) == 0);  // clamped
    CHECK(s.bin(99) == 4);
}

TEST_CASE("scale edge cases: one value, no values, fixed, percentile") {
    SECTION("min == max: one bin in the middle colour, where the field's +-0.1 widening puts it") {
        const std::vector<double> v{5, 5, 5};
        const auto s = make_scale(v, {});
        CHECK(s.bins == 1);
        CHECK(s.singles);
        CHECK(s.edges[0] == 5);
        CHECK(s.edges[5] == 5);
        CHECK(s.bin(5) == 2);
        const std::vector<double> f{2.5, 2.5};  // a fractional value is still widened
        const auto w = make_scale(f, {});
        CHECK(w.edges[0] == Approx(2.4));
        CHECK(w.edges[5] == Approx(2.6));
        CHECK(w.bin(2.5) == 2);
    }
    SECTION("no values: six zeros, everything bins to 0") {
        const auto s = make_scale({}, {});
        CHECK(s.edges == padded({}));
        CHECK(s.bin(0) == 0);
        CHECK(s.bin(3) == 0);
    }
    SECTION("fixed range is used as given, whatever the values") {
        const std::vector<double> v{1, 2};
        const auto s = make_scale(v, ScaleOptions{ScaleMethod::fixed, ScaleScope::pooled, 0, 100});
        CHECK(s.edges[5] == 100);
        CHECK(s.bin(2) == 0);
        CHECK(s.bin(100) == 4);
        CHECK_THROWS_AS(make_scale(v, ScaleOptions{ScaleMethod::fixed, ScaleScope::pooled, 5, 1}), Error);
    }
    SECTION("percentile edges follow the distribution") {
        std::vector<double> v;
        for (int i = 1; i <= 100; ++i) v.push_back(i == 100 ? 10000 : i);  // one outlier
        const auto s = make_scale(v, ScaleOptions{ScaleMethod::percentile});
        CHECK(s.edges[0] == 1);
        CHECK(s.edges[5] == 10000);
        CHECK(s.bin(20) == 0);
        CHECK(s.bin(50) == 2);
        CHECK(s.bin(99) == 4);
        const auto lin = make_scale(v, {});
        CHECK(lin.bin(99) == 0);  // the outlier squashes a linear scale
    }
}

namespace {

// A scale is honest for any bin count: bins 1..classes, ordered distinct edges padded with the last,
// each value inside its bin (its one value for singles), colours never lighter as values grow and
// within 0..classes-1.
void check_honest(const ColorScale& s, const std::vector<double>& values) {
    REQUIRE(s.bins >= 1);
    REQUIRE(s.bins <= s.classes);
    for (int b = 0; b + 1 <= s.bins; ++b)
        if (!s.singles || b + 1 < s.bins) CHECK(s.edges[static_cast<std::size_t>(b)] < s.edges[static_cast<std::size_t>(b + 1)]);
    for (std::size_t k = static_cast<std::size_t>(s.bins) + 1; k < s.edges.size(); ++k) CHECK(s.edges[k] == s.edges[static_cast<std::size_t>(s.bins)]);
    int last = -1;
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (double v : sorted) {
        const int b = s.scale_bin(v);
        INFO("value " << v << " bin " << b);
        REQUIRE(b >= 0);
        REQUIRE(b < s.bins);
        if (s.singles) {
            CHECK(s.edges[static_cast<std::size_t>(b)] == v);
        } else {
            CHECK(s.edges[static_cast<std::size_t>(b)] <= v);
            CHECK(v <= s.edges[static_cast<std::size_t>(b + 1)]);
            if (b > 0) CHECK(v > s.edges[static_cast<std::size_t>(b)]);  // lower edges exclusive but the first
        }
        CHECK(s.bin(v) >= last);
        CHECK(s.bin(v) < s.classes);
        last = s.bin(v);
    }
}

std::vector<double> range(double lo, double hi) {
    std::vector<double> v;
    for (double x = lo; x <= hi; ++x) v.push_back(x);
    return v;
}

}  // namespace

TEST_CASE("integer scales: small ranges get one bin per value, the field's colours") {
    for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::stddev, ScaleMethod::log}) {
        INFO(to_string(m));
        const ScaleOptions o{m};
        const auto s01 = make_scale(range(0, 1), o);  // 0-1
        CHECK(s01.singles);
        CHECK(s01.bins == 2);
        CHECK(s01.bin(0) == 0);
        CHECK(s01.bin(1) == 4);
        check_honest(s01, range(0, 1));
        const std::vector<double> mi1{2, 1, 1, 2, 2, 1};  // 1-2: the real Mi1 ME R cell counts
        const auto s12 = make_scale(mi1, o);
        CHECK(s12.bins == 2);
        CHECK(s12.edges[0] == 1);
        CHECK(s12.edges[1] == 2);
        CHECK(s12.edges[5] == 2);
        CHECK(s12.bin(1) == 0);
        CHECK(s12.bin(2) == 4);
        check_honest(s12, mi1);
        const auto s13 = make_scale(range(1, 3), o);  // 1-3: the field's t = 0, .5, 1 -> bins 0, 2, 4
        CHECK(s13.bins == 3);
        CHECK((std::array{s13.bin(1), s13.bin(2), s13.bin(3)}) == std::array{0, 2, 4});
        check_honest(s13, range(1, 3));
        const auto s03 = make_scale(range(0, 3), o);  // t = 0, 1/3, 2/3, 1 -> 0, 1, 3, 4
        CHECK((std::array{s03.bin(0), s03.bin(1), s03.bin(2), s03.bin(3)}) == std::array{0, 1, 3, 4});
        const auto s04 = make_scale(range(0, 4), o);
        CHECK(s04.bins == 5);
        CHECK(s04.singles);
        for (int v = 0; v <= 4; ++v) CHECK(s04.bin(v) == v);
    }
}

TEST_CASE("integer scales: 0-5 and larger ranges have whole-number edges and keep the field's bins") {
    const auto s05 = make_scale(range(0, 5), {});
    CHECK(!s05.singles);
    CHECK(s05.bins == 5);
    CHECK(s05.edges == padded({0, 1, 2, 3, 4, 5}));
    CHECK(s05.bin(1) == 0);
    CHECK(s05.bin(2) == 1);
    CHECK(s05.bin(5) == 4);
    check_honest(s05, range(0, 5));
    // 1..13: the field's thresholds 3.4, 5.8, 8.2, 10.6 -> 3, 5, 8, 10; bins the same for every value.
    const auto s = make_scale(range(1, 13), {});
    CHECK(s.edges == padded({1, 3, 5, 8, 10, 13}));
    for (double v = 1; v <= 13; ++v) {
        const double t = (v - 1) / 12;
        const int field = t <= 0.2 ? 0 : t <= 0.4 ? 1 : t <= 0.6 ? 2 : t <= 0.8 ? 3 : 4;
        CHECK(s.bin(v) == field);
    }
    check_honest(s, range(1, 13));
}

TEST_CASE("scale methods: definitions on integer data") {
    const auto v = range(1, 100);
    SECTION("linear") { CHECK(make_scale(v, {}).edges == padded({1, 20, 40, 60, 80, 100})); }
    SECTION("percentile: 0, 20, ..., 100th percentiles, floored") {
        CHECK(make_scale(v, ScaleOptions{ScaleMethod::percentile}).edges == padded({1, 20, 40, 60, 80, 100}));
    }
    SECTION("stddev: min, mean -1.5, -.5, +.5, +1.5 sd (population), max") {
        const auto s = make_scale(v, ScaleOptions{ScaleMethod::stddev});  // mean 50.5, sd 28.866
        CHECK(s.edges == padded({1, 7, 36, 64, 93, 100}));
        check_honest(s, v);
        // Clamped to min..max: an outlier widens sd, the inner edges stay inside and merge.
        std::vector<double> w(50, 10);
        w.push_back(1000);
        const auto c = make_scale(w, ScaleOptions{ScaleMethod::stddev});
        CHECK(c.edges[0] == 10);
        CHECK(c.edges[5] == 1000);
        CHECK(c.bins < 5);
        check_honest(c, w);
        CHECK(c.bin(1000) == 4);
        CHECK(c.bin(10) == 0);
    }
    SECTION("log: geometric from the smallest positive value to the max") {
        const auto s = make_scale(range(1, 1000), ScaleOptions{ScaleMethod::log});
        CHECK(s.edges == padded({1, 3, 15, 63, 251, 1000}));
        check_honest(s, range(1, 1000));
        const std::vector<double> z{0, 0, 10, 1000};  // zeros: below the first edge, in bin 0
        const auto t = make_scale(z, ScaleOptions{ScaleMethod::log});
        CHECK(t.edges[0] == 0);
        CHECK(t.bin(0) == 0);
        CHECK(t.bin(1000) == 4);
    }
    SECTION("names") {
        for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed, ScaleMethod::stddev, ScaleMethod::log})
            CHECK(parse_scale_method(to_string(m)) == m);
        CHECK(to_string(ScaleMethod::stddev) == "stddev");
        CHECK(to_string(ScaleMethod::log) == "log");
    }
}

TEST_CASE("integer scales: large values snap to three significant digits, huge ones do not overflow") {
    std::vector<double> v{12345, 20000, 50000, 98765};
    const auto s = make_scale(v, {});
    CHECK(s.edges == padded({12300, 29600, 46900, 64100, 81400, 98800}));  // from 12345 + 17284 k
    check_honest(s, v);
    const double big = 4611686018427387904.0;  // 2^62
    for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::stddev, ScaleMethod::log}) {
        INFO(to_string(m));
        std::vector<double> h{1, 1e6, 1e12, big / 2, big};
        const auto hs = make_scale(h, ScaleOptions{m});
        check_honest(hs, h);
        CHECK(hs.edges[0] <= 1);
        CHECK(hs.edges[5] >= big);
        CHECK(hs.edges[5] <= 4.62e18);
        CHECK(hs.bin(big) == 4);
    }
    CHECK(make_scale(std::vector<double>{1, 1e6, 1e12, big / 2, big}, {}).edges ==
          padded({1, 9.22e17, 1.84e18, 2.76e18, 3.68e18, 4.62e18}));
    std::vector<double> near{big, big + 1024 * 10, big + 1024 * 20};  // doubles 1024 apart up there
    check_honest(make_scale(near, {}), near);
}

TEST_CASE("zeros are no_data, pooled vs per-region scope, per-layer fills") {
    ColumnTable t;
    t.columns = {true, false, true, false};
    auto row = [](std::string region, int h1, std::int64_t syn, std::vector<std::int64_t> layers) {
        ColumnRow r;
        r.neuron_type = "T";
        r.region = std::move(region);
        r.side = Side::L;
        r.hex1 = h1;
        r.hex2 = 1;
        r.synapses = syn;
        r.layer_synapses = std::move(layers);
        return r;
    };
    t.rows.push_back(row("ME", 1, 0, std::vector<std::int64_t>(10, 0)));
    t.rows.push_back(row("ME", 2, 10, {10, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    t.rows.push_back(row("ME", 3, 20, {5, 15, 0, 0, 0, 0, 0, 0, 0, 0}));
    t.rows.push_back(row("LOP", 1, 1000, {1000, 0, 0, 0}));
    ColumnLayout layout;
    for (int h1 = 1; h1 <= 4; ++h1) layout.entries.push_back({"ME", Side::L, h1, 1});
    layout.entries.push_back({"LOP", Side::L, 1, 1});
    const Dataset ds = make_dataset(t, layout);

    const auto pooled = one(ds, "T", "ME", Side::L, Metric::synapses);
    CHECK(pooled.status[0] == ColumnStatus::no_data);  // a zero is not data
    CHECK(pooled.status[1] == ColumnStatus::has_data);
    CHECK(pooled.scale.edges[0] == 10);
    CHECK(pooled.scale.edges[5] == 1000);  // pooled with LOP
    CHECK(pooled.fill[1] == 1);
    CHECK(pooled.fill[2] == 1);

    const auto per_region = one(ds, "T", "ME", Side::L, Metric::synapses, ScaleOptions{ScaleMethod::linear, ScaleScope::per_region});
    CHECK(per_region.scale.edges[5] == 20);
    CHECK(per_region.fill[2] == 5);

    // Layer scale: ME entries > 0 are 10, 5, 15 -> linear 5..15.
    REQUIRE(pooled.has_layers());
    CHECK(pooled.layer_scale.edges[0] == 5);
    CHECK(pooled.layer_scale.edges[5] == 15);
    CHECK(pooled.layer_fill[1 * 10 + 0] == 3);  // 10 is mid-scale
    CHECK(pooled.layer_fill[2 * 10 + 1] == 5);
    CHECK(pooled.layer_fill[2 * 10 + 2] == 0);  // zero layer value: white
    const auto l2 = fills_for_layer(pooled, 2);
    CHECK(l2[3] == kFillWhite);  // column 4 has no row: white in every layer
    CHECK(l2[2] == 5);
    const auto lop = one(ds, "T", "LOP", Side::L, Metric::synapses);
    CHECK(fills_for_layer(lop, 1)[1] == kFillGrey);  // not in LOP stays grey
    CHECK_THROWS_AS(fills_for_layer(lop, 5), Error);
}

TEST_CASE("a row outside the layout, a missing metric and an empty region are input errors") {
    ColumnTable t;
    t.columns = {true, false, false, false};
    ColumnRow r;
    r.neuron_type = "T";
    r.region = "ME";
    r.side = Side::R;
    r.hex1 = 9;
    r.hex2 = 9;
    r.synapses = 3;
    r.line = 7;
    t.rows.push_back(r);
    ColumnLayout layout;
    layout.entries.push_back({"ME", Side::R, 1, 1});
    layout.entries.push_back({"ME", Side::R, 9, 9});
    layout.entries.push_back({"LO", Side::R, 1, 1});
    const Dataset ds = make_dataset(t, layout);
    CHECK_THROWS_WITH(one(ds, "T", "ME", Side::R, Metric::cells), Catch::Contains("no 'cells' column"));
    CHECK_THROWS_WITH(one(ds, "T", "LOP", Side::R, Metric::synapses), Catch::Contains("no columns for region LOP"));
    ColumnLayout small;
    small.entries.push_back({"ME", Side::R, 1, 1});
    const Dataset ds2 = make_dataset(t, small);
    try {
        one(ds2, "T", "ME", Side::R, Metric::synapses);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.where().line == 7);
        CHECK(std::string(e.what()).find("not in the layout") != std::string::npos);
    }
}

TEST_CASE("all_requests: 12 for a full dataset, fewer when the layout or metrics lack") {
    ColumnLayout layout;
    for (const char* reg : {"ME", "LO", "LOP"})
        for (Side s : {Side::L, Side::R}) layout.entries.push_back({reg, s, 1, 1});
    const auto full = make_column_index(layout, builtin_regions());
    CHECK(all_requests(full, TableColumns{true, true, false, false}).size() == 12);
    CHECK(all_requests(full, TableColumns{false, true, false, false}).size() == 6);
    layout.entries.resize(2);  // ME only
    CHECK(all_requests(make_column_index(layout, builtin_regions()), TableColumns{true, true, false, false}).size() == 4);
}

TEST_CASE("column lookup: dense table for compact layouts, search for sparse ones, same answers") {
    for (int far : {40, 4000}) {  // 40: dense index; 4000: a 4000 x 4000 box is too sparse for it
        ColumnLayout l;
        l.entries.push_back({"ME", Side::R, 1, 1});
        l.entries.push_back({"ME", Side::R, 2, 5});
        l.entries.push_back({"ME", Side::R, far, far});
        const auto p = make_column_index(l, builtin_regions());
        CHECK(p.index.empty() == (far == 4000));
        CHECK(p.find(1, 1) == 0);
        CHECK(p.find(2, 5) == 1);
        CHECK(p.find(far, far) == 2);
        CHECK(p.find(2, 4) == -1);
        CHECK(p.find(0, 1) == -1);
        CHECK(p.find(far + 1, far) == -1);
        CHECK(p.find(-4096, 4096) == -1);
    }
}

TEST_CASE("clip_quantile: the scale ends at the quantile, values above fall in the last bin, 1 changes nothing") {
    std::vector<double> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i);
    v.push_back(100000);  // one outlier that would leave every other value in the first bin
    ScaleOptions o;
    const ColorScale plain = make_scale(v, o);
    CHECK_FALSE(plain.clipped);
    CHECK(plain.edges[5] == 100000);
    CHECK(plain.bin(100) == 0);
    o.clip_quantile = 1;
    CHECK(make_scale(v, o).edges == plain.edges);

    o.clip_quantile = 0.98;
    const ColorScale s = make_scale(v, o);
    CHECK(s.clipped);
    // Sorted position 100 * 0.98 = 98: the 99th value, 99; whole values keep a whole limit.
    CHECK(s.edges[0] == 1);
    CHECK(s.edges[5] == 99);
    CHECK(s.bins == 5);
    CHECK(s.bin(99) == 4);
    CHECK(s.bin(100) == 4);     // above the limit: the last colour
    CHECK(s.bin(100000) == 4);
    CHECK(s.bin(20) == 0);
    CHECK(s.bin(21) == 1);      // the outlier no longer squeezes everything into bin 0

    // Fractional values: the interpolated quantile itself.
    std::vector<double> f{0.5, 1.5, 2.5, 3.5, 1000.5};
    o.clip_quantile = 0.75;  // position 3: 3.5
    const ColorScale fs = make_scale(f, o);
    CHECK(fs.clipped);
    CHECK(fs.edges[5] == 3.5);
    // A quantile at the maximum clips nothing.
    std::vector<double> flat{1, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    o.clip_quantile = 0.9;
    CHECK_FALSE(make_scale(flat, o).clipped);
    // Percentile scales see the clipped values: their top edge is the limit.
    o.method = ScaleMethod::percentile;
    o.clip_quantile = 0.98;
    CHECK(make_scale(v, o).edges[5] == 99);
}

TEST_CASE("N bins: every method splits the scale into N intervals, N = 2..12, by the method's own definition") {
    // Fractional values, skewed so that the methods differ: no two candidate edges coincide.
    std::vector<double> v;
    for (int i = 1; i <= 240; ++i) v.push_back(0.25 + 0.01 * i * i + (i % 7) * 0.125);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted.front(), hi = sorted.back();
    double mean = 0, var = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) var += (x - mean) * (x - mean);
    const double sd = std::sqrt(var / static_cast<double>(v.size()));
    for (int n = 2; n <= 12; ++n) {
        for (auto m : {ScaleMethod::linear, ScaleMethod::percentile, ScaleMethod::fixed, ScaleMethod::stddev, ScaleMethod::log}) {
            INFO(n << " bins, " << to_string(m));
            ScaleOptions o{m};
            o.bins = n;
            if (m == ScaleMethod::fixed) o.min = 0.125, o.max = 600.125;  // fractional (no whole-number snapping), around the values
            const ColorScale s = make_scale(v, o);
            CHECK(s.classes == n);
            // The method's edges, computed here from its definition.
            std::vector<double> want;
            for (int k = 0; k <= n; ++k) {
                const double t = static_cast<double>(k) / n;
                switch (m) {
                    case ScaleMethod::linear: want.push_back(lo + (hi - lo) * t); break;
                    case ScaleMethod::fixed: want.push_back(0.125 + 600 * t); break;
                    case ScaleMethod::log: want.push_back(lo * std::pow(hi / lo, t)); break;
                    case ScaleMethod::percentile: {
                        const double pos = (static_cast<double>(sorted.size()) - 1) * t;
                        const auto i = static_cast<std::size_t>(pos);
                        want.push_back(i + 1 < sorted.size() ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - static_cast<double>(i)) : sorted[i]);
                        break;
                    }
                    case ScaleMethod::stddev:
                        want.push_back(k == 0 ? lo : k == n ? hi : std::clamp(mean + (k - n / 2.0) * sd, lo, hi));
                        break;
                }
            }
            std::sort(want.begin(), want.end());
            want.erase(std::unique(want.begin(), want.end()), want.end());
            REQUIRE(s.bins == static_cast<int>(want.size()) - 1);
            if (m != ScaleMethod::stddev) CHECK(s.bins == n);  // only stddev clamps (and merges) edges
            for (std::size_t k = 0; k < want.size(); ++k) CHECK(s.edges[k] == Approx(want[k]).epsilon(1e-12));
            check_honest(s, v);
            // Every colour 0..N-1 is used once per bin when no edge merged, lightest first.
            if (s.bins == n)
                for (int b = 0; b < n; ++b) CHECK(s.colour_of(b) == b);
        }
    }
}

TEST_CASE("N bins: whole numbers keep the integer rules, single values spread over N colours") {
    for (int n = 2; n <= 12; ++n) {
        INFO(n << " bins");
        ScaleOptions o;
        o.bins = n;
        // Up to N distinct whole values: one bin each.
        const auto few = range(1, n);
        const ColorScale s = make_scale(few, o);
        CHECK(s.singles);
        CHECK(s.bins == n);
        for (int b = 0; b < n; ++b) CHECK(s.edges[static_cast<std::size_t>(b)] == b + 1);
        check_honest(s, few);
        // One more value: N intervals with whole-number edges from min to max.
        const auto more = range(1, n + 1);
        const ColorScale t = make_scale(more, o);
        CHECK_FALSE(t.singles);
        CHECK(t.edges[0] == 1);
        CHECK(t.edges[static_cast<std::size_t>(t.bins)] == n + 1);
        for (int k = 0; k <= t.bins; ++k) CHECK(t.edges[static_cast<std::size_t>(k)] == std::floor(t.edges[static_cast<std::size_t>(k)]));
        check_honest(t, more);
        // Two single values: the lightest and the darkest colour; one value: the middle one.
        const ColorScale two = make_scale(std::vector<double>{4, 5}, o);
        CHECK(two.colour_of(0) == 0);
        CHECK(two.colour_of(1) == n - 1);
        CHECK(make_scale(std::vector<double>{7}, o).bin(7) == (n - 1) / 2);
        // A fractional single value is widened by +-0.1 into N bins and lands in the middle.
        const ColorScale w = make_scale(std::vector<double>{2.5}, o);
        CHECK(w.bins == n);
        CHECK(w.edges[0] == Approx(2.4));
        CHECK(w.edges[static_cast<std::size_t>(n)] == Approx(2.6));
        CHECK(w.bin(2.5) == (n - 1) / 2);
    }
    // Fewer bins than colours spread from light to dark: three single values on 7 colours.
    ScaleOptions seven;
    seven.bins = 7;
    const ColorScale s3 = make_scale(std::vector<double>{1, 2, 3}, seven);
    CHECK(s3.bins == 3);
    CHECK(std::array{s3.colour_of(0), s3.colour_of(1), s3.colour_of(2)} == std::array{0, 3, 6});
}

TEST_CASE("N bins: process_type draws bins 1..N and not-in-region as N + 1") {
    // 40 columns in ME, the first 30 also in LO: LO's eyemap has 10 grey columns, 29 with data, one white.
    ColumnLayout layout;
    std::ostringstream csv;
    csv << "neuron_type,region,side,hex1,hex2,synapses,layer_synapses\n";
    for (int i = 1; i <= 40; ++i) {
        layout.entries.push_back({"ME", Side::R, i, i});
        if (i > 30) continue;
        layout.entries.push_back({"LO", Side::R, i, i});
        if (i == 7) continue;
        csv << "T,LO,R," << i << ',' << i << ',' << i * i << ",";
        for (int l = 0; l < 7; ++l) csv << (l ? ";" : "") << (l * i) % 23;
        csv << '\n';
    }
    const Dataset ds = make_dataset(parse_column_table(csv.str(), "memory"), layout);
    for (int n : {2, 7, 12}) {
        INFO(n << " bins");
        ScaleOptions o;
        o.bins = n;
        const auto lo = one(ds, "T", "LO", Side::R, Metric::synapses, o);
        CHECK(lo.grey_fill == n + 1);
        CHECK(lo.not_in_region_count == 10);
        std::set<int> used;
        for (std::size_t c = 0; c < lo.fill.size(); ++c) {
            if (lo.status[c] == ColumnStatus::not_in_region) CHECK(lo.fill[c] == n + 1);
            else if (lo.status[c] == ColumnStatus::no_data) CHECK(lo.fill[c] == kFillWhite);
            else {
                CHECK(lo.fill[c] == lo.scale.bin(static_cast<double>(lo.value[c])) + 1);
                used.insert(lo.fill[c]);
            }
        }
        CHECK(used.size() == static_cast<std::size_t>(n));  // 1..900 in n intervals: every bin has a value
        CHECK(*used.rbegin() == n);
        REQUIRE(lo.has_layers());
        for (int l = 0; l <= static_cast<int>(lo.layer_count()); ++l) {
            const auto f = fills_for_layer(lo, l);
            CHECK(*std::max_element(f.begin(), f.end()) == n + 1);  // the grey columns
            for (std::size_t c = 0; c < f.size(); ++c)
                if (lo.status[c] != ColumnStatus::not_in_region) CHECK(f[c] <= n);
        }
    }
}

TEST_CASE("process: a value column: 0 and signed values are data, NaN is not, the scale spans them, one format per eyemap") {
    const std::string csv =
        "neuron_type,region,side,hex1,hex2,synapses,diff,layer_diff\n"
        "A,ME,R,1,1,5,-1.25,1;;-2;0;0;0;0;0;0;0\n"
        "A,ME,R,1,2,0,0,\n"
        "A,ME,R,1,3,3,,\n"
        "A,ME,R,2,1,0,2.5,0;0;0;0;0;0;0;0;0;4\n"
        "A,ME,L,2,2,1,0.5,\n";
    const std::vector<std::string> values{"diff"};
    const Dataset ds = make_dataset(parse_column_table(csv, "d.csv", builtin_regions(), values));
    const Metric diff("diff");
    REQUIRE(has_metric(ds.columns, diff));
    REQUIRE(has_metric_layers(ds.columns, diff));
    const EyemapData d = one(ds, "A", "ME", Side::R, diff);
    CHECK_FALSE(d.counts);
    CHECK(d.has_data_count == 3);  // -1.25, 0 and 2.5; the empty cell is no data
    std::vector<double> seen;
    for (std::size_t c = 0; c < d.status.size(); ++c)
        if (d.status[c] == ColumnStatus::has_data) seen.push_back(d.value[c]);
        else if (d.status[c] == ColumnStatus::no_data) CHECK(std::isnan(d.value[c]));
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<double>{-1.25, 0, 2.5});
    // Pooled over both sides: -1.25 .. 2.5 (0.5 of side L included), linear.
    CHECK(d.scale.edges[0] == -1.25);
    CHECK(d.scale.edges[5] == 2.5);
    // 3 significant digits of the largest magnitude, 2.5: two places.
    CHECK(d.format == ValueFormat{false, 2, false});
    // Per layer: NaN is white (no data), 0 is data (coloured), a negative value is data.
    const std::size_t L = d.layer_count();
    const std::int64_t first = ds.index->find(1, 1);
    REQUIRE(first >= 0);
    const auto c0 = static_cast<std::size_t>(first);
    CHECK(std::isnan(d.layer_value[c0 * L + 1]));
    CHECK(d.layer_fill[c0 * L + 1] == kFillWhite);
    CHECK(d.layer_fill[c0 * L + 3] != kFillWhite);  // a zero
    CHECK(d.layer_fill[c0 * L + 2] == 1);            // -2: the smallest layer value, the first bin
    // The counts of the same rows keep their rule: 0 is no data.
    const EyemapData s = one(ds, "A", "ME", Side::R, Metric::synapses);
    CHECK(s.counts);
    CHECK(s.has_data_count == 2);
    CHECK(s.format == ValueFormat{});
    // A metric the data lacks is named.
    EyemapRequest req{"ME", Side::R, Metric("other")};
    CHECK_THROWS_WITH(check_requests(*ds.index, ds.columns, std::span(&req, 1)), Catch::Contains("no 'other' column"));
}

TEST_CASE("process: value formats: whole numbers as integers, else three significant digits, scientific below 0.0001") {
    const auto f = [](std::initializer_list<double> v) { return value_format(std::vector<double>(v)); };
    CHECK(f({1, 2, -3}) == ValueFormat{true, 0, false});
    CHECK(f({0.873, 0.1}) == ValueFormat{false, 3, false});
    CHECK(f({12.5, -3}) == ValueFormat{false, 1, false});
    CHECK(f({1234.5}) == ValueFormat{false, 0, false});
    CHECK(f({0.00012, 0.0005}) == ValueFormat{false, 6, false});  // 0.000500
    CHECK(f({0.00002, -0.00005}) == ValueFormat{false, 0, true});
    CHECK(f({std::nan(""), 0.5}) == ValueFormat{false, 3, false});
    CHECK(f({}) == ValueFormat{});
    CHECK(format_value(0.8734, ValueFormat{false, 3, false}) == "0.873");
    CHECK(format_value(0.5, ValueFormat{false, 3, false}) == "0.5");  // trailing zeros dropped
    CHECK(format_value(-0.0001, ValueFormat{false, 3, false}) == "0");  // no "-0"
    CHECK(format_value(-3.25, ValueFormat{false, 1, false}) == "-3.3");  // half away from zero
    CHECK(format_value(0.000123, ValueFormat{false, 0, true}) == "1.23e-04");
    CHECK(format_value(42, ValueFormat{}) == "42");
    CHECK(format_value(std::nan(""), ValueFormat{}) == "no data");
}

// ---- Continuous scales and centres (issue 27) ------------------------------------------------------

namespace {

ScaleOptions continuous(ScaleMethod m = ScaleMethod::linear) {
    ScaleOptions o;
    o.method = m;
    o.continuous = true;
    return o;
}

}  // namespace

TEST_CASE("continuous scales: each method's position between its limits, levels as matplotlib's cmap(t) picks them") {
    std::vector<double> v;
    for (int i = 1; i <= 101; ++i) v.push_back(i);
    const ColorScale lin = make_scale(v, continuous());
    CHECK(lin.continuous);
    CHECK(lin.classes == kContinuousLevels);
    CHECK(lin.bins == 1);
    CHECK(lin.lo == 1);
    CHECK(lin.hi == 101);
    CHECK(lin.position_of(1) == 0);
    CHECK(lin.position_of(51) == 0.5);
    CHECK(lin.position_of(101) == 1);
    CHECK(lin.position_of(-5) == 0);    // clamped
    CHECK(lin.position_of(500) == 1);
    CHECK(lin.level(1) == 0);
    CHECK(lin.level(51) == 128);       // floor(0.5 * 256)
    CHECK(lin.level(101) == 255);      // t = 1: the last entry
    CHECK(lin.fill(1) == 1);
    CHECK(lin.fill(101) == 256);
    // level = floor(t * 256) for every t: the table entry detail's sample() reads, bin by bin.
    for (int i = 0; i <= 1000; ++i) {
        const double x = 1 + i * 0.1;
        const double t = (x - 1) / 100;
        CHECK(lin.level(x) == std::min(255, static_cast<int>(t * 256)));
    }

    // Log: in log space from the smallest value > 0; zeros at the bottom.
    const std::vector<double> lv{0, 1, 10, 100, 1000};
    const ColorScale lg = make_scale(lv, continuous(ScaleMethod::log));
    CHECK(lg.lo == 1);
    CHECK(lg.hi == 1000);
    CHECK(lg.position_of(10) == Approx(1.0 / 3));
    CHECK(lg.position_of(100) == Approx(2.0 / 3));
    CHECK(lg.position_of(0) == 0);
    CHECK(lg.position_of(1000) == 1);
    // Nothing positive but one value: linear.
    CHECK(make_scale(std::vector<double>{0, 0, 5}, continuous(ScaleMethod::log)).position_of(2.5) == 0.5);

    // Percentile: the percentile rank, ties at their middle rank, values between two interpolated.
    const std::vector<double> pv{10, 2, 2, 3, 1};
    const ColorScale pc = make_scale(pv, continuous(ScaleMethod::percentile));
    CHECK(pc.position_of(1) == 0);
    CHECK(pc.position_of(2) == 1.5 / 4);  // ranks 1 and 2
    CHECK(pc.position_of(3) == 3.0 / 4);
    CHECK(pc.position_of(10) == 1);
    CHECK(pc.position_of(6.5) == Approx((3 + 0.5) / 4));
    CHECK(pc.position_of(0) == 0);
    CHECK(pc.position_of(11) == 1);

    // Stddev: mean -/+ 2 sd, clamped to the values; values beyond take the end colours, the ends say so.
    std::vector<double> sv(100, 10.0);
    sv.push_back(1000);  // an outlier: mean 19.8, sd ~98.5
    const ColorScale sd = make_scale(sv, continuous(ScaleMethod::stddev));
    double mean = 0, var = 0;
    for (double x : sv) mean += x;
    mean /= static_cast<double>(sv.size());
    for (double x : sv) var += (x - mean) * (x - mean);
    const double s = std::sqrt(var / static_cast<double>(sv.size()));
    CHECK(sd.lo == 10);  // mean - 2 sd < min: clamped
    CHECK(sd.hi == Approx(mean + 2 * s));
    CHECK(sd.clipped);
    CHECK_FALSE(sd.clipped_low);
    CHECK(sd.level(1000) == 255);

    // Fixed: the caller's limits.
    ScaleOptions fx = continuous(ScaleMethod::fixed);
    fx.min = 0;
    fx.max = 200;
    const ColorScale f = make_scale(v, fx);
    CHECK(f.position_of(50) == 0.25);
    CHECK(f.position_of(300) == 1);
    // One value: the middle colour (as the binned scale's widening does); no values: nothing to colour.
    CHECK(make_scale(std::vector<double>{7, 7}, continuous()).level(7) == 128);
    CHECK(make_scale(std::vector<double>{}, continuous()).bins == 0);
    // The clip quantile ends the scale early, as binned.
    ScaleOptions cq = continuous();
    cq.clip_quantile = 0.5;
    const ColorScale c = make_scale(v, cq);
    CHECK(c.hi == 51);
    CHECK(c.clipped);
    CHECK(c.level(80) == 255);
}

TEST_CASE("continuous: process_type draws levels 1..256, white and grey 257, per-layer levels from the layer scale") {
    ColumnLayout layout;
    std::ostringstream csv;
    csv << "neuron_type,region,side,hex1,hex2,synapses,layer_synapses\n";
    for (int i = 1; i <= 400; ++i) {
        layout.entries.push_back({"ME", Side::R, i, i});
        if (i > 300) continue;
        layout.entries.push_back({"LO", Side::R, i, i});
        if (i == 7) continue;
        csv << "T,LO,R," << i << ',' << i << ',' << i * 3 << ",";
        for (int l = 0; l < 7; ++l) csv << (l ? ";" : "") << (l * i) % 23;
        csv << '\n';
    }
    const Dataset ds = make_dataset(parse_column_table(csv.str(), "memory"), layout);
    const auto lo = one(ds, "T", "LO", Side::R, Metric::synapses, continuous());
    CHECK(lo.grey_fill == 257);
    CHECK(lo.scale.continuous);
    std::set<int> used;
    for (std::size_t c = 0; c < lo.fill.size(); ++c) {
        if (lo.status[c] == ColumnStatus::not_in_region) CHECK(lo.fill[c] == 257);
        else if (lo.status[c] == ColumnStatus::no_data) CHECK(lo.fill[c] == kFillWhite);
        else {
            CHECK(lo.fill[c] == lo.scale.level(static_cast<double>(lo.value[c])) + 1);
            used.insert(lo.fill[c]);
        }
    }
    CHECK(used.size() > 200);  // 299 values spread evenly over 256 levels
    CHECK(*used.begin() == 1);
    CHECK(*used.rbegin() == 256);
    REQUIRE(lo.has_layers());
    const std::size_t L = lo.layer_count();
    for (std::size_t c = 0; c < lo.fill.size(); ++c)
        for (std::size_t l = 0; l < L; ++l) {
            const auto v = lo.layer_value[c * L + l];
            CHECK(lo.layer_fill[c * L + l] == (v > 0 ? lo.layer_scale.fill(static_cast<double>(v)) : kFillWhite));
        }
    CHECK(lo.layer_scale.hi == 22);
    const auto f3 = fills_for_layer(lo, 3);
    CHECK(*std::max_element(f3.begin(), f3.end()) == 257);
}

TEST_CASE("centre: linear limits symmetric about it (binned and continuous), a symmetric clip, other methods refuse it") {
    std::vector<double> v;
    for (int i = 1; i <= 10; ++i) v.push_back(i);
    ScaleOptions o;
    o.centre = 0.0;
    const ColorScale b = make_scale(v, o);  // -10..10 in five bins: the middle bin holds the centre
    CHECK(b.edges == padded({-10, -6, -2, 2, 6, 10}));
    CHECK(b.bin(1) == 2);
    CHECK(b.bin(10) == 4);
    o.continuous = true;
    const ColorScale c = make_scale(v, o);
    CHECK(c.lo == -10);
    CHECK(c.hi == 10);
    CHECK(c.position_of(0) == 0.5);
    CHECK(c.position_of(5) == 0.75);
    o.centre = 4.0;  // -2..10 about 4
    const ColorScale c4 = make_scale(v, o);
    CHECK(c4.lo == -2);
    CHECK(c4.hi == 10);
    CHECK(c4.position_of(4) == 0.5);
    // Signed values and a symmetric clip: the quantile of the distances bounds both ends.
    std::vector<double> sv;
    for (int i = -50; i <= 50; ++i) sv.push_back(i / 10.0);
    sv.push_back(-100);
    sv.push_back(80);
    ScaleOptions clip;
    clip.centre = 0.0;
    clip.clip_quantile = 0.9;
    const ColorScale cs = make_scale(sv, clip);
    CHECK(cs.clipped);
    CHECK(cs.clipped_low);
    CHECK(cs.edges[0] == -cs.edges[static_cast<std::size_t>(cs.bins)]);
    CHECK(cs.edges[0] > -6);
    CHECK(cs.bin(-100) == 0);
    CHECK(cs.bin(80) == 4);
    const LegendScale ls = legend_scale(cs);
    CHECK(ls.labels.front().rfind("\u2264 ", 0) == 0);
    CHECK(ls.labels.back().rfind("\u2265 ", 0) == 0);
    clip.continuous = true;
    const ColorScale cc = make_scale(sv, clip);
    CHECK(cc.lo == -cc.hi);
    CHECK(cc.clipped);
    CHECK(cc.clipped_low);
    CHECK(cc.level(-100) == 0);
    CHECK(cc.level(80) == 255);
    CHECK(cc.position_of(0) == 0.5);

    // The renderer's scale options: a diverging map centres linear and fixed scales at 0 unless given.
    RenderOptions ro;
    CHECK_FALSE(scale_options(ro).centre);
    ro.colormap = "RdBu";
    CHECK(scale_options(ro).centre == 0.0);
    ro.colormap = "puor";
    ro.scale.centre = 3.0;
    CHECK(scale_options(ro).centre == 3.0);
    ro.scale.centre.reset();
    ro.scale.method = ScaleMethod::percentile;
    CHECK_FALSE(scale_options(ro).centre);
    // An explicit centre with a method that places its own limits is an input error naming it.
    for (ScaleMethod m : {ScaleMethod::percentile, ScaleMethod::stddev, ScaleMethod::log}) {
        ScaleOptions bad;
        bad.method = m;
        bad.centre = 1.0;
        try {
            validate(bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.where().field == "centre");
            CHECK_THAT(e.reason(), Catch::Matchers::Contains("linear and fixed"));
        }
    }
}

TEST_CASE("process: value scales at the ends of float64 (the red team's cases): huge, tiny, near 1.8e308") {
    // stddev of tiny and huge values: squares under/overflow; the scale must be that of 1..7 in their unit.
    ScaleOptions sd;
    sd.method = ScaleMethod::stddev;
    const std::vector<double> ones{1, 2, 3, 4, 5, 6, 7};
    const ColorScale unit_scale = make_scale(ones, sd);
    REQUIRE(unit_scale.bins == 3);  // mean 4, sd 2: edges 1, 3, 5, 7 after clamping
    for (const double unit : {1e-300, 1e300}) {
        CAPTURE(unit);
        std::vector<double> v;
        for (int i = 1; i <= 7; ++i) v.push_back(i * unit);
        ScaleOptions o = sd;
        const ColorScale s = make_scale(v, o);
        CHECK(s.bins == unit_scale.bins);
        for (int k = 0; k <= s.bins; ++k) CHECK(s.edges[static_cast<std::size_t>(k)] / unit == Approx(unit_scale.edges[static_cast<std::size_t>(k)]));
        o.continuous = true;
        const ColorScale c = make_scale(v, o);
        CHECK(c.level(v.front()) < c.level(v.back()));
    }
    // Huge whole values are not snapped like counts: the scale starts at the smallest value.
    const std::vector<double> big{1e300, 3e300, 7e300};
    CHECK(make_scale(big, ScaleOptions{}).edges[0] == 1e300);
    // Continuous limits whose difference overflows: the ends still get the ends of the map.
    const std::vector<double> far{-1.7e308, 0, 1.7e308};
    ScaleOptions o;
    o.continuous = true;
    const ColorScale c = make_scale(far, o);
    CHECK(c.level(-1.7e308) == 0);
    CHECK(c.level(1.7e308) == kContinuousLevels - 1);
    CHECK(std::abs(c.level(0) - kContinuousLevels / 2) <= 1);
}

TEST_CASE("process: arrays handed back (EyemapArrays) are filled again and give the same eyemaps as fresh ones") {
    ColumnLayout layout = read_column_layout(kData + "columns.csv");
    std::ostringstream csv;
    write_sample_data(csv, layout, SampleOptions{2, 11, true});
    const Dataset ds = make_dataset(parse_column_table(csv.str(), "synthetic"), layout);
    REQUIRE(ds.types.size() == 2);
    const auto requests = all_requests(*ds.index, ds.columns);
    TableColumns no_layers = ds.columns;  // the same rows drawn without per-layer arrays
    no_layers.layer_synapses = no_layers.layer_cells = false;
    auto same = [](const EyemapData& a, const EyemapData& b) {
        CHECK(a.status == b.status);
        CHECK(a.value == b.value);
        CHECK(a.fill == b.fill);
        CHECK(a.layer_value == b.layer_value);
        CHECK(a.layer_fill == b.layer_fill);
        CHECK(a.has_data_count == b.has_data_count);
        CHECK(a.not_in_region_count == b.not_in_region_count);
    };
    EyemapArrays arrays;
    std::set<const double*> given;  // the value arrays handed back so far
    for (int round = 0; round < 2; ++round)
        for (const TableColumns* columns : {&ds.columns, static_cast<const TableColumns*>(&no_layers)})
            for (const auto& t : ds.types) {
                const auto fresh = process_type(t.neuron_type, t.rows, *columns, *ds.index, requests);
                auto reused = process_type(t.neuron_type, t.rows, *columns, *ds.index, requests, {}, {}, &arrays);
                REQUIRE(reused.size() == fresh.size());
                for (std::size_t i = 0; i < fresh.size(); ++i) {
                    same(reused[i], fresh[i]);
                    CHECK(reused[i].has_layers() == (columns == &ds.columns));
                    if (!given.empty()) CHECK(given.count(reused[i].value.data()) == 1);  // filled again, not made afresh
                }
                given.clear();
                for (auto& d : reused) {
                    given.insert(d.value.data());
                    arrays.give(std::move(d));
                }
            }
}

TEST_CASE("process: a value column of a few whole numbers (one bin each) keeps its no-data columns and layers white") {
    // The fills are computed for every column and layer without a branch on having data: a NaN must
    // not reach the one-bin-per-value lookup (it has no bin).
    const std::string csv =
        "neuron_type,region,side,hex1,hex2,diff,layer_diff\n"
        "A,ME,R,1,1,1,1;;2;0;0;0;0;0;0;3\n"
        "A,ME,R,1,2,,\n"
        "A,ME,R,1,3,3,;;;;;;;;;\n";
    const std::vector<std::string> values{"diff"};
    const Dataset ds = make_dataset(parse_column_table(csv, "d.csv", builtin_regions(), values));
    const EyemapData d = one(ds, "A", "ME", Side::R, Metric("diff"));
    REQUIRE(d.scale.singles);
    REQUIRE(d.layer_scale.singles);
    const auto at = [&](int h2) { return static_cast<std::size_t>(ds.index->find(1, h2)); };
    CHECK(d.fill[at(1)] == 1);
    CHECK(d.fill[at(2)] == kFillWhite);
    CHECK(d.fill[at(3)] == 5);
    const std::size_t L = d.layer_count();
    CHECK(d.layer_fill[at(1) * L + 1] == kFillWhite);
    CHECK(d.layer_fill[at(1) * L + 2] != kFillWhite);
    for (std::size_t l = 0; l < L; ++l) {
        CHECK(d.layer_fill[at(2) * L + l] == kFillWhite);
        CHECK(d.layer_fill[at(3) * L + l] == kFillWhite);
    }
}

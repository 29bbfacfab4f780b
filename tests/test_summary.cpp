// Per-eyemap summary statistics (src/process/summary.cpp) against hand-computed values, and their
// round trip through the manifest (old manifests without them stay readable).
#include <catch2/catch.hpp>

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "eyemap/renderer.hpp"
#include "output/pages.hpp"
#include "eyemap/runs.hpp"
#include "process/summary.hpp"

using namespace eyemap;

namespace {

// status/value per column, as the process stage leaves them (value 0 unless has_data).
EyemapData make(std::vector<ColumnStatus> status, std::vector<std::int64_t> value) {
    EyemapData d;
    d.region = "ME";
    d.status = std::move(status);
    d.value.assign(value.begin(), value.end());
    for (auto s : d.status) {
        d.has_data_count += s == ColumnStatus::has_data;
        d.not_in_region_count += s == ColumnStatus::not_in_region;
    }
    return d;
}

constexpr auto H = ColumnStatus::has_data;
constexpr auto N = ColumnStatus::no_data;
constexpr auto X = ColumnStatus::not_in_region;

}  // namespace

TEST_CASE("summary: even count of columns with data", "[summary]") {
    // Columns with data 5, 1, 3, 7; two without data; one outside the region (its value is ignored).
    auto d = make({H, N, H, X, H, N, H}, {5, 0, 1, 0, 3, 0, 7});
    d.scale.method = ScaleMethod::linear;
    d.scale.edges = {1, 2.2, 3.4, 4.6, 5.8, 7};
    const auto s = summarize_eyemap(d);
    CHECK(s.columns_with_data == 4);
    CHECK(s.columns_in_region == 6);
    CHECK(s.total == 16);
    CHECK(s.mean == Approx(4.0));
    CHECK(s.median == Approx(4.0));  // (3 + 5) / 2
    CHECK(s.max == 7);
    CHECK(s.scale_min == 1);
    CHECK(s.scale_max == 7);
    CHECK(s.scale_method == ScaleMethod::linear);
}

TEST_CASE("summary: odd count, percentile scale", "[summary]") {
    auto d = make({H, H, H, N}, {2, 9, 4, 0});
    d.scale.method = ScaleMethod::percentile;
    d.scale.edges = {2, 2.8, 3.6, 4, 6, 9};
    const auto s = summarize_eyemap(d);
    CHECK(s.columns_with_data == 3);
    CHECK(s.columns_in_region == 4);
    CHECK(s.total == 15);
    CHECK(s.mean == Approx(5.0));
    CHECK(s.median == Approx(4.0));
    CHECK(s.max == 9);
    CHECK(s.scale_min == 2);
    CHECK(s.scale_max == 9);
    CHECK(to_string(s.scale_method) == "percentile");
    CHECK(parse_scale_method("percentile") == ScaleMethod::percentile);
    CHECK_FALSE(parse_scale_method("logarithmic").has_value());
}

TEST_CASE("summary: no columns with data gives zeros", "[summary]") {
    const auto s = summarize_eyemap(make({N, N, X}, {0, 0, 0}));
    CHECK(s.columns_with_data == 0);
    CHECK(s.columns_in_region == 2);
    CHECK(s.total == 0);
    CHECK(s.mean == 0);
    CHECK(s.median == 0);
    CHECK(s.max == 0);
    CHECK(s.scale_min == 0);
    CHECK(s.scale_max == 0);
}

TEST_CASE("summary: a real type's processed eyemap agrees with a direct count", "[summary]") {
    // Two columns per side in ME: values 10 and 30 on L (one column without a row), cells 1 and 3.
    ColumnLayout layout;
    for (int h = 1; h <= 3; ++h) layout.entries.push_back(LayoutEntry{"ME", Side::L, h, 1});
    const auto prepared = make_column_index(layout, builtin_regions());
    std::vector<ColumnRow> rows(2);
    rows[0].neuron_type = rows[1].neuron_type = "T";
    rows[0].region = rows[1].region = "ME";
    rows[0].side = rows[1].side = Side::L;
    rows[0].hex1 = 1, rows[0].hex2 = 1, rows[0].synapses = 10, rows[0].cells = 1, rows[0].line = 2;
    rows[1].hex1 = 3, rows[1].hex2 = 1, rows[1].synapses = 30, rows[1].cells = 3, rows[1].line = 3;
    TableColumns cols;
    cols.synapses = cols.cells = true;
    const std::vector<EyemapRequest> req{{"ME", Side::L, Metric::synapses}, {"ME", Side::L, Metric::cells}};
    const auto data = process_type("T", rows, cols, prepared, req);
    REQUIRE(data.size() == 2);
    const auto syn = summarize_eyemap(data[0]);
    CHECK(syn.columns_with_data == 2);
    CHECK(syn.columns_in_region == 3);
    CHECK(syn.total == 40);
    CHECK(syn.mean == Approx(20));
    CHECK(syn.median == Approx(20));
    CHECK(syn.max == 30);
    CHECK(syn.scale_min == 10);  // linear: min..max of the values shown (pooled over the type)
    CHECK(syn.scale_max == 30);
    const auto cells = summarize_eyemap(data[1]);
    CHECK(cells.total == 4);
    CHECK(cells.max == 3);
}

TEST_CASE("summary: written to the manifest and read back, old manifests without it still read", "[summary][manifest]") {
    Manifest m;
    m.tool = "t";
    m.run = "r";
    m.formats = {OutputFormat::svg};
    TypeRecord t;
    t.neuron_type = "A";
    t.file_key = "A";
    EyemapRecord e;
    e.request = {"ME", Side::R, Metric::synapses};
    e.has_data = 4;
    e.no_data = 2;
    e.not_in_region = 1;
    EyemapSummary s;
    s.columns_with_data = 4;
    s.columns_in_region = 6;
    s.total = 16;
    s.mean = 4;
    s.median = 4.5;
    s.max = 7;
    s.scale_min = 1;
    s.scale_max = 7.25;
    s.scale_method = ScaleMethod::fixed;
    e.summary = s;
    t.eyemaps.push_back(e);
    EyemapRecord old = e;
    old.summary.reset();
    t.eyemaps.push_back(old);
    m.types.push_back(t);
    const std::string json = manifest_to_json(m);
    const auto back = manifest_from_json(json, "m.json");
    REQUIRE(back.types.size() == 1);
    REQUIRE(back.types[0].eyemaps.size() == 2);
    const auto& b = back.types[0].eyemaps[0];
    REQUIRE(b.summary.has_value());
    CHECK(b.summary->columns_with_data == 4);
    CHECK(b.summary->columns_in_region == 6);
    CHECK(b.summary->total == 16);
    CHECK(b.summary->mean == 4);
    CHECK(b.summary->median == 4.5);
    CHECK(b.summary->max == 7);
    CHECK(b.summary->scale_min == 1);
    CHECK(b.summary->scale_max == 7.25);
    CHECK(b.summary->scale_method == ScaleMethod::fixed);
    CHECK_FALSE(back.types[0].eyemaps[1].summary.has_value());
    CHECK(manifest_to_json(back) == json);
    // A manifest of the previous version (no "summary" key) reads; a bad summary is refused.
    CHECK(json.find("\"summary\"") != std::string::npos);
    std::string bad = json;
    bad.replace(bad.find("\"fixed\""), 7, "\"cubic\"");
    CHECK_THROWS_WITH(manifest_from_json(bad, "m.json"), Catch::Contains("scale_method"));
}

TEST_CASE("summary: totals past 2^63 are an input error naming the type, never a wrapped sum", "[summary]") {
    // Two columns of int64 max summed to -2 (and a mean of -1) before.
    auto d = make({H, H}, {INT64_MAX, INT64_MAX});
    d.neuron_type = "Big";
    d.side = Side::R;
    d.scale.edges = {0, 1};
    try {
        summarize_eyemap(d);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.where().field == "neuron_type");
        CHECK(e.where().value == "Big");
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("synapses of ME R add up to more than 9223372036854775807"));
    }
    // Counts the readers accept (at most 2^53 each) sum exactly while they fit.
    auto ok = make({H, H, H}, {kMaxCount, kMaxCount, 1});
    ok.scale.edges = {0, 1};
    CHECK(summarize_eyemap(ok).total == 2 * kMaxCount + 1);
}

TEST_CASE("summary: the index's per-type total over all eyemaps is checked too", "[summary][pages]") {
    TypeRecord t;
    t.neuron_type = "Big";
    t.rows = 2;
    for (const char* region : {"ME", "LO"}) {
        EyemapRecord e;
        e.request = EyemapRequest{region, Side::R, Metric::synapses};
        e.has_data = 1;
        e.summary = EyemapSummary{};
        e.summary->total = INT64_MAX;
        t.eyemaps.push_back(e);
    }
    try {
        render_index_page(std::span<const TypeRecord>(&t, 1));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.where().value == "Big");
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("add up to more than 9223372036854775807"));
    }
}

TEST_CASE("summary: a type whose accepted counts sum past 2^63 is an input error from the renderer", "[summary]") {
    // 1025 columns of 2^53 each: every count is accepted, their sum (2^63 + 2^53) is not.
    std::string csv = "neuron_type,region,side,hex1,hex2,synapses\n";
    for (int i = 0; i < 1025; ++i) csv += "Big,ME,R," + std::to_string(i % 40) + "," + std::to_string(i / 40) + ",9007199254740992\n";
    const Dataset ds = make_dataset(parse_column_table(csv, "big.csv"));
    try {
        Renderer().render(ds, "Big");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.where().file == "big.csv");
        CHECK(e.where().value == "Big");
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("add up to more than 9223372036854775807"));
    }
}

TEST_CASE("summary: a value column has mean, median, min and max, no total, counts keep their total") {
    EyemapData d = make({H, H, N, H, X}, {0, 0, 0, 0, 0});
    d.counts = false;
    d.value = {-1.5, 0.5, std::nan(""), 4, std::nan("")};
    d.format = ValueFormat{false, 2, false};
    const EyemapSummary s = summarize_eyemap(d);
    CHECK_FALSE(s.counts);
    CHECK(s.columns_with_data == 3);
    CHECK(s.columns_in_region == 4);
    CHECK(s.total == 0);
    CHECK(s.min_value == -1.5);
    CHECK(s.max_value == 4);
    CHECK(s.mean == Approx(1.0));
    CHECK(s.median == 0.5);
    CHECK(s.format == d.format);
    const EyemapSummary c = summarize_eyemap(make({H, H, N}, {3, 9, 0}));
    CHECK(c.counts);
    CHECK(c.total == 12);
    CHECK(c.max == 9);
    CHECK(c.min_value == 3);
    CHECK(c.max_value == 9);
}

TEST_CASE("summary: a continuous scale's limits (256 levels, no edge per level)") {
    EyemapData d = make({H, H, H}, {2, 5, 11});
    ScaleOptions o;
    o.continuous = true;
    const std::vector<double> v{2, 5, 11};
    d.scale = make_scale(v, o);
    REQUIRE(d.scale.continuous);
    REQUIRE(d.scale.classes == kContinuousLevels);
    const EyemapSummary s = summarize_eyemap(d);
    CHECK(s.scale_min == 2);
    CHECK(s.scale_max == 11);
}

TEST_CASE("summary: values near 1.8e308 have a finite mean and median (their sums overflow)") {
    EyemapData d = make({H, H, H, H}, {0, 0, 0, 0});
    d.counts = false;
    d.value = {1.7e308, 1.7e308, 1.5e308, 1.7e308};
    d.format = ValueFormat{false, 0, true};
    const EyemapSummary s = summarize_eyemap(d);
    CHECK(std::isfinite(s.mean));
    CHECK(s.mean == Approx(1.65e308));
    CHECK(s.median == Approx(1.7e308));
    CHECK(s.max_value == 1.7e308);
}

// The renderer: format dispatch, options validated once, request and layer checks before output,
// independent renderers in parallel threads, shared caches, settings hash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include "eyemap/eyemap.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

const Dataset& sample() {
    static const Dataset ds = [] {
        const auto layout = sample_layout(2);
        std::stringstream csv;
        write_sample_data(csv, layout, SampleOptions{3, 2, true});
        return make_dataset(parse_column_table(csv.str(), "sample.csv"), layout);
    }();
    return ds;
}

std::vector<std::string> bytes_of(const std::vector<Eyemap>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.bytes);
    return out;
}

}  // namespace

TEST_CASE("renderer: each format from one call, in request then format order") {
    const auto& ds = sample();
    const OutputFormat formats[] = {OutputFormat::svg, OutputFormat::png, OutputFormat::pdf};
    const EyemapRequest reqs[] = {{"ME", Side::L, Metric::synapses}, {"LO", Side::R, Metric::cells}};
    const auto out = Renderer().render(ds, ds.types[0].neuron_type, reqs, formats);
    REQUIRE(out.size() == 6);
    for (std::size_t i = 0; i < out.size(); ++i) {
        CHECK(out[i].request == reqs[i / 3]);
        CHECK(out[i].format == formats[i % 3]);
        CHECK(out[i].counts.has_data + out[i].counts.no_data + out[i].counts.not_in_region == column_count(*ds.index));
    }
    CHECK(out[0].bytes.rfind("<svg ", 0) == 0);
    CHECK(out[1].bytes.rfind("\x89PNG", 0) == 0);
    CHECK(out[2].bytes.rfind("%PDF-", 0) == 0);
    CHECK(out[1].file_name() == ds.types[0].neuron_type + "_ME_L_synapse_density.png");
    // No formats: SVG; no requests: every eyemap the layout and data allow.
    CHECK(Renderer().render(ds, ds.types[0].neuron_type).size() == 12);
}

TEST_CASE("renderer: options are validated when it is built, naming the option") {
    auto bad = [](auto change, const char* field) {
        RenderOptions o;
        change(o);
        try {
            Renderer r(o);
            FAIL("no error for " << field);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(e.where().field == field);
        }
    };
    bad([](RenderOptions& o) { o.geometry.hex_size = 0; }, "hex_size");
    bad([](RenderOptions& o) { o.scale.method = ScaleMethod::fixed, o.scale.min = 5, o.scale.max = 1; }, "color_min");
    bad([](RenderOptions& o) { o.scale.method = ScaleMethod::fixed, o.scale.max = std::numeric_limits<double>::infinity(); }, "color_max");
    bad([](RenderOptions& o) { o.style.palette[3] = "red"; }, "palette");
    bad([](RenderOptions& o) { o.style.font_family = "x'}body{"; }, "font_family");
    bad([](RenderOptions& o) { o.png_scale = 0; }, "png_scale");
    bad([](RenderOptions& o) { o.layer = -1; }, "layer");
    bad([](RenderOptions& o) { o.svg_id = "1x"; }, "svg_id");
}

TEST_CASE("renderer: an unknown type, a request it cannot draw and a missing layer fail before any output") {
    const auto& ds = sample();
    const Renderer r;
    CHECK_THROWS_WITH(r.render(ds, "tm3"), Catch::Contains("did you mean 'Tm3'"));
    const EyemapRequest nowhere{"XX", Side::L, Metric::cells};
    CHECK_THROWS_WITH(r.render(ds, "Tm3", std::span(&nowhere, 1)), Catch::Contains("unknown region"));
    RenderOptions o;
    o.layer = 11;  // ME has 10 layers, LO 7
    const EyemapRequest me{"ME", Side::L, Metric::synapses};
    const OutputFormat png[] = {OutputFormat::png};
    std::size_t calls = 0;
    const TypeRows& t = ds.type("Tm3");
    CHECK_THROWS_WITH(Renderer(o).render(*ds.index, ds.columns, t.neuron_type, t.rows, std::span(&me, 1), png,
                                         [&](const EyemapView&) { ++calls; }),
                      Catch::Contains("layers 1..10"));
    CHECK(calls == 0);
    o.layer = 3;  // a layer is a static picture: not for SVG alone
    CHECK_THROWS_WITH(Renderer(o).render(ds, "Tm3", std::span(&me, 1)), Catch::Contains("PNG and PDF"));
    CHECK(Renderer(o).render(ds, "Tm3", std::span(&me, 1), png).size() == 1);
}

TEST_CASE("two renderers with different options in two threads each give their own bytes") {
    const auto& ds = sample();
    RenderOptions a, b;
    b.geometry.hex_size = 9;
    b.scale.method = ScaleMethod::percentile;
    b.interactive = false;
    b.style.palette[5] = "#123456";
    const auto want_a = bytes_of(Renderer(a).render(ds, "Tm3"));
    const auto want_b = bytes_of(Renderer(b).render(ds, "Tm3"));
    REQUIRE(want_a != want_b);
    const Renderer ra(a), rb(b);
    int bad_a = 0, bad_b = 0;
    std::thread ta([&] {
        for (int i = 0; i < 20; ++i) bad_a += bytes_of(ra.render(ds, "Tm3")) != want_a;
    });
    std::thread tb([&] {
        for (int i = 0; i < 20; ++i) bad_b += bytes_of(rb.render(ds, "Tm3")) != want_b;
    });
    ta.join();
    tb.join();
    CHECK(bad_a == 0);
    CHECK(bad_b == 0);
    // Each owns its statistics and caches.
    CHECK(find_op(ra.stats().snapshot(), "render_svg")->count == 20 * 12);
    CHECK(find_op(rb.stats().snapshot(), "render_svg")->count == 20 * 12);
    for (const auto& [name, s] : ra.cache_statistics())
        if (name == "metadata") CHECK(s.misses == 12);  // its own frames; b's never served to a
}

TEST_CASE("renderers sharing caches: hits across them, their own bytes and statistics") {
    const auto& ds = sample();
    const Renderer first;
    RenderOptions other;
    other.style.palette[1] = "#eeeeee";  // a different look: never the first one's frames
    const Renderer second(other, first);
    const Renderer twin(RenderOptions{}, first);
    first.render(ds, "Tm3");
    const auto own = bytes_of(second.render(ds, "Tm3"));
    CHECK(own == bytes_of(Renderer(other).render(ds, "Tm3")));
    twin.render(ds, "Tm3");
    for (const auto& [name, s] : first.cache_statistics())
        if (name == "metadata") {
            CHECK(s.misses == 24);  // first's 12 and second's 12
            CHECK(s.hits == 12);    // twin's, from first's entries
        }
    CHECK(find_op(first.stats().snapshot(), "render_svg")->count == 12);
    CHECK(first.settings_hash() == twin.settings_hash());
    CHECK(first.settings_hash() != second.settings_hash());
}

TEST_CASE("load_dataset of some types: only their rows, the whole file's layout and checks, the closest name") {
    const auto dir = eyemap::test::fresh_dir("renderer-load-types");
    const auto layout = sample_layout(2);
    std::stringstream csv;
    write_sample_data(csv, layout, SampleOptions{5, 2, true});
    const auto data = dir / "data.csv";
    eyemap::test::write_file(data, csv.str());
    const Dataset all = load_dataset(data);
    REQUIRE(all.types.size() == 5);
    const std::string want[] = {all.types[3].neuron_type, all.types[1].neuron_type};

    const Dataset some = load_dataset(data, std::nullopt, builtin_regions(), nullptr, {}, want);
    REQUIRE(some.types.size() == 2);  // in file order
    CHECK(some.types[0].neuron_type == want[1]);
    CHECK(some.types[1].neuron_type == want[0]);
    CHECK(some.types[1].rows.size() == all.types[3].rows.size());
    // The layout is every row's, as with the whole file: the same grid, the same bytes.
    CHECK(column_count(*some.index) == column_count(*all.index));
    const Renderer r;
    CHECK(bytes_of(r.render(some, want[0])) == bytes_of(r.render(all, want[0])));

    // A name the file lacks: the whole file's count and closest name.
    std::string lower = want[0];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string missing[] = {lower};
    try {
        load_dataset(data, std::nullopt, builtin_regions(), nullptr, {}, missing);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.where().field == "neuron_type");
        CHECK(e.where().value == lower);
        CHECK(std::string(e.what()).find("(5 types); did you mean '" + want[0] + "'?") != std::string::npos);
    }

    // Every row is still checked: a bad row of another type, at the end, is reported at its line.
    std::string text = csv.str();
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    const std::string header = text.substr(0, text.find('\n'));
    eyemap::test::write_file(dir / "bad.csv", text + "Other,ME,R,1,1,x" + std::string(static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) - 5, ',') + "\n");
    try {
        load_dataset(dir / "bad.csv", std::nullopt, builtin_regions(), nullptr, {}, want);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.where().line == lines + 1);
        CHECK(e.where().value == "x");
    }
}

TEST_CASE("request selection: partial filters leave out what the data lacks, full ones are taken as asked") {
    const auto& ds = sample();
    RequestFilter f;
    f.region = "LO";
    auto sel = select_requests(*ds.index, ds.columns, f);
    CHECK(sel.requests.size() == 4);
    f.side = Side::L;
    f.metrics = {Metric::cells};
    sel = select_requests(*ds.index, ds.columns, f);
    REQUIRE(sel.requests.size() == 1);
    CHECK(sel.requests[0] == EyemapRequest{"LO", Side::L, Metric::cells});
    f.region = "XX";
    CHECK_THROWS_WITH(select_requests(*ds.index, ds.columns, f), Catch::Contains("known: ME, LO, LOP"));
}

// SVG writer: well-formed, golden bytes, scoped ids, escaping, compact numbers, interactivity parts.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "eyemap/eyemap.hpp"
#include "render/svg.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

// A small fixed eyemap: 7 ME columns on the left side, one LO column, per-layer values.
Dataset small_dataset(const std::string& type = "Golden", const std::string& region = "ME") {
    RegionSet regions = builtin_regions();
    if (!regions.find(region)) regions.regions.push_back({region, {"a", "b"}});
    ColumnLayout l;
    const std::vector<std::pair<int, int>> cols{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {3, 4}, {4, 3}, {4, 4}};
    for (auto [a, b] : cols) l.entries.push_back({region, Side::L, a, b});
    l.entries.push_back({"LO", Side::L, 1, 1});
    ColumnTable t;
    t.columns = {true, true, true, false};
    const std::size_t layers = regions.find(region)->layers.size();
    std::int64_t v = 3;
    for (auto [a, b] : cols) {
        if (a == 4 && b == 4) continue;  // one in-region column without data
        ColumnRow r;
        r.neuron_type = type;
        r.region = region;
        r.side = Side::L;
        r.hex1 = a;
        r.hex2 = b;
        r.synapses = v;
        r.cells = 1;
        for (std::size_t k = 0; k < layers; ++k) r.layer_synapses.push_back(k == 1 ? v : k == 3 ? v / 2 : 0);
        t.rows.push_back(r);
        v *= 2;
    }
    return make_dataset(t, l, regions);
}

std::string render_one(const Dataset& ds, Metric m = Metric::synapse_density, RenderOptions o = {}, std::string region = "ME") {
    EyemapRequest req{std::move(region), Side::L, m};
    return Renderer(o).render(ds, ds.types.at(0).neuron_type, std::span(&req, 1)).at(0).bytes;
}

RenderOptions with_id(std::string id) {
    RenderOptions o;
    o.svg_id = std::move(id);
    return o;
}

std::set<std::string> ids_of(const std::string& svg) {
    std::set<std::string> ids;
    static const std::regex re(R"re(\bid="([^"]*)")re");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) ids.insert((*it)[1]);
    return ids;
}

}  // namespace

TEST_CASE("golden SVG for a small fixed input (EYEMAP_UPDATE_GOLDEN=1 rewrites it)") {
    const std::string svg = render_one(small_dataset());
    const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden/small.svg";
    if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
        test::write_file(path, svg);
        WARN("golden file rewritten: " << path);
    }
    REQUIRE(std::filesystem::exists(path));
    const std::string golden = test::read_file(path);
    CHECK(svg == golden);
    CHECK(test::xml_error(svg).empty());
}

TEST_CASE("the real ME eyemap is well-formed, compact and deterministic") {
    const std::string dir = EYEMAP_SHARED_DIR "/data/optic-lobe/";
    const Dataset ds = load_dataset(dir + "me_cells.csv", dir + "columns.csv");
    const auto a = Renderer().render(ds, "Mi1");
    const auto b = Renderer().render(ds, "Mi1");
    REQUIRE(a.size() == 3);
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].file_name());
        CHECK(a[i].bytes == b[i].bytes);  // same input, same bytes
        CHECK(test::xml_error(a[i].bytes).empty());
        CHECK(test::count(a[i].bytes, "<title>Column: ") == 892);
        CHECK(a[i].bytes.size() / 892 <= 250);  // bytes per hexagon, with tooltips and script
    }
    // Numbers carry at most two decimals.
    static const std::regex many_decimals(R"re(="-?\d+\.\d{3,})re");
    CHECK(!std::regex_search(a[0].bytes, many_decimals));
}

TEST_CASE("tooltips follow the spec for every status") {
    const std::string svg = render_one(small_dataset());
    CHECK(test::count(svg, "<title>Column: 2, 2\nSynapse count: 3\nROI: ME (L)</title>") == 1);
    CHECK(test::count(svg, "<title>Column: 4, 4\nSynapse count: 0\nROI: ME (L)</title>") == 1);  // no_data
    CHECK(test::count(svg, "<title>Column: 1, 1\nColumn not identified in ME (L)</title>") == 1);
    CHECK(test::count(svg, "fill=\"#999999\"") == 1);
    CHECK(test::count(svg, "fill=\"#ffffff\"") == 1);
    const std::string cells = render_one(small_dataset(), Metric::cell_count);
    CHECK(test::count(cells, "Cell count: 1\n") == 6);
    CHECK(test::count(cells, "class=\"em-ltitle\"") == 1);
    CHECK(cells.find(">Cell Count</text>") != std::string::npos);
}

TEST_CASE("ids are scoped per eyemap: twelve on one page never clash") {
    const std::string a = render_one(small_dataset("A"));
    const std::string b = render_one(small_dataset("B"));
    const std::string c = render_one(small_dataset("A"), Metric::cell_count);
    const auto ia = ids_of(a), ib = ids_of(b), ic = ids_of(c);
    REQUIRE(!ia.empty());
    for (const auto& id : ia) {
        CHECK(ib.count(id) == 0);
        CHECK(ic.count(id) == 0);
    }
    // Every internal reference points at an id of the same eyemap.
    static const std::regex href(R"re(href="#([^"]*)")re");
    for (auto it = std::sregex_iterator(a.begin(), a.end(), href); it != std::sregex_iterator(); ++it)
        CHECK(ia.count((*it)[1]) == 1);
    CHECK_THROWS_AS(render_one(small_dataset(), Metric::synapse_density, with_id("1bad id")), Error);
    const std::string custom = render_one(small_dataset(), Metric::synapse_density, with_id("mine"));
    CHECK(custom.find("id=\"mine\"") != std::string::npos);
    CHECK(custom.find("href=\"#mine-h\"") != std::string::npos);
}

TEST_CASE("names are escaped: markup in a type or region name stays text") {
    const std::string evil = "A<b>&\"'</b>]]>";
    const std::string svg = render_one(small_dataset(evil, "R<&>"), Metric::synapse_density, {}, "R<&>");
    CHECK(test::xml_error(svg).empty());
    CHECK(svg.find("<b>") == std::string::npos);
    CHECK(svg.find("A&lt;b&gt;&amp;&quot;&apos;&lt;/b&gt;]]&gt;") != std::string::npos);
    CHECK(svg.find("ROI: R&lt;&amp;&gt; (L)") != std::string::npos);
    CHECK(xml_escape("a\x01" "b\xff") == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");  // control char, invalid UTF-8
    CHECK(xml_escape("\xE2\x80\x8F\xD7\x90") == "\xE2\x80\x8F\xD7\x90");    // RTL mark and Hebrew kept
}

TEST_CASE("interactive parts: layer data as palette indices, buttons, legend labels, script") {
    const std::string svg = render_one(small_dataset());
    CHECK(test::count(svg, "class=\"em-btn") == 11);  // all + 10 ME layers
    CHECK(test::count(svg, "<script>") == 1);
    CHECK(test::count(svg, " data-b=\"") == 6);       // columns with layer values
    static const std::regex digits(R"re(data-b="\d{10}")re");
    CHECK(std::regex_search(svg, digits));
    // Two legends: the all-layers one shown, the per-layer one hidden until a layer is chosen.
    CHECK(test::count(svg, "<g class=\"em-legend\" data-layer=\"0\">") == 1);
    CHECK(test::count(svg, "<g class=\"em-legend\" data-layer=\"1\" display=\"none\">") == 1);
    // Hexagons at the field's opacity, once in the CSS; the legend's boxes are not faded.
    CHECK(test::count(svg, "opacity:.8") == 1);
    CHECK(svg.find(".em-hexes use{stroke:#c8c8c8;stroke-width:.5;opacity:.8}") != std::string::npos);
    CHECK(test::count(svg, " opacity=") == 0);
    // The hexagon shape is defined once and used per column.
    CHECK(test::count(svg, "<path ") == 1);
    CHECK(test::count(svg, "<use ") == 8);

    RenderOptions plain;
    plain.interactive = false;
    const std::string stat = render_one(small_dataset(), Metric::synapse_density, plain);
    CHECK(stat.find("<script") == std::string::npos);
    CHECK(test::xml_error(stat).empty());
}

TEST_CASE("no legend without data") {
    ColumnLayout l;
    l.entries.push_back({"ME", Side::L, 1, 1});
    ColumnTable t;
    t.columns = {true, false, false, false};
    ColumnRow r;
    r.neuron_type = "Z";
    r.region = "ME";
    r.side = Side::L;
    r.hex1 = 1;
    r.hex2 = 1;
    r.synapses = 0;
    t.rows.push_back(r);
    const Dataset ds = make_dataset(t, l);
    const auto out = Renderer().render(ds, "Z");
    REQUIRE(out.size() == 1);
    CHECK(out[0].bytes.find("class=\"em-legend\"") == std::string::npos);
    CHECK(test::xml_error(out[0].bytes).empty());
}

TEST_CASE("a template folder overrides the built-in fragments") {
    const auto dir = test::fresh_dir("templates");
    test::write_file(dir / "style.css.mustache", "#{{id}} text{fill:#123456}\n");
    RenderOptions o;
    o.templates = dir;
    const std::string svg = render_one(small_dataset(), Metric::synapse_density, o);
    CHECK(svg.find("fill:#123456") != std::string::npos);
    CHECK(svg.find("<script>") != std::string::npos);  // the rest stays built in
    test::write_file(dir / "script.js.mustache", "var x = ']]>';\n");
    CHECK_THROWS_WITH(render_one(small_dataset(), Metric::synapse_density, o), Catch::Contains("]]>"));
    o.templates = dir / "missing";
    CHECK_THROWS_AS(Renderer(o), Error);
}

TEST_CASE("a template broken only in its interactive branch fails even after a static render passed") {
    // check_frame_once once keyed only on the template set: the static frame passed first, and
    // the interactive one (another branch of the same set) was never checked.
    const auto dir = test::fresh_dir("templates-branch");
    test::write_file(dir / "tail.svg.mustache", "{{#interactive}}<g class=\"unclosed\">{{/interactive}}</svg>\n");
    RenderOptions o;
    o.templates = dir;
    o.interactive = false;
    const std::string stat = render_one(small_dataset(), Metric::synapse_density, o);
    CHECK(test::xml_error(stat).empty());
    o.interactive = true;
    CHECK_THROWS_WITH(render_one(small_dataset(), Metric::synapse_density, o), Catch::Contains("not well-formed XML"));
}

// SVG writer: well-formed, golden bytes, scoped ids, escaping, compact numbers, interactivity parts.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "render/svg.hpp"
#include "test_support.hpp"
#include "core/text.hpp"
#include "output/sink.hpp"
#include "render/template_guard.hpp"
#include "core/number.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::q;
using eyemap::test::run_cli;

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

std::string render_one(const Dataset& ds, Metric m = Metric::synapses, RenderOptions o = {}, std::string region = "ME") {
    EyemapRequest req{std::move(region), Side::L, m};
    return Renderer(o).render(ds, ds.types.at(0).neuron_type, std::span(&req, 1)).at(0).bytes;
}

RenderOptions with_id(std::string id) {
    RenderOptions o;
    o.svg_id = std::move(id);
    return o;
}

std::set<std::string> ids_of(const std::string& svg) {
    const auto ids = test::svg_ids(svg);
    return {ids.begin(), ids.end()};
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
    const std::string cells = render_one(small_dataset(), Metric::cells);
    CHECK(test::count(cells, "Cell count: 1\n") == 6);
    CHECK(test::count(cells, "class=\"em-ltitle\"") == 1);
    CHECK(cells.find(">Cell Count</text>") != std::string::npos);
}

TEST_CASE("ids are scoped per eyemap: twelve on one page never clash") {
    const std::string a = render_one(small_dataset("A"));
    const std::string b = render_one(small_dataset("B"));
    const std::string c = render_one(small_dataset("A"), Metric::cells);
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
    CHECK_THROWS_AS(render_one(small_dataset(), Metric::synapses, with_id("1bad id")), Error);
    const std::string custom = render_one(small_dataset(), Metric::synapses, with_id("mine"));
    CHECK(custom.find("id=\"mine\"") != std::string::npos);
    CHECK(custom.find("href=\"#mine-h\"") != std::string::npos);
}

TEST_CASE("names are escaped: markup in a type or region name stays text") {
    const std::string evil = "A<b>&\"'</b>]]>";
    const std::string svg = render_one(small_dataset(evil, "R<&>"), Metric::synapses, {}, "R<&>");
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
    const std::string stat = render_one(small_dataset(), Metric::synapses, plain);
    CHECK(stat.find("<script") == std::string::npos);
    CHECK(test::xml_error(stat).empty());
}

namespace {
// The text between <tag id="..."> and </tag> of the first such element (the root's title and desc).
std::string element_text(const std::string& svg, const std::string& tag, const std::string& id) {
    const std::string open = "<" + tag + " id=\"" + id + "\">";
    const auto at = svg.find(open);
    if (at == std::string::npos) return "(missing)";
    const auto end = svg.find("</" + tag + ">", at);
    return svg.substr(at + open.size(), end - at - open.size());
}
}  // namespace

TEST_CASE("accessible picture: role, <title> and <desc> on the root, escaped, interactive and static") {
    const std::string evil = "A<b>&\"'</b>";
    const std::string escaped = "A&lt;b&gt;&amp;&quot;&apos;&lt;/b&gt;";
    RenderOptions stat_options = with_id("em");
    stat_options.interactive = false;
    for (bool interactive : {true, false}) {
        INFO("interactive " << interactive);
        RenderOptions o = with_id("em");
        o.interactive = interactive;
        const std::string svg = render_one(small_dataset(evil), Metric::synapses, o);
        CHECK(test::xml_error(svg).empty());
        // ME has layer buttons: interactive, they are focusable buttons, which role="img" would hide from
        // assistive technology (its content is presentational); static, they are only drawn.
        const std::string root = svg.substr(0, svg.find('>') + 1);
        CHECK(root.find(interactive ? " role=\"graphics-document\"" : " role=\"img\"") != std::string::npos);
        CHECK(root.find(" aria-labelledby=\"em-title\" aria-describedby=\"em-desc\"") != std::string::npos);
        // Right after the root tag, before the style and the hexagons; the only <title> with an id.
        CHECK(svg.find("<title id=\"em-title\">") == root.size() + 1);
        CHECK(test::count(svg, "<title id=") == 1);
        CHECK(test::count(svg, "<desc") == 1);
        CHECK(element_text(svg, "title", "em-title") == "Synapse count of " + escaped + " in ME (L)");
        const std::string desc = element_text(svg, "desc", "em-desc");
        CHECK(desc == "Eyemap of ME, left side: one hexagon per column, coloured by the Synapse count of " + escaped +
                          " in it; columns not in ME are grey, columns without data white. 6 of 7 columns have data; the "
                          "legend runs from 3 to 96. Colour scale: linear, evenly spaced from the smallest to the largest "
                          "value, shared by all regions and both sides of the type. Buttons show one layer at a time "
                          "(10 layers).");
        CHECK(svg.find(evil) == std::string::npos);
        // The hexagons keep their own tooltips.
        CHECK(test::count(svg, "<title>Column: ") == 8);
    }
    // Without layer buttons an interactive eyemap is an image too (cell counts have no per-layer values here).
    const std::string cells = render_one(small_dataset(), Metric::cells, with_id("em"));
    CHECK(cells.substr(0, cells.find('>')).find(" role=\"img\"") != std::string::npos);
    CHECK(element_text(cells, "title", "em-title") == "Cell count of Golden in ME (L)");
    CHECK(element_text(cells, "desc", "em-desc").find("Buttons") == std::string::npos);
    // A region without data, another scale method and scope, a mirrored side.
    const std::string lo = render_one(small_dataset(), Metric::synapses, with_id("em"), "LO");
    CHECK(element_text(lo, "desc", "em-desc").find(" white. None of the 1 columns has data. Colour scale: ") != std::string::npos);
    RenderOptions pct = with_id("em");
    pct.scale.method = ScaleMethod::percentile;
    pct.scale.scope = ScaleScope::per_region;
    CHECK(element_text(render_one(small_dataset(), Metric::synapses, pct), "desc", "em-desc")
              .find("Colour scale: percentiles of the values, from the ME values of both sides.") != std::string::npos);
    const auto layout = sample_layout(1);
    std::stringstream csv;
    write_sample_data(csv, layout, SampleOptions{1, 3, true});
    const Dataset both = make_dataset(parse_column_table(csv.str(), "sample"), layout);
    const EyemapRequest right{"ME", Side::R, Metric::synapses};
    const std::string r = Renderer(with_id("em")).render(both, both.types.at(0).neuron_type, std::span(&right, 1)).at(0).bytes;
    CHECK(element_text(r, "desc", "em-desc").starts_with("Eyemap of ME, right side (mirrored left to right): "));
    CHECK(element_text(r, "title", "em-title").ends_with(" in ME (R)"));
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
    const std::string svg = render_one(small_dataset(), Metric::synapses, o);
    CHECK(svg.find("fill:#123456") != std::string::npos);
    CHECK(svg.find("<script>") != std::string::npos);  // the rest stays built in
    test::write_file(dir / "script.js.mustache", "var x = ']]>';\n");
    CHECK_THROWS_WITH(render_one(small_dataset(), Metric::synapses, o), Catch::Contains("]]>"));
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
    const std::string stat = render_one(small_dataset(), Metric::synapses, o);
    CHECK(test::xml_error(stat).empty());
    o.interactive = true;
    CHECK_THROWS_WITH(render_one(small_dataset(), Metric::synapses, o), Catch::Contains("not well-formed XML"));
}

TEST_CASE("inputs: readers are bounded and refuse non-regular files, templates are limited", "[svg]") {
    CHECK_THROWS_WITH(load_region_config("/dev/zero"), Catch::Contains("regular file"));
    const auto dir = test::fresh_dir("rel-readers");
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(load_region_config(dir / "fifo"), Catch::Contains("FIFO"));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    // Nested sections, partials, delimiter changes.
    std::string nested = "<svg>";
    for (int i = 0; i < 12; ++i) nested += fmt::format("{{{{#s{}}}}}", i);
    for (int i = 11; i >= 0; --i) nested += fmt::format("{{{{/s{}}}}}", i);
    CHECK_THROWS_WITH(detail::check_template_text(nested, "t"), Catch::Contains("nested deeper"));
    CHECK_THROWS_WITH(detail::check_template_text("{{#a}}{{#a}}x{{/a}}{{/a}}", "t"), Catch::Contains("same name"));
    CHECK_THROWS_WITH(detail::check_template_text("{{> head.svg.mustache}}", "t"), Catch::Contains("partials"));
    CHECK_THROWS_WITH(detail::check_template_text("{{=<% %>=}}", "t"), Catch::Contains("delimiter"));
    for (const auto& [name, text] : builtin_templates()->files) CHECK_NOTHROW(detail::check_template_text(text, name));
    // A template folder whose head is not well-formed: refused as input, nothing written.
    fs::create_directories(dir / "t");
    test::write_file(dir / "t/head.svg.mustache", "<svg><g><x>");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
    std::string err;
    CHECK(run_cli(fmt::format("render --data {} --type A --templates {} --out-dir {}", q(dir / "d.csv"), q(dir / "t"), q(dir / "out")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("not well-formed"));
    CHECK(detail::xml_well_formed("<a><b/></a>").empty());
    CHECK_FALSE(detail::xml_well_formed("<a><b></a>").empty());
    CHECK(run_cli(fmt::format("render --data {} --type A --regions {} --out-dir {}", q(dir / "d.csv"), q(dir / "fifo"), q(dir / "out2")), &err) == 2);
}

TEST_CASE("templates: a line that would outgrow the budget is stopped before it is built", "[svg]") {
    using kainjow::mustache::data;
    // Five nested sections over lists of 64 on one line: 64^5 x 100 bytes (10^11) in kainjow's line
    // buffer, which the budget used to see only when the line was done.
    std::string text = "<svg>";
    for (const char* n : {"a", "b", "c", "d", "e"}) text += fmt::format("{{{{#{}}}}}", n);
    text += "{{x}}";
    for (const char* n : {"e", "d", "c", "b", "a"}) text += fmt::format("{{{{/{}}}}}", n);
    text += "</svg>\n";
    REQUIRE_NOTHROW(detail::check_template_text(text, "t"));
    data item;
    item.set("x", std::string(100, 'x'));
    data list{data::type::list};
    for (int i = 0; i < 64; ++i) list.push_back(item);
    data d;
    for (const char* n : {"a", "b", "c", "d", "e"}) d.set(n, list);
    CHECK(detail::line_bytes_bound(text, d, 1) >= std::uint64_t{100} * 64 * 64 * 64 * 64 * 64);
    kainjow::mustache::mustache m(text);
    REQUIRE(m.is_valid());
    rusage before {};
    ::getrusage(RUSAGE_SELF, &before);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(detail::render_bounded(m, text, d, "head.svg.mustache"),
                      Catch::Contains("head.svg.mustache") && Catch::Contains("more than 67108864 bytes") && Catch::Contains("one of its lines"));
    rusage after {};
    ::getrusage(RUSAGE_SELF, &after);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(after.ru_maxrss - before.ru_maxrss < 64 * 1024);  // KiB: nothing near the budget was allocated

    // The bound follows lines: the same sections with a line break inside repeat short lines, and
    // are rendered (and cut by the total budget only if the whole output is too large).
    std::string lines = "{{#a}}{{#b}}{{x}}\n{{/b}}{{/a}}";
    CHECK(detail::line_bytes_bound(lines, d, 1) <= 2 * 100);
    kainjow::mustache::mustache ml(lines);
    CHECK(detail::render_bounded(ml, lines, d, "t").size() == 64u * 64u * 101u);
    // A section that may be empty joins the text around it into one line.
    CHECK(detail::line_bytes_bound("ab{{#z}}\n{{/z}}cd", d, 1) == 4);
    // Escaped variables count up to 6 bytes per byte (&quot;), {{{x}}} one.
    CHECK(detail::line_bytes_bound("{{#a}}{{x}}{{/a}}", d, 6) == 64 * 600);
    CHECK(detail::line_bytes_bound("{{#a}}{{{x}}}{{/a}}", d, 6) == 64 * 100);
    CHECK(detail::line_bytes_bound("{{x}}", d, 6) == 0);  // no x outside the lists: nothing to render

    // Through the CLI: a template folder whose tail repeats 3.5 MB once per layer button on one line
    // (a region with 30 layers: 31 x 3.5 MB): refused as input (exit 2), nothing written.
    const auto dir = test::fresh_dir("rel-template-line");
    fs::create_directories(dir / "t");
    test::write_file(dir / "t/tail.svg.mustache", "{{#buttons}}" + std::string(3'500'000, 'x') + "{{/buttons}}</svg>\n");
    std::string layers;
    for (int i = 0; i < 30; ++i) layers += fmt::format("{}\"L{}\"", i ? "," : "", i);
    test::write_file(dir / "regions.json", fmt::format(R"({{"regions":[{{"name":"X","layers":[{}]}}]}})", layers));
    std::string lv;
    for (int i = 0; i < 30; ++i) lv += i ? ";1" : "1";
    std::string csv = "neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses,layer_cells\n";
    for (int h = 0; h < 3; ++h) csv += fmt::format("A,X,R,{},0,{},1,{},{}\n", h, 30, lv, lv);
    test::write_file(dir / "d.csv", csv);
    std::string err;
    CHECK(run_cli(fmt::format("render --data {} --regions {} --type A --region X --side R --templates {} --out-dir {}", q(dir / "d.csv"),
                              q(dir / "regions.json"), q(dir / "t"), q(dir / "out")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("tail.svg.mustache") && Catch::Contains("one of its lines"));
    CHECK((!fs::exists(dir / "out") || fs::is_empty(dir / "out")));
}

TEST_CASE("accessible picture: the <desc> names the colour map and bins when they are not the field's (reds, 5 bins)") {
    const auto desc_of = [](const std::string& map, int bins) {
        RenderOptions o = with_id("em");
        o.colormap = map;
        o.scale.bins = bins;
        return element_text(render_one(small_dataset(), Metric::synapses, o), "desc", "em-desc");
    };
    const std::string tail = " Buttons show one layer at a time (10 layers).";
    const std::string scale = "Colour scale: linear, evenly spaced from the smallest to the largest value, shared by all regions and both sides of the type.";
    // The default says nothing of the map (its bytes are the golden small.svg's); "Reds" is the default in any case.
    for (const std::string& map : {std::string("reds"), std::string("Reds")}) {
        INFO(map);
        const std::string d = desc_of(map, 5);
        CHECK(d.find("Colour map") == std::string::npos);
        CHECK(d.ends_with(scale + tail));
    }
    CHECK(desc_of("viridis", 7).ends_with(scale + " Colour map: viridis, 7 bins." + tail));
    CHECK(desc_of("RdBu", 5).ends_with(scale + " Colour map: rdbu, 5 bins." + tail));  // canonical name
    CHECK(desc_of("reds", 7).ends_with(scale + " Colour map: reds, 7 bins." + tail));
    CHECK(desc_of("reds", 12).ends_with(scale + " Colour map: reds, 12 bins." + tail));
    CHECK(desc_of(" #000000 ,#FF0000, #ffff00", 12).ends_with(scale + " Colour map: 3 listed colours, 12 bins." + tail));
    CHECK(desc_of("#000000,#ffffff", 2).ends_with(scale + " Colour map: 2 listed colours, 2 bins." + tail));
}

TEST_CASE("N bins of a colour map: golden SVG (viridis, 7 bins), the script's colours, base-36 layer bins past 9") {
    RenderOptions o;
    o.colormap = "viridis";
    o.scale.bins = 7;
    const std::string svg = render_one(small_dataset(), Metric::synapses, o);
    const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden/viridis7.svg";
    if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
        test::write_file(path, svg);
        WARN("golden file rewritten: " << path);
    }
    REQUIRE(std::filesystem::exists(path));
    CHECK(svg == test::read_file(path));
    CHECK(test::xml_error(svg).empty());
    const FillColours v7 = fill_colours(Style{}, "viridis", 7);
    CHECK_THAT(svg, Catch::Matchers::Contains(fmt::format("var pal = [\"{}\"];", fmt::join(v7.colour, "\", \""))));
    CHECK_THAT(svg, Catch::Matchers::Contains("pal[8]"));  // grey: no data, 7 bins, not in region
    CHECK(svg.find("pal[6]") == std::string::npos);
    CHECK(svg.find("#fee5d9") == std::string::npos);  // no reds anywhere
    // Seven legend boxes in viridis, eight edges.
    const std::regex box(R"re(<rect x="[^"]*" y="[^"]*" width="14" height="10" fill="(#[0-9a-f]{6})"/>)re");
    std::set<std::string> boxes;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), box); it != std::sregex_iterator(); ++it) boxes.insert((*it)[1]);
    CHECK(boxes.size() >= 5);
    for (const auto& b : boxes) CHECK(std::find(v7.colour.begin() + 1, v7.colour.end() - 1, b) != v7.colour.end() - 1);

    // 12 bins: layer bins 10..12 are written a, b, c and the script reads base 36.
    Dataset ds = small_dataset();
    for (auto& t : ds.types)
        for (auto& r : t.rows)
            for (std::size_t k = 0; k < r.layer_synapses.size(); ++k) r.layer_synapses[k] = r.synapses * static_cast<std::int64_t>(k + 1);
    o.scale.bins = 12;
    const std::string s12 = render_one(ds, Metric::synapses, o);
    CHECK(test::xml_error(s12).empty());
    CHECK_THAT(s12, Catch::Matchers::Contains("parseInt(b.charAt(layer - 1), 36)"));
    CHECK_THAT(s12, Catch::Matchers::Contains("pal[13]"));
    static const std::regex data_b(R"re(data-b="([0-9a-c]+)")re");
    std::set<char> digits;
    for (auto it = std::sregex_iterator(s12.begin(), s12.end(), data_b); it != std::sregex_iterator(); ++it)
        for (char c : (*it)[1].str()) digits.insert(c);
    CHECK(digits.count('c'));  // the darkest of 12 bins
    // Up to 9 bins the script is the default one (digits).
    o.scale.bins = 9;
    CHECK_THAT(render_one(ds, Metric::synapses, o), Catch::Matchers::Contains("+b.charAt(layer - 1)"));
}

namespace {

// A float metric with NaNs (no data), zeros and negative values, with per-layer values: what a
// scientist's per-column number looks like (coverage, a model's output, a difference).
Dataset value_dataset() {
    const std::string csv =
        "neuron_type,region,side,hex1,hex2,synapses,coverage,layer_coverage\n"
        "Val,ME,L,2,2,4,0.125,0.1;;0;0;0;0;0;0;0;0.5\n"
        "Val,ME,L,2,3,1,-0.375,;;;;;;;;;\n"
        "Val,ME,L,3,2,9,,\n"
        "Val,ME,L,3,3,0,0,-0.25;0.75;0;0;0;0;0;0;0;0\n"
        "Val,ME,L,3,4,2,0.8731,1;1;1;1;1;1;1;1;1;1\n"
        "Val,ME,L,4,3,2,nan,\n"
        "Val,LO,L,1,1,3,0.5,\n";
    ColumnLayout l;
    for (auto [a, b] : std::vector<std::pair<int, int>>{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {3, 4}, {4, 3}, {4, 4}}) l.entries.push_back({"ME", Side::L, a, b});
    l.entries.push_back({"LO", Side::L, 1, 1});
    return make_dataset(parse_column_table(csv, "values.csv", builtin_regions(), std::vector<std::string>{"coverage"}), l);
}

void check_golden(const std::string& bytes, const char* name) {
    const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden" / name;
    if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
        test::write_file(path, bytes);
        WARN("golden file rewritten: " << path);
    }
    REQUIRE(std::filesystem::exists(path));
    CHECK(bytes == test::read_file(path));
}

}  // namespace

TEST_CASE("a float metric with NaNs: golden SVG and PNG (viridis), tooltips, data-v and legend in the eyemap's digits") {
    const Dataset ds = value_dataset();
    RenderOptions o;
    o.colormap = "viridis";
    const EyemapRequest req{"ME", Side::L, Metric("coverage")};
    const OutputFormat formats[] = {OutputFormat::svg, OutputFormat::png};
    const auto out = Renderer(o).render(ds, "Val", std::span(&req, 1), formats);
    REQUIRE(out.size() == 2);
    const std::string& svg = out[0].bytes;
    check_golden(svg, "values_nan.svg");
    check_golden(out[1].bytes, "values_nan.png");
    CHECK(out[0].file_name() == "Val_ME_L_coverage.svg");
    CHECK(test::xml_error(svg).empty());
    // The largest magnitude of the values and layer values is 1: three significant digits, two places
    // (0.125 -> 0.13, half away from zero), for every number of the eyemap.
    CHECK_THAT(svg, Catch::Matchers::Contains("coverage: 0.13\nROI: ME (L)"));
    CHECK_THAT(svg, Catch::Matchers::Contains("coverage: -0.38\nROI: ME (L)"));
    CHECK_THAT(svg, Catch::Matchers::Contains("coverage: 0.87\nROI: ME (L)"));
    CHECK_THAT(svg, Catch::Matchers::Contains("coverage: 0\nROI: ME (L)"));  // zero is data
    CHECK_THAT(svg, Catch::Matchers::Contains("coverage: no data\nROI: ME (L)"));  // empty cell, NaN, and the column without a row
    // Per-layer values: NaN is an empty item; a column without any layer value carries none.
    CHECK_THAT(svg, Catch::Matchers::Contains("data-v=\"0.1  0 0 0 0 0 0 0 0.5\""));
    CHECK_THAT(svg, Catch::Matchers::Contains("data-v=\"-0.25 0.75 0 0 0 0 0 0 0 0\""));
    // The script reads an empty item as no data in that layer (0 and negative values are data).
    CHECK_THAT(svg, Catch::Matchers::Contains("if (v === \"\") return l;"));
    // Legend: the scale's edges in the same digits, the column name as its title.
    CHECK_THAT(svg, Catch::Matchers::Contains(">-0.38</text>"));
    CHECK_THAT(svg, Catch::Matchers::Contains(">0.87</text>"));
    CHECK_THAT(svg, Catch::Matchers::Contains(">coverage</text>"));
    const auto& c = out[0].counts;
    CHECK(c.has_data == 4);
    CHECK(c.no_data == 3);
    CHECK(out[0].summary.min_value == -0.375);
    CHECK_FALSE(out[0].summary.counts);
}

TEST_CASE("continuous and diverging maps: golden SVGs, the gradient legend, two base-36 digits per layer and the script that reads them") {
    Dataset ds = small_dataset();
    RenderOptions o;
    o.colormap = "viridis";
    o.scale.continuous = true;
    RenderOptions d;
    d.colormap = "rdbu";
    d.scale.centre = 20.0;  // the values 3..96 lie on both sides of it: both hues
    d.scale.continuous = true;
    RenderOptions db = d;   // binned, centred
    db.scale.continuous = false;
    for (const auto& [name, opts] : {std::pair{"continuous_viridis", o}, std::pair{"rdbu_centre", d}, std::pair{"rdbu_centre_binned", db}}) {
        INFO(name);
        const std::string svg = render_one(ds, Metric::synapses, opts);
        const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden" / (std::string(name) + ".svg");
        if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
            test::write_file(path, svg);
            WARN("golden file rewritten: " << path);
        }
        REQUIRE(std::filesystem::exists(path));
        CHECK(svg == test::read_file(path));
        CHECK(test::xml_error(svg).empty());
        const std::string id = ids_of(svg).count("emGolden") ? "emGolden" : *ids_of(svg).begin();
        const bool continuous = opts.scale.continuous;
        CHECK((svg.find("<linearGradient") != std::string::npos) == continuous);
        if (!continuous) {
            CHECK_THAT(svg, Catch::Matchers::Contains("+b.charAt(layer - 1)"));  // the binned script
            continue;
        }
        CHECK_THAT(svg, Catch::Matchers::Contains(fmt::format("Colour map: {}, continuous.", opts.colormap)));  // the <desc>
        const FillColours f = fill_colours(Style{}, opts.colormap, 5, true);
        // One gradient, its stops the fills' (offset, colour), used by both legends' bars.
        std::string stops;
        for (const auto& s : f.stops) stops += fmt::format("<stop offset=\"{}\" stop-color=\"{}\"/>\n", decimal_text(s.offset, 4), f.colour[s.fill]);
        CHECK_THAT(svg, Catch::Matchers::Contains(stops));
        static const std::regex grad_id(R"re(<linearGradient id="([^"]+)-grad")re");
        std::smatch m;
        REQUIRE(std::regex_search(svg, m, grad_id));
        const std::string url = "fill=\"url(#" + m[1].str() + "-grad)\"";
        std::size_t bars = 0;
        for (auto p = svg.find(url); p != std::string::npos; p = svg.find(url, p + 1)) ++bars;
        CHECK(bars == 2);  // all layers and the per-layer legend
        // The script: 258 colours, grey 257, two base-36 digits per layer.
        CHECK_THAT(svg, Catch::Matchers::Contains(fmt::format("var pal = [\"{}\"];", fmt::join(f.colour, "\", \""))));
        CHECK_THAT(svg, Catch::Matchers::Contains("pal[257]"));
        CHECK_THAT(svg, Catch::Matchers::Contains("parseInt(b.substr(2 * (layer - 1), 2), 36)"));
        // Every data-b: two digits per layer, each a level 1..256 or white.
        static const std::regex data_b(R"re(data-b="([0-9a-z]+)")re");
        std::size_t n = 0;
        std::set<long> levels;
        const std::size_t layers = builtin_regions().find("ME")->layers.size();
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), data_b); it != std::sregex_iterator(); ++it, ++n) {
            const std::string b = (*it)[1];
            REQUIRE(b.size() == 2 * layers);
            for (std::size_t l = 0; l < layers; ++l) {
                const long v = std::stol(b.substr(2 * l, 2), nullptr, 36);
                CHECK(v <= 256);
                levels.insert(v);
            }
        }
        CHECK(n == 6);  // the columns with data
        CHECK(levels.count(0));
        CHECK(*levels.rbegin() == 256);  // the layer scale's top
    }
    // The default script is untouched by the continuous section.
    CHECK(render_one(ds).find("substr") == std::string::npos);
}

TEST_CASE("a signed metric on a diverging map: golden SVG and PNG (RdBu binned and continuous), centred at 0 by default") {
    const Dataset ds = value_dataset();  // -0.375 .. 0.8731, zero, NaN
    const EyemapRequest req{"ME", Side::L, Metric("coverage")};
    const OutputFormat formats[] = {OutputFormat::svg, OutputFormat::png};
    // The fill of column (hex1, hex2) in an SVG.
    auto fill_of = [](const std::string& svg, int h1, int h2) {
        const std::regex re(fmt::format(R"re(fill="(#[0-9a-f]{{6}})"[^>]*><title>Column: {}, {}\n)re", h1, h2));
        std::smatch m;
        REQUIRE(std::regex_search(svg, m, re));
        return m[1].str();
    };
    for (const bool continuous : {false, true}) {
        INFO((continuous ? "continuous" : "binned"));
        RenderOptions o;
        o.colormap = "rdbu";
        o.scale.continuous = continuous;
        const auto out = Renderer(o).render(ds, "Val", std::span(&req, 1), formats);
        REQUIRE(out.size() == 2);
        const std::string& svg = out[0].bytes;
        const std::string name = continuous ? "values_signed_rdbu_continuous" : "values_signed_rdbu";
        check_golden(svg, (name + ".svg").c_str());
        check_golden(out[1].bytes, (name + ".png").c_str());
        CHECK(test::xml_error(svg).empty());
        const FillColours f = fill_colours(Style{}, "rdbu", 5, continuous);
        // The limits are -0.8731 .. 0.8731 about 0: zero takes the middle colour, the largest value the top one.
        CHECK(fill_of(svg, 3, 3) == f.colour[continuous ? 129 : 3]);  // 0: level 128 (floor(0.5 * 256)), or bin 3 of 5
        CHECK(fill_of(svg, 3, 4) == f.colour[continuous ? 256 : 5]);  // 0.8731
        // -0.375: t = (0.8731 - 0.375) / 1.7462, level floor(t * 256) = 73; bin 2 of 5 (edges at -0.52, -0.17).
        CHECK(fill_of(svg, 2, 3) == f.colour[continuous ? 74 : 2]);
        CHECK(fill_of(svg, 3, 2) == Style{}.palette.front());  // an empty cell: no data
        if (continuous) {
            CHECK_THAT(svg, Catch::Matchers::Contains(">0</text>"));  // a tick at the centre
            CHECK_THAT(svg, Catch::Matchers::Contains("<linearGradient"));
        } else {  // the edges symmetric about 0, in the eyemap's digits
            CHECK_THAT(svg, Catch::Matchers::Contains(">-0.87</text>"));
            CHECK_THAT(svg, Catch::Matchers::Contains(">0.87</text>"));
            CHECK_THAT(svg, Catch::Matchers::Contains(">-0.17</text>"));
            CHECK_THAT(svg, Catch::Matchers::Contains(">0.17</text>"));
        }
    }
}

TEST_CASE("a float metric's legend: fixed limits far from the data print distinct, well-formed edges") {
    const Dataset ds = value_dataset();
    const EyemapRequest req{"ME", Side::L, Metric("coverage")};
    const auto ticks = [&](double lo, double hi) {
        RenderOptions o;
        o.scale.method = ScaleMethod::fixed;
        o.scale.min = lo;
        o.scale.max = hi;
        const std::string svg = Renderer(o).render(ds, "Val", std::span(&req, 1)).at(0).bytes;
        std::vector<std::string> out;
        static const std::regex tick(R"re(<text class="em-tick"[^>]*>([^<]*)</text>)re");
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tick); it != std::sregex_iterator(); ++it) out.push_back((*it)[1]);
        out.resize(std::min<std::size_t>(out.size(), 6));  // the "all layers" legend (the layer one follows)
        return out;
    };
    // Values in -0.375..1 (two places) on limits 1e17 apart: past what two places can write, so scientific.
    const auto wide = ticks(-1e17, 1e17);
    REQUIRE(wide.size() == 6);
    CHECK(wide.front() == "-1.00e+17");
    CHECK(wide.back() == "1.00e+17");
    CHECK(std::set<std::string>(wide.begin(), wide.end()).size() == 6);
    // Limits finer than the data's places: the edges get the places they need, no two alike.
    const auto fine = ticks(-0.01, 0.01);
    REQUIRE(fine.size() == 6);
    CHECK(std::set<std::string>(fine.begin(), fine.end()).size() == 6);
    CHECK(fine.front() == "-0.01");
}

TEST_CASE("links: a column link wraps every hexagon in an <a>, its URL escaped for XML, and the script finds the hexagons inside") {
    RenderOptions o;
    o.column_link = "https://neuprint.janelia.org/view?dataset=a&roi={roi}&type={type}&h={hex1:02}";
    const std::string svg = render_one(small_dataset("T<&>"), Metric::synapses, o);
    CHECK(test::xml_error(svg).empty());
    const std::size_t hexagons = test::count(svg, "<title>Column: ");
    REQUIRE(hexagons == 8);
    CHECK(test::count(svg, "<a href=\"https://neuprint.janelia.org/view?") == hexagons);
    CHECK(test::count(svg, "</use></a>\n") == hexagons);
    // Values URL-escaped, then the whole URL XML-escaped ('&' between parameters); standard and script-free.
    CHECK(svg.find("<a href=\"https://neuprint.janelia.org/view?dataset=a&amp;roi=ME_L_col_02_03&amp;type=T%3C%26%3E&amp;h=02\" "
                   "target=\"_top\" aria-label=\"Column 2, 3\"><use ") != std::string::npos);
    CHECK(svg.find("roi=ME_L_col_01_01") != std::string::npos);  // a column not in ME links too (to the eyemap's region)
    CHECK(svg.find("javascript:") == std::string::npos);
    CHECK(svg.find("getElementsByTagName(\"use\")") != std::string::npos);
    // Links are controls: the root is a graphics document (role="img" would hide them from assistive technology).
    CHECK(svg.find("class=\"eyemap\" role=\"graphics-document\"") != std::string::npos);
    // A static picture links as well; without a link nothing of it is written (the golden files hold the bytes).
    o.interactive = false;
    const std::string still = render_one(small_dataset("T<&>"), Metric::synapses, o);
    CHECK(test::count(still, "<a href=") == hexagons);
    CHECK(still.find("role=\"graphics-document\"") != std::string::npos);
    CHECK(test::xml_error(still).empty());
    const std::string plain = render_one(small_dataset());
    CHECK(plain.find("<a ") == std::string::npos);
    CHECK(plain.find("var hexes = group.children;") != std::string::npos);
}

TEST_CASE("provenance: the SVG's <metadata> names the dataset's label, version and input, escaped, and cached frames keep them apart") {
    RenderOptions o;
    o.dataset_label = "optic <lobe> & \"x\"";
    o.dataset_version = "v1.1";
    o.input_digest = "0123456789abcdef";
    const std::string svg = render_one(small_dataset(), Metric::synapses, o);
    CHECK(test::xml_error(svg).empty());
    CHECK(test::count(svg, "<metadata ") == 1);
    CHECK(svg.find("data-dataset=\"optic &lt;lobe&gt; &amp; &quot;x&quot;\" data-version=\"v1.1\" data-input=\"0123456789abcdef\"") !=
          std::string::npos);
    CHECK(svg.find("<dc:source>Dataset: optic &lt;lobe&gt; &amp; &quot;x&quot;, version v1.1, input 0123456789abcdef</dc:source>"
                   "<dc:identifier>0123456789abcdef</dc:identifier>") != std::string::npos);
    CHECK(svg.find("<metadata") > svg.find("</desc>"));
    CHECK(svg.find("<metadata") < svg.find("<g class=\"em-hexes\">"));  // not among the hexagons the script counts
    CHECK(render_one(small_dataset()).find("<metadata") == std::string::npos);
    // Renderers sharing caches: the frame with the dataset is never handed to one without, nor the other way.
    const Dataset ds = small_dataset();
    const EyemapRequest req{"ME", Side::L, Metric::synapses};
    const Renderer plain;
    const Renderer named(o, plain);
    RenderOptions other = o;
    other.dataset_version = "v2";
    const Renderer renamed(other, plain);
    RenderOptions linked;
    linked.column_link = "https://h/{roi}";
    const Renderer links(linked, plain);
    for (int round = 0; round < 2; ++round) {
        CHECK(plain.render(ds, "Golden", std::span(&req, 1)).at(0).bytes.find("<metadata") == std::string::npos);
        CHECK(named.render(ds, "Golden", std::span(&req, 1)).at(0).bytes == svg);
        CHECK(renamed.render(ds, "Golden", std::span(&req, 1)).at(0).bytes.find("version v2") != std::string::npos);
        CHECK(links.render(ds, "Golden", std::span(&req, 1)).at(0).bytes.find("getElementsByTagName(\"use\")") != std::string::npos);
    }
}

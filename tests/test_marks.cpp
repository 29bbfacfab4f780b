// Marks on column sets (issue 23): the readers and their errors, and the marks in SVG, PNG, PDF,
// figures, the CLI and the batch's pages.
// Needs on PATH: pdftoppm and pdftotext (poppler-utils); the shared tools' eyemap-inspect.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <png.h>

#include "eyemap/figure.hpp"
#include "eyemap/marks.hpp"
#include "eyemap/renderer.hpp"
#include "layout/layout.hpp"
#include "stage_support.hpp"
#include "png_decode.hpp"
#include "test_support.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::count;
using eyemap::test::q;
using eyemap::test::read_file;
using eyemap::test::run_cli;
using eyemap::test::write_file;

namespace {

// A sample dataset (one type, the built-in regions, both sides) written by `eyemap sample`, and a
// marks file on its first three ME R columns: an outline set with a name to escape, a marker, a dim.
struct Sample {
    fs::path dir = test::fresh_dir("marks-sample-" + std::to_string(::getpid()));
    Dataset ds;
    std::string type;
    std::vector<LayoutEntry> me_r;  // the first ME R columns of the layout
    std::string marks_csv;
    Sample() {
        REQUIRE(run_cli("sample --types 1 --out-dir " + q(dir)) == 0);
        ds = load_dataset(dir / "data.csv", dir / "columns.csv", builtin_regions());
        type = ds.types.at(0).neuron_type;
        for (const auto& e : read_column_layout(dir / "columns.csv").entries)
            if (e.region == "ME" && e.side == Side::R && me_r.size() < 4) me_r.push_back(e);
        REQUIRE(me_r.size() == 4);
        const auto row = [&](std::size_t i, std::string_view set, std::string_view style) {
            return fmt::format("ME,R,{},{},{},{}\n", me_r[i].hex1, me_r[i].hex2, set, style);
        };
        marks_csv = "region,side,hex1,hex2,set,style\n" + row(0, "\"<b>&\"\"x\"\"\"", "outline") + row(1, "Home", "marker") +
                    row(2, "Focus", "dim") + row(3, "Focus", "");
        write_file(dir / "marks.csv", marks_csv);
    }
    ~Sample() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};
Sample& sample() {
    static Sample s;
    return s;
}

Marks sample_marks() { return parse_marks(sample().marks_csv, "marks.csv"); }

// The input error `f` throws.
template <class F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    throw std::logic_error("unreachable");
}

Error csv_error(std::string_view body, std::string_view header = "region,side,hex1,hex2,set\n") {
    return error_of([&] { parse_marks(std::string(header) + std::string(body), "m.csv"); });
}

void check_at(const Error& e, std::uint64_t line, std::string_view field, std::string_view value, std::string_view says) {
    INFO(e.what());
    CHECK(e.kind() == ErrorKind::input);
    CHECK(e.where().file == "m.csv");
    CHECK(e.where().line == line);
    CHECK(e.where().field == field);
    CHECK(e.where().value == value);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains(std::string(says)));
}

using eyemap::test::decode_png;

int channel_gap(std::uint32_t a, std::uint32_t b) {
    int gap = 0;
    for (int s : {0, 8, 16}) gap = std::max(gap, std::abs(static_cast<int>((a >> s) & 0xff) - static_cast<int>((b >> s) & 0xff)));
    return gap;
}
int brightness(std::uint32_t p) { return static_cast<int>((p & 0xff) + ((p >> 8) & 0xff) + ((p >> 16) & 0xff)); }

// The ME R synapses eyemap of the sample as stage functions make it, with `marks` (none: as without).
Scene me_r_scene(const Marks& marks) {
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    Scene s = test::stage_scenes(sample().ds, sample().type, std::span(&req, 1)).at(0);
    s.marks = scene_marks(marks, *sample().ds.index, "ME", Side::R);
    place_mark_legend(s, Geometry{});
    return s;
}

std::size_t column_of(const Scene& s, const LayoutEntry& e) {
    for (std::size_t c = 0; c < s.grid->hex1.size(); ++c)
        if (s.grid->hex1[c] == e.hex1 && s.grid->hex2[c] == e.hex2) return c;
    FAIL("column not in the grid");
    return 0;
}

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

TEST_CASE("marks: the CSV reader keeps sets in order of appearance with Okabe-Ito colours, styles and colours once per set") {
    const Marks m = sample_marks();
    REQUIRE(m.sets.size() == 3);
    CHECK(m.sets[0].name == "<b>&\"x\"");
    CHECK(m.sets[0].style == MarkStyle::outline);
    CHECK(m.sets[0].colour == default_mark_colour(0));
    CHECK(default_mark_colour(0) == "#0072b2");
    CHECK(m.sets[1].style == MarkStyle::marker);
    CHECK(m.sets[1].colour == "#e69f00");
    CHECK(m.sets[2].style == MarkStyle::dim);
    CHECK(m.rows.size() == 4);
    CHECK(m.rows[3].set == 2);
    CHECK(m.rows[3].line == 5);
    // A colour column (any case, stored lower case); a row that does not repeat its set's look keeps it.
    const Marks c = parse_marks("region,side,hex1,hex2,set,colour,style\nME,R,1,2, a ,#ABCDEF,marker\nLO,L,-3,4,a,,\n", "m.csv");
    REQUIRE(c.sets.size() == 1);
    CHECK(c.sets[0].name == "a");
    CHECK(c.sets[0].colour == "#abcdef");
    CHECK(c.sets[0].style == MarkStyle::marker);
    CHECK(c.rows[1].hex1 == -3);
    CHECK(c.rows[1].side == Side::L);
    // The CLI's overrides, and their errors.
    Marks o = c;
    set_mark_style(o, "a", "dim");
    set_mark_colour(o, "a", "#000000");
    CHECK(o.sets[0].style == MarkStyle::dim);
    CHECK(o.sets[0].colour == "#000000");
    CHECK_THAT(error_of([&] { set_mark_style(o, "A ", "dim"); }).reason(), Catch::Matchers::Contains("no mark set of that name"));
    CHECK(error_of([&] { set_mark_style(o, "a", "halo"); }).where().value == "halo");
    CHECK(error_of([&] { set_mark_colour(o, "a", "red"); }).where().value == "red");
}

TEST_CASE("marks: CSV errors name the file, line, field and value") {
    check_at(csv_error("ME,R,1,1,a\nMX,R,1,2,a\n"), 3, "region", "MX", "unknown region");
    check_at(csv_error("ME,X,1,1,a\n"), 2, "side", "X", "side must be L or R");
    check_at(csv_error("MX,R,x,1,a\n"), 2, "region", "MX", "unknown region");  // the columns in the data table's order
    check_at(csv_error("ME,R,1.5,1,a\n"), 2, "hex1", "1.5", "");
    check_at(csv_error("ME,R,1,99999,a\n"), 2, "hex2", "99999", "");
    check_at(csv_error("ME,R,1,1,a\nME,R,1,2,b\nME,R,1,1,a\n"), 4, "hex1,hex2", "1,1", "in set 'a' twice (first on line 2)");
    check_at(csv_error("ME,R,1,1,\n"), 2, "set", "", "empty set name");
    check_at(csv_error("ME,R,1,1,  \n"), 2, "set", "  ", "empty set name");
    check_at(csv_error("ME,R,1,1,a\x01" "b\n"), 2, "set", "a\x01" "b", "one line of printable UTF-8 text");
    check_at(csv_error("ME,R,1,1,a\xe2\x80\x8e" "b\n"), 2, "set", "a\xe2\x80\x8e" "b", "invisible");
    check_at(csv_error("ME,R,1,1,a\xff\n"), 2, "set", "a\xff", "printable UTF-8");
    check_at(csv_error("ME,R,1,1," + std::string(65, 'n') + "\n"), 2, "set", std::string(65, 'n'), "longer than 64 bytes");
    check_at(csv_error("ME,R,1,1,a,outline\nME,R,1,2,a,dim\n", "region,side,hex1,hex2,set,style\n"), 3, "style", "dim",
             "set 'a' has style outline (line 2)");
    check_at(csv_error("ME,R,1,1,a,halo\n", "region,side,hex1,hex2,set,style\n"), 2, "style", "halo", "expected a mark style");
    check_at(csv_error("ME,R,1,1,a,#12345\n", "region,side,hex1,hex2,set,colour\n"), 2, "colour", "#12345", "#rrggbb");
    check_at(csv_error("ME,R,1,1,a,#123456\nME,R,1,2,a,#654321\n", "region,side,hex1,hex2,set,colour\n"), 3, "colour", "#654321",
             "has colour #123456 (line 2)");
    std::string many;
    for (int k = 0; k <= static_cast<int>(kMaxMarkSets); ++k) many += fmt::format("ME,R,1,{},s{}\n", k, k);
    check_at(csv_error(many), kMaxMarkSets + 2, "set", fmt::format("s{}", kMaxMarkSets), "more than 64 mark sets");
    check_at(csv_error("ME,R,1,1\n"), 2, "set", "", "expected 5 fields");
    // The header: a missing column, a near name, no rows.
    check_at(csv_error("ME,R,1,1\n", "region,side,hex1,hex2\n"), 1, "set", "", "missing required column");
    check_at(csv_error("ME,R,1,1,a,#123456\n", "region,side,hex1,hex2,set,color\n"), 1, "color", "", "did you mean 'colour'?");
    check_at(csv_error(""), 1, "", "", "no mark rows");
    CHECK(error_of([] { parse_marks("", "m.csv"); }).reason().find("empty file") != std::string::npos);
    CHECK(error_of([] { read_marks("/nonexistent/marks.csv"); }).kind() == ErrorKind::io);
}

TEST_CASE("marks: typed columns (a data frame's) read as the CSV does, with its messages") {
    MarkColumns c;
    c.source = "m.csv";
    c.first_line = 2;
    c.region = TextColumn{{"ME"}, {0, 0, 0, 0}};
    c.side = TextColumn{{"R"}, {0, 0, 0, 0}};
    const auto& e = sample().me_r;
    c.hex1 = NumberColumn(std::vector<std::int64_t>{e[0].hex1, e[1].hex1, e[2].hex1, e[3].hex1});
    c.hex2 = NumberColumn(std::vector<double>{double(e[0].hex2), double(e[1].hex2), double(e[2].hex2), double(e[3].hex2)});
    c.set = TextColumn{{"<b>&\"x\"", "Home", "Focus"}, {0, 1, 2, 2}};
    c.style = TextColumn{{"outline", "marker", "dim", ""}, {0, 1, 2, 3}};
    Marks m = marks_from_columns(c);
    Marks want = sample_marks();
    want.source = m.source;
    CHECK(m == want);
    c.side = TextColumn{{"R", "x"}, {0, 0, 1, 0}};
    check_at(error_of([&] { marks_from_columns(c); }), 4, "side", "x", "side must be L or R");
    c.side.reset();
    CHECK(error_of([&] { marks_from_columns(c); }).where().field == "side");
}

TEST_CASE("marks: scene sets hold universe columns of their region and side only, and grow the canvas by their legend") {
    const Scene plain = me_r_scene({});
    CHECK(plain.marks.empty());
    CHECK_FALSE(plain.mark_legend.shown);
    const Scene s = me_r_scene(sample_marks());
    REQUIRE(s.marks.size() == 3);
    CHECK(s.marks[2].columns.size() == 2);
    CHECK(s.marks[0].columns == std::vector<std::uint32_t>{static_cast<std::uint32_t>(column_of(s, sample().me_r[0]))});
    CHECK(s.height > plain.height);
    CHECK(s.mark_legend.y >= plain.height - 10);
    // Another side or region: no sets; columns the layout lacks: left out.
    Marks other = parse_marks("region,side,hex1,hex2,set\nME,L,4000,4000,far\nLO,R,4000,4000,far\n", "m.csv");
    CHECK(scene_marks(other, *sample().ds.index, "ME", Side::R).empty());
    CHECK(scene_marks(other, *sample().ds.index, "ME", Side::L).empty());
    // A set computed at render time (a comparison's "only in A"): pushed onto the Scene, the legend
    // placed again, as if it had been there from the start.
    Scene added = me_r_scene(sample_marks());
    added.marks.push_back(SceneMarkSet{"only in A", MarkStyle::outline, "#000000", {0, 1}});
    place_mark_legend(added, Geometry{});
    Scene once = me_r_scene({});
    once.marks = added.marks;
    place_mark_legend(once, Geometry{});
    CHECK(added.height == once.height);
    CHECK(added.width == once.width);
    CHECK(added.mark_legend.y == once.mark_legend.y);
    const std::string svg = test::svg_of(added);
    CHECK(test::xml_error(svg).empty());
    CHECK(svg.find(">only in A</text>") != std::string::npos);
    // Removing every set gives the canvas without marks.
    added.marks.clear();
    place_mark_legend(added, Geometry{});
    CHECK(added.height == plain.height);
    CHECK_FALSE(added.mark_legend.shown);
}

TEST_CASE("marks: SVG with marks is well-formed, has as many hexagons with their tooltips, and escaped legend names") {
    RenderOptions with;
    with.marks = sample_marks();
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const OutputFormat svg = OutputFormat::svg;
    const std::string plain = Renderer().render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1)).at(0).bytes;
    const std::string marked = Renderer(with).render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1)).at(0).bytes;
    CHECK(test::xml_error(marked).empty());
    CHECK(count(marked, "<use ") == count(plain, "<use "));
    CHECK(count(marked, "<title>Column: ") == count(plain, "<title>Column: "));
    CHECK(count(marked, "<g class=\"em-marks\" pointer-events=\"none\">") == 1);
    CHECK(count(marked, "<g class=\"em-mlegend\">") == 1);
    CHECK(marked.find(">&lt;b&gt;&amp;&quot;x&quot;</text>") != std::string::npos);
    CHECK(marked.find("<b>&") == std::string::npos);
    // Screen readers hear the sets in the <desc>.
    CHECK(marked.find(" Marked: &lt;b&gt;&amp;&quot;x&quot; (outline, 1 column); Home (marker, 1 column); Focus (dim, 2 columns). Colour scale") !=
          std::string::npos);
    CHECK(count(marked, "data-style=\"outline\"") == 2);  // the set's path and its swatch
    CHECK(count(marked, "data-style=\"marker\"") == 2);
    CHECK(count(marked, "data-style=\"dim\"") == 2);
    // The layer buttons' script still finds its hexagons: the hexes group holds only them.
    const auto hexes = marked.find("<g class=\"em-hexes\">"), marks = marked.find("<g class=\"em-marks\"");
    REQUIRE(hexes < marks);
    CHECK(count(std::string_view(marked).substr(hexes, marks - hexes), "<path") == 0);
    // eyemap-inspect counts the same hexagons and statuses.
    const auto dir = test::fresh_dir("marks-svg");
    write_file(dir / "plain.svg", plain);
    write_file(dir / "marked.svg", marked);
    const std::string tool = EYEMAP_SHARED_DIR "/tools/eyemap-inspect";
    REQUIRE(run(fmt::format("{0} {1} > {1}.txt 2>&1 && {0} {2} > {2}.txt 2>&1", tool, q(dir / "plain.svg"), q(dir / "marked.svg"))) == 0);
    const std::string a = read_file(dir / "plain.svg.txt"), b = read_file(dir / "marked.svg.txt");
    const auto from = [](const std::string& s) { return s.substr(s.find("'hexagons'")); };
    CHECK(b.find("'well_formed': True") != std::string::npos);
    CHECK(from(a).substr(from(a).find("'status'")) == from(b).substr(from(b).find("'status'")));
    CHECK(from(a).substr(0, from(a).find(',')) == from(b).substr(0, from(b).find(',')));
    // Deterministic.
    CHECK(Renderer(with).render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1)).at(0).bytes == marked);
}

TEST_CASE("marks: PNG pixels show outline, marker and dimming where the SVG draws them") {
    const Scene plain = me_r_scene({}), marked = me_r_scene(sample_marks());
    const RasterImage a = decode_png(test::png_of(plain)), b = decode_png(test::png_of(marked));
    REQUIRE(b.height > a.height);
    const GridCoordinates& g = *marked.grid;
    const auto px = [&](const RasterImage& img, double x, double y) { return img.pixel(static_cast<int>(x), static_cast<int>(y)); };
    // The marker: its colour at the hexagon's centre.
    const std::size_t home = column_of(marked, sample().me_r[1]);
    CHECK(channel_gap(px(b, g.x[home], g.y[home]), 0xffe69f00u) <= 4);
    // The outline: on the hexagon's right vertex, the set's colour instead of the plain image's.
    const std::size_t outlined = column_of(marked, sample().me_r[0]);
    const double vx = g.x[outlined] + marked.hex_size - 0.5, vy = g.y[outlined];
    CHECK(channel_gap(px(a, vx, vy), px(b, vx, vy)) > 40);
    // Dimming: a hexagon outside the dim set is lighter, one in it unchanged.
    const std::size_t focus = column_of(marked, sample().me_r[2]);
    CHECK(px(a, g.x[focus], g.y[focus]) == px(b, g.x[focus], g.y[focus]));
    std::size_t other = g.x.size();
    for (std::size_t c = 0; c < g.x.size() && other == g.x.size(); ++c)
        if (marked.data.fill[c] == 5) other = c;  // a dark bin's hexagon
    REQUIRE(other < g.x.size());
    CHECK(brightness(px(b, g.x[other], g.y[other])) > brightness(px(a, g.x[other], g.y[other])) + 60);
    // Deterministic bytes.
    CHECK(test::png_of(marked) == test::png_of(marked));
}

TEST_CASE("marks: the PDF draws the marks (pdftoppm) and names the sets in its text") {
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    const Scene marked = me_r_scene(sample_marks());
    const auto dir = test::fresh_dir("marks-pdf");
    write_file(dir / "m.pdf", render_pdf(marked));
    REQUIRE(run(fmt::format("pdftoppm -png -r 72 -singlefile {} {}", q(dir / "m.pdf"), q(dir / "m"))) == 0);
    const RasterImage img = decode_png(read_file(dir / "m.png"));
    const GridCoordinates& g = *marked.grid;
    const std::size_t home = column_of(marked, sample().me_r[1]);
    CHECK(channel_gap(img.pixel(static_cast<int>(g.x[home]), static_cast<int>(g.y[home])), 0xffe69f00u) <= 6);
    REQUIRE(run(fmt::format("pdftotext {} {}", q(dir / "m.pdf"), q(dir / "m.txt"))) == 0);
    const std::string txt = read_file(dir / "m.txt");
    for (const char* name : {"<b>&\"x\"", "Home", "Focus"}) CHECK(txt.find(name) != std::string::npos);
}

TEST_CASE("marks: figures draw each panel's marks and one legend row per set, in SVG, PNG and PDF") {
    RenderOptions with;
    with.marks = sample_marks();
    // Another set on the L side: the figure's legend lists the sets of all panels, once each.
    with.marks.sets.push_back(MarkSet{"Left", MarkStyle::outline, "#000000"});
    with.marks.rows.push_back(MarkRow{"ME", Side::L, sample().me_r[0].hex1, sample().me_r[0].hex2, 3, 9});
    FigureRequest r;
    r.panels.rows = FigureAxis::sides;
    r.panels.columns = FigureAxis::regions;
    r.panels.types = {sample().type};
    r.panels.regions = {"ME"};
    r.panels.metrics = {Metric::synapses};
    r.options.svg_id = "fig";
    r.options.background = "#ffffff";
    r.options.dpi = 72;
    const std::vector<OutputFormat> all{OutputFormat::svg, OutputFormat::png, OutputFormat::pdf};
    const auto plain = Renderer().render_figure(sample().ds, r, all);
    const auto marked = Renderer(with).render_figure(sample().ds, r, all);
    const std::string& svg = marked[0].bytes;
    CHECK(test::xml_error(svg).empty());
    CHECK(count(svg, "<use ") == count(plain[0].bytes, "<use "));
    CHECK(count(svg, "<g class=\"em-marks\" pointer-events=\"none\" transform=\"translate(") == 2);
    CHECK(count(svg, "<g class=\"em-mlegend\">") == 1);
    CHECK(count(svg, "&lt;b&gt;&amp;&quot;x&quot;</text>") == 1);
    CHECK(count(svg, ">Left</text>") == 1);
    CHECK(marked[0].height_mm > plain[0].height_mm);
    // PNG: the marks change pixels; PDF: their names are text.
    CHECK(marked[1].bytes != plain[1].bytes);
    const RasterImage png = decode_png(marked[1].bytes);
    CHECK(png.height > decode_png(plain[1].bytes).height);
    const auto dir = test::fresh_dir("marks-figure");
    write_file(dir / "f.pdf", marked[2].bytes);
    REQUIRE(run(fmt::format("pdftotext {} {}", q(dir / "f.pdf"), q(dir / "f.txt"))) == 0);
    const std::string txt = read_file(dir / "f.txt");
    for (const char* name : {"<b>&\"x\"", "Home", "Focus", "Left"}) CHECK(txt.find(name) != std::string::npos);
    // Without marks, the figure is as before.
    CHECK(Renderer().render_figure(sample().ds, r).at(0).bytes == plain[0].bytes);
}

TEST_CASE("marks: the settings hash moves with the marks' content, not with their file's name") {
    RenderOptions a, b;
    a.marks = sample_marks();
    b.marks = parse_marks(sample().marks_csv, "elsewhere.csv");
    const std::uint64_t none = Renderer().settings_hash();
    CHECK(Renderer(a).settings_hash() != none);
    CHECK(Renderer(a).settings_hash() == Renderer(b).settings_hash());
    set_mark_style(b.marks, "Home", "outline");
    CHECK(Renderer(a).settings_hash() != Renderer(b).settings_hash());
    // Marks made by hand are checked as the readers check them.
    RenderOptions bad;
    bad.marks.sets.push_back(MarkSet{"", MarkStyle::outline, "#000000"});
    CHECK_THROWS_AS(Renderer(bad), Error);
}

TEST_CASE("marks: CLI --marks draws in render and figure, and a bad marks file exits 2 and writes nothing") {
    const auto dir = test::fresh_dir("marks-cli");
    const std::string data = fmt::format("--data {} --columns {}", q(sample().dir / "data.csv"), q(sample().dir / "columns.csv"));
    const std::string one = fmt::format("render {} --type {} --region ME --side R --metric synapses", data, q(sample().type));
    std::string err;
    REQUIRE(run_cli(fmt::format("{} --marks {} -o {}", one, q(sample().dir / "marks.csv"), q(dir / "m.svg")), &err) == 0);
    // The library's bytes.
    RenderOptions with;
    with.marks = read_marks(sample().dir / "marks.csv");
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const OutputFormat svg = OutputFormat::svg;
    CHECK(read_file(dir / "m.svg") == Renderer(with).render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1)).at(0).bytes);
    // --mark-style and --mark-colour over the file's.
    REQUIRE(run_cli(fmt::format("{} --marks {} --mark-style Home=dim --mark-colour Focus=#123456 -o {}", one, q(sample().dir / "marks.csv"),
                                q(dir / "o.svg")),
                    &err) == 0);
    CHECK(count(read_file(dir / "o.svg"), "data-set=\"Home\" data-style=\"dim\"") == 2);
    CHECK(read_file(dir / "o.svg").find("#123456") != std::string::npos);
    // Errors: the file's (bad input, exit 2, naming file and line), an unknown set (usage, exit 1).
    write_file(dir / "bad.csv", "region,side,hex1,hex2,set\nME,R,1,1,a\nME,Q,1,2,a\n");
    for (const std::string& cmd : {fmt::format("{} --format svg,png,pdf --out-dir {}", one, q(dir / "out")),
                                   fmt::format("figure {} --type {} --region ME -o {}", data, q(sample().type), q(dir / "out.pdf")),
                                   fmt::format("batch {} --out-dir {} --pages", data, q(dir / "runs"))}) {
        INFO(cmd);
        CHECK(run_cli(fmt::format("{} --marks {}", cmd, q(dir / "bad.csv")), &err) == 2);
        CHECK_THAT(err, Catch::Matchers::Contains("bad.csv:3: field 'side': value 'Q'"));
    }
    CHECK(run_cli(fmt::format("{} --marks {} --mark-style Hom=dim -o {}", one, q(sample().dir / "marks.csv"), q(dir / "u.svg")), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'Home'?"));
    CHECK(run_cli(fmt::format("{} --mark-style Home=dim -o {}", one, q(dir / "u.svg")), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("needs --marks FILE"));
    CHECK(run_cli(fmt::format("{} --marks {} -o {}", one, q(dir / "missing.csv"), q(dir / "u.svg")), &err) == 3);
    // Nothing written by the failures.
    CHECK(test::files_under(dir) == std::set<std::string>{"bad.csv", "m.svg", "o.svg"});
}

TEST_CASE("marks: batch --marks --pages draws them in the run's eyemaps, and resume re-renders when the marks change") {
    const auto dir = test::fresh_dir("marks-batch");
    const std::string data = fmt::format("--data {} --columns {}", q(sample().dir / "data.csv"), q(sample().dir / "columns.csv"));
    write_file(dir / "marks.csv", sample().marks_csv);
    const std::string cmd = fmt::format("batch {} --out-dir {} --run r --pages --format svg,png --marks {}", data, q(dir / "runs"), q(dir / "marks.csv"));
    std::string err;
    REQUIRE(run_cli(cmd, &err) == 0);
    const fs::path run_dir = dir / "runs" / "r";
    std::string me_r;
    for (const auto& f : test::files_under(run_dir / "svg"))
        if (f.find("_ME_R_") != std::string::npos) me_r = f;
    REQUIRE_FALSE(me_r.empty());
    const std::string first = read_file(run_dir / "svg" / me_r);
    CHECK(first.find("&lt;b&gt;&amp;&quot;x&quot;</text>") != std::string::npos);
    CHECK(count(first, "<g class=\"em-marks\"") == 1);
    // The type's page shows the run's eyemaps (the page embeds them).
    CHECK(fs::exists(run_dir / "pages" / (sample().type + ".html")));
    CHECK(read_file(run_dir / "pages" / (sample().type + ".html")).find("svg/" + me_r) != std::string::npos);
    // Resumed with the same marks: nothing to do; with other marks: re-rendered.
    REQUIRE(run_cli(cmd + " --resume", &err) == 0);
    CHECK_THAT(err, Catch::Matchers::Contains("0 eyemaps rendered"));
    std::string changed = sample().marks_csv;
    changed.replace(changed.find(",dim"), 4, ",marker");
    write_file(dir / "marks.csv", changed);
    REQUIRE(run_cli(cmd + " --resume", &err) == 0);
    CHECK_THAT(err, !Catch::Matchers::Contains("0 eyemaps rendered"));
    CHECK(count(read_file(run_dir / "svg" / me_r), "data-set=\"Focus\" data-style=\"marker\"") == 2);
}

TEST_CASE("marks: two dim sets fade only what is in neither, and outline their members in their colours") {
    const auto& s = sample();
    const auto row = [&](std::size_t i, std::string_view set) { return fmt::format("ME,R,{},{},{},dim\n", s.me_r[i].hex1, s.me_r[i].hex2, set); };
    const Marks two = parse_marks("region,side,hex1,hex2,set,style\n" + row(0, "a") + row(1, "b"), "dim2.csv");
    const Scene plain = me_r_scene({}), marked = me_r_scene(two);
    const RasterImage a = decode_png(test::png_of(plain)), b = decode_png(test::png_of(marked));
    const GridCoordinates& g = *marked.grid;
    const auto px = [&](const RasterImage& img, double x, double y) { return img.pixel(static_cast<int>(x), static_cast<int>(y)); };
    for (std::size_t i : {0u, 1u}) {  // each set's member is not faded by the other set
        const std::size_t c = column_of(marked, s.me_r[i]);
        CHECK(px(a, g.x[c], g.y[c]) == px(b, g.x[c], g.y[c]));
    }
    const std::size_t other = column_of(marked, s.me_r[2]);
    CHECK(px(a, g.x[other], g.y[other]) != px(b, g.x[other], g.y[other]));
    const std::string svg = test::svg_of(marked);
    CHECK(count(svg, "class=\"em-dim\"") == 1);
    CHECK(count(svg, "data-style=\"dim\" fill=\"none\" stroke=\"") == 4);  // each set's members and its swatch, in its colour
}

// Figures: golden SVG, panels drawn as single eyemaps, shared scales and legends, unique ids, escaping,
// physical sizes (PDF page in mm, text in points, PNG at a dpi), errors, the CLI writing nothing on failure.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <libdeflate.h>
#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "test_support.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::q;
using eyemap::test::run_cli;

namespace {

// Two types (one with a name to escape) on ME and LO, side L, 7 + 3 columns; ME rows carry per-layer synapses.
Dataset small_figure_data() {
    ColumnLayout l;
    const std::vector<std::pair<int, int>> me{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {3, 4}, {4, 3}, {4, 4}}, lo{{2, 2}, {3, 3}, {4, 4}};
    for (auto [a, b] : me) l.entries.push_back({"ME", Side::L, a, b});
    for (auto [a, b] : lo) l.entries.push_back({"LO", Side::L, a, b});
    ColumnTable t;
    t.columns = {true, true, true, false};
    auto add = [&](const std::string& type, const char* region, std::pair<int, int> hex, std::int64_t v, std::int64_t cells,
                   const std::function<std::int64_t(std::size_t)>& layer) {
        ColumnRow r{};
        r.neuron_type = type;
        r.region = region;
        r.side = Side::L;
        r.hex1 = hex.first;
        r.hex2 = hex.second;
        r.synapses = v;
        r.cells = cells;
        for (std::size_t k = 0; k < builtin_regions().find(region)->layers.size(); ++k) r.layer_synapses.push_back(layer(k));
        t.rows.push_back(r);
    };
    std::int64_t v = 2;
    for (const std::string type : {"Alpha", "B<&>\"'"}) {
        for (auto hex : me) {
            if (hex == std::pair{4, 4}) continue;  // an ME column without data
            add(type, "ME", hex, v, 1, [&](std::size_t k) { return k == 1 ? v : k == 3 ? v / 2 : 0; });
            v += 3;
        }
        for (auto hex : lo) {
            add(type, "LO", hex, v, 2, [&](std::size_t k) { return k == 0 ? v : 0; });
            v += 5;
        }
    }
    return make_dataset(t, l);
}

FigureRequest small_request() {
    FigureRequest r;
    r.panels.rows = FigureAxis::types;
    r.panels.columns = FigureAxis::regions;
    r.panels.sides = {Side::L};
    r.panels.metrics = {Metric::synapses};
    r.options.width_mm = 90;
    r.options.svg_id = "fig";
    return r;
}

std::string figure_svg(const Dataset& ds, const FigureRequest& r, RenderOptions o = {}) {
    return Renderer(o).render_figure(ds, r).at(0).bytes;
}

// The text between the first `from` at or after `pos` and the next `to`.
std::string between(const std::string& s, const std::string& from, const std::string& to, std::size_t pos = 0) {
    const auto a = s.find(from, pos);
    REQUIRE(a != std::string::npos);
    const auto b = s.find(to, a + from.size());
    REQUIRE(b != std::string::npos);
    return s.substr(a + from.size(), b - a - from.size());
}

// The <use> lines of a hexagon group, with the id in their href taken out.
std::vector<std::string> hexagon_lines(const std::string& group) {
    std::vector<std::string> out;
    static const std::regex href(R"(href="#[^"]*-h")");
    std::istringstream in(group);
    std::string line, use;
    while (std::getline(in, line)) {
        if (line.rfind("<use ", 0) == 0) {
            if (!use.empty()) out.push_back(use);
            use = std::regex_replace(line, href, "href=\"#X-h\"");
        } else if (!use.empty()) {
            use += "\n" + line;  // a tooltip's second and third lines
        }
    }
    if (!use.empty()) out.push_back(use);
    return out;
}

// The PDF's Flate streams, inflated (those that are zlib data).
std::vector<std::string> pdf_streams(const std::string& pdf) {
    std::vector<std::string> out;
    std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> inflater(libdeflate_alloc_decompressor(),
                                                                                          libdeflate_free_decompressor);
    for (std::size_t at = pdf.find(">>\nstream\n"); at != std::string::npos; at = pdf.find(">>\nstream\n", at + 10)) {
        const std::size_t begin = at + 10, end = pdf.find("\nendstream", begin);
        if (end == std::string::npos) break;
        std::string text(1 << 22, '\0');
        std::size_t got = 0;
        if (libdeflate_zlib_decompress(inflater.get(), pdf.data() + begin, end - begin, text.data(), text.size(), &got) != LIBDEFLATE_SUCCESS)
            continue;
        text.resize(got);
        out.push_back(std::move(text));
    }
    return out;
}

// Every text size a PDF shows: per text-showing operator, the Tf size times the text matrix's scale.
std::multiset<double> pdf_text_sizes(const std::string& pdf) {
    std::multiset<double> sizes;
    for (const std::string& text : pdf_streams(pdf)) {
        std::istringstream in(text);
        std::vector<std::string> stack;
        double tf = 0, tm = 1;
        for (std::string tok; in >> tok;) {
            if (tok == "Tf" && stack.size() >= 1) tf = std::stod(stack.back());
            else if (tok == "Tm" && stack.size() >= 6)
                tm = std::hypot(std::stod(stack[stack.size() - 6]), std::stod(stack[stack.size() - 5]));
            else if (tok.ends_with("Tj") || tok.ends_with("TJ")) sizes.insert(std::round(tf * tm * 1000) / 1000);
            if (tok.find_first_not_of("0123456789.-") == std::string::npos) stack.push_back(tok);
            else stack.clear();
        }
    }
    return sizes;
}

}  // namespace

TEST_CASE("golden SVG for a small figure (EYEMAP_UPDATE_GOLDEN=1 rewrites it)") {
    const std::string svg = figure_svg(small_figure_data(), small_request());
    const auto path = fs::path(EYEMAP_SOURCE_DIR) / "tests/golden/figure_small.svg";
    if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
        test::write_file(path, svg);
        WARN("golden file rewritten: " << path);
    }
    REQUIRE(fs::exists(path));
    CHECK(svg == test::read_file(path));
    CHECK(test::xml_error(svg).empty());
    // The physical size: 90 mm wide, user units in points.
    CHECK_THAT(svg, Catch::Matchers::Contains("width=\"90mm\""));
    CHECK_THAT(svg, Catch::Matchers::Contains("viewBox=\"0 0 255.12 "));
    // Labels: the types left (escaped), the regions on top; no layer buttons, no script.
    CHECK_THAT(svg, Catch::Matchers::Contains(">B&lt;&amp;&gt;&quot;&apos;</text>"));
    CHECK_THAT(svg, Catch::Matchers::Contains(">ME</text>"));
    CHECK(svg.find("em-btn\"") == std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("data-v=") == std::string::npos);
    // Hexagons keep their tooltips.
    CHECK_THAT(svg, Catch::Matchers::Contains("<title>Column: 2, 2\nSynapse count: 2\nROI: ME (L)</title>"));
}

TEST_CASE("a panel's hexagons are the single eyemap's: statuses, fills, positions, tooltips (fixed scale)") {
    const Dataset ds = small_figure_data();
    RenderOptions o;
    o.scale.method = ScaleMethod::fixed;  // single eyemaps and the figure then share one scale by construction
    o.scale.min = 0;
    o.scale.max = 60;
    const Renderer renderer(o);
    FigureRequest r = small_request();
    const std::string fig = renderer.render_figure(ds, r).at(0).bytes;
    const std::vector<std::string> types{"Alpha", "B<&>\"'"}, regions{"ME", "LO"};
    for (std::size_t row = 0; row < 2; ++row)
        for (std::size_t col = 0; col < 2; ++col) {
            EyemapRequest req{regions[col], Side::L, Metric::synapses};
            const std::string single = renderer.render(ds, types[row], std::span(&req, 1)).at(0).bytes;
            const std::string panel = between(fig, fmt::format("id=\"fig-p{}-{}\"", row, col), "</g>\n</g>\n");
            const std::string hexes = between(single, "<g class=\"em-hexes\">", "</g>\n");
            // The single eyemap's use lines carry per-layer data for its buttons; a panel shows one layer.
            static const std::regex layers(R"( data-v="[^"]*" data-b="[^"]*")");
            auto mine = hexagon_lines(panel), theirs = hexagon_lines(std::regex_replace(hexes, layers, ""));
            INFO(types[row] << " " << regions[col]);
            CHECK(mine.size() == 7);  // every column of the layout (LO's lie on ME's): the universe
            CHECK(mine == theirs);
        }
}

TEST_CASE("one scale per legend, pooled over the values its panels draw") {
    const Dataset ds = small_figure_data();
    const Renderer renderer;
    FigureRequest r = small_request();
    const std::string fig = renderer.render_figure(ds, r).at(0).bytes;
    // The values run 2..(the last LO value of the second type): one legend, from the smallest to the largest.
    double hi = 0;
    for (const auto& t : ds.types)
        for (const auto& row : t.rows) hi = std::max(hi, static_cast<double>(row.synapses));
    const auto fig_ids = test::svg_ids(fig);
    CHECK(std::count(fig_ids.begin(), fig_ids.end(), "fig-l0") == 1);
    CHECK(fig.find("id=\"fig-l1\"") == std::string::npos);
    CHECK_THAT(fig, Catch::Matchers::Contains(fmt::format(">{}</text>", static_cast<long long>(hi))));
    CHECK_THAT(fig, Catch::Matchers::Contains(">2</text>"));
    // The largest value is the darkest bin's, the smallest the lightest's, whatever their panels.
    const Style st;
    CHECK_THAT(fig, Catch::Matchers::Contains(fmt::format("Synapse count: {}", static_cast<long long>(hi))));
    CHECK_THAT(fig, Catch::Matchers::Contains(fmt::format("fill=\"{}\"><title>Column: 4, 4\nSynapse count: {}", st.palette[5],
                                                          static_cast<long long>(hi))));
    CHECK_THAT(fig, Catch::Matchers::Contains(fmt::format("fill=\"{}\"><title>Column: 2, 2\nSynapse count: 2\n", st.palette[1])));

    // A legend per row: one per type, each on its own values.
    r.options.legend = FigureLegend::row;
    const std::string rows = renderer.render_figure(ds, r).at(0).bytes;
    CHECK(rows.find("id=\"fig-l0\"") != std::string::npos);
    CHECK(rows.find("id=\"fig-l1\"") != std::string::npos);
    CHECK(rows.find("id=\"fig-l2\"") == std::string::npos);
    CHECK(test::xml_error(rows).empty());
    // Per column.
    r.options.legend = FigureLegend::column;
    const std::string cols = renderer.render_figure(ds, r).at(0).bytes;
    CHECK(cols.find("id=\"fig-l1\"") != std::string::npos);
    CHECK(test::xml_error(cols).empty());
}

TEST_CASE("figure ids are unique per panel, also for panels that show the same eyemap") {
    const Dataset ds = small_figure_data();
    FigureRequest r = small_request();
    r.panels.types = {"Alpha", "Alpha"};  // the same type, region, side and metric twice
    r.options.svg_id.clear();
    const std::string svg = figure_svg(ds, r);
    const auto ids = test::svg_ids(svg);
    const std::set<std::string> unique(ids.begin(), ids.end());
    CHECK(ids.size() == unique.size());
    CHECK(ids.size() >= 1 + 1 + 4 * 2 + 1);  // root, title, per panel its group and hexagon path, the legend
    // A derived id differs with the panels.
    r.panels.types = {"Alpha"};
    CHECK(test::svg_ids(figure_svg(ds, r)).front() != ids.front());
}

TEST_CASE("layers, sides and metrics on the axes, and labels per panel") {
    const Dataset ds = small_figure_data();
    FigureRequest r = small_request();
    r.panels.rows = FigureAxis::types;
    r.panels.columns = FigureAxis::layers;
    r.panels.types = {"Alpha"};
    r.panels.regions = {"ME"};
    r.panels.layers = {0, 2, 4};
    r.options.labels = FigureLabels::panels;
    const std::string svg = figure_svg(ds, r);
    CHECK(test::xml_error(svg).empty());
    CHECK_THAT(svg, Catch::Matchers::Contains(">Alpha all layers</text>"));
    CHECK_THAT(svg, Catch::Matchers::Contains(">Alpha layer 2</text>"));
    // Layer 2's tooltips show that layer's values (the first ME row: 2 synapses, all in layer 2; layer 4: 1).
    const std::string p1 = between(svg, "id=\"fig-p0-1\"", "</g>\n</g>\n"), p2 = between(svg, "id=\"fig-p0-2\"", "</g>\n</g>\n");
    CHECK_THAT(p1, Catch::Matchers::Contains("Column: 2, 2\nSynapse count: 2\n"));
    CHECK_THAT(p2, Catch::Matchers::Contains("Column: 2, 2\nSynapse count: 1\n"));
    // Metrics across with one legend: refused, a legend per column draws it.
    r.panels.columns = FigureAxis::metrics;
    r.panels.layers.clear();
    r.panels.metrics = {Metric::synapses, Metric::cells};
    CHECK_THROWS_WITH(figure_svg(ds, r), Catch::Matchers::Contains("a legend per column"));
    r.options.legend = FigureLegend::column;
    CHECK(test::xml_error(figure_svg(ds, r)).empty());
}

TEST_CASE("figure errors name the option or panel") {
    const Dataset ds = small_figure_data();
    auto fails = [&](FigureRequest r, const std::string& field, const std::string& text) {
        try {
            figure_svg(ds, r);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(e.where().field == field);
            CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(text));
        }
    };
    FigureRequest r = small_request();
    r.panels.types = {"Alpah"};
    fails(r, "neuron_type", "did you mean 'Alpha'?");
    r = small_request();
    r.options.width_mm = 5;
    fails(r, "width_mm", "20..1000");
    r = small_request();
    r.options.font_family = "Evil'}</style>";
    fails(r, "font_family", "quotes");
    r = small_request();
    r.options.background = "red";
    fails(r, "background", "#rrggbb");
    r = small_request();
    r.panels.sides = {Side::L, Side::R};
    fails(r, "sides", "neither the rows");
    r = small_request();
    r.panels.regions = {"ME", "LOP"};
    fails(r, "sides", "region LOP has no columns on side L");
    r = small_request();
    r.panels.columns = FigureAxis::layers;
    r.panels.regions = {"ME"};
    r.panels.layers = {11};
    fails(r, "layers", "has layers 1..10");
    r = small_request();
    r.panels.columns = FigureAxis::types;
    fails(r, "columns", "rows and columns are both types");
    r = small_request();
    r.options.width_mm = 20;
    r.options.font_pt = 36;
    fails(r, "width_mm", "do not fit");
}

TEST_CASE("PDF: the page is the requested millimetres, text the requested points, the font embedded") {
    const Dataset ds = small_figure_data();
    FigureRequest r = small_request();
    r.options.width_mm = 180;
    r.options.font_pt = 6.5;
    const auto out = Renderer().render_figure(ds, r, std::vector{OutputFormat::pdf, OutputFormat::png});
    REQUIRE(out.size() == 2);
    const std::string& pdf = out[0].bytes;
    CHECK(out[0].width_mm == Approx(180));
    const auto dir = test::fresh_dir("figure-pdf");
    test::write_file(dir / "f.pdf", pdf);
    REQUIRE(std::system(fmt::format("pdfinfo {0}/f.pdf > {0}/info.txt", q(dir.string())).c_str()) == 0);
    const std::string info = test::read_file(dir / "info.txt");
    std::smatch m;
    REQUIRE(std::regex_search(info, m, std::regex(R"(Page size:\s+([\d.]+) x ([\d.]+) pts)")));
    CHECK(std::stod(m[1]) == Approx(180 / 25.4 * 72).margin(0.01));
    CHECK(std::stod(m[2]) == Approx(out[0].height_mm / 25.4 * 72).margin(0.01));
    // Every text shown is 6.5 pt: labels, ticks and the legend's title.
    const auto sizes = pdf_text_sizes(pdf);
    REQUIRE(sizes.size() >= 4);
    CHECK(*sizes.begin() == 6.5);
    CHECK(*sizes.rbegin() == 6.5);
    // The font: Liberation Sans, a subset embedded (pdffonts: emb yes, sub yes).
    REQUIRE(std::system(fmt::format("pdffonts {0}/f.pdf > {0}/fonts.txt", q(dir.string())).c_str()) == 0);
    const std::string fonts = test::read_file(dir / "fonts.txt");
    CHECK(std::regex_search(fonts, std::regex(R"([A-Z]{6}\+LiberationSans\s+TrueType\s+\S+\s+yes\s+yes)")));
    CHECK(out[0].note.empty());  // fonts-liberation2 is installed (scripts/deps.sh)
    // The PNG at 300 dpi: the width in pixels is 180 mm at 300 dpi.
    CHECK(out[1].bytes.substr(1, 3) == "PNG");
    const auto be32 = [&](std::size_t at) {
        const auto* b = reinterpret_cast<const unsigned char*>(out[1].bytes.data() + at);
        return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    };
    CHECK(be32(16) == static_cast<std::uint32_t>(std::ceil(180 / 25.4 * 300 - 1e-9)));
    CHECK(be32(20) == static_cast<std::uint32_t>(std::ceil(out[1].height_mm / 25.4 * 300 - 1e-9)));
    // The hexagons as eyemap writes them (spliced into each panel's group, as a single eyemap's PDF): one
    // stream per panel that starts with the outline colour (#c8c8c8) and width (0.25 pt), in page units.
    const auto streams = pdf_streams(pdf);
    CHECK(std::count_if(streams.begin(), streams.end(), [](const std::string& t) {
              return t.starts_with("q\n0.784314 0.784314 0.784314 RG\n0.25 w\n");
          }) == 4);
    // Deterministic.
    CHECK(Renderer().render_figure(ds, r, std::vector{OutputFormat::pdf}).at(0).bytes == pdf);
}

TEST_CASE("figures link their hexagons and name the dataset, as single eyemaps do") {
    RenderOptions o;
    o.column_link = "https://x.org/c/{type}/{roi}";
    o.dataset_label = "optic <lobe>";
    o.dataset_version = "v2";
    const Dataset ds = small_figure_data();
    const auto out = Renderer(o).render_figure(ds, small_request(), std::vector{OutputFormat::svg, OutputFormat::pdf});
    REQUIRE(out.size() == 2);
    const std::string& svg = out[0].bytes;
    CHECK(test::xml_error(svg).empty());
    std::size_t uses = 0, links = 0;
    for (std::size_t at = svg.find("<use "); at != std::string::npos; at = svg.find("<use ", at + 1)) ++uses;
    for (std::size_t at = svg.find("<a href=\""); at != std::string::npos; at = svg.find("<a href=\"", at + 1)) ++links;
    CHECK(uses > 0);
    CHECK(links == uses);  // every hexagon of every panel
    CHECK_THAT(svg, Catch::Matchers::Contains("<a href=\"https://x.org/c/Alpha/ME_L_col_02_02\""));
    CHECK_THAT(svg, Catch::Matchers::Contains("<a href=\"https://x.org/c/B%3C%26%3E%22%27/LO_L_col_04_04\""));
    CHECK_THAT(svg, Catch::Matchers::Contains("role=\"graphics-document\""));
    CHECK_THAT(svg, Catch::Matchers::Contains("data-dataset=\"optic &lt;lobe&gt;\" data-version=\"v2\""));
    // The PDF: one link annotation per hexagon, each on the page and the size of a panel's hexagon; the
    // dataset in the document info.
    const std::string& pdf = out[1].bytes;
    std::size_t annotations = 0;
    for (std::size_t at = pdf.find("/Subtype /Link"); at != std::string::npos; at = pdf.find("/Subtype /Link", at + 1)) ++annotations;
    CHECK(annotations == uses);
    const double page_w = out[1].width_mm * kPointsPerMm, page_h = out[1].height_mm * kPointsPerMm;
    const std::regex rect(R"(/Rect \[ ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) \])");
    std::size_t rects = 0;
    for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), rect); it != std::sregex_iterator(); ++it, ++rects) {
        const double x1 = std::stod((*it)[1]), y1 = std::stod((*it)[2]), x2 = std::stod((*it)[3]), y2 = std::stod((*it)[4]);
        CHECK((x1 >= 0 && y1 >= 0 && x2 <= page_w + 0.01 && y2 <= page_h + 0.01 && x2 - x1 < 40 && x2 - x1 > 1));
    }
    CHECK(rects == uses);
    const auto dir = test::fresh_dir("figure-links");
    test::write_file(dir / "f.pdf", pdf);
    REQUIRE(std::system(fmt::format("pdfinfo {0}/f.pdf > {0}/info.txt", q(dir.string())).c_str()) == 0);
    CHECK_THAT(test::read_file(dir / "info.txt"), Catch::Matchers::Contains("Subject:         Dataset: optic <lobe>, version v2"));
}

TEST_CASE("a missing font family is said, not refused") {
    FigureRequest r = small_request();
    r.options.font_family = "No Such Family Eyemap";
    const auto out = Renderer().render_figure(small_figure_data(), r, std::vector{OutputFormat::svg, OutputFormat::pdf});
    CHECK(out[0].note.empty());  // the SVG names the family; the viewer's fonts draw it
    CHECK_THAT(out[1].note, Catch::Matchers::Contains("font family 'No Such Family Eyemap' not found"));
    CHECK(out[1].bytes.substr(0, 5) == "%PDF-");
}

TEST_CASE("CLI figure: files written, usage and input errors write nothing") {
    const auto dir = test::fresh_dir("figure-cli");
    const std::string data = (dir / "d.csv").string();
    test::write_file(data, std::string(test::kRowsHeader) + test::rows_for("Mi1") + test::rows_for("Tm1") + test::rows_for("Mi1", "LO") +
                               test::rows_for("Tm1", "LO"));
    const std::string base = "figure --data " + q(data) + " --side R --metric synapses ";
    std::string err;
    CHECK(run_cli(base + "--type Mi1,Tm1 --rows types --cols regions --width-mm 120 --font-pt 7 --background none -o " +
                      q((dir / "f.svg").string()) + " -o " + q((dir / "f.pdf").string()) + " -o " + q((dir / "f.png").string()),
                  &err) == 0);
    INFO(err);
    CHECK_THAT(err, Catch::Matchers::Contains("2 x 2 panels, 120.0 x"));
    CHECK(test::xml_error(test::read_file(dir / "f.svg")).empty());
    CHECK(test::read_file(dir / "f.pdf").substr(0, 5) == "%PDF-");
    CHECK(test::read_file(dir / "f.png").substr(1, 3) == "PNG");
    const auto before = test::files_under(dir);
    struct Case {
        std::string args;
        int code;
        std::string text;
    };
    const std::string out = " -o " + q((dir / "g.svg").string()) + " -o " + q((dir / "g.pdf").string());
    for (const Case& c : {Case{"--type Mi1 --rows types --cols types" + out, 1, "--cols"},
                          Case{"--type Mi1 --rows tpyes" + out, 1, "--rows"},
                          Case{"--type Mi1 --width-mm 5" + out, 1, "--width-mm"},
                          Case{"--type Mi1 --legend rows" + out, 1, "--legend"},
                          Case{"--type Mi1 --layers x" + out, 1, "--layers"},
                          Case{"--type Mi1 --background blue" + out, 1, "--background"},
                          Case{"--type Mi1 -o " + q((dir / "g.txt").string()), 1, "cannot tell the format"},
                          Case{"--type Mi1", 1, "-o"},
                          Case{"--type Mi1 --side L,R --rows types --cols regions" + out, 1, "--side"},
                          Case{"--type Mi2" + out, 2, "did you mean 'Mi1'"},
                          // Options out of bounds only once the panels are known: usage errors naming the flag, not the data.
                          Case{"--type Mi1 --width-mm 1000 --dpi 2400 -o " + q((dir / "g.png").string()), 1, "--dpi '2400': a figure of"},
                          // The second output's folder is missing: the first is not written either.
                          Case{"--type Mi1 -o " + q((dir / "g.svg").string()) + " -o " + q((dir / "nodir" / "g.pdf").string()), 3,
                               "its folder does not exist"}}) {
        INFO(c.args);
        CHECK(run_cli(base + c.args, &err) == c.code);
        CHECK_THAT(err, Catch::Matchers::Contains(c.text));
        CHECK(test::files_under(dir) == before);
    }
    // A missing font family: a note, the files written.
    CHECK(run_cli(base + "--type Mi1 --font-family 'No Such Family Eyemap' -o " + q((dir / "n.pdf").string()) + " -o " +
                      q((dir / "n.svg").string()),
                  &err) == 0);
    CHECK_THAT(err, Catch::Matchers::Contains("eyemap: note: font family 'No Such Family Eyemap' not found"));
    CHECK(fs::exists(dir / "n.pdf"));
    // Standard output with --format.
    CHECK(run_cli(base + "--type Mi1 --format svg -o - > " + q((dir / "out.svg").string()), &err) == 0);
    CHECK(test::xml_error(test::read_file(dir / "out.svg")).empty());
    // A type name longer than its row: shortened with an ellipsis on the page, whole in the <title>.
    const std::string long_name = "VeryLongNeuronTypeName_with_many_characters_to_overflow_the_panel_height_ABCDEFGHIJ";
    const std::string long_data = (dir / "long.csv").string();
    test::write_file(long_data, std::string(test::kRowsHeader) + test::rows_for(long_name) + test::rows_for("Mi1"));
    CHECK(run_cli("figure --data " + q(long_data) + " --side R --metric synapses --type " + long_name + ",Mi1 --font-pt 9 -o " +
                      q((dir / "long.svg").string()),
                  &err) == 0);
    const std::string long_svg = test::read_file(dir / "long.svg");
    CHECK(long_svg.find(">" + long_name + "</text>") == std::string::npos);
    CHECK(long_svg.find("\u2026</text>") != std::string::npos);
    CHECK(long_svg.find(long_name + ", Mi1") != std::string::npos);  // the title names it whole
    // A type whose name holds a comma is that one type (render --type takes it so too).
    const std::string comma_data = (dir / "comma.csv").string();
    test::write_file(comma_data, std::string(test::kRowsHeader) + test::rows_for("\"Mi1,a\"") + test::rows_for("Mi1"));
    CHECK(run_cli("figure --data " + q(comma_data) + " --side R --metric synapses --type 'Mi1,a' -o " + q((dir / "comma.svg").string()),
                  &err) == 0);
    CHECK_THAT(err, Catch::Matchers::Contains("1 x 1 panels"));
    // The same from standard input, read once (a second read for the whole name found it empty),
    // and with types "Mi1", "a" and "Mi1,a" all there, the whole name still wins.
    CHECK(run_cli("figure --data - --side R --metric synapses --type 'Mi1,a' -o " + q((dir / "comma_stdin.svg").string()) + " < " +
                      q(comma_data),
                  &err) == 0);
    CHECK_THAT(err, Catch::Matchers::Contains("1 x 1 panels"));
    const std::string three = (dir / "three.csv").string();
    test::write_file(three, std::string(test::kRowsHeader) + test::rows_for("\"Mi1,a\"") + test::rows_for("Mi1") + test::rows_for("a"));
    CHECK(run_cli("figure --data " + q(three) + " --side R --metric synapses --type 'Mi1,a' -o " + q((dir / "three.svg").string()), &err) == 0);
    CHECK_THAT(err, Catch::Matchers::Contains("1 x 1 panels"));
}

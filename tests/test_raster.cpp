// PNG and PDF output drawn with cairo: sizes, hexagon colours, parity with the SVG (rsvg-convert)
// and with the PDF (pdftoppm), layers, the PNG writer's settings, errors, CLI.
//
// Needs on PATH: rsvg-convert (librsvg2-bin), pdftoppm and pdfinfo (poppler-utils); fonts: DejaVu
// Sans (fonts-dejavu-core). On a parity failure the images and a diff image are written into the
// test's working directory (the build's tests/ folder) as raster-<name>-{ours,theirs,diff}.png
// (always, with EYEMAP_RASTER_DIFF=1).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include <fcntl.h>
#include <png.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "render/raster.hpp"
#include "stage_support.hpp"
#include "eyemap/sample.hpp"
#include "eyemap/stats.hpp"
#include "png_decode.hpp"
#include "test_support.hpp"
#include "core/text.hpp"
#include "output/sink.hpp"
#include "render/template_guard.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::q;
using eyemap::test::run_cli;

namespace {

const std::string kShared = EYEMAP_SHARED_DIR "/data/optic-lobe/";

using eyemap::test::decode_png;

// The PNG's IHDR colour type (byte 25) and bit depth (byte 24).
int png_colour_type(std::string_view png) { return static_cast<unsigned char>(png.at(25)); }

std::uint32_t palette_argb(std::uint8_t index) {
    const Style st;  // the view below must not outlive it (ASan: stack-use-after-scope with a temporary Style)
    const std::string_view hex = st.palette.at(index);
    return 0xff000000u | static_cast<std::uint32_t>(std::stoul(std::string(hex.substr(1)), nullptr, 16));
}

// A hexagon's fill as drawn: the palette colour at Style::hex_opacity over the background.
std::uint32_t faded_argb(std::uint8_t index) {
    const Style st;
    const std::uint32_t f = palette_argb(index);
    const std::uint32_t b = 0xff000000u | static_cast<std::uint32_t>(std::stoul(st.background.substr(1), nullptr, 16));
    std::uint32_t out = 0xff000000u;
    for (int sh = 0; sh < 24; sh += 8)
        out |= static_cast<std::uint32_t>(std::lround(st.hex_opacity * ((f >> sh) & 255) + (1 - st.hex_opacity) * ((b >> sh) & 255))) << sh;
    return out;
}

int channel_diff(std::uint32_t a, std::uint32_t b) {
    int d = 0;
    for (int s = 0; s < 24; s += 8) d = std::max(d, std::abs(int((a >> s) & 255) - int((b >> s) & 255)));
    return d;
}

// Share of pixels whose channels all differ by at most `tolerance`; writes the two images and a
// diff (red: beyond tolerance) when the share is below `required`.
double compare_images(const RasterImage& ours, const RasterImage& theirs, int tolerance, double required, const std::string& name) {
    REQUIRE(ours.width == theirs.width);
    REQUIRE(ours.height == theirs.height);
    std::size_t close = 0;
    RasterImage diff = ours;
    for (std::size_t i = 0; i < ours.argb.size(); ++i) {
        const bool ok = channel_diff(ours.argb[i], theirs.argb[i]) <= tolerance;
        close += ok;
        const std::uint32_t grey = 0xc0 + ((ours.argb[i] & 0xff) >> 2);  // faded copy of ours
        diff.argb[i] = ok ? 0xff000000u | grey << 16 | grey << 8 | grey : 0xffff0000u;
    }
    const double share = double(close) / double(ours.argb.size());
    if (share < required || std::getenv("EYEMAP_RASTER_DIFF")) {
        test::write_file("raster-" + name + "-ours.png", encode_png(ours));
        test::write_file("raster-" + name + "-theirs.png", encode_png(theirs));
        test::write_file("raster-" + name + "-diff.png", encode_png(diff));
        WARN("images written to " << std::filesystem::current_path().string() << "/raster-" << name << "-*.png");
    }
    return share;
}

int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

const Dataset& real_dataset() {
    static const Dataset ds = load_dataset(kShared + "me_cells.csv", kShared + "columns.csv");
    return ds;
}

Scene real_scene() {
    const EyemapRequest req{"ME", Side::R, Metric::cells};
    const auto& ds = real_dataset();
    return test::stage_scenes(ds, "Mi1", std::span(&req, 1)).at(0);
}

// The real layout with in-memory data for one type in ME (side R): values spread over all five
// bins, every ninth column without data (white), per-layer synapse values that differ from the
// totals. Every ME column exists in the real data, so for grey (not in ME) columns every 40th ME
// column that LO also has is left out of ME's layout.
const Dataset& memory_dataset() {
    static const Dataset ds = [] {
        ColumnLayout layout = read_column_layout(kShared + "columns.csv");
        std::set<std::pair<int, int>> lo;
        for (const auto& e : layout.entries)
            if (e.region == "LO") lo.insert({e.hex1, e.hex2});
        std::size_t k = 0;
        std::erase_if(layout.entries, [&](const LayoutEntry& e) {
            return e.region == "ME" && lo.count({e.hex1, e.hex2}) && ++k % 40 == 0;
        });
        std::ostringstream csv;
        csv << "neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses\n";
        std::size_t i = 0;
        for (const auto& e : layout.entries) {
            if (e.region != "ME") continue;
            ++i;
            if (i % 9 == 4) continue;
            csv << "Test,ME,R," << e.hex1 << ',' << e.hex2 << ',' << 1 + (i * 37) % 500 << ',' << 1 + i % 3 << ',';
            for (std::size_t l = 0; l < 10; ++l) csv << (l ? ";" : "") << (i * (l + 7) + l * 13) % 60;
            csv << '\n';
        }
        return make_dataset(parse_column_table(csv.str(), "memory"), layout);
    }();
    return ds;
}

Scene memory_scene(Metric m = Metric::synapses) {
    const EyemapRequest req{"ME", Side::R, m};
    const auto& ds = memory_dataset();
    return test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1)).at(0);
}

// A fill "#rrggbb" at Style::hex_opacity over the background.
std::uint32_t faded_hex(std::string_view hex) {
    const Style st;
    const std::uint32_t f = 0xff000000u | static_cast<std::uint32_t>(std::stoul(std::string(hex.substr(1)), nullptr, 16));
    const std::uint32_t b = 0xff000000u | static_cast<std::uint32_t>(std::stoul(st.background.substr(1), nullptr, 16));
    std::uint32_t out = 0xff000000u;
    for (int sh = 0; sh < 24; sh += 8)
        out |= static_cast<std::uint32_t>(std::lround(st.hex_opacity * ((f >> sh) & 255) + (1 - st.hex_opacity) * ((b >> sh) & 255))) << sh;
    return out;
}

// Checks that the pixel under every hexagon centre has the hexagon's fill, faded over the
// background (Style::hex_opacity; the integer blend may be one level off the exact value).
// `colours`: the scene's fills by palette index (null: the default Style's palette).
void check_centres(const RasterImage& img, const Scene& s, double scale, const std::vector<FillIndex>& fills, int tolerance = 0,
                   const FillColours* colours = nullptr) {
    std::size_t bad = 0;
    for (std::size_t c = 0; c < fills.size(); ++c) {
        const int px = static_cast<int>(std::floor(s.grid->x[c] * scale));
        const int py = static_cast<int>(std::floor(s.grid->y[c] * scale));
        REQUIRE(px >= 0);
        REQUIRE(py >= 0);
        REQUIRE(px < img.width);
        REQUIRE(py < img.height);
        const std::uint32_t want = colours ? faded_hex(colours->colour.at(fills[c])) : faded_argb(fills[c]);
        if (channel_diff(img.pixel(px, py), want) > std::max(tolerance, 1)) {
            if (bad++ < 5) UNSCOPED_INFO("column " << c << " fill " << int(fills[c]) << " pixel " << std::hex << img.pixel(px, py));
        }
    }
    CHECK(bad == 0);
}

}  // namespace

TEST_CASE("the test data covers all statuses and all five bins") {
    const Scene s = memory_scene();
    std::set<ColumnStatus> statuses(s.data.status.begin(), s.data.status.end());
    std::set<int> fills(s.data.fill.begin(), s.data.fill.end());
    CHECK(statuses.size() == 3);
    CHECK(fills == std::set<int>{0, 1, 2, 3, 4, 5, 6});
    CHECK(s.data.has_layers());
    CHECK(s.data.layer_count() == 10);
    CHECK(s.buttons.size() == 11);
    const Scene r = real_scene();
    CHECK(r.data.status.size() == 892);
    CHECK(r.data.has_data_count > 800);
}

TEST_CASE("PNG dimensions are the canvas times the scale") {
    const Scene s = real_scene();
    REQUIRE(s.width == 435);
    REQUIRE(s.height == 484);
    for (double scale : {1.0, 2.0, 1.5, 0.5, 3.0}) {
        const RasterImage img = decode_png(test::png_of(s, {scale}));
        CHECK(img.width == static_cast<int>(std::ceil(s.width * scale)));
        CHECK(img.height == static_cast<int>(std::ceil(s.height * scale)));
    }
    const std::string png = test::png_of(s);
    CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    // At most the field's size (80-89 KB) for 892 hexagons at 1x, also with values in all bins.
    CHECK(png.size() <= 80 * 1024);
    CHECK(test::png_of(memory_scene()).size() <= 80 * 1024);
}

TEST_CASE("the pixel at each hexagon centre has that hexagon's fill, at 1x and 2x") {
    for (const Scene& s : {memory_scene(), memory_scene(Metric::cells), real_scene()}) {
        for (double scale : {1.0, 2.0}) {
            INFO(s.data.neuron_type << " " << to_string(s.data.metric) << " scale " << scale);
            RasterOptions o;
            o.scale = scale;
            check_centres(decode_png(test::png_of(s, o)), s, scale, s.data.fill);
        }
    }
}

TEST_CASE("the legend bins (not faded), the background and the buttons have the SVG's colours") {
    const Scene s = memory_scene();
    const RasterImage img = decode_png(test::png_of(s));
    const auto& lg = s.legend;
    REQUIRE(lg.shown);
    REQUIRE(lg.all.bins == 5);
    for (int b = 0; b < 5; ++b)
        CHECK(img.pixel(int(lg.x + lg.bin_width / 2), int(lg.box_y(lg.all, b) + lg.bin_height / 2)) ==
              palette_argb(lg.all.fill[static_cast<std::size_t>(b)]));
    CHECK(img.pixel(1, 1) == 0xfff4f4f4u);
    CHECK(img.pixel(img.width - 2, img.height - 2) == 0xfff4f4f4u);
    // Button 0 (all layers) is on; the others are off. Sample inside, away from the label.
    for (const auto& b : s.buttons)
        CHECK(img.pixel(int(b.x + 2.5), int(b.y + b.height / 2)) == (b.layer == 0 ? 0xffcccc00u : 0xffeeeeeeu));
}

TEST_CASE("a layer-N PNG shows layer N's colours, ticks and highlighted button") {
    const Scene s = memory_scene();
    for (int layer : {1, 3, 10}) {
        INFO("layer " << layer);
        RasterOptions o;
        o.layer = layer;
        const auto fills = fills_for_layer(s.data, layer);
        std::size_t differ = 0;
        for (std::size_t c = 0; c < fills.size(); ++c) differ += fills[c] != s.data.fill[c];
        CHECK(differ > 100);  // the check below means something
        const RasterImage img = decode_png(test::png_of(s, o));
        check_centres(img, s, 1, fills);
        for (const auto& b : s.buttons)
            CHECK(img.pixel(int(b.x + 2.5), int(b.y + b.height / 2)) == (b.layer == layer ? 0xffcccc00u : 0xffeeeeeeu));
        // The layer view's legend labels differ from the all-layers one (per-layer scale), so the
        // tick area must change.
        REQUIRE(s.legend.layer.labels != s.legend.all.labels);
        const RasterImage all = decode_png(test::png_of(s));
        std::size_t tick_px = 0;
        for (int y = int(s.legend.y - 6); y < int(s.legend.y + 5 * s.legend.bin_height + 6); ++y)
            for (int x = int(s.legend.tick_x - 30); x <= int(s.legend.tick_x + 1); ++x) tick_px += img.pixel(x, y) != all.pixel(x, y);
        CHECK(tick_px > 20);
    }
}

TEST_CASE("large and touching hexagons: stamped and path-drawn hexagons have their fills") {
    // A few columns, so a large hexagon size still gives a small canvas.
    ColumnLayout layout;
    ColumnTable table;
    table.columns = {true, true, false, false};
    int i = 0;
    for (int a = 1; a <= 4; ++a)
        for (int b = 1; b <= 4; ++b, ++i) {
            layout.entries.push_back({i % 5 == 4 ? "LO" : "ME", Side::L, a, b});  // some columns not in ME
            if (i % 5 == 4 || i % 7 == 3) continue;                                 // some without data
            ColumnRow r;
            r.neuron_type = "Big";
            r.region = "ME";
            r.side = Side::L;
            r.hex1 = a;
            r.hex2 = b;
            r.synapses = 1 + i * 10;
            r.cells = 1;
            table.rows.push_back(r);
        }
    const Dataset ds = make_dataset(table, layout);
    for (double spacing : {1.0, 1.3}) {
        Geometry g;
        g.hex_size = 40;
        g.spacing = spacing;
        const EyemapRequest req{"ME", Side::L, Metric::synapses};
        const Scene s = test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1), g).at(0);
        REQUIRE(std::set<int>(s.data.fill.begin(), s.data.fill.end()).size() == 7);
        for (double scale : {0.5, 1.0, 2.0}) {  // radius 20 and 40 px are stamped, 80 px drawn as paths
            INFO("spacing " << spacing << " scale " << scale);
            check_centres(decode_png(test::png_of(s, {scale})), s, scale, s.data.fill);
        }
    }
}

TEST_CASE("text that is not valid UTF-8 is drawn with replacement characters") {
    Scene s = memory_scene();
    s.titles[1].text = "bad\xff\xfe type \xe2\x82";
    s.legend.title = "\xc0\xaf";
    CHECK_NOTHROW(test::png_of(s));
    const std::string pdf = render_pdf(s);
    CHECK(pdf.substr(0, 5) == "%PDF-");
}

TEST_CASE("invalid scale, layer and inputs are input errors") {
    const Scene s = memory_scene();
    auto kind_of = [](auto&& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.kind();
        }
        return ErrorKind::internal;  // did not throw: fails the checks below
    };
    for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL, 1000.0}) {
        INFO("scale " << bad);
        CHECK(kind_of([&] { test::png_of(s, {bad}); }) == ErrorKind::input);
    }
    for (int bad : {-1, 11, 1000}) {
        INFO("layer " << bad);
        RasterOptions o;
        o.layer = bad;
        CHECK(kind_of([&] { test::png_of(s, o); }) == ErrorKind::input);
        CHECK(kind_of([&] { render_pdf(s, o); }) == ErrorKind::input);
    }
    RasterOptions layer2;
    layer2.layer = 2;
    CHECK(kind_of([&] { test::png_of(real_scene(), layer2); }) == ErrorKind::input);  // no per-layer values
    CHECK(kind_of([&] { render_pdf_pages({}); }) == ErrorKind::input);
    const RasterImage img = render_image(s);
    for (int bad : {13, -1}) {
        INFO("level " << bad);
        PngOptions po;
        po.compression = bad;
        CHECK(kind_of([&] { encode_png(img, po); }) == ErrorKind::input);
    }
    PngOptions level12;
    level12.compression = 12;  // libdeflate's top level is valid
    CHECK(decode_png(encode_png(img, level12)).argb == img.argb);
    RasterImage broken;
    broken.width = 3;
    broken.height = 3;
    CHECK(kind_of([&] { encode_png(broken); }) == ErrorKind::input);
}

TEST_CASE("every encoder setting is lossless: the decoded pixels are the drawn ones") {
    const Scene s = memory_scene();
    const RasterImage drawn = render_image(s);
    std::vector<PngOptions> variants;
    for (bool alpha : {false, true}) {
        PngOptions o;
        o.alpha = alpha;
        variants.push_back(o);
    }
    for (auto f : {PngFilter::none, PngFilter::sub, PngFilter::up, PngFilter::average, PngFilter::paeth, PngFilter::adaptive})
        for (bool pal : {false, true}) {
            PngOptions o;
            o.filter = f;
            o.palette_when_possible = pal;
            o.compression = 3;
            variants.push_back(o);
        }
    for (auto f : {PngFilter::sub, PngFilter::average, PngFilter::paeth, PngFilter::adaptive}) {  // libdeflate RGBA with filters (4-byte pixels)
        PngOptions o;
        o.filter = f;
        o.alpha = true;
        variants.push_back(o);
    }
    for (int level : {0, 1, 6, 9}) {
        PngOptions o;
        o.compression = level;
        variants.push_back(o);
    }
    for (const auto& o : variants) {
        INFO("alpha " << o.alpha << " filter " << int(o.filter) << " palette " << o.palette_when_possible
                        << " level " << o.compression);
        const std::string png = encode_png(drawn, o);
        const RasterImage back = decode_png(png);
        CHECK(back.width == drawn.width);
        CHECK(back.argb == drawn.argb);
        // Drawn images have at most 256 colours (limit_colours): a palette PNG where allowed;
        // otherwise RGBA / RGB.
        CHECK(png_colour_type(png) == (o.palette_when_possible ? 3 : o.alpha ? 6 : 2));
    }
    // A flat image goes out as a palette PNG with packed indices, and comes back the same.
    {
        const PngOptions o;
        RasterImage flat;
        flat.width = 40;
        flat.height = 7;
        for (int i = 0; i < 280; ++i) flat.argb.push_back(palette_argb(std::uint8_t(i / 7 % 7)));
        const std::string png = encode_png(flat, o);
        CHECK(png_colour_type(png) == 3);
        CHECK(static_cast<unsigned char>(png.at(24)) == 4);  // 7 colours: 4 bits per pixel
        CHECK(decode_png(png).argb == flat.argb);
    }
}

TEST_CASE("limit_colours: at most 256 colours within the bound, or the image unchanged") {
    auto distinct = [](const RasterImage& img) { return std::set<std::uint32_t>(img.argb.begin(), img.argb.end()).size(); };
    auto max_change = [](const RasterImage& a, const RasterImage& b) {
        int worst = 0;
        for (std::size_t i = 0; i < a.argb.size(); ++i)
            for (int sh : {0, 8, 16})
                worst = std::max(worst, std::abs(int((a.argb[i] >> sh) & 0xff) - int((b.argb[i] >> sh) & 0xff)));
        return worst;
    };
    // The drawn eyemap: its colours already fit (render_image limits them).
    RasterImage drawn = render_image(memory_scene());
    CHECK(distinct(drawn) <= 256);
    // 600 greys 0..255 and 344 near-duplicates: fits within 4 levels, not within 0.
    RasterImage img;
    img.width = 40;
    img.height = 15;
    for (int i = 0; i < 600; ++i) {
        const std::uint32_t g = static_cast<std::uint32_t>(i * 256 / 600);
        const std::uint32_t r = (g + static_cast<std::uint32_t>(i % 3)) & 0xff;
        img.argb.push_back(0xff000000u | r << 16 | g << 8 | g);
    }
    REQUIRE(distinct(img) > 256);
    RasterImage same = img;
    CHECK(limit_colours(same, 0) == 0);
    CHECK(same.argb == img.argb);
    RasterImage limited = img;
    const int n = limit_colours(limited, 4);
    CHECK(n > 0);
    CHECK(n <= 256);
    CHECK(distinct(limited) == static_cast<std::size_t>(n));
    CHECK(max_change(img, limited) <= 4);
    RasterImage again = img;
    limit_colours(again, 4);
    CHECK(again.argb == limited.argb);  // deterministic
    // Random colours: no 256 of them cover the rest within 4 levels; left unchanged.
    RasterImage noisy;
    noisy.width = 50;
    noisy.height = 20;
    std::uint32_t seed = 7;
    for (int i = 0; i < 1000; ++i) {
        seed = seed * 1664525u + 1013904223u;
        noisy.argb.push_back(0xff000000u | (seed >> 8));
    }
    RasterImage kept = noisy;
    CHECK(limit_colours(kept, 4) == 0);
    CHECK(kept.argb == noisy.argb);
}

// Vectors of pixels or indices compared without Catch printing 10^5 elements when they differ.
template <class T>
bool same_pixels(const std::vector<T>& a, const std::vector<T>& b) {
    return a == b;
}

TEST_CASE("render_image finds palette indices as it draws: within 4 levels of the exact drawing, solid colours exact") {
    const auto& ds = memory_dataset();
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    auto scene_with = [&](const char* map, int bins, bool continuous) {
        ScaleOptions o;
        o.bins = bins;
        o.continuous = continuous;
        const auto fills = std::make_shared<const FillColours>(fill_colours(Style{}, map, bins, continuous));
        return test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1), {}, o, fills).at(0);
    };
    // A continuous map's scene with only every fifth of its levels drawn (52): few enough fills to try a palette,
    // too many shades for 256 colours in drawing order (the fallback: limit_colours, or RGB(A)).
    Scene levels52 = scene_with("viridis", 5, true);
    for (FillIndex& f : levels52.data.fill)
        if (f >= 1 && f <= kContinuousLevels) f = static_cast<FillIndex>(1 + (f - 1) / 5 * 5);
    struct Case {
        const char* name;
        Scene scene;
        RasterOptions options;
    };
    RasterOptions x2, layer3;
    x2.scale = 2;
    layer3.layer = 3;
    std::vector<Case> cases{{"reds 1x", memory_scene(), {}},       {"reds 2x", memory_scene(), x2},
                            {"layer 3", memory_scene(), layer3},    {"cells", real_scene(), {}},
                            {"viridis 7", scene_with("viridis", 7, false), {}}, {"reds 12", scene_with("reds", 12, false), {}},
                            {"52 levels", levels52, {}}};
    for (const Case& k : cases) {
        INFO(k.name);
        RasterOptions exact_options = k.options;
        exact_options.png.palette_when_possible = false;
        const RasterImage exact = render_image(k.scene, exact_options);
        CHECK(exact.index.empty());
        const RasterImage img = render_image(k.scene, k.options);
        REQUIRE(img.argb.size() == exact.argb.size());
        std::set<std::uint32_t> drawn(exact.argb.begin(), exact.argb.end());
        INFO(drawn.size() << " colours drawn, " << img.palette.size() << " in the palette");
        if (img.index.empty()) {  // no 256 colours within 4 levels: the pixels as drawn
            CHECK(std::string_view(k.name) == "52 levels");  // the only one with that many shades
            CHECK(same_pixels(img.argb, exact.argb));
            continue;
        }
        REQUIRE(img.index.size() == img.argb.size());
        CHECK(img.palette.size() <= 256);
        CHECK(img.palette.size() <= drawn.size());
        std::size_t moved = 0, mismatched = 0, too_far = 0;
        for (std::size_t i = 0; i < img.argb.size(); ++i) {
            if (img.palette.at(img.index[i]) != (img.argb[i] | 0xff000000u)) ++mismatched;
            const int d = channel_diff(img.argb[i], exact.argb[i]);
            moved += d > 0;
            too_far += d > 4;
        }
        CHECK(mismatched == 0);
        CHECK(too_far == 0);
        CHECK(moved < img.argb.size() / 4);
        // The colours drawn solid are kept exactly: the background, the text, every hexagon centre.
        const Style& st = *k.scene.style;
        CHECK(img.pixel(0, 0) == exact.pixel(0, 0));
        CHECK(std::count(img.palette.begin(), img.palette.end(), 0xff000000u | std::stoul(st.text.substr(1), nullptr, 16)) == 1);
        const auto fills = k.options.layer ? fills_for_layer(k.scene.data, k.options.layer) : k.scene.data.fill;
        std::size_t centres_moved = 0;
        for (std::size_t c = 0; c < fills.size(); ++c) {
            const int px = static_cast<int>(std::floor(k.scene.grid->x[c] * k.options.scale));
            const int py = static_cast<int>(std::floor(k.scene.grid->y[c] * k.options.scale));
            centres_moved += img.pixel(px, py) != exact.pixel(px, py);
        }
        CHECK(centres_moved == 0);
        // The same pixels every time (the layer buttons copied from the tile drawn once, or drawn
        // into this image), and a palette PNG that decodes to them.
        CHECK(same_pixels(render_image(k.scene, k.options).argb, img.argb));
        const RasterImage drawn_buttons = detail::render_image(k.scene, k.options, false);
        CHECK(same_pixels(drawn_buttons.argb, img.argb));
        CHECK(same_pixels(drawn_buttons.index, img.index));
        const std::string png = encode_png(img, k.options.png);
        CHECK(png_colour_type(png) == 3);
        CHECK(same_pixels(decode_png(png).argb, img.argb));
    }
}

TEST_CASE("the layer buttons' tile is copied only over the background") {
    Scene s = memory_scene();
    REQUIRE(!s.buttons.empty());
    // The buttons moved onto the hexagons: copying the tile (drawn over the background) would wipe
    // out the hexagons around them; they are drawn over them.
    for (LayerButton& b : s.buttons) b.x = s.width / 2;
    for (double scale : {1.0, 2.0}) {
        RasterOptions o;
        o.scale = scale;
        const RasterImage img = render_image(s, o);
        CHECK(same_pixels(img.argb, detail::render_image(s, o, false).argb));
        // and the untouched scene still gets the tile's pixels, the same as drawing them
        CHECK(same_pixels(render_image(memory_scene(), o).argb, detail::render_image(memory_scene(), o, false).argb));
    }
    // Labels reaching well past their boxes (a large button font, wide and tall glyphs): the tile
    // holds all of their ink. The buttons moved to a strip of background added on the right, so
    // that the tile is used.
    for (double size : {9.0, 20.0, 30.0}) {
        Scene big = memory_scene();
        auto st = std::make_shared<Style>(*big.style);
        st->button_size = size;
        big.style = st;
        const double x = big.width + 150;
        big.width += 300;
        for (LayerButton& b : big.buttons) b.x = x;
        big.buttons.at(0).label = "WWWW";
        big.buttons.back().label = "Qgjpqy|";
        for (double scale : {1.0, 2.0}) {
            RasterOptions o;
            o.scale = scale;
            INFO("button size " << size << " scale " << scale);
            CHECK(same_pixels(render_image(big, o).argb, detail::render_image(big, o, false).argb));
        }
    }
}

TEST_CASE("our PNG writer: odd widths, every palette bit depth, RGB and RGBA tails, all filters") {
    // Widths around the 4- and 2-pixel steps of the RGB conversion and the 8/4/2-per-byte packing.
    for (int width : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 17}) {
        for (int colours : {1, 2, 3, 4, 5, 16, 17, 256, 257, 1000}) {
            RasterImage img;
            img.width = width;
            img.height = 5;
            std::uint32_t seed = 12345u + static_cast<std::uint32_t>(width * 1000 + colours);
            for (int i = 0; i < width * img.height; ++i) {
                seed = seed * 1664525u + 1013904223u;
                const std::uint32_t c = (seed >> 8) % static_cast<std::uint32_t>(colours);
                img.argb.push_back(0xff000000u | (c * 0x9E3779B1u >> 8));  // distinct colours for distinct c
            }
            for (auto f : {PngFilter::none, PngFilter::sub, PngFilter::up, PngFilter::average, PngFilter::paeth, PngFilter::adaptive})
                for (bool alpha : {false, true}) {
                    INFO("width " << width << " colours " << colours << " filter " << int(f) << " alpha " << alpha);
                    PngOptions o;
                    o.filter = f;
                    o.alpha = alpha;
                    const std::string png = encode_png(img, o);
                    const RasterImage back = decode_png(png);
                    REQUIRE(back.width == width);
                    CHECK(back.argb == img.argb);
                    std::set<std::uint32_t> distinct(img.argb.begin(), img.argb.end());
                    // Opaque with <= 256 colours: a palette PNG, also when RGBA was asked for.
                    CHECK(png_colour_type(png) == (distinct.size() <= 256 ? 3 : alpha ? 6 : 2));
                }
        }
    }
    // Alpha is kept with PngOptions::alpha (the drawn images are opaque; this one is not).
    RasterImage translucent;
    translucent.width = 3;
    translucent.height = 1;
    translucent.argb = {0x80102030u, 0x00ffffffu, 0xff000000u};
    PngOptions o;
    o.alpha = true;
    const RasterImage back = decode_png(encode_png(translucent, o));
    CHECK(back.argb == translucent.argb);
}

TEST_CASE("PNG and PDF are deterministic: same input, same bytes, in one process and across processes") {
    const Scene s = real_scene();
    const std::string png = test::png_of(s);
    CHECK(png == test::png_of(s));
    RasterOptions two;
    two.scale = 2;
    CHECK(test::png_of(s, two) == test::png_of(s, two));
    const std::string pdf = render_pdf(s);
    CHECK(pdf == render_pdf(s));
    // No clock in the document: cairo's default /CreationDate is turned off.
    CHECK(pdf.find("/CreationDate") == std::string::npos);
    CHECK(pdf.find("/ModDate") == std::string::npos);
    const Scene m = memory_scene();
    RasterOptions layer;
    layer.layer = 4;
    CHECK(render_pdf(m, layer) == render_pdf(m, layer));
    const std::array<Scene, 2> pages{m, s};
    CHECK(render_pdf_pages(pages) == render_pdf_pages(pages));

    // Two CLI runs more than a second apart (a time stamp would differ), and the library's bytes.
    const auto dir = test::fresh_dir("raster-determinism");
    const std::string args = "render --data '" + kShared + "me_cells.csv' --columns '" + kShared +
                             "columns.csv' --type Mi1 --region ME --side R --metric cell_count --format png,pdf --out-dir '";
    std::string err;
    REQUIRE(test::run_cli(args + (dir / "a").string() + "'", &err) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    REQUIRE(test::run_cli(args + (dir / "b").string() + "'", &err) == 0);
    for (const char* ext : {".png", ".pdf"}) {
        INFO(ext);
        const std::string a = test::read_file(dir / "a" / (std::string("Mi1_ME_R_cell_count") + ext));
        const std::string b = test::read_file(dir / "b" / (std::string("Mi1_ME_R_cell_count") + ext));
        CHECK(!a.empty());
        CHECK(a == b);
        CHECK(a == (ext == std::string(".png") ? png : pdf));
    }
}

TEST_CASE("parity with the SVG: rsvg-convert of our SVG matches our 1x PNG") {
    REQUIRE(run("rsvg-convert --version > /dev/null 2>&1") == 0);
    const auto dir = test::fresh_dir("raster-rsvg");
    int n = 0;
    for (const Scene& s : {memory_scene(), real_scene(), memory_scene(Metric::cells)}) {
        const std::string name = "rsvg" + std::to_string(n++);
        test::write_file(dir / (name + ".svg"), test::svg_of(s));
        REQUIRE(run("rsvg-convert -o '" + (dir / (name + ".png")).string() + "' '" + (dir / (name + ".svg")).string() + "'") == 0);
        const RasterImage theirs = decode_png(test::read_file(dir / (name + ".png")));
        const RasterImage ours = decode_png(test::png_of(s));
        const double share = compare_images(ours, theirs, 24, 0.99, name);
        const double close = compare_images(ours, theirs, 8, 0.0, name);
        INFO(name << ": " << share * 100 << " % of pixels within 24 levels, " << close * 100 << " % within 8");
        CHECK(share >= 0.99);
        CHECK(close >= 0.97);  // most pixels are nearly exact
    }
}

TEST_CASE("PDF: one page of the canvas size, pdftoppm at 72 dpi matches the PNG") {
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    const auto dir = test::fresh_dir("raster-pdf");
    int n = 0;
    for (const Scene& s : {memory_scene(), real_scene()}) {
        for (int layer : {0, 4}) {
            if (layer && !s.data.has_layers()) continue;
            RasterOptions o;
            o.layer = layer;
            const std::string name = "pdf" + std::to_string(n++);
            const std::string pdf = render_pdf(s, o);
            CHECK(pdf.substr(0, 5) == "%PDF-");
            CHECK(pdf.find(fmt::format("/MediaBox [ 0 0 {} {} ]", s.width, s.height)) != std::string::npos);
            test::write_file(dir / (name + ".pdf"), pdf);
            REQUIRE(run(fmt::format("pdftoppm -png -r 72 -singlefile '{0}.pdf' '{0}'", (dir / name).string())) == 0);
            const RasterImage theirs = decode_png(test::read_file(dir / (name + ".png")));
            const RasterImage ours = decode_png(test::png_of(s, o));
            // poppler draws glyphs with its own rasteriser (bolder, positions rounded), so text
            // edges differ more than with rsvg-convert, which fills outlines as we do: 32 levels.
            const double share = compare_images(ours, theirs, 32, 0.99, name);
            INFO(name << ": " << share * 100 << " % of pixels within 32 levels");
            CHECK(share >= 0.99);
            // The data itself is exact: every hexagon centre has its fill (PDF colours are floats:
            // poppler may round one level off).
            check_centres(theirs, s, 1, fills_for_layer(s.data, layer), 2);
            // Text is real text: extractable.
            REQUIRE(run(fmt::format("pdftotext '{0}.pdf' '{0}.txt'", (dir / name).string())) == 0);
            const std::string txt = test::read_file(dir / (name + ".txt"));
            CHECK(txt.find(s.legend.title) != std::string::npos);
            CHECK(txt.find(s.data.neuron_type + " (R)") != std::string::npos);
        }
    }
}

TEST_CASE("multi-page PDF: one page per scene, each of its scene's size") {
    const ColumnLayout layout = sample_layout(3);
    std::stringstream csv;
    write_sample_data(csv, layout, SampleOptions{1, 3, true});
    const Dataset ds = make_dataset(parse_column_table(csv.str(), "sample"), layout);
    const auto scenes = test::stage_scenes(ds, ds.types.at(0).neuron_type);
    REQUIRE(scenes.size() == 12);
    const std::string pdf = render_pdf_pages(scenes);
    CHECK(pdf.substr(0, 5) == "%PDF-");
    const auto dir = test::fresh_dir("raster-pages");
    test::write_file(dir / "all.pdf", pdf);
    REQUIRE(run("pdfinfo -f 1 -l 12 '" + (dir / "all.pdf").string() + "' > '" + (dir / "info.txt").string() + "'") == 0);
    const std::string info = test::read_file(dir / "info.txt");
    CHECK(info.find("Pages:           12") != std::string::npos);
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        INFO("page " << i + 1);
        CHECK(info.find(fmt::format("Page {:>4} size:  {} x {} pts", i + 1, scenes[i].width, scenes[i].height)) != std::string::npos);
    }
    // A page rasterised is the PNG of its scene.
    REQUIRE(run(fmt::format("pdftoppm -png -r 72 -f 7 -l 7 -singlefile '{0}/all.pdf' '{0}/p7'", dir.string())) == 0);
    const double share = compare_images(decode_png(test::png_of(scenes[6])), decode_png(test::read_file(dir / "p7.png")), 32, 0.99, "page7");
    CHECK(share >= 0.99);
}

namespace {

// The cross-reference table points at every object and each stream's /Length object is its size.
void check_pdf_structure(const std::string& pdf) {
    const std::size_t sx = pdf.rfind("\nstartxref\n");
    REQUIRE(sx != std::string::npos);
    const std::size_t xref = std::stoul(pdf.substr(sx + 11, 20));
    REQUIRE(pdf.compare(xref, 7, "xref\n0 ") == 0);
    const std::size_t eol = pdf.find('\n', xref + 7);
    const std::size_t count = std::stoul(pdf.substr(xref + 7, eol - xref - 7));
    std::size_t used = 0;
    for (std::size_t i = 1; i < count; ++i) {
        const std::string entry = pdf.substr(eol + 1 + i * 20, 20);
        if (entry.compare(10, 10, " 00000 n \n") != 0) continue;
        ++used;
        INFO("object " << i);
        CHECK(pdf.compare(std::stoul(entry.substr(0, 10)), fmt::format("{} 0 obj\n", i).size(), fmt::format("{} 0 obj\n", i)) == 0);
    }
    CHECK(used + 1 == count);
    std::size_t streams = 0;
    for (std::size_t at = pdf.find("<< /Length "); at != std::string::npos; at = pdf.find("<< /Length ", at + 1)) {
        std::size_t end = 0;
        const std::size_t obj = std::stoul(pdf.substr(at + 11, 12), &end);
        if (pdf.compare(at + 11 + end, 5, " 0 R\n") != 0) continue;
        const std::size_t data = pdf.find(">>\nstream\n", at) + 10;
        const std::string head = fmt::format("\n{} 0 obj\n", obj);
        const std::size_t length = std::stoul(pdf.substr(pdf.find(head, data) + head.size(), 20));
        INFO("stream of length object " << obj);
        CHECK(pdf.compare(data + length, 10, "\nendstream") == 0);
        ++streams;
    }
    CHECK(streams > 2);
}

}  // namespace

TEST_CASE("PDF: the hexagon layer written directly, with a consistent file, at any opacity and on every page") {
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    REQUIRE(run("python3 -c 'import zlib' > /dev/null 2>&1") == 0);
    const auto dir = test::fresh_dir("raster-pdf-layer");
    // Every stream inflated: no marker of the placeholder group left, and the hexagons' group is
    // ours: one subpath per hexagon, each page's.
    test::write_file(dir / "streams.py", R"(import re, sys, zlib
d = open(sys.argv[1], 'rb').read()
groups = []
for m in re.finditer(rb'>>\nstream\n', d):
    head = d[d.rfind(b' 0 obj\n', 0, m.start()):m.start()]
    s = zlib.decompressobj().decompress(d[m.end():m.end() + 10**7]) if b'/FlateDecode' in head else b''
    if b'0.25 0.5 0.75 rg' in s: sys.exit('marker left')
    if b'/Subtype /Form' in head: groups.append(s.count(b' h\n'))
print(' '.join(map(str, groups)))
)");
    auto group_hexagons = [&](const std::string& pdf, const std::string& name) {
        test::write_file(dir / (name + ".pdf"), pdf);
        REQUIRE(run(fmt::format("python3 '{0}/streams.py' '{0}/{1}.pdf' > '{0}/{1}.txt'", dir.string(), name)) == 0);
        return test::read_file(dir / (name + ".txt"));
    };
    const Scene faded = memory_scene();
    Scene opaque = faded;
    auto style = std::make_shared<Style>(*faded.style);
    style->hex_opacity = 1;
    opaque.style = style;
    for (const Scene* s : std::array<const Scene*, 2>{&faded, &opaque}) {
        const std::string name = s == &faded ? "faded" : "opaque";
        INFO(name);
        const std::string pdf = render_pdf(*s);
        check_pdf_structure(pdf);
        CHECK(group_hexagons(pdf, name) == fmt::format("{}\n", s->data.fill.size()));
        REQUIRE(run(fmt::format("pdftoppm -png -r 72 -singlefile '{0}/{1}.pdf' '{0}/{1}'", dir.string(), name)) == 0);
        const double share = compare_images(decode_png(test::png_of(*s)), decode_png(test::read_file(dir / (name + ".png"))), 32, 0.99, name);
        CHECK(share >= 0.99);
    }
    const auto scenes = test::stage_scenes(memory_dataset(), memory_dataset().types.at(0).neuron_type);
    REQUIRE(scenes.size() >= 2);
    const std::string pages = render_pdf_pages(scenes);
    check_pdf_structure(pages);
    std::string expected;
    for (const Scene& s : scenes) expected += fmt::format("{}{}", expected.empty() ? "" : " ", s.data.fill.size());
    CHECK(group_hexagons(pages, "pages") == expected + "\n");
}

TEST_CASE("PDF fallback (cairo's file laid out otherwise): a valid file with the spliced PDF's pixels, page by page") {
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    REQUIRE(run("pdfinfo -v > /dev/null 2>&1") == 0);
    const auto dir = test::fresh_dir("raster-pdf-fallback");
    const auto scenes = test::stage_scenes(memory_dataset(), memory_dataset().types.at(0).neuron_type);
    REQUIRE(scenes.size() >= 2);
    const std::string spliced = render_pdf_pages(scenes);
    const std::string fallback = detail::render_pdf_pages(scenes, {}, false);  // what a failed splice returns
    CHECK(fallback != spliced);
    check_pdf_structure(fallback);
    test::write_file(dir / "spliced.pdf", spliced);
    test::write_file(dir / "fallback.pdf", fallback);
    // Valid: poppler reads it without a complaint and finds every page.
    REQUIRE(run(fmt::format("pdfinfo '{0}/fallback.pdf' > '{0}/info.txt' 2> '{0}/info.err'", dir.string())) == 0);
    CHECK(test::read_file(dir / "info.err").empty());
    const std::string info = test::read_file(dir / "info.txt");
    const std::size_t pages_at = info.find("\nPages:");
    REQUIRE(pages_at != std::string::npos);
    CHECK(std::stoul(info.substr(pages_at + 7)) == scenes.size());
    for (std::size_t page = 1; page <= scenes.size(); ++page) {
        INFO("page " << page);
        for (const char* name : {"spliced", "fallback"})
            REQUIRE(run(fmt::format("pdftoppm -png -r 72 -f {2} -l {2} -singlefile '{0}/{1}.pdf' '{0}/{1}-{2}' 2> '{0}/{1}-{2}.err'",
                                    dir.string(), name, page)) == 0);
        CHECK(test::read_file(dir / fmt::format("fallback-{}.err", page)).empty());
        const RasterImage a = decode_png(test::read_file(dir / fmt::format("spliced-{}.png", page)));
        const RasterImage b = decode_png(test::read_file(dir / fmt::format("fallback-{}.png", page)));
        REQUIRE(a.width == b.width);
        REQUIRE(a.height == b.height);
        std::size_t differing = 0;  // counted, not compared as vectors: Catch would print every pixel
        for (std::size_t i = 0; i < a.argb.size(); ++i) differing += a.argb[i] != b.argb[i];
        CHECK(differing == 0);
    }
    // The splice refuses a file not laid out as cairo's placeholder PDF (here: one without the
    // placeholder groups), which sends render_pdf_pages to the fallback, and leaves it unchanged.
    std::string copy = fallback;
    CHECK_FALSE(detail::splice_hexagon_layers(copy, std::vector<std::string>(scenes.size(), "q\nQ\n")));
    CHECK(copy == fallback);
}

TEST_CASE("the renderer's raster timings and concurrent rendering") {
    const Scene s = memory_scene();
    const Renderer renderer;
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const OutputFormat formats[] = {OutputFormat::png, OutputFormat::pdf};
    const auto files = renderer.render(memory_dataset(), "Test", std::span(&req, 1), formats);
    REQUIRE(files.size() == 2);
    const std::string png = files[0].bytes;
    CHECK(png == test::png_of(s));  // the renderer draws what the stage draws
    const auto snap = renderer.stats().snapshot();
    for (const char* op : {"render_png", "encode_png", "render_pdf"}) {
        INFO(op);
        const OpStats* st = find_op(snap, op);
        REQUIRE(st);
        CHECK(st->count == 1);
        CHECK(st->bytes > 0);
    }
    CHECK(find_op(snap, "encode_png")->bytes == png.size());

    std::string a, b;
    std::thread t1([&] { a = test::png_of(s, {2.0}); });
    std::thread t2([&] { b = test::png_of(s, {2.0}); });
    t1.join();
    t2.join();
    CHECK(a == b);
    CHECK(a == test::png_of(s, {2.0}));
}

TEST_CASE("CLI: --format svg,png,pdf, --scale, --layer, --pdf-pages, -o rules") {
    const auto dir = test::fresh_dir("raster-cli");
    const std::string data = "--data '" + kShared + "me_cells.csv' --columns '" + kShared + "columns.csv' --type Mi1 ";
    std::string err;
    REQUIRE(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format svg,png,pdf --scale 2 --out-dir '" +
                              dir.string() + "'",
                          &err) == 0);
    const std::string stem = (dir / "Mi1_ME_R_cell_count").string();
    CHECK(test::read_file(stem + ".svg").find("<svg") != std::string::npos);
    const RasterImage img = decode_png(test::read_file(stem + ".png"));
    CHECK(img.width == 870);
    CHECK(img.height == 968);
    CHECK(test::read_file(stem + ".pdf").substr(0, 5) == "%PDF-");

    // -o only with exactly one output file.
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format png -o '" + (dir / "one.png").string() + "'",
                        &err) == 0);
    CHECK(decode_png(test::read_file(dir / "one.png")).width == 435);
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format svg,png -o '" + (dir / "x").string() + "'",
                        &err) == 1);
    CHECK(err.find("-o") != std::string::npos);
    CHECK(test::run_cli("render " + data + "--format pdf --pdf-pages -o '" + (dir / "all.pdf").string() + "'", &err) == 0);
    CHECK(test::read_file(dir / "all.pdf").substr(0, 5) == "%PDF-");

    // Bad option values are usage errors (exit 1); a layer the data has no values for is bad input (exit 2).
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format png --scale 0 -o '" + (dir / "x.png").string() + "'", &err) == 1);
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format png --layer 3 -o '" + (dir / "x.png").string() + "'", &err) == 2);
    CHECK(err.find("per-layer") != std::string::npos);
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format svg --layer 3 -o '" + (dir / "x.svg").string() + "'", &err) == 1);
    CHECK(test::run_cli("render " + data + "--region ME --side R --metric cell_count --format gif -o '" + (dir / "x.gif").string() + "'", &err) == 1);

    // Per-layer values: a layer's picture; a layer some selected eyemap lacks (LOP has 4) fails
    // before any file is written.
    REQUIRE(test::run_cli("sample --types 1 --out-dir '" + (dir / "sample").string() + "'", &err) == 0);
    const std::string sample = "--data '" + (dir / "sample" / "data.csv").string() + "' --columns '" + (dir / "sample" / "columns.csv").string() +
                               "' --type Mi1 --metric synapse_density ";
    CHECK(test::run_cli("render " + sample + "--region ME --side L --format png --layer 3 -o '" + (dir / "layer3.png").string() + "'", &err) == 0);
    CHECK(decode_png(test::read_file(dir / "layer3.png")).width > 0);
    CHECK(test::run_cli("render " + sample + "--format png,pdf --layer 5 --out-dir '" + (dir / "layer5").string() + "'", &err) == 2);
    CHECK(err.find("LOP") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "layer5"));
}

TEST_CASE("names cairo cannot draw are replaced the same way in SVG, PNG and PDF", "[raster]") {
    const std::string bad = "T\xef\xbf\xbe\xef\xbf\xbf\xef\xb7\x90";  // U+FFFE U+FFFF U+FDD0
    CHECK(!is_drawable_text(bad));
    std::string expect = "T";
    for (int i = 0; i < 9; ++i) expect += "\xef\xbf\xbd";  // byte by byte, as the SVG writer's xml_escape
    CHECK(drawable_text(bad) == expect);
    const auto dir = test::fresh_dir("rel-cairo");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for(bad));
    std::string err;
    for (const char* f : {"png", "pdf", "svg"}) {
        CHECK(run_cli(fmt::format("render --data {} --type {} --region ME --side R --metric cell_count --format {} --out-dir {}", q(dir / "d.csv"),
                                  q(bad), f, q(dir / "out")), &err) == 0);
        INFO(err);
    }
    CHECK(test::files_under(dir / "out").size() == 3);
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --format svg,png,pdf", q(dir / "d.csv"), q(dir / "o"))) == 0);
}

TEST_CASE("N bins of a colour map: hexagon centres, legend boxes, layers, rsvg parity, renderer bytes, golden PNG") {
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto& ds = memory_dataset();
    for (auto [map, bins] : {std::pair{"viridis", 7}, std::pair{"reds", 12}, std::pair{"#000000,#ff0000,#ffff00", 3}}) {
        INFO(map << ", " << bins << " bins");
        ScaleOptions o;
        o.bins = bins;
        const auto fills = std::make_shared<const FillColours>(fill_colours(Style{}, map, bins));
        const Scene s = test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1), {}, o, fills).at(0);
        std::set<int> used(s.data.fill.begin(), s.data.fill.end());
        CHECK(used.size() == static_cast<std::size_t>(bins + 2));  // white, every bin, grey
        const std::string png = test::png_of(s);
        const RasterImage img = decode_png(png);
        check_centres(img, s, 1, s.data.fill, 0, fills.get());
        const auto& lg = s.legend;
        REQUIRE(lg.all.bins == bins);
        for (int b = 0; b < bins; ++b) {
            const std::string_view hex = fills->colour[lg.all.fill[static_cast<std::size_t>(b)]];
            // Exact, or within limit_colours' 4 levels: a box's light colour can merge with a near one of
            // the hexagons' (12 reds bins, with their faded and antialiased shades, are > 256 colours).
            CHECK(channel_diff(img.pixel(int(lg.x + lg.bin_width / 2), int(lg.box_y(lg.all, b) + lg.bin_height / 2)),
                               0xff000000u | static_cast<std::uint32_t>(std::stoul(std::string(hex.substr(1)), nullptr, 16))) <= 4);
        }
        RasterOptions l3;
        l3.layer = 3;
        check_centres(decode_png(test::png_of(s, l3)), s, 1, fills_for_layer(s.data, 3), 0, fills.get());
        // The renderer draws the same picture from the options.
        RenderOptions ro;
        ro.colormap = map;
        ro.scale.bins = bins;
        const OutputFormat f = OutputFormat::png;
        CHECK(Renderer(ro).render(ds, ds.types.at(0).neuron_type, std::span(&req, 1), std::span(&f, 1)).at(0).bytes == png);
        // rsvg-convert of the SVG.
        const auto dir = test::fresh_dir("raster-bins");
        test::write_file(dir / "s.svg", test::svg_of(s));
        REQUIRE(run("rsvg-convert -o '" + (dir / "s.png").string() + "' '" + (dir / "s.svg").string() + "'") == 0);
        const RasterImage theirs = decode_png(test::read_file(dir / "s.png"));
        CHECK(compare_images(img, theirs, 24, 0.99, fmt::format("bins{}", bins)) >= 0.99);
        CHECK(compare_images(img, theirs, 8, 0.0, fmt::format("bins{}", bins)) >= 0.97);
        if (bins == 7) {  // golden bytes (EYEMAP_UPDATE_GOLDEN=1 rewrites them)
            const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden/viridis7.png";
            if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
                test::write_file(path, png);
                WARN("golden file rewritten: " << path);
            }
            REQUIRE(std::filesystem::exists(path));
            CHECK(png == test::read_file(path));
        }
    }
}

TEST_CASE("continuous and diverging maps: hexagon centres, the gradient legend, layers, rsvg and pdftoppm parity, renderer bytes, golden PNGs") {
    REQUIRE(run("rsvg-convert --version > /dev/null 2>&1") == 0);
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto& ds = memory_dataset();
    struct Case {
        const char* name;
        const char* map;
        bool continuous;
        std::optional<double> centre;
    };
    for (const Case& k : {Case{"continuous_viridis", "viridis", true, {}}, Case{"rdbu_centre", "rdbu", true, 200.0},
                          Case{"rdbu_centre_binned", "rdbu", false, 200.0}}) {
        INFO(k.name);
        ScaleOptions o;
        o.continuous = k.continuous;
        o.centre = k.centre;
        const auto fills = std::make_shared<const FillColours>(fill_colours(Style{}, k.map, 5, k.continuous));
        const Scene s = test::stage_scenes(ds, ds.types.at(0).neuron_type, std::span(&req, 1), {}, o, fills).at(0);
        std::set<int> used(s.data.fill.begin(), s.data.fill.end());
        CHECK(used.size() >= (k.continuous ? 200u : 7u));  // white, grey and most levels (or every bin)
        const std::string png = test::png_of(s);
        const RasterImage img = decode_png(png);
        // More than 256 colours (continuous levels; RdBu's light bins with their faded and antialiased
        // shades): limit_colours may move a colour by up to its 4 levels, or leave RGB.
        {
            INFO("PNG centres");
            check_centres(img, s, 1, s.data.fill, 4, fills.get());
        }
        const auto& lg = s.legend;
        if (k.continuous) {
            // The bar: bottom the map's first entry, top its last, the middle its middle, as the gradient's stops.
            const int x = static_cast<int>(lg.x + lg.bin_width / 2);
            auto argb = [&](FillIndex f) { return 0xff000000u | static_cast<std::uint32_t>(std::stoul(fills->colour[f].substr(1), nullptr, 16)); };
            CHECK(channel_diff(img.pixel(x, static_cast<int>(lg.y + lg.bar_height - 0.5)), argb(1)) <= 6);
            CHECK(channel_diff(img.pixel(x, static_cast<int>(lg.y + 0.5)), argb(256)) <= 6);
            CHECK(channel_diff(img.pixel(x, static_cast<int>(lg.y + lg.bar_height / 2)), argb(129)) <= 6);
            CHECK(lg.all.gradient);
        }
        RasterOptions l3;
        l3.layer = 3;
        const RasterImage layer3 = decode_png(test::png_of(s, l3));
        {
            INFO("PNG layer 3 centres");
            check_centres(layer3, s, 1, fills_for_layer(s.data, 3), 4, fills.get());
        }
        // The renderer draws the same picture from the options.
        RenderOptions ro;
        ro.colormap = k.map;
        ro.scale.continuous = k.continuous;
        ro.scale.centre = k.centre;
        const OutputFormat f = OutputFormat::png;
        CHECK(Renderer(ro).render(ds, ds.types.at(0).neuron_type, std::span(&req, 1), std::span(&f, 1)).at(0).bytes == png);
        // rsvg-convert of the SVG (gradient legend included), all layers and layer 3 chosen the way the
        // script would: the SVG's fills replaced by layer 3's.
        const auto dir = test::fresh_dir(std::string("raster-") + k.name);
        test::write_file(dir / "s.svg", test::svg_of(s));
        REQUIRE(run("rsvg-convert -o '" + (dir / "s.png").string() + "' '" + (dir / "s.svg").string() + "'") == 0);
        const RasterImage theirs = decode_png(test::read_file(dir / "s.png"));
        CHECK(compare_images(img, theirs, 24, 0.99, k.name) >= 0.99);
        CHECK(compare_images(img, theirs, 8, 0.0, k.name) >= 0.97);
        // PDF: pdftoppm at 72 dpi matches the PNG, hexagon centres within poppler's rounding.
        const std::string pdf = render_pdf(s);
        test::write_file(dir / "p.pdf", pdf);
        REQUIRE(run(fmt::format("pdftoppm -png -r 72 -singlefile '{0}/p.pdf' '{0}/p'", dir.string())) == 0);
        const RasterImage poppler = decode_png(test::read_file(dir / "p.png"));
        CHECK(compare_images(img, poppler, 32, 0.99, std::string(k.name) + "-pdf") >= 0.99);
        {
            INFO("PDF centres");
            check_centres(poppler, s, 1, s.data.fill, k.continuous ? 4 : 2, fills.get());
        }
        {  // layer 3 in the PDF too: the per-layer levels and the per-layer legend
            INFO("PDF layer 3 centres");
            test::write_file(dir / "p3.pdf", render_pdf(s, l3));
            REQUIRE(run(fmt::format("pdftoppm -png -r 72 -singlefile '{0}/p3.pdf' '{0}/p3'", dir.string())) == 0);
            const RasterImage p3 = decode_png(test::read_file(dir / "p3.png"));
            CHECK(compare_images(layer3, p3, 32, 0.99, std::string(k.name) + "-pdf3") >= 0.99);
            check_centres(p3, s, 1, fills_for_layer(s.data, 3), k.continuous ? 4 : 2, fills.get());
        }
        // Golden bytes (EYEMAP_UPDATE_GOLDEN=1 rewrites them).
        const auto path = std::filesystem::path(EYEMAP_SOURCE_DIR) / "tests/golden" / (std::string(k.name) + ".png");
        if (std::getenv("EYEMAP_UPDATE_GOLDEN")) {
            test::write_file(path, png);
            WARN("golden file rewritten: " << path);
        }
        REQUIRE(std::filesystem::exists(path));
        CHECK(png == test::read_file(path));
    }
}

TEST_CASE("PDF: a column link is a link annotation per hexagon beside the spliced hexagon layer, and the dataset is in the document info") {
    REQUIRE(run("pdfinfo -v > /dev/null 2>&1") == 0);
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    const auto dir = test::fresh_dir("raster-pdf-links");
    auto scenes = test::stage_scenes(memory_dataset(), memory_dataset().types.at(0).neuron_type);
    REQUIRE(scenes.size() >= 2);
    const std::string plain = render_pdf_pages(scenes);
    const auto link = std::make_shared<const LinkTemplate>("https://neuprint.janelia.org/?q=({type})&roi={roi}", LinkTemplate::Kind::column, "column_link");
    std::size_t hexagons = 0;
    for (Scene& s : scenes) {
        s.column_link = link;
        hexagons += s.data.status.size();
    }
    const std::string linked = render_pdf_pages(scenes);
    check_pdf_structure(linked);
    // Still spliced: the file cairo alone draws (the fallback) is another, larger one.
    const std::string fallback = detail::render_pdf_pages(scenes, {}, false);
    check_pdf_structure(fallback);
    CHECK(linked != fallback);
    CHECK(linked.size() < fallback.size());
    CHECK(test::count(linked, "/Subtype /Link") == hexagons);
    CHECK(test::count(linked, "/S /URI") == hexagons);
    CHECK(test::count(plain, "/Subtype /Link") == 0);
    // The template's parentheses percent-encoded (cairo writes the URI into a PDF string as it is).
    const Scene& first = scenes.front();
    CHECK(linked.find(fmt::format("/URI (https://neuprint.janelia.org/?q=%28Test%29&roi={}_R_col_{:02}_{:02})", first.data.region,
                                  first.grid->hex1[0], first.grid->hex2[0])) != std::string::npos);
    auto lone = scenes;
    for (Scene& s : lone) s.column_link = std::make_shared<const LinkTemplate>("https://h/?q=(x'", LinkTemplate::Kind::column, "column_link");
    const std::string unbalanced = render_pdf_pages(lone);
    check_pdf_structure(unbalanced);
    CHECK(unbalanced.find("/URI (https://h/?q=%28x'") != std::string::npos);
    test::write_file(dir / "unbalanced.pdf", unbalanced);
    REQUIRE(run(fmt::format("pdfinfo '{0}/unbalanced.pdf' > /dev/null 2> '{0}/unbalanced.err'", dir.string())) == 0);
    CHECK(test::read_file(dir / "unbalanced.err").empty());
    // The same pixels on every page.
    test::write_file(dir / "plain.pdf", plain);
    test::write_file(dir / "linked.pdf", linked);
    for (std::size_t page = 1; page <= scenes.size(); ++page) {
        INFO("page " << page);
        for (const char* name : {"plain", "linked"})
            REQUIRE(run(fmt::format("pdftoppm -png -r 72 -f {2} -l {2} -singlefile '{0}/{1}.pdf' '{0}/{1}-{2}'", dir.string(), name, page)) == 0);
        const RasterImage a = decode_png(test::read_file(dir / fmt::format("plain-{}.png", page)));
        const RasterImage b = decode_png(test::read_file(dir / fmt::format("linked-{}.png", page)));
        REQUIRE(a.argb.size() == b.argb.size());
        std::size_t differing = 0;
        for (std::size_t i = 0; i < a.argb.size(); ++i) differing += a.argb[i] != b.argb[i];
        CHECK(differing == 0);
    }

    // The renderer's options: the dataset as the document's subject and keywords (deterministic, no date).
    RenderOptions o;
    o.dataset_label = "optic (lobe) \xC3\xA9";
    o.dataset_version = "v1.1";
    o.input_digest = "0123456789abcdef";
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const OutputFormat pdf = OutputFormat::pdf;
    const std::string named = Renderer(o).render(memory_dataset(), "Test", std::span(&req, 1), std::span(&pdf, 1)).at(0).bytes;
    CHECK(named == Renderer(o).render(memory_dataset(), "Test", std::span(&req, 1), std::span(&pdf, 1)).at(0).bytes);
    test::write_file(dir / "named.pdf", named);
    test::write_file(dir / "default.pdf", Renderer().render(memory_dataset(), "Test", std::span(&req, 1), std::span(&pdf, 1)).at(0).bytes);
    REQUIRE(run(fmt::format("pdfinfo '{0}/named.pdf' > '{0}/named.txt' && pdfinfo '{0}/default.pdf' > '{0}/default.txt'", dir.string())) == 0);
    const std::string info = test::read_file(dir / "named.txt");
    CHECK_THAT(info, Catch::Contains("Subject:         Dataset: optic (lobe) \xC3\xA9, version v1.1, input 0123456789abcdef\n"));
    CHECK_THAT(info, Catch::Contains("Keywords:        dataset=optic (lobe) \xC3\xA9; version=v1.1; input=0123456789abcdef\n"));
    CHECK_THAT(info, !Catch::Contains("CreationDate"));
    const std::string plain_info = test::read_file(dir / "default.txt");
    CHECK_THAT(plain_info, !Catch::Contains("Subject:"));
    CHECK_THAT(plain_info, !Catch::Contains("Keywords:"));
}

TEST_CASE("figure: rsvg-convert of the SVG and pdftoppm of the PDF match the PNG, hexagon centres exact") {
    REQUIRE(run("rsvg-convert --version > /dev/null 2>&1") == 0);
    REQUIRE(run("pdftoppm -v > /dev/null 2>&1") == 0);
    const auto& ds = memory_dataset();
    FigureRequest r;
    r.panels.rows = FigureAxis::metrics;
    r.panels.columns = FigureAxis::regions;
    r.panels.types = {ds.types.at(0).neuron_type};
    r.panels.sides = {Side::R};
    r.options.width_mm = 180;
    r.options.font_pt = 7;
    r.options.legend = FigureLegend::row;
    r.options.background = Style{}.background;  // faded_hex's background
    constexpr double dpi = 144;
    r.options.dpi = dpi;
    const auto out = Renderer().render_figure(ds, r, std::vector{OutputFormat::svg, OutputFormat::png, OutputFormat::pdf});
    const auto dir = test::fresh_dir("raster-figure");
    test::write_file(dir / "f.svg", out[0].bytes);
    test::write_file(dir / "f.pdf", out[2].bytes);
    REQUIRE(run(fmt::format("rsvg-convert -d {1} -p {1} -o '{0}/rsvg.png' '{0}/f.svg'", dir.string(), dpi)) == 0);
    REQUIRE(run(fmt::format("pdftoppm -png -r {1} -singlefile '{0}/f.pdf' '{0}/poppler'", dir.string(), dpi)) == 0);
    const RasterImage ours = decode_png(out[1].bytes);
    const RasterImage rsvg = decode_png(test::read_file(dir / "rsvg.png"));
    const RasterImage poppler = decode_png(test::read_file(dir / "poppler.png"));
    const double share_rsvg = compare_images(ours, rsvg, 24, 0.99, "figure-rsvg");
    const double share_poppler = compare_images(ours, poppler, 32, 0.99, "figure-pdftoppm");
    INFO("rsvg: " << share_rsvg * 100 << " %, pdftoppm: " << share_poppler * 100 << " % of pixels within 24 / 32 levels");
    CHECK(share_rsvg >= 0.99);
    CHECK(share_poppler >= 0.99);
    // Every hexagon centre, placed by its panel's transform in the SVG, has its fill in all three.
    const std::string& svg = out[0].bytes;
    static const std::regex panel_re(R"re(transform="translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+)\)">)re");
    static const std::regex use_re(R"re(<use href="#[^"]*" x="([-\d.]+)" y="([-\d.]+)" fill="(#[0-9a-f]{6})")re");
    std::size_t centres = 0, bad = 0;
    std::tuple<int, int, std::string> first;  // the first hexagon's pixel and fill
    for (auto p = std::sregex_iterator(svg.begin(), svg.end(), panel_re); p != std::sregex_iterator(); ++p) {
        const double tx = std::stod((*p)[1]), ty = std::stod((*p)[2]), k = std::stod((*p)[3]);
        const auto from = svg.begin() + (*p).position(0), to = svg.begin() + static_cast<std::ptrdiff_t>(svg.find("</g>", static_cast<std::size_t>((*p).position(0))));
        for (auto u = std::sregex_iterator(from, to, use_re); u != std::sregex_iterator(); ++u) {
            const int px = static_cast<int>(std::floor((tx + k * std::stod((*u)[1])) * dpi / 72));
            const int py = static_cast<int>(std::floor((ty + k * std::stod((*u)[2])) * dpi / 72));
            const std::uint32_t want = faded_hex((*u)[3].str());
            for (const RasterImage* img : {&ours, &rsvg, &poppler}) bad += channel_diff(img->pixel(px, py), want) > 2;
            if (centres++ == 0) first = {px, py, (*u)[3].str()};
        }
    }
    CHECK(centres == 6 * column_count(*ds.index));
    CHECK(bad == 0);
    // Transparent (no background): the page is clear, a hexagon its fill at the hexagons' opacity (straight alpha).
    r.options.background.clear();
    const RasterImage clear = decode_png(Renderer().render_figure(ds, r, std::vector{OutputFormat::png}).at(0).bytes);
    CHECK(clear.width == ours.width);
    CHECK(clear.pixel(0, 0) >> 24 == 0);
    const auto [fx, fy, fill] = first;
    const std::uint32_t px = clear.pixel(fx, fy), rgb = static_cast<std::uint32_t>(std::stoul(fill.substr(1), nullptr, 16));
    CHECK(std::abs(static_cast<int>(px >> 24) - static_cast<int>(std::lround(255 * Style{}.hex_opacity))) <= 1);
    CHECK(channel_diff(px | 0xff000000u, rgb | 0xff000000u) <= 2);
}

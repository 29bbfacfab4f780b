// Colour maps (src/process/colormap.*): names, sampling and bin rules, the reds' published class sets, listed-colour maps, centred limits.
// The tables themselves are checked against matplotlib by tests/colormap_reference.py (CTest: colormap_reference).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "eyemap/options.hpp"
#include "process/colormap.hpp"

using namespace eyemap;
using detail::BinColours;
using detail::Colormap;
using detail::Limits;
using detail::Rgb;

namespace {

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

std::vector<std::string> hexes(const BinColours& b) {
    std::vector<std::string> out;
    for (Rgb c : b.colours()) out.push_back(hex(c));
    return out;
}

// The input error `f` throws (fails the test when it throws nothing or another kind).
template <class F>
Error input_error(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        REQUIRE(e.kind() == ErrorKind::input);
        return e;
    }
    FAIL("no error thrown");
    throw std::logic_error("unreachable");
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("colormap: the named maps, their kinds and ends", "[colormap]") {
    const std::vector<std::string_view> names(detail::colormap_names().begin(), detail::colormap_names().end());
    CHECK(names == std::vector<std::string_view>{"reds", "viridis", "cividis", "magma", "inferno", "plasma", "greys", "rdbu", "puor"});
    for (std::string_view n : names) {
        const Colormap* m = detail::find_colormap(n);
        REQUIRE(m);
        CHECK(m->name == n);
        CHECK(m->kind == (n == "rdbu" || n == "puor" ? detail::ColormapKind::diverging : detail::ColormapKind::sequential));
    }
    // Ends of each table as published (ColorBrewer's first and last class colours; viridis's
    // #440154 .. #fde725 and its siblings' ends from van der Walt & Smith's tables).
    const std::vector<std::tuple<std::string_view, std::string, std::string>> ends{
        {"reds", "#fff5f0", "#67000d"},    {"greys", "#ffffff", "#000000"},   {"rdbu", "#67001f", "#053061"},
        {"puor", "#7f3b08", "#2d004b"},    {"viridis", "#440154", "#fde725"}, {"magma", "#000004", "#fcfdbf"},
        {"inferno", "#000004", "#fcffa4"}, {"plasma", "#0d0887", "#f0f921"}, {"cividis", "#00224e", "#fee838"},
    };
    for (const auto& [name, first, last] : ends) {
        INFO(name);
        const Colormap& m = detail::named_colormap(name);
        CHECK(hex(detail::lut256(m).front()) == first);
        CHECK(hex(detail::lut256(m).back()) == last);
    }
}

TEST_CASE("colormap: names are found ignoring ASCII case, nothing else", "[colormap]") {
    CHECK(detail::find_colormap("RdBu") == detail::find_colormap("rdbu"));
    CHECK(detail::find_colormap("PuOr")->name == "puor");
    CHECK(detail::find_colormap("Greys")->name == "greys");
    CHECK(detail::find_colormap("VIRIDIS")->name == "viridis");
    CHECK(detail::find_colormap("Reds")->name == "reds");
    CHECK_FALSE(detail::find_colormap("jet"));
    CHECK_FALSE(detail::find_colormap(""));
    CHECK_FALSE(detail::find_colormap("reds "));
    CHECK_FALSE(detail::find_colormap("viridis_r"));
    CHECK_FALSE(detail::find_colormap("#ff0000,#0000ff"));
}

TEST_CASE("colormap: an unknown name is an input error with did-you-mean", "[colormap]") {
    const Error e = input_error([] { detail::named_colormap("virdis"); });
    CHECK(e.where().field == "colormap");
    CHECK(e.where().value == "virdis");
    CHECK_THAT(e.reason(), Catch::Contains("unknown colour map; did you mean 'viridis'?"));
    CHECK_THAT(e.reason(), Catch::Contains("known: reds, viridis, cividis, magma, inferno, plasma, greys, rdbu, puor"));
    CHECK_THAT(e.what(), Catch::StartsWith("field 'colormap': value 'virdis': unknown colour map"));

    const Error far = input_error([] { detail::named_colormap("jet", "map"); });
    CHECK(far.where().field == "map");
    CHECK_THAT(far.reason(), !Catch::Contains("did you mean"));
    CHECK_THAT(far.reason(), Catch::Contains("#rrggbb,#rrggbb"));

    CHECK_THAT(input_error([] { detail::named_colormap("rdbo"); }).reason(), Catch::Contains("did you mean 'rdbu'?"));
    CHECK_THAT(input_error([] { detail::named_colormap("magama"); }).reason(), Catch::Contains("did you mean 'magma'?"));
    CHECK_THAT(input_error([] { detail::named_colormap("RdBuu"); }).reason(), Catch::Contains("did you mean 'rdbu'?"));  // any case, as names match
    CHECK_THAT(input_error([] { detail::named_colormap(" "); }).reason(), Catch::Contains("no colour map given"));
    CHECK_THAT(input_error([] { detail::colormap_from_spec("cividis_r"); }).reason(), Catch::Contains("did you mean 'cividis'?"));
}

TEST_CASE("colormap: sample is matplotlib's index rule on the 256-entry table", "[colormap]") {
    for (std::string_view name : detail::colormap_names()) {
        INFO(name);
        const Colormap& m = detail::named_colormap(name);
        const auto& lut = detail::lut256(m);
        for (std::size_t i = 0; i < 256; ++i) REQUIRE(detail::sample(m, static_cast<double>(i) / 255.0) == lut[i]);
        // floor(t * 256), not round(t * 255): t just below (i + 1) / 256 is still entry i.
        CHECK(detail::sample(m, 127.99 / 256) == lut[127]);
        CHECK(detail::sample(m, 128.0 / 256) == lut[128]);
        CHECK(detail::sample(m, 0.5 / 256) == lut[0]);
        CHECK(detail::sample(m, 255.5 / 256) == lut[255]);
        CHECK(detail::sample(m, std::nextafter(1.0, 0.0)) == lut[255]);
        // Out of range: matplotlib's default under/over colours are the ends; NaN gives the first.
        CHECK(detail::sample(m, -0.5) == lut[0]);
        CHECK(detail::sample(m, 7.0) == lut[255]);
        CHECK(detail::sample(m, -kInf) == lut[0]);
        CHECK(detail::sample(m, kInf) == lut[255]);
        CHECK(detail::sample(m, kNaN) == lut[0]);
    }
    // The maps differ from each other (a table copied twice would not).
    for (std::size_t a = 0; a < detail::colormap_names().size(); ++a)
        for (std::size_t b = a + 1; b < detail::colormap_names().size(); ++b)
            CHECK(detail::lut256(detail::named_colormap(detail::colormap_names()[a])) !=
                  detail::lut256(detail::named_colormap(detail::colormap_names()[b])));
}

TEST_CASE("colormap: bin i of n is the map's colour at (i + 0.5) / n", "[colormap]") {
    for (std::string_view name : detail::colormap_names()) {
        const Colormap& m = detail::named_colormap(name);
        for (int n = detail::kMinBins; n <= detail::kMaxBins; ++n) {
            if (name == "reds" && n >= 3 && n <= 9) continue;  // ColorBrewer's published sets (next test)
            INFO(name << " n=" << n);
            const BinColours b = detail::binned(m, n);
            REQUIRE(b.n == n);
            REQUIRE(b.colours().size() == static_cast<std::size_t>(n));
            for (int i = 0; i < n; ++i)
                CHECK(b.colours()[static_cast<std::size_t>(i)] == detail::lut256(m)[static_cast<std::size_t>((i + 0.5) / n * 256)]);
        }
    }
    // Reds with 2 bins: matplotlib's Reds at 0.25 and 0.75 (entries 64 and 192).
    CHECK(hexes(detail::binned(detail::named_colormap("reds"), 2)) ==
          std::vector<std::string>{hex(detail::lut256(detail::named_colormap("reds"))[64]),
                                   hex(detail::lut256(detail::named_colormap("reds"))[192])});
    // Listed-colour maps follow the same rule: black..white in 4 bins is grey at 1/8, 3/8, 5/8, 7/8.
    CHECK(hexes(detail::binned(detail::colour_list_colormap("#000000,#ffffff"), 4)) ==
          std::vector<std::string>{"#202020", "#606060", "#a0a0a0", "#e0e0e0"});

    for (int bad : {-1, 0, 1, 13, 256}) {
        const Error e = input_error([bad] { detail::binned(detail::named_colormap("viridis"), bad); });
        CHECK(e.where().field == "bins");
        CHECK(e.where().value == std::to_string(bad));
        CHECK_THAT(e.reason(), Catch::Contains("2 to 12"));
    }
    CHECK(input_error([] { detail::binned(detail::named_colormap("reds"), 13, "--bins"); }).where().field == "--bins");
}

TEST_CASE("colormap: reds in 3..9 bins are ColorBrewer's Reds classes, 5 bins today's palette", "[colormap]") {
    // ColorBrewer 2.0's Reds n-class sets as published (colorbrewer2.org), written out here
    // independently of colormap.cpp.
    const std::vector<std::vector<std::string>> brewer{
        {},
        {},
        {},
        {"#fee0d2", "#fc9272", "#de2d26"},
        {"#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"},
        {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"},
        {"#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"},
        {"#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"},
        {"#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"},
        {"#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"},
    };
    const Colormap& reds = detail::named_colormap("reds");
    for (int n = 3; n <= 9; ++n) {
        if (n == 5) continue;
        INFO("n=" << n);
        CHECK(hexes(detail::binned(reds, n)) == brewer[static_cast<std::size_t>(n)]);
    }
    // Five bins are the default Style's palette, byte for byte: default output must not change.
    // It is not ColorBrewer's 5-class set (colormap.cpp says how they differ).
    const Style style;
    const std::vector<std::string> today(style.palette.begin() + 1, style.palette.begin() + 6);
    CHECK(hexes(detail::binned(reds, 5)) == today);
    CHECK(today == std::vector<std::string>{"#fee5d9", "#fcbba1", "#fc9272", "#ef6548", "#a50f15"});
    CHECK(hexes(detail::binned(reds, 5)) != brewer[5]);
    // The 9-class set is the continuous map's stops: its ends are the table's ends.
    CHECK(detail::binned(reds, 9).colours().front() == detail::lut256(reds).front());
    CHECK(detail::binned(reds, 9).colours().back() == detail::lut256(reds).back());
    // A copy (as colormap_from_spec returns) keeps the class sets.
    CHECK(hexes(detail::binned(detail::colormap_from_spec("Reds"), 5)) == today);
}

TEST_CASE("colormap: a map from listed colours", "[colormap]") {
    const Colormap bw = detail::colour_list_colormap("#000000,#ffffff");
    CHECK(bw.name.empty());
    CHECK(bw.kind == detail::ColormapKind::sequential);
    for (std::size_t i = 0; i < 256; ++i) {
        const auto v = static_cast<std::uint8_t>(i);
        REQUIRE(detail::lut256(bw)[i] == Rgb{v, v, v});
    }
    // Three stops, blanks and either case: red at 0, green at 1/2, blue at 1, linear in sRGB between.
    const Colormap rgb = detail::colour_list_colormap("  #FF0000 , #00ff00,#0000Ff ");
    CHECK(hex(detail::lut256(rgb)[0]) == "#ff0000");
    CHECK(detail::lut256(rgb)[127] == Rgb{1, 254, 0});  // 127/255 is just before the middle stop
    CHECK(detail::lut256(rgb)[128] == Rgb{0, 254, 1});
    CHECK(detail::lut256(rgb)[64] == Rgb{127, 128, 0});  // 64/255 * 2 = 0.502 of the way: 255 * 0.498 = 127.0
    CHECK(hex(detail::lut256(rgb)[255]) == "#0000ff");
    // colormap_from_spec: '#' first means a list, anything else a name.
    CHECK(detail::lut256(detail::colormap_from_spec(" #000000,#ffffff")) == detail::lut256(bw));
    CHECK(detail::colormap_from_spec("PuOr").name == "puor");
    // 256 colours (the most): stop i is entry i.
    std::string list;
    for (int i = 0; i < 256; ++i) list += fmt::format("{}#{:02x}0000", i ? "," : "", 255 - i);
    const Colormap many = detail::colour_list_colormap(list);
    for (std::size_t i = 0; i < 256; ++i) REQUIRE(detail::lut256(many)[i] == Rgb{static_cast<std::uint8_t>(255 - i), 0, 0});
}

TEST_CASE("colormap: a bad list of colours is an input error naming the field and the colour", "[colormap]") {
    const auto err = [](std::string list) { return input_error([&] { detail::colour_list_colormap(list, "colours"); }); };
    {
        const Error e = err("#ff0000,red,#0000ff");
        CHECK(e.where().field == "colours");
        CHECK(e.where().value == "red");
        CHECK_THAT(e.reason(), Catch::Contains("colour 2 of the list is not a colour '#rrggbb'"));
    }
    for (const std::string bad : {"#ff000", "#ff00000", "ff0000", "#gg0000", "#ff 000", "#ff0000;#00ff00"}) {
        INFO(bad);
        const Error e = err("#000000," + bad);
        CHECK(e.where().value == bad);
        CHECK_THAT(e.reason(), Catch::Contains("colour 2"));
    }
    {
        const Error e = err("#ff0000,,#0000ff");
        CHECK(e.where().value == "#ff0000,,#0000ff");
        CHECK_THAT(e.reason(), Catch::Contains("colour 2 of the list is empty"));
    }
    CHECK_THAT(err("#ff0000,").reason(), Catch::Contains("colour 2 of the list is empty"));
    CHECK_THAT(err("#ff0000").reason(), Catch::Contains("at least 2 colours"));
    CHECK_THAT(err("").reason(), Catch::Contains("colour 1 of the list is empty"));
    std::string many = "#000000";
    for (int i = 1; i < 257; ++i) many += ",#000000";
    const Error e = err(many);
    CHECK(e.where().field == "colours");
    CHECK_THAT(e.reason(), Catch::Contains("a list of 257 colours: at most 256"));
    // Through colormap_from_spec, with its default field name.
    CHECK(input_error([] { detail::colormap_from_spec("#ff0000,#zz0000"); }).where().field == "colormap");
}

TEST_CASE("colormap: centred limits of a diverging map", "[colormap]") {
    using detail::centred_limits;
    using std::nullopt;
    // Neither given: symmetric about the centre, wide enough for every value.
    CHECK(centred_limits(nullopt, nullopt, -2, 5) == Limits{-5, 5});
    CHECK(centred_limits(nullopt, nullopt, 1, 3) == Limits{-3, 3});  // all above the centre: still centred
    CHECK(centred_limits(nullopt, nullopt, -7, -1) == Limits{-7, 7});
    CHECK(centred_limits(nullopt, nullopt, 0, 3, 2) == Limits{0, 4});
    CHECK(centred_limits(nullopt, nullopt, 0, 0) == Limits{0, 0});  // the scale's min == max rule takes over
    // One given: kept, the other mirrored about the centre (the data do not matter).
    CHECK(centred_limits(-3.0, nullopt, -10, 10) == Limits{-3, 3});
    CHECK(centred_limits(nullopt, 4.0, -10, 10, 1) == Limits{-2, 4});
    // Both given: as given, even when not symmetric.
    CHECK(centred_limits(-1.0, 7.0, -10, 10) == Limits{-1, 7});

    CHECK(input_error([] { centred_limits(1.0, nullopt, -1, 1); }).where().field == "min");
    CHECK(input_error([] { centred_limits(0.0, nullopt, -1, 1); }).where().field == "min");
    CHECK(input_error([] { centred_limits(nullopt, -1.0, -1, 1); }).where().field == "max");
    const Error order = input_error([] { centred_limits(2.0, 1.0, -1, 1); });
    CHECK(order.where().field == "min");
    CHECK_THAT(order.reason(), Catch::Contains("must be below its max"));
    CHECK(input_error([] { centred_limits(1.0, 1.0, -1, 1); }).where().field == "min");
    CHECK(input_error([] { centred_limits(-kInf, nullopt, -1, 1); }).where().field == "min");
    CHECK(input_error([] { centred_limits(nullopt, kNaN, -1, 1); }).where().field == "max");
    CHECK(input_error([] { centred_limits(nullopt, nullopt, -1, 1, kNaN); }).where().field == "centre");
    // A caller bug, not the user's input.
    try {
        centred_limits(nullopt, nullopt, kNaN, 1);
        FAIL("no error thrown");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::internal);
    }
}

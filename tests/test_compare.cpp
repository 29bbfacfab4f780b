// Comparisons: difference and log2 values by hand, "only in A/B" presence, the zero rule, the change
// score, A and B on one locked scale, the joint layout, figures with the datasets axis, CLI errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "process/compare.hpp"
#include "test_support.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::q;
using eyemap::test::run_cli;

namespace {

// ME side R, columns (1,1) (1,2) (2,1) (2,2) (3,3); a value column "score" beside the counts.
constexpr const char* kLayout = "region,side,hex1,hex2\nME,R,1,1\nME,R,1,2\nME,R,2,1\nME,R,2,2\nME,R,3,3\n";
const std::vector<std::string> kScore{"score"};

Dataset data_of(std::string_view csv, std::string_view name) {
    return make_dataset(parse_column_table(csv, name, builtin_regions(), kScore), parse_column_layout(kLayout, "layout.csv"));
}

// A: (1,1) 10, (1,2) 4, (2,1) 6 only in A; B: (1,1) 7, (1,2) 4, (2,2) 3 only in B; (3,3) in neither.
const char* kA = "neuron_type,region,side,hex1,hex2,synapses,cells,score\n"
                 "T,ME,R,1,1,10,2,0.5\nT,ME,R,1,2,4,1,-1\nT,ME,R,2,1,6,1,2\n";
const char* kB = "neuron_type,region,side,hex1,hex2,synapses,cells,score\n"
                 "T,ME,R,1,1,7,1,0.25\nT,ME,R,1,2,4,1,-2\nT,ME,R,2,2,3,1,\n";

double value_at(const DifferenceRows& d, int h1, int h2, std::size_t k) {
    for (const auto& r : d.rows)
        if (r.hex1 == h1 && r.hex2 == h2) return r.values.at(k);
    return -12345;
}
std::uint8_t presence_at(const DifferenceRows& d, int h1, int h2, std::size_t k) {
    for (std::size_t i = 0; i < d.rows.size(); ++i)
        if (d.rows[i].hex1 == h1 && d.rows[i].hex2 == h2) return d.presence.at(i * d.metrics.size() + k);
    return 255;
}

}  // namespace

TEST_CASE("difference values by hand: counts with missing as 0, value columns where both have one") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    CompareOptions o;
    const std::vector<Metric> ms{Metric::synapses, Metric("score")};
    const auto d = difference_rows(a.type("T").rows, a.columns, b.type("T").rows, b.columns, *a.index, ms, o);
    REQUIRE(d.rows.size() == 4);  // (3,3) has a row in neither
    CHECK(d.metrics[0].name() == "synapses_diff");
    CHECK(d.metrics[1].name() == "score_diff");
    CHECK(value_at(d, 1, 1, 0) == 3);
    CHECK(value_at(d, 1, 2, 0) == 0);   // the same in both: a difference of 0 is data
    CHECK(value_at(d, 2, 1, 0) == 6);   // only in A: 6 - 0
    CHECK(value_at(d, 2, 2, 0) == -3);  // only in B: 0 - 3
    CHECK(value_at(d, 1, 1, 1) == 0.25);
    CHECK(value_at(d, 1, 2, 1) == 1);
    CHECK(std::isnan(value_at(d, 2, 1, 1)));  // a value in A only: no difference
    CHECK(std::isnan(value_at(d, 2, 2, 1)));  // B's empty score: no data in either
    CHECK(presence_at(d, 1, 1, 0) == (kInA | kInB));
    CHECK(presence_at(d, 2, 1, 0) == kInA);
    CHECK(presence_at(d, 2, 2, 0) == kInB);
    CHECK(presence_at(d, 2, 2, 1) == 0);
    CHECK(presence_at(d, 2, 1, 1) == kInA);
}

TEST_CASE("log2 ratio: both must have data, values must be positive") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    CompareOptions o;
    o.mode = CompareMode::log2_ratio;
    const std::vector<Metric> counts{Metric::synapses};
    const auto d = difference_rows(a.type("T").rows, a.columns, b.type("T").rows, b.columns, *a.index, counts, o);
    CHECK(d.metrics[0].name() == "synapses_log2");
    CHECK(value_at(d, 1, 1, 0) == Approx(std::log2(10.0 / 7.0)));
    CHECK(value_at(d, 1, 2, 0) == 0);
    CHECK(std::isnan(value_at(d, 2, 1, 0)));  // a zero (missing) count on one side has no ratio
    CHECK(std::isnan(value_at(d, 2, 2, 0)));
    const std::vector<Metric> score{Metric("score")};
    try {
        difference_rows(a.type("T").rows, a.columns, b.type("T").rows, b.columns, *a.index, score, o);
        FAIL("no error for log2 of a negative value");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK_THAT(e.reason(), Catch::Contains("needs values > 0") && Catch::Contains("column 1, 2"));
        CHECK(e.where().field == "score");
    }
}

TEST_CASE("change score: sum |A - B| / sum (|A| + |B|), 0 the same, 1 disjoint") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    const TypeChange c = type_change("T", a.type("T").rows, a.columns, b.type("T").rows, b.columns, Metric::synapses);
    // |10-7| + |4-4| + |6-0| + |0-3| = 12 over 17 + 8 + 6 + 3 = 34
    CHECK(c.score == Approx(12.0 / 34.0));
    CHECK(c.columns == 4);
    CHECK(c.only_a == 1);
    CHECK(c.only_b == 1);
    CHECK(c.total_a == 20);
    CHECK(c.total_b == 14);
    CHECK(type_change("T", a.type("T").rows, a.columns, a.type("T").rows, a.columns, Metric::synapses).score == 0);
    const char* kDisjoint = "neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,3,3,5,1,1\n";
    const Dataset d = data_of(kDisjoint, "d.csv");
    CHECK(type_change("T", a.type("T").rows, a.columns, d.type("T").rows, d.columns, Metric::synapses).score == 1);
}

TEST_CASE("render_compare: A and B on one locked scale, the difference centred, file names and ids apart") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    const Renderer r;
    CompareOptions o;
    o.label_a = "male";
    o.label_b = "female";
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto out = r.render_compare(a, b, "T", o, std::span(&req, 1));
    REQUIRE(out.size() == 3);
    CHECK(out[0].part == ComparePart::a);
    CHECK(out[1].part == ComparePart::b);
    CHECK(out[2].part == ComparePart::difference);
    CHECK(out[0].file_name() == "T_ME_R_synapse_density_a.svg");
    CHECK(out[1].file_name() == "T_ME_R_synapse_density_b.svg");
    CHECK(out[2].file_name() == "T_ME_R_synapses_diff.svg");
    // One scale: the legends' labels are the same text (from the pooled 3..10), and differ from A's own scale.
    const std::regex legend_labels(R"(class="em-tick"[^>]*>([^<]*)<)");
    auto labels = [&](const std::string& svg) {
        std::string s;
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), legend_labels); it != std::sregex_iterator(); ++it) s += (*it)[1].str() + "|";
        return s;
    };
    CHECK(!labels(out[0].bytes).empty());
    CHECK(labels(out[0].bytes) == labels(out[1].bytes));
    CHECK(labels(out[0].bytes) != labels(r.render(a, "T", std::span(&req, 1)).at(0).bytes));
    // Titles say which dataset; the difference's legend is symmetric about 0.
    CHECK_THAT(out[0].bytes, Catch::Contains("\u00b7 male"));
    CHECK_THAT(out[1].bytes, Catch::Contains("\u00b7 female"));
    CHECK_THAT(out[2].bytes, Catch::Contains("male \u2212 female synapses"));
    CHECK_THAT(labels(out[2].bytes), Catch::StartsWith("-6|") && Catch::EndsWith("|6|"));
    // Ids differ between A and B (one page shows both).
    const auto ids_a = eyemap::test::svg_ids(out[0].bytes), ids_b = eyemap::test::svg_ids(out[1].bytes);
    CHECK(ids_a.front() != ids_b.front());
    // Tooltips of the difference carry the signed values.
    CHECK_THAT(out[2].bytes, Catch::Contains("<title>Column: 2, 2\nmale \u2212 female synapses: -3"));
}

TEST_CASE("render_compare: two types of one dataset, and errors naming the baseline") {
    const char* kTwo = "neuron_type,region,side,hex1,hex2,synapses,cells,score\n"
                       "T,ME,R,1,1,10,2,1\nU,ME,R,1,1,4,1,1\nU,ME,R,3,3,2,1,1\n";
    const Dataset d = data_of(kTwo, "two.csv");
    const Renderer r;
    CompareOptions o;
    o.type_b = "U";
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto out = r.render_compare(d, d, "T", o, std::span(&req, 1));
    REQUIRE(out.size() == 3);
    CHECK_THAT(out[2].bytes, Catch::Contains("<title>Column: 3, 3\nA \u2212 B synapses: -2"));
    o.type_b = "V";
    try {
        r.render_compare(d, d, "T", o, std::span(&req, 1));
        FAIL("no error for a missing baseline type");
    } catch (const Error& e) {
        CHECK_THAT(e.reason(), Catch::Contains("baseline"));
        CHECK(e.where().value == "V");
    }
    o.type_b.clear();
    o.label_b = "A";
    CHECK_THROWS_WITH(r.render_compare(d, d, "T", o, std::span(&req, 1)), Catch::Contains("different labels"));
}

TEST_CASE("joint layout: the two layouts' columns together, one index when they agree") {
    const Dataset a = data_of(kA, "a.csv");
    const Dataset same = data_of(kB, "b.csv");
    CHECK(joint_index(a.index, same.index) == a.index);
    const Dataset own = make_dataset(parse_column_table(kB, "b.csv", builtin_regions(), kScore));  // layout from its rows only
    const auto j = joint_index(own.index, a.index);
    CHECK(column_count(*j) == 5);
    CHECK(column_count(*own.index) == 3);
}

TEST_CASE("figure with the datasets axis: A, B and the difference, two legends") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    const Renderer r;
    FigureRequest fr;
    fr.panels.rows = FigureAxis::types;
    fr.panels.columns = FigureAxis::datasets;
    fr.panels.regions = {"ME"};
    fr.panels.sides = {Side::R};
    fr.panels.metrics = {Metric::synapses};
    fr.options.width_mm = 120;
    fr.options.svg_id = "cmp";
    fr.compare.label_a = "v1";
    fr.compare.label_b = "v2";
    const auto out = r.render_figure(a, b, fr);
    REQUIRE(out.size() == 1);
    CHECK(out[0].columns == 3);
    const std::string& svg = out[0].bytes;
    CHECK(eyemap::test::xml_error(svg).empty());
    CHECK_THAT(svg, Catch::Contains(">v1<") && Catch::Contains(">v2<") && Catch::Contains("v1 \u2212 v2"));
    CHECK_THAT(svg, Catch::Contains("id=\"cmp-l0\"") && Catch::Contains("id=\"cmp-l1\""));
    // Without a baseline the axis is refused; a legend per column would unlock A and B.
    CHECK_THROWS_WITH(r.render_figure(a, fr), Catch::Contains("needs a comparison"));
    fr.options.legend = FigureLegend::column;
    CHECK_THROWS_WITH(r.render_figure(a, b, fr), Catch::Contains("scales of their own"));
}

TEST_CASE("CLI: render and figure compare, errors write nothing") {
    const fs::path dir = eyemap::test::fresh_dir("compare_cli");
    eyemap::test::write_file(dir / "a.csv", kA);
    eyemap::test::write_file(dir / "b.csv", kB);
    eyemap::test::write_file(dir / "layout.csv", kLayout);
    std::string err;
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --columns {} --type T --metric synapses --out-dir {}", q(dir / "a.csv"),
                              q(dir / "b.csv"), q(dir / "layout.csv"), q(dir / "out")),
                  &err) == 0);
    CHECK(fs::exists(dir / "out" / "T_ME_R_synapse_density_a.svg"));
    CHECK(fs::exists(dir / "out" / "T_ME_R_synapse_density_b.svg"));
    CHECK(fs::exists(dir / "out" / "T_ME_R_synapses_diff.svg"));
    // -o takes one file; a comparison makes three.
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --type T -o {}", q(dir / "a.csv"), q(dir / "b.csv"), q(dir / "x.svg")), &err) == 1);
    CHECK_THAT(err, Catch::Contains("--out-dir"));
    // log2 of a negative score: an input error naming the column, nothing written.
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --type T --metric score --compare log2 --out-dir {}", q(dir / "a.csv"),
                              q(dir / "b.csv"), q(dir / "bad")),
                  &err) == 2);
    CHECK_THAT(err, Catch::Contains("needs values > 0"));
    CHECK(!fs::exists(dir / "bad"));
    // The same labels for A and B: a usage error.
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --type T --label-a x --label-b x --out-dir {}", q(dir / "a.csv"),
                              q(dir / "b.csv"), q(dir / "bad")),
                  &err) == 1);
    CHECK_THAT(err, Catch::Contains("--label-b"));
    // A figure: datasets on the columns.
    CHECK(run_cli(fmt::format("figure --data {} --baseline {} --type T --rows regions --cols datasets --side R --metric synapses -o {}",
                              q(dir / "a.csv"), q(dir / "b.csv"), q(dir / "fig.svg")),
                  &err) == 0);
    CHECK(fs::exists(dir / "fig.svg"));
    CHECK(run_cli(fmt::format("figure --data {} --type T --rows regions --cols datasets -o {}", q(dir / "a.csv"), q(dir / "nofig.svg")), &err) == 1);
    CHECK_THAT(err, Catch::Contains("--baseline"));
    CHECK(!fs::exists(dir / "nofig.svg"));
}

TEST_CASE("the difference marks columns with data in only one of the two, in its legend too") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    const Renderer r;
    CompareOptions o;
    o.label_a = "male";
    o.label_b = "female";
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto d = difference_rows(a.type("T").rows, a.columns, b.type("T").rows, b.columns, *a.index, std::vector<Metric>{Metric::synapses}, o);
    const auto only = only_in(d, 0, *a.index, "ME", Side::R);
    REQUIRE(only.first.size() == 1);   // (2,1)
    REQUIRE(only.second.size() == 1);  // (2,2)
    CHECK(a.index->universe[only.first[0]].hex1 == 2);
    CHECK(a.index->universe[only.first[0]].hex2 == 1);
    CHECK(a.index->universe[only.second[0]].hex2 == 2);
    const auto out = r.render_compare(a, b, "T", o, std::span(&req, 1));
    const std::string& diff = out[2].bytes;
    CHECK_THAT(diff, Catch::Contains("class=\"em-marks\"") && Catch::Contains("only in male") && Catch::Contains("only in female"));
    CHECK_THAT(out[0].bytes, !Catch::Contains("class=\"em-marks\""));  // A and B show their data as it is
    // Every format draws them: the PNG's pixels differ from a run without the only-in columns.
    const Dataset same_b = data_of("neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,1,1,7,1,1\nT,ME,R,1,2,4,1,1\nT,ME,R,2,1,1,1,1\n", "s.csv");
    const OutputFormat png[] = {OutputFormat::png};
    CHECK(r.render_compare(a, b, "T", o, std::span(&req, 1), png)[2].bytes != r.render_compare(a, same_b, "T", o, std::span(&req, 1), png)[2].bytes);
}

TEST_CASE("compare errors: overflow is an input error, a value at fault names its own file and line") {
    const char* kHuge = "neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,1,1,1,1,1e308\n";
    const char* kHugeNeg = "neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,1,1,1,1,-1e308\n";
    const Dataset a = data_of(kHuge, "a.csv"), b = data_of(kHugeNeg, "b.csv");
    const Renderer r;
    CompareOptions o;
    const EyemapRequest req{"ME", Side::R, Metric("score")};
    try {
        r.render_compare(a, b, "T", o, std::span(&req, 1));
        FAIL("no error for an overflowing difference");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK_THAT(e.reason(), Catch::Contains("beyond the largest number"));
        CHECK(e.where().file == "a.csv");
    }
    // log2 of huge over tiny stays finite (log2 A - log2 B).
    const char* kTiny = "neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,1,1,1,1,1e-300\n";
    o.mode = CompareMode::log2_ratio;
    CHECK(r.render_compare(a, data_of(kTiny, "t.csv"), "T", o, std::span(&req, 1)).size() == 3);
    // A non-positive value of B: B's file and line, the value column.
    const char* kNeg = "neuron_type,region,side,hex1,hex2,synapses,cells,score\nT,ME,R,2,2,1,1,1\nT,ME,R,1,1,1,1,-3\n";
    try {
        r.render_compare(a, data_of(kNeg, "neg.csv"), "T", o, std::span(&req, 1));
        FAIL("no error for log2 of a negative baseline value");
    } catch (const Error& e) {
        CHECK(e.where().file == "neg.csv");
        CHECK(e.where().line == 3);
        CHECK(e.where().field == "score");
        CHECK(e.where().value == "-3");
    }
    // A type compared with itself is refused; labels with outer spaces too.
    o.mode = CompareMode::difference;
    CHECK_THROWS_WITH(r.render_compare(a, a, "T", o, std::span(&req, 1)), Catch::Contains("compared with itself"));
    o.label_a = " x";
    CHECK_THROWS_WITH(validate(o), Catch::Contains("leading or trailing"));
    CHECK_FALSE(parse_compare_mode("a-b"));
}

TEST_CASE("CLI compare flags: refused without a baseline, labels default to the files' or the types' names") {
    const fs::path dir = eyemap::test::fresh_dir("compare_flags");
    eyemap::test::write_file(dir / "male.csv", kA);
    eyemap::test::write_file(dir / "female.csv", kB);
    std::string err;
    CHECK(run_cli(fmt::format("render --data {} --type T --compare log2 --out-dir {}", q(dir / "male.csv"), q(dir / "o1")), &err) == 1);
    CHECK_THAT(err, Catch::Contains("--compare") && Catch::Contains("--baseline"));
    CHECK(run_cli(fmt::format("render --data {} --type T --label-a x --out-dir {}", q(dir / "male.csv"), q(dir / "o1")), &err) == 1);
    CHECK(!fs::exists(dir / "o1"));
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --type T --metric synapses --out-dir {}", q(dir / "male.csv"),
                              q(dir / "female.csv"), q(dir / "o2")),
                  &err) == 0);
    CHECK_THAT(eyemap::test::read_file(dir / "o2" / "T_ME_R_synapses_diff.svg"), Catch::Contains("male \u2212 female synapses"));
    // --label-a alone that takes B's default name: B gets another.
    CHECK(run_cli(fmt::format("render --data {} --baseline {} --type T --metric synapses --label-a female --out-dir {}",
                              q(dir / "male.csv"), q(dir / "female.csv"), q(dir / "o3")),
                  &err) == 0);
    // Two types of one file: the types' names.
    eyemap::test::write_file(dir / "two.csv", std::string(kA) + "U,ME,R,1,1,3,1,1\n");
    CHECK(run_cli(fmt::format("render --data {} --baseline-type U --type T --metric synapses --out-dir {}", q(dir / "two.csv"), q(dir / "o4")),
                  &err) == 0);
    CHECK_THAT(eyemap::test::read_file(dir / "o4" / "T_ME_R_synapses_diff.svg"), Catch::Contains("T \u2212 U synapses"));
    // A figure comparing a type with itself: refused, nothing written.
    CHECK(run_cli(fmt::format("figure --data {} --baseline-type T --type T --rows regions --cols datasets --side R -o {}", q(dir / "two.csv"),
                              q(dir / "self.svg")),
                  &err) == 1);
    CHECK_THAT(err, Catch::Contains("compared with itself"));
    CHECK(!fs::exists(dir / "self.svg"));
}

TEST_CASE("batch compare: clashing file names refused, own eyemaps unchanged by the baseline, no baseline type") {
    const fs::path dir = eyemap::test::fresh_dir("compare_batch_cli");
    const std::string with_col = "neuron_type,region,side,hex1,hex2,synapses,cells,synapses_diff\nT,ME,R,1,1,3,1,0.5\nT,ME,R,1,2,4,1,1\n";
    eyemap::test::write_file(dir / "a.csv", with_col);
    eyemap::test::write_file(dir / "b.csv", "neuron_type,region,side,hex1,hex2,synapses,cells,synapses_diff\nT,ME,R,1,1,5,1,1\nT,ME,R,3,3,2,1,1\n");
    std::string err;
    CHECK(run_cli(fmt::format("batch --data {} --baseline {} --metric synapses,synapses_diff --out-dir {} --run r --quiet --no-sync",
                              q(dir / "a.csv"), q(dir / "b.csv"), q(dir / "out")),
                  &err) == 2);
    CHECK_THAT(err, Catch::Contains("would write the same file") && Catch::Contains("synapses_diff"));
    CHECK(!fs::exists(dir / "out" / "r"));
    CHECK(run_cli(fmt::format("batch --data {} --baseline {} --baseline-type T --out-dir {} --quiet", q(dir / "a.csv"), q(dir / "b.csv"),
                              q(dir / "out2")),
                  &err) == 1);
    // Without --columns the comparison is drawn on both layouts, the type's own eyemaps on the data's.
    CHECK(run_cli(fmt::format("batch --data {} --metric synapses --out-dir {} --run plain --quiet --no-sync", q(dir / "a.csv"), q(dir / "o")), &err) == 0);
    CHECK(run_cli(fmt::format("batch --data {} --baseline {} --metric synapses --out-dir {} --run cmp --quiet --no-sync", q(dir / "a.csv"),
                              q(dir / "b.csv"), q(dir / "o")),
                  &err) == 0);
    const auto own = "svg/T_ME_R_synapse_density.svg";
    CHECK(eyemap::test::read_file(dir / "o" / "plain" / own) == eyemap::test::read_file(dir / "o" / "cmp" / own));
    // The difference shows B's column (3,3), which the data's layout lacks.
    CHECK_THAT(eyemap::test::read_file(dir / "o" / "cmp" / "svg/T_ME_R_synapses_diff.svg"), Catch::Contains("<title>Column: 3, 3\n"));
}

TEST_CASE("a long comparison title is shortened to the canvas, a user's set named like an only-in set stays apart") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    CompareOptions o;
    o.label_a = "optic-lobe v1.1 male";
    o.label_b = "optic-lobe v1.0 male";
    RenderOptions ro;
    ro.marks = parse_marks("region,side,hex1,hex2,set\nME,R,1,1,only in optic-lobe v1.1 male\n", "m.csv");
    const Renderer r(ro);
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const std::string diff = r.render_compare(a, b, "T", o, std::span(&req, 1))[2].bytes;
    CHECK_THAT(diff, Catch::Contains("male \u2212 optic-lobe v1.0 male synapses"));  // the title line keeps it whole
    CHECK_THAT(diff, Catch::Contains("\u2026</text>"));                                  // the rotated legend title is shortened
    CHECK_THAT(diff, Catch::Contains("data-set=\"only in optic-lobe v1.1 male\"") &&
                         Catch::Contains("data-set=\"only in optic-lobe v1.1 male (comparison)\""));
}

TEST_CASE("A's and B's SVGs say which dataset they show to screen readers too") {
    const Dataset a = data_of(kA, "a.csv"), b = data_of(kB, "b.csv");
    CompareOptions o;
    o.label_a = "male";
    o.label_b = "female";
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const auto out = Renderer().render_compare(a, b, "T", o, std::span(&req, 1));
    CHECK_THAT(out[0].bytes, Catch::Contains("-title\">Synapse count of T in ME (R) \u00b7 male</title>"));
    CHECK_THAT(out[1].bytes, Catch::Contains("-title\">Synapse count of T in ME (R) \u00b7 female</title>"));
    CHECK_THAT(Renderer().render(a, "T", std::span(&req, 1))[0].bytes, Catch::Contains("-title\">Synapse count of T in ME (R)</title>"));
}

// neuPrint's frames in (ingest/neuprint.cpp): fetch_neurons' frames and neuView's per-layer rows, built in their shapes, against hand-computed values; the CLI's import.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "eyemap/eyemap.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

TextColumn text(const std::vector<std::string>& v) {
    TextColumn c;
    for (const auto& s : v) {
        c.codes.push_back(static_cast<std::uint32_t>(c.values.size()));
        c.values.push_back(s);
    }
    return c;
}

// fetch_neurons' neurons frame (the columns eyemap reads; the others are the binding's to drop).
NeuronsFrame neurons() {
    NeuronsFrame n;
    n.body_id = std::vector<std::int64_t>{101, 102, 103, 104, 105};
    n.type = text({"Mi1", "Mi1", "Mi1", "Tm3", ""});  // 105 is untyped
    n.soma_side = text({"R", "R", "L", "R", "R"});
    return n;
}

// fetch_neurons' ROI counts: one row per body and ROI, column ROIs among others.
RoiCountsFrame roi_counts() {
    RoiCountsFrame r;
    r.body_id = std::vector<std::int64_t>{101, 102, 101, 103, 101, 104, 999, 105, 102, 103, 101};
    r.roi = text({"ME_R_col_12_07", "ME_R_col_12_07", "ME_R_col_0a_0b", "ME_L_col_5_5", "ME(R)", "LO_R_col_3_4", "ME_R_col_1_1",
                  "ME_R_col_1_1", "LOP_R_col_1_zz", "ME_R_col_12_07", "ME_R_layer_03"});
    r.pre = std::vector<std::int64_t>{3, 2, 1, 4, 100, 0, 1, 1, 9, 1, 5};
    r.post = std::vector<std::int64_t>{10, 5, 0, 4, 200, 7, 1, 1, 9, 1, 5};
    return r;
}

struct Want {
    std::string type, region;
    Side side;
    std::int32_t h1, h2;
    std::int64_t synapses, cells;
};

void check_rows(const ColumnTable& t, const std::vector<Want>& want) {
    REQUIRE(t.rows.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("row " << i);
        const auto& r = t.rows[i];
        CHECK(r.neuron_type == want[i].type);
        CHECK(r.region == want[i].region);
        CHECK(r.side == want[i].side);
        CHECK(r.hex1 == want[i].h1);
        CHECK(r.hex2 == want[i].h2);
        CHECK(r.synapses == want[i].synapses);
        CHECK(r.cells == want[i].cells);
    }
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("neuprint: column ROI names parse as neuView's (decimal, else hexadecimal)") {
    const auto p = [](std::string_view s) { return parse_column_roi(s); };
    REQUIRE(p("ME_R_col_12_07"));
    CHECK((p("ME_R_col_12_07")->region == "ME" && p("ME_R_col_12_07")->side == Side::R && p("ME_R_col_12_07")->hex1 == 12 &&
           p("ME_R_col_12_07")->hex2 == 7));
    CHECK((p("LO_R_col_1f_a")->region == "LO" && p("LO_R_col_1f_a")->hex1 == 31 && p("LO_R_col_1f_a")->hex2 == 10));
    CHECK((p("LOP_L_col_0x1F_2")->region == "LOP" && p("LOP_L_col_0x1F_2")->side == Side::L && p("LOP_L_col_0x1F_2")->hex1 == 31));
    CHECK(p("ME_R_col_10_10")->hex1 == 10);  // decimal first: "10" is ten, not sixteen
    for (const char* bad : {"ME_R_col_1_2_3", "ME_X_col_1_2", "AME_R_col_1_2", "ME_R_col__2", "ME_R_col_1g_2", "ME_R_col_0x_1",
                            "ME(R)", "ME_R_layer_03", "ME_R_col_1", "me_R_col_1_2", "ME_R_col_1_2 "})
        CHECK_FALSE(p(bad));
}

TEST_CASE("neuprint: column ROI names: random names parse as neuView's pattern and int(x), else int(x, 16), read them") {
    // The reference: neuView's regular expression, then Python's int() rules for [A-Za-z0-9]+.
    const std::regex pattern("^(ME|LO|LOP)_([RL])_col_([A-Za-z0-9]+)_([A-Za-z0-9]+)$");
    const auto py_int = [](const std::string& t) -> std::optional<std::int64_t> {
        if (std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::stoll(t);
        std::string h = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') ? t.substr(2) : t;
        if (h.empty() || !std::all_of(h.begin(), h.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) return std::nullopt;
        return std::stoll(h, nullptr, 16);
    };
    const std::vector<std::string> parts{"ME", "LO", "LOP", "AME", "_", "R", "L", "X", "col", "1", "07", "0a", "0x", "0X1f", "zz", "g", "12", "(R)", "layer"};
    std::mt19937 rng(7);
    std::size_t matched = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        if (n % 2) {  // near a column ROI name
            s = parts[rng() % 3] + "_" + (rng() % 2 ? "R" : "L") + "_col_";
            for (int k = 0; k < 3; ++k) s += parts[8 + rng() % 11] + (k == 0 ? "_" : "");
        } else {
            for (int k = 0, len = 1 + static_cast<int>(rng() % 8); k < len; ++k) s += parts[rng() % parts.size()];
        }
        INFO(s);
        std::smatch m;
        std::optional<ColumnRoi> want;
        if (std::regex_match(s, m, pattern)) {
            const auto a = py_int(m[3]), b = py_int(m[4]);
            if (a && b) want = ColumnRoi{{}, m[2] == "L" ? Side::L : Side::R, *a, *b};
        }
        const auto got = parse_column_roi(s);
        REQUIRE(got.has_value() == want.has_value());
        if (got) {
            ++matched;
            CHECK(got->region == std::string(m[1]));
            CHECK(got->side == want->side);
            CHECK(got->hex1 == want->hex1);
            CHECK(got->hex2 == want->hex2);
        }
    }
    CHECK(matched > 500);  // the generator reaches real column names, not only rejections
}

TEST_CASE("neuprint: fetch_neurons' ROI counts give cells (distinct bodies) and synapses per type, region, side and column") {
    SECTION("combined, total = pre + post") {
        const auto t = table_from_neuprint(neurons(), roi_counts());
        check_rows(t.table, {{"Mi1", "ME", Side::L, 5, 5, 8, 1},
                             {"Mi1", "ME", Side::R, 10, 11, 1, 1},
                             {"Mi1", "ME", Side::R, 12, 7, 22, 3},
                             {"Tm3", "LO", Side::R, 3, 4, 7, 1}});
        CHECK(t.table.columns.synapses);
        CHECK(t.table.columns.cells);
        CHECK_FALSE(t.table.columns.layer_synapses);
        CHECK(t.report.rows == 11);
        CHECK(t.report.not_selected == 2);    // 999 (not in the neurons frame), 105 (untyped)
        CHECK(t.report.not_column_roi == 3);  // ME(R), LOP_R_col_1_zz, ME_R_layer_03
        CHECK(t.report.examples == std::vector<std::string>{"ME(R)", "LOP_R_col_1_zz", "ME_R_layer_03"});
        CHECK_FALSE(t.layout);
    }
    SECTION("soma side R: the right-side neurons only") {
        NeuprintOptions o;
        o.soma_side = SomaSide::R;
        const auto t = table_from_neuprint(neurons(), roi_counts(), o);
        check_rows(t.table, {{"Mi1", "ME", Side::R, 10, 11, 1, 1}, {"Mi1", "ME", Side::R, 12, 7, 20, 2}, {"Tm3", "LO", Side::R, 3, 4, 7, 1}});
        CHECK(t.report.not_selected == 4);
    }
    SECTION("rootSide, where not empty, before somaSide (neuView's dataset adapters)") {
        NeuprintOptions o;
        o.soma_side = SomaSide::R;
        auto n = neurons();
        n.root_side = text({"", "L", "R", "", ""});  // 102 now left, 103 right
        check_rows(table_from_neuprint(n, roi_counts(), o).table,
                   {{"Mi1", "ME", Side::L, 5, 5, 8, 1}, {"Mi1", "ME", Side::R, 10, 11, 1, 1}, {"Mi1", "ME", Side::R, 12, 7, 15, 2},
                    {"Tm3", "LO", Side::R, 3, 4, 7, 1}});
        n.soma_side.reset();  // rootSide alone will do
        CHECK(table_from_neuprint(n, roi_counts(), o).table.rows.size() == 2);  // 103 only: 101 and 104 have no side now
    }
    SECTION("soma side L, pre only; post only") {
        NeuprintOptions o;
        o.soma_side = SomaSide::L;
        o.synapses = SynapseCount::pre;
        check_rows(table_from_neuprint(neurons(), roi_counts(), o).table,
                   {{"Mi1", "ME", Side::L, 5, 5, 4, 1}, {"Mi1", "ME", Side::R, 12, 7, 1, 1}});
        o.soma_side = SomaSide::combined;
        o.synapses = SynapseCount::post;
        const auto t = table_from_neuprint(neurons(), roi_counts(), o);
        CHECK(t.table.rows[2].synapses == 16);
    }
    SECTION("every column ROI of the dataset is the layout") {
        NeuprintOptions o;
        o.all_rois = {"ME_R_col_12_07", "ME_R_col_12_7", "ME_R_col_1_1", "ME(R)", "LO_R_col_3_4", "ME_L_col_5_5", "ME_R_col_a_b"};
        const auto t = table_from_neuprint(neurons(), roi_counts(), o);
        REQUIRE(t.layout);
        CHECK(t.layout->entries.size() == 5);  // 12_07 and 12_7 are one column; ME(R) is not a column
        const auto ds = make_dataset(t.table, t.layout);
        CHECK(ds.types.size() == 2);
    }
}

TEST_CASE("neuprint: neuView's per-layer rows give per-layer, synapse and cell values as its column analysis sums them") {
    ColumnLayerFrame f;
    f.hex1 = std::vector<std::int64_t>{12, 12, 12, 12, 3, 5, 12, 1};
    f.hex2 = std::vector<std::int64_t>{7, 7, 7, 7, 4, 5, 7, 1};
    f.layer = std::vector<double>{1, 1, 3, NAN, 6, 2, 10, 2};  // NaN: a synapse outside the layers (dropped)
    f.region = text({"ME", "ME", "ME", "ME", "LO", "ME", "ME", ""});  // "": no region (dropped)
    f.side = text({"R", "R", "R", "R", "R", "L", "R", ""});
    f.total_synapses = std::vector<std::int64_t>{4, 2, 5, 9, 7, 3, 1, 5};
    f.body_id = std::vector<std::int64_t>{101, 102, 101, 101, 104, 103, 103, 101};
    const auto t = table_from_neuview_layers(f, "Mi1");
    check_rows(t.table, {{"Mi1", "ME", Side::L, 5, 5, 3, 1}, {"Mi1", "ME", Side::R, 12, 7, 12, 3}, {"Mi1", "LO", Side::R, 3, 4, 7, 1}});
    CHECK(t.table.rows[1].layer_synapses == std::vector<std::int64_t>{6, 0, 5, 0, 0, 0, 0, 0, 0, 1});
    CHECK(t.table.rows[1].layer_cells == std::vector<std::int64_t>{2, 0, 1, 0, 0, 0, 0, 0, 0, 1});
    CHECK(t.table.rows[2].layer_synapses == std::vector<std::int64_t>{0, 0, 0, 0, 0, 7, 0});
    CHECK(t.table.rows[0].layer_cells == std::vector<std::int64_t>{0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(t.report.rows == 8);
    CHECK(t.report.no_layer == 2);
    CHECK(t.table.columns.layer_synapses);
    CHECK(t.table.columns.layer_cells);

    SECTION("a layer its region does not have is an input error naming row, column and value") {
        f.layer = std::vector<double>{11, 1, 3, NAN, 6, 2, 10, 2};
        const auto m = error_of([&] { table_from_neuview_layers(f, "Mi1"); });
        CHECK_THAT(m, Catch::Contains("layers:1: field 'layer': value '11'"));
        CHECK_THAT(m, Catch::Contains("ME has layers 1 to 10"));
    }
}

TEST_CASE("neuprint: frames without the needed columns and bad values are input errors naming them") {
    auto n = neurons();
    n.type.reset();
    CHECK_THAT(error_of([&] { table_from_neuprint(n, roi_counts()); }), Catch::Contains("missing: type"));
    auto r = roi_counts();
    r.pre.reset();
    r.post.reset();
    CHECK_THAT(error_of([&] { table_from_neuprint(neurons(), r); }), Catch::Contains("missing: pre, post"));
    NeuprintOptions o;
    o.soma_side = SomaSide::L;
    n = neurons();
    n.soma_side.reset();
    CHECK_THAT(error_of([&] { table_from_neuprint(n, roi_counts(), o); }), Catch::Contains("missing: somaSide"));
    r = roi_counts();
    r.roi = text({"ME_R_col_5000_1", "ME_R_col_12_07", "ME_R_col_0a_0b", "ME_L_col_5_5", "ME(R)", "LO_R_col_3_4", "ME_R_col_1_1",
                  "ME_R_col_1_1", "LOP_R_col_1_zz", "ME_R_col_12_07", "ME_R_layer_03"});
    CHECK_THAT(error_of([&] { table_from_neuprint(neurons(), r); }), Catch::Contains("roi_counts:1: field 'roi': value 'ME_R_col_5000_1'"));
    r = roi_counts();
    r.post = std::vector<std::int64_t>{10, -5, 0, 4, 200, 7, 1, 1, 9, 1, 5};
    CHECK_THAT(error_of([&] { table_from_neuprint(neurons(), r); }), Catch::Contains("roi_counts:2: field 'post': value '-5'"));
    ColumnLayerFrame f;
    f.hex1 = f.hex2 = f.layer = f.body_id = std::vector<std::int64_t>{1};
    f.region = f.side = text({"ME"});
    CHECK_THAT(error_of([&] { table_from_neuview_layers(f, "Mi1"); }), Catch::Contains("missing: total_synapses"));
}

TEST_CASE("eyemap import: the frames saved as CSV become data.csv and columns.csv that render reads") {
    const auto dir = test::fresh_dir("neuprint-import");
    // DataFrame.to_csv: the index as an unnamed first column; fetch_neurons' other columns as they come.
    test::write_file(dir / "neurons.csv",
                     ",bodyId,instance,type,pre,post,somaSide\n0,101,Mi1_R,Mi1,10,20,R\n1,102,Mi1_R,Mi1,1,2,R\n2,103,Mi1_L,Mi1,1,2,L\n"
                     "3,104,Tm3_R,Tm3,1,2,R\n4,105,,,1,2,R\n");
    test::write_file(dir / "roi_counts.csv",
                     ",bodyId,roi,pre,post,downstream,upstream\n0,101,ME_R_col_12_07,3,10,9,10\n1,102,ME_R_col_12_07,2,5,2,5\n"
                     "2,101,ME_R_col_0a_0b,1,0,1,0\n3,103,ME_L_col_5_5,4,4,4,4\n4,101,ME(R),100,200,1,1\n5,104,LO_R_col_3_4,0,7,0,7\n"
                     "6,999,ME_R_col_1_1,1,1,1,1\n7,105,ME_R_col_1_1,1,1,1,1\n8,102,LOP_R_col_1_zz,9,9,9,9\n"
                     "9,103,ME_R_col_12_07,1,1,1,1\n10,101,ME_R_layer_03,5,5,5,5\n");
    const std::string q = "'" + dir.string() + "/";
    std::string err;
    REQUIRE(test::run_cli("import --neurons " + q + "neurons.csv' --roi-counts " + q + "roi_counts.csv' --out-dir " + q + "out'", &err) == 0);
    CHECK(test::read_file(dir / "out/data.csv") ==
          "neuron_type,region,side,hex1,hex2,synapses,cells\nMi1,ME,L,5,5,8,1\nMi1,ME,R,10,11,1,1\nMi1,ME,R,12,7,22,3\nTm3,LO,R,3,4,7,1\n");
    CHECK_THAT(err, Catch::Contains("ignored 3 rows whose ROI is not a column ROI (e.g. ME(R), LOP_R_col_1_zz, ME_R_layer_03)"));
    CHECK_THAT(err, Catch::Contains("ignored 2 rows of neurons not selected"));
    REQUIRE(test::run_cli("render --data " + q + "out/data.csv' --columns " + q + "out/columns.csv' --type Mi1 --out-dir " + q + "svg'") == 0);
    CHECK(std::filesystem::exists(dir / "svg/Mi1_ME_R_synapse_density.svg"));

    // neuView's per-layer rows (a NaN layer is written empty by to_csv).
    test::write_file(dir / "layers.csv",
                     "hex1,hex2,layer,region,side,total_synapses,bodyId,neuron_count\n12,7,1.0,ME,R,4,101,1\n12,7,1.0,ME,R,2,102,1\n"
                     "12,7,3.0,ME,R,5,101,1\n12,7,,ME,R,9,101,1\n3,4,6.0,LO,R,7,104,1\n");
    test::write_file(dir / "rois.txt", "roi\nME_R_col_12_07\nME_R_col_1_1\nLO_R_col_3_4\nLO_R_col_3_5\nME(R)\n");
    REQUIRE(test::run_cli("import --layers " + q + "layers.csv' --type Mi1 --all-rois " + q + "rois.txt' --out-dir " + q + "lay'", &err) == 0);
    CHECK(test::read_file(dir / "lay/data.csv") ==
          "neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses,layer_cells\n"
          "Mi1,ME,R,12,7,11,2,6;0;5;0;0;0;0;0;0;0,2;0;1;0;0;0;0;0;0;0\nMi1,LO,R,3,4,7,1,0;0;0;0;0;7;0,0;0;0;0;0;1;0\n");
    CHECK(test::count(test::read_file(dir / "lay/columns.csv"), "\n") == 5);  // header + 4 column ROIs
    CHECK_THAT(err, Catch::Contains("ignored 1 rows without layer"));

    // Usage and input errors.
    CHECK(test::run_cli("import --layers " + q + "layers.csv' --out-dir " + q + "x'", &err) == 1);
    CHECK_THAT(err, Catch::Contains("--type"));
    test::write_file(dir / "bad.csv", "bodyId,roi\n1,ME_R_col_1_1\n");
    CHECK(test::run_cli("import --neurons " + q + "neurons.csv' --roi-counts " + q + "bad.csv' --out-dir " + q + "x'", &err) == 2);
    CHECK_THAT(err, Catch::Contains("missing: pre, post"));
}

// The domain vocabulary: metric identifiers, aliases and words, the format table, and how the CLI takes them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "eyemap/eyemap.hpp"
#include "output/naming.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eyemap;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("vocabulary: one identifier per metric, the old ones accepted as aliases, file names unchanged", "[vocabulary]") {
    CHECK(to_string(Metric::synapses) == "synapses");
    CHECK(to_string(Metric::cells) == "cells");
    for (const auto& w : kMetricWords) {
        CHECK(w.id == w.column);  // the identifier is the data's column name
        const auto id = parse_metric_name(w.id);
        REQUIRE(id);
        CHECK(id->metric == Metric(w.id));
        CHECK_FALSE(id->alias);
        const auto alias = parse_metric_name(w.alias);
        REQUIRE(alias);
        CHECK(alias->metric == Metric(w.id));
        CHECK(alias->alias);
        CHECK(metric_alias_note(w.alias, Metric(w.id)).find(std::string(w.id)) != std::string::npos);
    }
    CHECK_FALSE(parse_metric("Synapses"));
    CHECK_FALSE(parse_metric("both"));
    CHECK(metric_list() == "synapses, cells");
    // The pictures' words, beside the identifier (../shared/docs/eyemap-spec.md).
    CHECK(metric_legend_title(Metric::synapses) == "Total Synapses");
    CHECK(metric_legend_title(Metric::cells) == "Cell Count");
    CHECK(metric_label(Metric::cells) == "Cell count");
    // File names keep the old words, so existing runs resume and verify.
    CHECK(eyemap_path(OutputFormat::svg, "Mi1", EyemapRequest{"ME", Side::L, Metric::cells}) == "svg/Mi1_ME_L_cell_count.svg");
    CHECK(eyemap_path(OutputFormat::pdf, "Mi1", EyemapRequest{"LO", Side::R, Metric::synapses}) ==
          "pdf/Mi1_LO_R_synapse_density.pdf");
    CHECK(eyemap_file_stem("Mi1", "ME", Side::R, Metric::synapses) == "Mi1_ME_R_synapse_density");
    CHECK(page_path("Mi1") == "pages/Mi1.html");
}

TEST_CASE("vocabulary: the format table is what parsing, paths and sub-folders read", "[vocabulary]") {
    for (const auto& f : kEyemapFormats) {
        CHECK(parse_format(f.name) == f.format);
        CHECK(to_string(f.format) == f.name);
        CHECK(format_for_path(fs::path("x." + std::string(f.extension))) == f.format);
        const auto subs = detail::run_subfolders();
        CHECK(std::find(subs.begin(), subs.end(), f.folder) != subs.end());
    }
    CHECK_FALSE(parse_format("html"));  // a page is not an eyemap format, but one of a run's files
    CHECK(parse_file_format("html") == FileFormat::html);
    CHECK(to_string(FileFormat::html) == "html");
    CHECK_FALSE(eyemap_format(FileFormat::html));
    for (const auto& f : kEyemapFormats) {
        CHECK(eyemap_format(file_format(f.format)) == f.format);
        CHECK(to_string(file_format(f.format)) == f.name);
        CHECK(parse_file_format(f.name) == file_format(f.format));
    }
    CHECK(format_list() == "svg, png, pdf");
    CHECK(parse_formats("pdf, svg,pdf") == std::vector<OutputFormat>{OutputFormat::pdf, OutputFormat::svg});
    CHECK_THROWS_WITH(parse_formats("svg,gif"), Catch::Contains("svg, png, pdf"));
    const auto subs = detail::run_subfolders(std::vector<OutputFormat>{OutputFormat::png}, true);
    CHECK(subs == std::vector<std::string_view>{"png", "pages", "thumbs"});
}

TEST_CASE("vocabulary: the CLI takes --metric synapses|cells, and the old names with a note", "[vocabulary][cli]") {
    const fs::path dir = eyemap::test::fresh_dir("vocabulary-cli");
    ColumnLayout layout = sample_layout(1);
    std::erase_if(layout.entries, [](const LayoutEntry& e) { return e.hex1 > 6 || e.hex2 > 6; });
    {
        std::ofstream out(dir / "columns.csv", std::ios::binary);
        write_layout_csv(out, layout);
    }
    {
        std::ofstream out(dir / "data.csv", std::ios::binary);
        write_sample_data(out, layout, SampleOptions{1, 1, true});
    }
    const Dataset ds = load_dataset(dir / "data.csv", dir / "columns.csv");
    const std::string base = "render --data " + q(dir / "data.csv") + " --columns " + q(dir / "columns.csv") + " --type " +
                             q(ds.types.at(0).neuron_type) + " --region ME --side R ";
    std::string err;
    REQUIRE(eyemap::test::run_cli(base + "--metric cells -o " + q(dir / "new.svg"), &err) == 0);
    CHECK(err.find("note:") == std::string::npos);
    REQUIRE(eyemap::test::run_cli(base + "--metric cell_count -o " + q(dir / "old.svg"), &err) == 0);
    CHECK(err.find("'cell_count' is now called 'cells'") != std::string::npos);
    CHECK(eyemap::test::read_file(dir / "new.svg") == eyemap::test::read_file(dir / "old.svg"));
    REQUIRE(eyemap::test::run_cli(base + "--metric synapses --out-dir " + q(dir / "all"), &err) == 0);
    CHECK(fs::exists(dir / "all" / (ds.types.at(0).neuron_type + "_ME_R_synapse_density.svg")));  // file names unchanged
    CHECK(eyemap::test::run_cli(base + "--metric synapse -o " + q(dir / "x.svg"), &err) == 2);  // a value column the data lacks
    CHECK(err.find("did you mean the column 'synapses'?") != std::string::npos);
    CHECK(eyemap::test::run_cli(base + "--metric hex1 -o " + q(dir / "x.svg"), &err) == 1);  // a key column is no value
    CHECK(err.find("part of every row's key") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "x.svg"));
}

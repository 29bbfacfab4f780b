// Run folders: file names and keys made and checked by one module, manifests old and new, the
// temporary-file scan of `runs verify`, and pages made from the templates the run's renderer read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/runs.hpp"
#include "eyemap/sample.hpp"
#include "batch/settings_hash.hpp"
#include "output/naming.hpp"
#include "output/pages.hpp"
#include "output/run_internal.hpp"
#include "render/svg.hpp"
#include "output/verify.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::write_file;

// A few small types on a cut-down layout (hex1, hex2 <= 6): fast batches.
struct Sample {
    fs::path dir, data, columns;
};
Sample small_sample(const std::string& name, std::size_t types) {
    Sample s;
    s.dir = eyemap::test::fresh_dir("runs-" + name);
    s.data = s.dir / "data.csv";
    s.columns = s.dir / "columns.csv";
    ColumnLayout layout = sample_layout(1);
    std::erase_if(layout.entries, [](const LayoutEntry& e) { return e.hex1 > 6 || e.hex2 > 6; });
    {
        std::ofstream out(s.columns, std::ios::binary);
        write_layout_csv(out, layout);
    }
    std::ofstream out(s.data, std::ios::binary);
    write_sample_data(out, layout, SampleOptions{types, 1, true});
    return s;
}

Manifest one_type_manifest() {
    Manifest m;
    m.tool = "t";
    m.run = "r";
    m.started = m.updated = "2024-01-01T00:00:00Z";
    m.formats = {OutputFormat::svg};
    TypeRecord t;
    t.neuron_type = "Mi1";
    t.file_key = type_file_base(t.neuron_type);
    t.rows = 1;
    t.eyemaps.push_back(EyemapRecord{EyemapRequest{"ME", Side::L, Metric::cells}, 1, 0, 0});
    t.eyemaps.push_back(EyemapRecord{EyemapRequest{"ME", Side::L, Metric::synapses}, 1, 0, 0});
    t.outputs.push_back(OutputRecord{FileFormat::svg, eyemap_path(OutputFormat::svg, t.file_key, t.eyemaps[0].request), 0, 1, 10});
    t.outputs.push_back(OutputRecord{FileFormat::svg, eyemap_path(OutputFormat::svg, t.file_key, t.eyemaps[1].request), 1, 2, 10});
    m.types.push_back(t);
    return m;
}

}  // namespace

TEST_CASE("naming: the file keys a batch gives are the ones a manifest reader accepts", "[runs][naming]") {
    detail::FileKeys keys;
    const std::vector<std::string> names{"Mi1", "mi1", "MI1", "T4/a", "T4?a", "Mi1"};
    std::vector<std::string> given;
    for (const auto& n : names) given.push_back(keys.assign(n));
    CHECK(given[0] == "Mi1");
    std::vector<std::string> folded;
    for (const auto& k : given) folded.push_back(detail::fold_case(k));
    std::sort(folded.begin(), folded.end());
    CHECK(std::adjacent_find(folded.begin(), folded.end()) == folded.end());  // unique ignoring case
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(detail::plausible_file_key(given[i], names[i]));
    CHECK_FALSE(detail::plausible_file_key(given[1], "Tm3"));
    CHECK_FALSE(detail::plausible_file_key("Mi1~00000000", "Mi1"));
}

TEST_CASE("manifests: metrics are written as synapses/cells, and old manifests' synapse_density/cell_count still read", "[runs][manifest]") {
    const Manifest m = one_type_manifest();
    const std::string text = manifest_to_json(m);
    const auto j = nlohmann::json::parse(text);
    CHECK(j["types"][0]["eyemaps"][0]["metric"] == "cells");
    CHECK(j["types"][0]["eyemaps"][1]["metric"] == "synapses");
    CHECK(j["types"][0]["outputs"][0]["path"] == "svg/Mi1_ME_L_cell_count.svg");

    std::string old = text;  // as eyemap wrote it before the rename
    for (auto [from, to] : {std::pair<std::string, std::string>{"\"metric\":\"cells\"", "\"metric\":\"cell_count\""},
                            {"\"metric\":\"synapses\"", "\"metric\":\"synapse_density\""}}) {
        const auto at = old.find(from);
        REQUIRE(at != std::string::npos);
        old.replace(at, from.size(), to);
    }
    const Manifest back = manifest_from_json(old, "old.json");
    REQUIRE(back.types.size() == 1);
    CHECK(back.types[0].eyemaps[0].request.metric == Metric::cells);
    CHECK(back.types[0].eyemaps[1].request.metric == Metric::synapses);
    CHECK(manifest_to_json(back) == text);  // read old, written new
    std::string bad = text;
    // A value column's name is a metric too, but not the one its files are named by: refused all the same.
    bad.replace(bad.find("\"metric\":\"cells\""), 16, "\"metric\":\"cellz\"");
    CHECK_THROWS_WITH(manifest_from_json(bad, "m.json"), Catch::Contains("is not the one eyemap writes for it"));
    bad = text;
    bad.replace(bad.find("\"metric\":\"cells\""), 16, "\"metric\":\"cel ls\"");
    CHECK_THROWS_WITH(manifest_from_json(bad, "m.json"), Catch::Contains("unknown metric"));
}

TEST_CASE("runs verify: leftover temporary files are found in every folder a batch writes, thumbs/ too", "[runs][verify]") {
    const fs::path run = eyemap::test::fresh_dir("runs-temp-scan");
    const std::string tmp = ".x.svg.tmp-host-1-0123456789abcdef";
    for (std::string_view sub : detail::run_subfolders()) {
        fs::create_directories(run / sub);
        write_file(run / sub / tmp, "partial");
        write_file(run / sub / "kept.svg", "whole");
    }
    write_file(run / ".manifest.json.tmp-host-1-0123456789abcdef", "partial");
    const auto found = detail::run_temp_files(run);
    CHECK(std::find(found.begin(), found.end(), "thumbs/" + tmp) != found.end());
    CHECK(found.size() == detail::run_subfolders().size() + 1);
    for (const auto& f : found) CHECK(f.find("kept") == std::string::npos);
}

TEST_CASE("runs: pages and index come from the templates the renderer read, even if the folder changes mid-run",
          "[runs][pages]") {
    const Sample s = small_sample("templates-once", 2);
    const fs::path tdir = s.dir / "templates";
    fs::create_directories(tdir);
    const std::string builtin_page = read_file(fs::path(EYEMAP_SOURCE_DIR) / "templates/page.html.mustache");
    const std::string builtin_index = read_file(fs::path(EYEMAP_SOURCE_DIR) / "templates/index.html.mustache");
    auto marked = [](std::string text, std::string_view mark) {
        const auto at = text.rfind("</body>");
        REQUIRE(at != std::string::npos);
        text.insert(at, "<!--" + std::string(mark) + "-->");
        return text;
    };
    write_file(tdir / "page.html.mustache", marked(builtin_page, "set-A"));
    write_file(tdir / "index.html.mustache", marked(builtin_index, "set-A"));
    RenderOptions ro;
    ro.templates = tdir;
    const Renderer renderer(ro);
    // The folder changes after the renderer read it (an edit while a long run is going).
    write_file(tdir / "page.html.mustache", marked(builtin_page, "set-B"));
    write_file(tdir / "index.html.mustache", marked(builtin_index, "set-B"));

    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());
    DataFileSource src(s.data, builtin_regions());
    BatchOptions o;
    o.jobs = 1;
    DirectoryBatchOptions d;
    d.run_dir = s.dir / "out" / "r1";
    d.run_name = "r1";
    d.sync = false;
    d.pages.make = true;
    const auto result = run_batch_to_directory(BatchInput(src), *layout, renderer, o, d);
    CHECK(result.summary.types_rendered == 2);
    std::size_t pages = 0;
    for (const auto& e : fs::directory_iterator(d.run_dir / "pages")) {
        const std::string page = read_file(e.path());
        CHECK(page.find("set-A") != std::string::npos);
        CHECK(page.find("set-B") == std::string::npos);
        ++pages;
    }
    CHECK(pages == 2);
    const std::string index = read_file(d.run_dir / "index.html");
    CHECK(index.find("set-A") != std::string::npos);
    CHECK(index.find("set-B") == std::string::npos);
    // The manifest's settings hash is the renderer's, i.e. of set A.
    const auto m = manifest_from_json(read_file(result.manifest), result.manifest.string());
    CHECK(m.settings_hash == detail::batch_settings_hash(src.columns(), *layout, renderer));
}

TEST_CASE("runs: links and the dataset reach SVGs, pages, index, report and manifest, and the input is the manifest's data digest",
          "[runs][links]") {
    const Sample s = small_sample("links", 3);
    const fs::path out = s.dir / "out";
    const std::string base = fmt::format("batch --data {} --columns {} --out-dir {} --pages --no-sync", test::q(s.data), test::q(s.columns),
                                         test::q(out));
    const std::string linked =
        base + " --run linked --column-link 'https://neuprint.janelia.org/?roi={roi}&t={type}' --type-link "
               "'https://neuprint.janelia.org/results?type={type}' --dataset-label 'optic <lobe>' --dataset-version v1.1";
    std::string err;
    REQUIRE(test::run_cli(linked, &err) == 0);
    REQUIRE(test::run_cli(base + " --run plain", &err) == 0);
    const fs::path run = out / "linked", plain = out / "plain";
    const Manifest m = manifest_from_json(read_file(run / "manifest.json"), "manifest.json");
    REQUIRE(m.input.known);
    const std::string digest = fmt::format("{:016x}", m.input.data_digest);
    CHECK(m.links.input_digest == digest);  // computed before the run by the function the manifest's digest comes from
    CHECK(m.links.dataset_label == "optic <lobe>");
    CHECK(m.links.type_link == "https://neuprint.janelia.org/results?type={type}");
    const std::string footer = "<footer class=\"meta\" id=\"em-provenance\">Dataset: optic &lt;lobe&gt;, version v1.1, input " + digest + "</footer>";
    for (const char* page : {"index.html", "report.html"}) CHECK(test::count(read_file(run / page), footer) == 1);
    CHECK(read_file(run / "index.html").find("<th scope=\"col\">Link</th>") != std::string::npos);
    std::size_t pages = 0, svgs = 0;
    for (const auto& e : fs::directory_iterator(run / "pages")) {
        const std::string page = read_file(e.path());
        CHECK(test::count(page, footer) == 1);
        CHECK(page.find("id=\"em-type-link\"") != std::string::npos);
        ++pages;
    }
    for (const auto& e : fs::directory_iterator(run / "svg")) {
        const std::string svg = read_file(e.path());
        CHECK(svg.find("data-input=\"" + digest + "\"") != std::string::npos);
        CHECK(test::count(svg, "<a href=\"https://neuprint.janelia.org/?roi=") == test::count(svg, "<title>Column: "));
        ++svgs;
    }
    CHECK(pages == 3);
    CHECK(svgs > 0);
    // --index-only rebuilds the index from the manifests: the same footer and links.
    const std::string index = read_file(run / "index.html");
    fs::remove(run / "index.html");
    REQUIRE(test::run_cli(fmt::format("batch --out-dir {} --run linked --index-only", test::q(out)), &err) == 0);
    CHECK(read_file(run / "index.html") == index);
    // Without the options nothing of them is written.
    const std::string plain_manifest = read_file(plain / "manifest.json");
    CHECK(plain_manifest.find("\"links\"") == std::string::npos);
    for (const char* page : {"index.html", "report.html"}) CHECK(read_file(plain / page).find("em-provenance") == std::string::npos);
    CHECK(read_file(plain / "index.html").find(">Link</th>") == std::string::npos);
    // A manifest's links are checked as the options are: they go into pages again.
    std::string bad = read_file(run / "manifest.json");
    const std::string from = "\"type_link\":\"https://neuprint.janelia.org/results?type={type}\"";
    REQUIRE(bad.find(from) != std::string::npos);
    bad.replace(bad.find(from), from.size(), "\"type_link\":\"javascript:alert({type})\"");
    CHECK_THROWS_WITH(manifest_from_json(bad, "m.json"), Catch::Contains("\"links\" \"type_link\"") && Catch::Contains("only http and https"));
}

TEST_CASE("runs: a release compared with a baseline: A, B and difference files, the manifest's parts and changes, pages, index, resume",
          "[runs][compare]") {
    const Sample s = small_sample("compare", 3);
    // The baseline: the data with the first type's synapses doubled, the second type left out.
    const ColumnTable table = read_column_table(s.data);
    std::string first, second;
    for (const auto& r : table.rows) {
        if (first.empty()) first = r.neuron_type;
        else if (second.empty() && r.neuron_type != first) second = r.neuron_type;
    }
    std::string base = "neuron_type,region,side,hex1,hex2,synapses,cells\n";
    for (const auto& r : table.rows)
        if (r.neuron_type != second)
            base += fmt::format("{},{},{},{},{},{},{}\n", r.neuron_type, r.region, to_string(r.side), r.hex1, r.hex2,
                                r.neuron_type == first ? 2 * r.synapses : r.synapses, r.cells);
    base += "OnlyB,ME,R,1,1,5,1\n";
    write_file(s.dir / "base.csv", base);

    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());
    const Renderer renderer;
    BatchOptions o;
    o.jobs = 2;
    CompareOptions co;
    co.label_a = "new";
    co.label_b = "old";
    o.baseline = make_batch_baseline(load_dataset(s.dir / "base.csv", s.columns), co);
    DirectoryBatchOptions d;
    d.run_dir = s.dir / "out" / "r1";
    d.run_name = "r1";
    d.sync = false;
    d.pages.make = true;
    {
        DataFileSource src(s.data, builtin_regions());
        const auto result = run_batch_to_directory(BatchInput(src), *layout, renderer, o, d);
        CHECK(result.summary.types_rendered == 3);
    }
    const Manifest m = manifest_from_json(read_file(d.run_dir / "manifest.json"), "manifest.json");
    REQUIRE(m.baseline);
    CHECK(m.baseline->label_b == "old");
    CHECK(std::count(m.baseline->types.begin(), m.baseline->types.end(), "OnlyB") == 1);
    for (const auto& t : m.types) {
        const std::size_t parts = static_cast<std::size_t>(
            std::count_if(t.eyemaps.begin(), t.eyemaps.end(), [](const EyemapRecord& e) { return e.part != ComparePart::none; }));
        if (t.neuron_type == second) {
            CHECK(t.only_in_data);
            CHECK(parts == 0);
            CHECK(t.changes.empty());
            continue;
        }
        CHECK_FALSE(t.only_in_data);
        CHECK(parts == 3 * (t.eyemaps.size() - parts));  // A, B and the difference per eyemap
        REQUIRE(!t.changes.empty());
        // Synapses doubled: sum |x - 2x| / sum (x + 2x) = 1/3; unchanged: 0.
        for (const auto& c : t.changes)
            CHECK(c.score == Approx(t.neuron_type == first && c.metric == Metric::synapses ? 1.0 / 3.0 : 0.0));
        for (const auto& out : t.outputs) CHECK(fs::exists(d.run_dir / out.path));
        const std::string page = read_file(d.run_dir / page_path(t.file_key));
        CHECK(page.find("id=\"compare\"") != std::string::npos);
        CHECK(page.find("_a.svg") != std::string::npos);
        CHECK(page.find("_b.svg") != std::string::npos);
        CHECK(page.find("_synapses_diff.svg") != std::string::npos);
    }
    const std::string index = read_file(d.run_dir / "index.html");
    CHECK(index.find("Change vs old") != std::string::npos);
    CHECK(index.find("<li>OnlyB</li>") != std::string::npos);
    CHECK(index.find(fmt::format("<li>{}</li>", second)) != std::string::npos);
    CHECK(index.find(">0.333<") != std::string::npos);
    // Resume: everything is up to date; verify finds the run whole.
    {
        DataFileSource src(s.data, builtin_regions());
        d.resume = true;
        const auto again = run_batch_to_directory(BatchInput(src), *layout, renderer, o, d);
        CHECK(again.summary.types_rendered == 0);
        CHECK(again.summary.types_reused == 3);
    }
    // Another baseline: the comparison's files are made again.
    write_file(s.dir / "base.csv", base + "OnlyC,ME,R,1,1,5,1\n");
    o.baseline = make_batch_baseline(load_dataset(s.dir / "base.csv", s.columns), co);
    {
        DataFileSource src(s.data, builtin_regions());
        const auto third = run_batch_to_directory(BatchInput(src), *layout, renderer, o, d);
        CHECK(third.summary.types_rendered == 3);
    }
}

TEST_CASE("runs: the index written a row at a time is the page rendered whole, shards merged, for templates that split into rows and those that do not",
          "[runs][pages][index]") {
    const Sample s = small_sample("index-rows", 5);
    const fs::path out = s.dir / "out", run = out / "r";
    std::string err;
    REQUIRE(test::run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages --no-sync --type-link 'https://x.org/?t={{type}}'",
                                      test::q(s.data), test::q(s.columns), test::q(out)),
                          &err) == 0);
    // A later shard's manifest holding three of the types again, in reverse order, one of them changed:
    // its records are the ones shown (the manifest updated last), in the index's order, not the file's.
    Manifest m = manifest_from_json(read_file(run / "manifest.json"), "manifest.json");
    REQUIRE(m.types.size() == 5);
    Manifest later = m;
    later.shard = Shard{1, 2};
    later.updated = "2999-01-01T00:00:00Z";
    later.types.erase(later.types.begin() + 3, later.types.end());
    std::reverse(later.types.begin(), later.types.end());
    later.types.front().rows = 987654321;
    write_file(run / manifest_file_name(later.shard), manifest_to_json(later));
    auto manifests = read_run_manifests(run);
    const std::vector<TypeRecord> types = detail::merge_types(manifests);
    REQUIRE(types.size() == 5);
    const std::vector<IndexNotice> notices{{"Shard 0/2 has not run yet: its types are missing."}};

    const fs::path tdir = s.dir / "templates";
    fs::create_directories(tdir);
    const std::string builtin = read_file(fs::path(EYEMAP_SOURCE_DIR) / "templates/index.html.mustache");
    const auto rows_at = builtin.find("{{#types}}"), rows_end = builtin.find("{{/types}}");
    REQUIRE(rows_at != std::string::npos);
    REQUIRE(rows_end != std::string::npos);
    const std::string head = builtin.substr(0, rows_at), tail = builtin.substr(rows_end + 10);
    struct Variant {
        std::string name, text;
        bool splits;
    };
    const std::vector<Variant> variants{
        {"built-in", builtin, true},
        // Blank lines kainjow drops only because a section tag is on them: the row's first line (the
        // {{#types}} tag's), the tail's first (the {{/types}} tag's, after rows); a row reaching the page's data.
        {"blank lines", head + "{{#types}}  \n<tr><td>{{name}} of {{type_count}}</td>{{#cells}}<td>{{v}}</td>{{/cells}}</tr>\n\t{{#thumb}} {{/thumb}}\n{{/types}}  \n" + tail, true},
        {"rows on one line", head + "<tr>{{#types}}<td>{{name}}</td>{{/types}}</tr>\n" + tail, false},
        {"types named twice", head + "{{#types}}<tr><td>{{name}}</td></tr>\n{{/types}}{{^types}}none{{/types}}\n" + tail, false},
    };
    for (const auto& v : variants) {
        INFO(v.name);
        write_file(tdir / "index.html.mustache", v.text);
        const auto templates = load_templates(tdir);
        CHECK(detail::IndexPage(templates, {}, 0, {}, false, {}, std::nullopt, {}, {}).streams() == v.splits);
        REQUIRE(write_run_index(run, tdir) == 5);
        const std::string index = read_file(run / "index.html");
        CHECK(index == render_index_page(types, notices, templates, true, m.links));
        if (v.text.find("{{v}}") != std::string::npos) CHECK(index.find("987654321") != std::string::npos);  // the rows column
        CHECK(read_file(run / "types.js") == render_site_assets(types, templates).back().second);
    }
    // No types at all: the tail after no rows (kainjow keeps a blank line no section tag was on).
    for (const auto& e : fs::directory_iterator(run))
        if (e.path().filename().string().starts_with("manifest")) fs::remove(e.path());
    Manifest empty = m;
    empty.types.clear();
    write_file(run / "manifest.json", manifest_to_json(empty));
    for (const auto& v : variants) {
        INFO(v.name);
        write_file(tdir / "index.html.mustache", v.text);
        REQUIRE(write_run_index(run, tdir) == 0);
        CHECK(read_file(run / "index.html") == render_index_page({}, {}, load_templates(tdir), true, m.links));
    }
}

TEST_CASE("runs: the index of a run of many shards within a low open-file limit, a streamed page within one budget, errors leaving the site as it was",
          "[runs][pages][index]") {
    const Sample s = small_sample("index-many", 3);
    const fs::path out = s.dir / "out", run = out / "r";
    std::string err;
    REQUIRE(test::run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages --no-sync", test::q(s.data), test::q(s.columns),
                                      test::q(out)),
                          &err) == 0);
    // As 300 shards: the types in shard 0's manifest, 299 more without types: more manifests than
    // the 64 held open, and more than the open-file limit the index is made under below.
    Manifest m = manifest_from_json(read_file(run / "manifest.json"), "m");
    REQUIRE(m.types.size() == 3);
    fs::remove(run / "manifest.json");
    for (std::uint32_t i = 0; i < 300; ++i) {
        Manifest e = m;
        e.shard = Shard{i, 300};
        if (i) e.types.clear();
        write_file(run / manifest_file_name(e.shard), manifest_to_json(e));
    }
    m.shard = Shard{0, 300};
    REQUIRE(test::run_cli(fmt::format("batch --out-dir {} --run r --index-only -q", test::q(out)), &err) == 0);
    const std::string unlimited = read_file(run / "index.html");
    REQUIRE(test::run_cli(fmt::format("batch --out-dir {} --run r --index-only -q 2>&1; ulimit -n 100; {} batch --out-dir {} --run r --index-only -q",
                                      test::q(out), EYEMAP_CLI, test::q(out)),
                          &err) == 0);
    INFO(err);
    CHECK(err.find("error") == std::string::npos);
    const std::string index = read_file(run / "index.html");
    CHECK(index == unlimited);
    for (const auto& t : m.types) CHECK(index.find(t.neuron_type) != std::string::npos);
    for (const auto& e : fs::directory_iterator(run)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);

    // A template whose rows together pass the 64 MiB of one expansion, each well under it: refused
    // as the page rendered whole is, and nothing of the site rewritten (site.css from the same
    // templates folder either). 70 types, rows of 250,000 names (>= 1 MB each).
    const Sample many = small_sample("index-budget", 70);
    const fs::path out70 = many.dir / "out", run70 = out70 / "r";
    REQUIRE(test::run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages --no-sync -q", test::q(many.data),
                                      test::q(many.columns), test::q(out70)),
                          &err) == 0);
    const fs::path tdir = s.dir / "templates";
    fs::create_directories(tdir);
    std::string big = "<t>\n{{#types}}<tr>\n";
    for (int i = 0; i < 250000; ++i) big += "{{name}}\n";
    big += "</tr>\n{{/types}}</t>\n";
    write_file(tdir / "index.html.mustache", big);
    write_file(tdir / "site.css.mustache", "/* new css */\n");
    const std::string index70 = read_file(run70 / "index.html"), css70 = read_file(run70 / "site.css");
    REQUIRE(test::run_cli(fmt::format("batch --out-dir {} --run r --index-only --templates {} -q", test::q(out70), test::q(tdir)), &err) == 2);
    INFO(err);
    CHECK(err.find("template expands to more than 67108864 bytes") != std::string::npos);
    CHECK(read_file(run70 / "index.html") == index70);
    CHECK(read_file(run70 / "site.css") == css70);
    const std::string css = read_file(run / "site.css");
    // A refusal in the page's tail, found as it is made (a line that can expand past the budget over
    // the run's 200 notices of unfinished shards): also before any file is written.
    for (std::uint32_t i = 1; i <= 200; ++i) {
        Manifest e = m;
        e.shard = Shard{i, 300};
        e.types.clear();
        e.complete = false;
        write_file(run / manifest_file_name(e.shard), manifest_to_json(e));
    }
    std::string tail_line;
    for (int i = 0; i < 3500; ++i) tail_line += "{{#notices}}{{text}}{{/notices}}";
    write_file(tdir / "index.html.mustache", "<t>\n{{#types}}<tr>{{name}}</tr>\n{{/types}}</t>\n" + tail_line + "\n");
    REQUIRE(test::run_cli(fmt::format("batch --out-dir {} --run r --index-only --templates {} -q", test::q(out), test::q(tdir)), &err) == 2);
    CHECK(err.find("template expands to more than 67108864 bytes") != std::string::npos);
    CHECK(read_file(run / "index.html") == index);
    CHECK(read_file(run / "site.css") == css);
    for (const auto& e : fs::directory_iterator(run)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("manifests: read from the open file a type at a time, the records and header manifest_from_json reads, the same file each time",
          "[runs][manifest]") {
    const fs::path dir = test::fresh_dir("runs-manifest-file");
    Manifest m = one_type_manifest();
    TypeRecord second = m.types.front();
    second.neuron_type = "Tm3";
    second.file_key = type_file_base(second.neuron_type);
    second.seq = 1;
    for (auto& o : second.outputs) o.path = eyemap_path(OutputFormat::svg, second.file_key, second.eyemaps[static_cast<std::size_t>(o.eyemap)].request);
    m.types.push_back(second);
    const fs::path path = dir / "manifest.json";
    write_file(path, manifest_to_json(m));
    const Manifest whole = manifest_from_json(read_file(path), path.string());
    const detail::ManifestFile file(path);
    // Replaced after it was opened (as a batch replaces its manifest): the open file is still the one read.
    Manifest other = m;
    other.types.pop_back();
    write_file(dir / "next.json", manifest_to_json(other));
    fs::rename(dir / "next.json", path);
    for (int round = 0; round < 2; ++round) {
        std::vector<TypeRecord> types;
        const Manifest head = file.read([&](TypeRecord&& t) { types.push_back(std::move(t)); });
        CHECK(head.types.empty());
        CHECK(head.updated == whole.updated);
        CHECK(head.run == whole.run);
        CHECK(manifest_to_json(Manifest{head}) == manifest_to_json([&] {
                  Manifest h = whole;
                  h.types.clear();
                  return h;
              }()));
        REQUIRE(types.size() == 2);
        CHECK(types[0].neuron_type == "Mi1");
        CHECK(types[1].neuron_type == "Tm3");
        CHECK(types[1].outputs.size() == whole.types[1].outputs.size());
        CHECK(types[1].outputs[1].path == whole.types[1].outputs[1].path);
    }
    // A bad record: the reader's error, as manifest_from_json gives it.
    write_file(dir / "bad.json", manifest_to_json(m).replace(manifest_to_json(m).find("\"Tm3\""), 5, "\"\""));
    const detail::ManifestFile bad(dir / "bad.json");
    CHECK_THROWS_WITH(bad.read([](TypeRecord&&) {}), Catch::Contains("bad manifest") && Catch::Contains("bad.json"));
    CHECK_THROWS_WITH(detail::ManifestFile(dir), Catch::Contains("folder"));
}

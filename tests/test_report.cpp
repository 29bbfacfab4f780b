// Tests of the run report (src/output/report.*): well-formed page and charts, numbers from the input, hostile
// strings inert, the batch's report.html and index link, `eyemap stats report`, and --stats-json validated
// against docs/stats.schema.json with Debian's python3-jsonschema.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/runs.hpp"
#include "eyemap/sample.hpp"
#include "eyemap/stats.hpp"
#include "eyemap/version.hpp"
#include "output/report.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::xml_error;

// Every <svg ...>...</svg> of a page (charts are not nested).
std::vector<std::string> svgs(const std::string& html) {
    std::vector<std::string> out;
    for (std::size_t a = html.find("<svg"); a != std::string::npos; a = html.find("<svg", a + 1)) {
        const auto e = html.find("</svg>", a);
        REQUIRE(e != std::string::npos);
        out.push_back(html.substr(a, e + 6 - a));
    }
    return out;
}

OpStats op(std::string name, std::uint64_t count, std::uint64_t total, std::uint64_t p50, std::uint64_t p90, std::uint64_t p99,
           std::uint64_t max) {
    OpStats o;
    o.name = std::move(name);
    o.count = count;
    o.total_ns = total;
    o.min_ns = p50 / 2;
    o.mean_ns = total / count;
    o.p50_ns = p50;
    o.p90_ns = p90;
    o.p99_ns = p99;
    o.max_ns = max;
    o.bytes = 1000;
    return o;
}

RunReport sample_report() {
    RunReport r;
    r.run_name = "r1";
    r.version = "9.8.7";
    r.command = {"eyemap", "batch", "--pages"};
    r.stats.wall_ns = 2'500'000'000;
    r.stats.ops = {op("render_svg", 100, 1'200'000'000, 10'000'000, 20'000'000, 30'000'000, 40'000'000),
                   op("write", 100, 300'000'000, 2'000'000, 4'000'000, 6'000'000, 8'000'000), OpStats{"never_ran"}};
    r.stats.memory = {123 * 1024 * 1024, 124 * 1024 * 1024, 100 * 1024 * 1024};
    for (std::uint64_t i = 0; i <= 20; ++i) r.stats.progress.push_back({i * 100'000'000, i * 40, i * 4, i * 5000});
    CacheStats c;
    c.hits = 3, c.misses = 1, c.entries = 2, c.bytes = 100;
    r.caches = {{"coordinates", c}, {"colours", {}}};
    r.formats = {{"svg", 100, 2 * 1024 * 1024}, {"html (pages)", 10, 50 * 1024}};
    return r;
}

int cli(const std::string& args, std::string* err = nullptr) { return eyemap::test::run_cli(args, err); }
using eyemap::test::q;

}  // namespace

TEST_CASE("report: well-formed page, every chart an SVG that parses, numbers from the input", "[report]") {
    const RunReport r = sample_report();
    const std::string html = render_run_report(r);
    CHECK(xml_error(html) == "");
    const auto charts = svgs(html);
    REQUIRE(charts.size() == 5);  // stages, rate, latency, caches, formats
    for (const auto& s : charts) CHECK(xml_error(s) == "");
    for (const char* id : {"em-stages", "em-rate", "em-latency", "em-caches", "em-formats"})
        CHECK(html.find(fmt::format("id=\"{}\"", id)) != std::string::npos);

    CHECK(html.find("Run report: r1") != std::string::npos);
    CHECK(html.find("eyemap 9.8.7") != std::string::npos);
    CHECK(html.find("eyemap batch --pages") != std::string::npos);
    // Summary: the last sample's counts and the average rate (800 eyemaps in 2 s).
    CHECK(html.find("<dd>800</dd>") != std::string::npos);
    CHECK(html.find("<dd>400</dd>") != std::string::npos);
    CHECK(html.find("<dd>124.0 MiB</dd>") != std::string::npos);  // peak: the larger of ru_maxrss and VmHWM
    // Time per stage: totals and shares of the summed totals (1.2 s of 1.5 s = 80%).
    CHECK(html.find("1.20 s · 80.0%") != std::string::npos);
    CHECK(html.find("300.0 ms · 20.0%") != std::string::npos);
    CHECK(html.find("never_ran") == std::string::npos);  // registered but never run
    // Latency table: the exact nanoseconds per cell (mean, p50, p90, p99, max).
    for (const char* ns : {"12000000", "10000000", "20000000", "30000000", "40000000", "3000000", "2000000", "6000000", "8000000"})
        CHECK(html.find(fmt::format("data-ns=\"{}\"", ns)) != std::string::npos);
    // Rate: 40 eyemaps per 0.1 s.
    CHECK(html.find("average 400 /s") != std::string::npos);
    // Caches: 3 of 4 gets hit; formats in bytes and files.
    CHECK(html.find("75.0% of 4 gets") != std::string::npos);
    CHECK(html.find("no gets") != std::string::npos);
    CHECK(html.find("2.0 MiB in 100 files") != std::string::npos);
    CHECK(html.find("50.0 KiB in 10 files") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);  // no script at all

    // The rate line: one point per sample after the first, all y at the same height (constant rate).
    const std::string rate = detail::report_rate_chart(r.stats.progress);
    std::smatch m;
    REQUIRE(std::regex_search(rate, m, std::regex(R"x(<path d="([^"]+)")x")));
    const std::string d = m[1];
    CHECK(eyemap::test::count(d, " L") == 20);
    std::regex pt(R"([ML]([0-9.]+) ([0-9.]+))");
    std::set<std::string> ys;
    for (auto it = std::sregex_iterator(d.begin(), d.end(), pt); it != std::sregex_iterator(); ++it) ys.insert((*it)[2]);
    CHECK(ys.size() == 1);
}

TEST_CASE("report: empty input gives a page without charts", "[report]") {
    RunReport r;
    const std::string html = render_run_report(r);
    CHECK(xml_error(html) == "");
    CHECK(svgs(html).empty());
    CHECK(html.find("No operation was timed") != std::string::npos);
    CHECK(html.find("No progress samples") != std::string::npos);
    CHECK(html.find("no run folder was given") != std::string::npos);
    CHECK(html.find("index.html") == std::string::npos);  // no index link outside a run folder
    // One sample only: no rate to draw; samples that go back in time are skipped, never NaN.
    CHECK(detail::report_rate_chart(std::vector<ProgressSample>{{5, 1, 1, 1}}).empty());
    const std::string odd = detail::report_rate_chart(std::vector<ProgressSample>{{0, 0, 0, 0}, {0, 5, 0, 0}, {10, 2, 0, 0}, {20, 4, 0, 0}});
    CHECK(xml_error(odd) == "");
    CHECK(odd.find("nan") == std::string::npos);
    CHECK(odd.find("inf") == std::string::npos);
}

TEST_CASE("report: hostile op names, run name and command line are inert", "[report]") {
    RunReport r = sample_report();
    const std::string evil = "</script><script>alert(1)</script><svg onload=\"x\">&amp;'\"<";
    const std::string bad_utf8 = std::string("bad\xff\xfe\xc3(") + "\x01";
    r.run_name = evil + bad_utf8;
    r.version = evil;
    r.command = {"eyemap", evil, bad_utf8, "it's"};
    r.stats.ops[0].name = evil + bad_utf8;
    r.caches[0].name = evil;
    r.formats[0].format = bad_utf8 + evil;
    const std::string html = render_run_report(r);
    CHECK(xml_error(html) == "");
    for (const auto& s : svgs(html)) CHECK(xml_error(s) == "");
    CHECK(svgs(html).size() == 5);  // no injected <svg>
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("</script") == std::string::npos);
    CHECK(html.find("onload=\"") == std::string::npos);
    CHECK(html.find("\xff") == std::string::npos);
    CHECK(html.find("&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("&apos;it&apos;\\&apos;&apos;s&apos;") != std::string::npos);  // the command line is shell-quoted text
}

TEST_CASE("report: bytes per format from output records", "[report]") {
    TypeRecord t;
    t.outputs = {{FileFormat::svg, "svg/a.svg", 0, 0, 100, 0}, {FileFormat::svg, "svg/b.svg", 1, 0, 50, 0},
                 {FileFormat::png, "png/a.png", 0, 0, 7, 0},    {FileFormat::html, "pages/a.html", -1, 0, 30, 0},
                 {FileFormat::svg, "thumbs/a.svg", -1, 0, 5, 0}};
    const std::vector<TypeRecord> types{t, t};
    const auto f = bytes_per_format(types);
    REQUIRE(f.size() == 4);
    CHECK(f[0] == FormatBytes{"svg", 4, 300});
    CHECK(f[1] == FormatBytes{"png", 2, 14});
    CHECK(f[2] == FormatBytes{"html (pages)", 2, 60});
    CHECK(f[3] == FormatBytes{"svg (thumbnails)", 2, 10});
}

TEST_CASE("report: StatsDocument JSON round trip keeps what the report shows", "[report][json]") {
    const RunReport r = sample_report();
    const StatsDocument doc{r.stats, r.caches, r.version, r.command};
    const StatsDocument back = stats_document_from_json(stats_to_json(doc));
    const std::string a = render_run_report(run_report_from(doc, "r1", r.formats));
    const std::string b = render_run_report(run_report_from(back, "r1", r.formats));
    CHECK(a == b);
    CHECK(a == render_run_report(r));
}

TEST_CASE("report: a batch with pages writes report.html linked from index.html, stats report draws the JSON, the JSON meets the schema",
          "[report][cli]") {
    const fs::path dir = eyemap::test::fresh_dir("report-cli");
    ColumnLayout layout = sample_layout(1);
    std::erase_if(layout.entries, [](const LayoutEntry& e) { return e.hex1 > 9 || e.hex2 > 9; });
    {
        std::ofstream out(dir / "columns.csv", std::ios::binary);
        write_layout_csv(out, layout);
    }
    {
        std::ofstream out(dir / "data.csv", std::ios::binary);
        write_sample_data(out, layout, SampleOptions{12, 1, true});
    }
    const fs::path out = dir / "site";
    const fs::path st = dir / "st.json";
    REQUIRE(cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages -q --stats-json {}", q(dir / "data.csv"),
                            q(dir / "columns.csv"), q(out), q(st))) == 0);
    const fs::path run = out / "r";
    const std::string index = read_file(run / "index.html");
    CHECK(index.find("href=\"report.html\"") != std::string::npos);
    const std::string report = read_file(run / "report.html");
    CHECK(xml_error(report) == "");
    CHECK(svgs(report).size() == 5);
    CHECK(report.find("Run report: r") != std::string::npos);
    CHECK(report.find(std::string("eyemap ") + std::string(kVersion)) != std::string::npos);
    CHECK(report.find("--stats-json") != std::string::npos);  // the command line
    CHECK(report.find("html (pages)") != std::string::npos);
    CHECK(report.find("href=\"index.html\"") != std::string::npos);

    // --stats-json: caches, version, command line and progress samples.
    const auto doc = stats_document_from_json(read_file(st));
    CHECK(doc.version == kVersion);
    REQUIRE(doc.command.size() > 3);
    CHECK(doc.command[1] == "batch");
    CHECK(doc.caches.size() == 3);
    REQUIRE(doc.snapshot.progress.size() >= 2);
    CHECK(doc.snapshot.progress.front().eyemaps == 0);
    CHECK(doc.snapshot.progress.back().types == 12);
    CHECK(doc.snapshot.progress.back().eyemaps > 0);

    // The schema accepts the real file and rejects a broken one.
    const fs::path schema = fs::path(EYEMAP_SOURCE_DIR) / "docs" / "stats.schema.json";
    auto validate = [&](const fs::path& file, const char* redirect = "") {
        const std::string cmd = fmt::format(
            "/usr/bin/python3 -c 'import json,sys,jsonschema; s=json.load(open(sys.argv[1])); jsonschema.Draft7Validator.check_schema(s); "
            "jsonschema.Draft7Validator(s).validate(json.load(open(sys.argv[2])))' {} {}",
            q(schema), q(file)) + redirect;
        const int rc = std::system(cmd.c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    };
    CHECK(validate(st) == 0);
    auto j = nlohmann::json::parse(read_file(st));
    j["caches"][0]["hits"] = -1;
    eyemap::test::write_file(dir / "broken.json", j.dump());
    CHECK(validate(dir / "broken.json", " 2>/dev/null") != 0);

    // stats report: the same page from the JSON (with the run folder: bytes per format too).
    REQUIRE(cli(fmt::format("stats report {} -o {} --run-dir {}", q(st), q(dir / "again.html"), q(run))) == 0);
    const std::string again = read_file(dir / "again.html");
    CHECK(xml_error(again) == "");
    CHECK(svgs(again).size() == 5);
    CHECK(again.find("Run report: r") != std::string::npos);
    REQUIRE(cli(fmt::format("stats report {} -o {}", q(st), q(dir / "plain.html"))) == 0);
    const std::string plain = read_file(dir / "plain.html");
    CHECK(svgs(plain).size() == 4);  // no bytes per format without the run folder
    CHECK(plain.find("Run report: st.json") != std::string::npos);
    // A file written before the cache lost its TTL and validator (eyemap-stats/1) draws the same page.
    CHECK(j["schema"] == "eyemap-stats/2");
    auto v1 = nlohmann::json::parse(read_file(st));
    v1["schema"] = "eyemap-stats/1";
    for (auto& c : v1["caches"]) {
        c["expirations"] = 0;
        c["validation_failures"] = 0;
    }
    eyemap::test::write_file(dir / "v1.json", v1.dump());
    REQUIRE(cli(fmt::format("stats report {} -o {}", q(dir / "v1.json"), q(dir / "v1.html"))) == 0);
    const std::string from_v1 = read_file(dir / "v1.html");
    CHECK(xml_error(from_v1) == "");
    CHECK(svgs(from_v1) == svgs(plain));
    std::string err;
    eyemap::test::write_file(dir / "bad.json", R"({"schema":"eyemap-stats/3"})");
    CHECK(cli(fmt::format("stats report {}", q(dir / "bad.json")), &err) == 2);
    CHECK(err.find("bad.json") != std::string::npos);
}

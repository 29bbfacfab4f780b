// Issue 15 "Reliability, round 2": one regression test per failure found (items 1-9).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "core/text.hpp"
#include "layout/layout.hpp"
#include "output/sink.hpp"
#include "render/svg.hpp"
#include "render/template_guard.hpp"
#include "test_support.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using test::run_cli;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A few rows per type, built-in regions, both sides: small and fast.
std::string rows_for(const std::string& type, const std::string& region = "ME") {
    std::string s;
    for (int h = 0; h < 3; ++h)
        for (const char* side : {"L", "R"}) s += fmt::format("{},{},{},{},0,{},{}\n", type, region, side, h, 5 + h, 1 + h);
    return s;
}
const char* kHeader = "neuron_type,region,side,hex1,hex2,synapses,cells\n";

std::set<std::string> files_under(const fs::path& root) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).generic_string());
    return out;
}

}  // namespace

TEST_CASE("reliability 1: a type name with '..' round-trips through the manifest (resume, index, runs list)", "[reliability]") {
    const auto dir = test::fresh_dir("rel-dotdot");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("T4..a"));
    const std::string base = fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o"));
    REQUIRE(run_cli(base + " --pages") == 0);
    CHECK(fs::exists(dir / "o/r/index.html"));
    CHECK(run_cli(base + " --pages --resume") == 0);
    CHECK(run_cli(fmt::format("batch --out-dir {} --run r --index-only", q(dir / "o"))) == 0);
    const auto runs = list_runs(dir / "o");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].complete);
    CHECK(runs[0].types == 1);
}

TEST_CASE("reliability 2: file names are injective: separators, case, dots, invalid UTF-8, length", "[reliability]") {
    // (type, region) pairs that used to share a file, and others that try.
    const std::vector<std::pair<std::string, std::string>> items = {
        {"A", "B_C"}, {"A_B", "C"}, {"A", "b_c"}, {"a", "B_C"}, {"A_B_C", "R"}, {"A", "B.C"}, {"A.B", "C"}, {"A", "B-C"},
        {"A-B", "C"}, {"\xff\xfe", "ME"}, {"\xc0\xaf", "ME"}, {"_", "ME"}, {"x", "ME-0123456789abcdef"}, {"x", "me-0123456789abcdef"},
        {std::string(300, 'a'), "ME"}, {std::string(300, 'a') + "b", "ME"}, {"A", "ME"}, {"A", "me"}, {"A", "Me"}, {"A_ME", "R"},
        {"A", "ME_R"}, {"A", "con"}, {"A", "CON"}};
    std::set<std::string> stems, batch_folded;
    for (const auto& [t, r] : items)
        for (Side s : {Side::L, Side::R})
            for (Metric m : {Metric::synapse_density, Metric::cell_count}) {
                CHECK(stems.insert(eyemap_file_stem(t, r, s, m)).second);
                std::string p = eyemap_path(OutputFormat::svg, type_file_base(t), EyemapRequest{r, s, m});
                for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (t != "a") CHECK(batch_folded.insert(p).second);  // "a" vs "A": the batch's keys differ (assign_key)
            }
    for (const auto& [t, r] : items) {
        const auto rc = region_file_component(r);
        CHECK(rc.find('_') == std::string::npos);
        CHECK(rc.size() <= kMaxSafeNameBytes);
    }

    // The batch: regions B_C and C, types A in B_C and A_B in C: 16 distinct files, no overwrite.
    const auto dir = test::fresh_dir("rel-collide");
    test::write_file(dir / "regions.json", R"({"regions":[{"name":"B_C","layers":[]},{"name":"C","layers":[]}]})");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A", "B_C") + rows_for("A_B", "C"));
    REQUIRE(run_cli(fmt::format("batch --data {} --regions {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "regions.json"),
                                q(dir / "o"))) == 0);
    const auto m = read_run_manifests(dir / "o/r").at(0).second;
    std::set<std::string> paths;
    std::size_t n = 0;
    for (const auto& t : m.types)
        for (const auto& o : t.outputs) paths.insert(o.path), ++n;
    CHECK(paths.size() == n);
    CHECK(files_under(dir / "o/r/svg").size() == n);

    // Two invalid-UTF-8 names stay two types in the manifest and in runs list.
    const auto dir2 = test::fresh_dir("rel-utf8");
    test::write_file(dir2 / "d.csv", std::string(kHeader) + rows_for("\xff\xfe") + rows_for("\xc0\xaf"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --pages", q(dir2 / "d.csv"), q(dir2 / "o"))) == 0);
    const auto m2 = read_run_manifests(dir2 / "o/r").at(0).second;
    REQUIRE(m2.types.size() == 2);
    CHECK(m2.types[0].neuron_type == "\xff\xfe");
    CHECK(m2.types[1].neuron_type == "\xc0\xaf");
    CHECK(list_runs(dir2 / "o").at(0).types == 2);
}

TEST_CASE("reliability 3: names cairo cannot draw are replaced the same way in SVG, PNG and PDF", "[reliability]") {
    const std::string bad = "T\xef\xbf\xbe\xef\xbf\xbf\xef\xb7\x90";  // U+FFFE U+FFFF U+FDD0
    CHECK(!is_drawable_text(bad));
    std::string expect = "T";
    for (int i = 0; i < 9; ++i) expect += "\xef\xbf\xbd";  // byte by byte, as the SVG writer's xml_escape
    CHECK(drawable_text(bad) == expect);
    const auto dir = test::fresh_dir("rel-cairo");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for(bad));
    std::string err;
    for (const char* f : {"png", "pdf", "svg"}) {
        CHECK(run_cli(fmt::format("render --data {} --type {} --region ME --side R --metric cell_count --format {} --out-dir {}", q(dir / "d.csv"),
                                  q(bad), f, q(dir / "out")), &err) == 0);
        INFO(err);
    }
    CHECK(files_under(dir / "out").size() == 3);
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --format svg,png,pdf", q(dir / "d.csv"), q(dir / "o"))) == 0);
}

TEST_CASE("reliability 4: a second writer of the same run and shard is refused, naming the holder", "[reliability]") {
    const auto dir = test::fresh_dir("rel-lock");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    fs::create_directories(dir / "o/r");
    // Another writer holds the lock of manifest.json (as a running batch does): beside the run folder.
    const int fd = ::open((dir / "o/.r.lock-manifest.json").c_str(), O_RDWR | O_CREAT, 0666);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    REQUIRE(::write(fd, "host other pid 42 since now\n", 28) == 28);
    std::string err;
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("another eyemap batch is writing manifest.json") && Catch::Contains("host other pid 42"));
    CHECK(!fs::exists(dir / "o/r/manifest.json"));
    // Another shard of the same run is not blocked.
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --shard 0/2", q(dir / "d.csv"), q(dir / "o"))) == 0);
    ::close(fd);
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o"))) == 0);
    CHECK(!fs::exists(dir / "o/.r.lock-manifest.json"));  // removed by its holder
}

TEST_CASE("reliability 4 (new run): the lock is taken before the first type is rendered", "[reliability]") {
    // A run folder that does not exist yet: a second writer is refused before it renders anything
    // (it used to render its first type, then find the lock in the folder the first writer made).
    const auto dir = test::fresh_dir("rel-lock-new");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A") + rows_for("B"));
    fs::create_directories(dir / "o");
    const int fd = ::open((dir / "o/.r.lock-manifest.json").c_str(), O_RDWR | O_CREAT, 0666);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    REQUIRE(::write(fd, "host other pid 42 since now\n", 28) == 28);
    const RegionSet regions = builtin_regions();
    const auto layout = index_columns(layout_from_data_file(dir / "d.csv", regions), regions);
    DataFileSource src(dir / "d.csv", regions);
    BatchOptions o;
    o.jobs = 2;
    o.formats = {OutputFormat::svg, OutputFormat::png};
    DirectoryBatchOptions d;
    d.run_dir = dir / "o/r";
    d.run_name = "r";
    BatchCounters counters;
    try {
        run_batch_to_directory(src, *layout, Renderer(), o, d, &counters);
        FAIL("the second writer was not refused");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK_THAT(e.what(), Catch::Contains("another eyemap batch is writing manifest.json") && Catch::Contains("host other pid 42"));
    }
    CHECK(counters.eyemaps_done == 0);  // refused before rendering
    CHECK(counters.files_done == 0);
    CHECK(!fs::exists(dir / "o/r"));
    // The CLI: exit 2 (input), nothing made.
    std::string err;
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("host other pid 42"));
    CHECK(!fs::exists(dir / "o/r"));
    ::close(fd);
}

TEST_CASE("reliability 4 (new run): two writers race into a fresh run: one writes it, the other is refused", "[reliability]") {
    const auto dir = test::fresh_dir("rel-lock-race");
    // Long enough (a few hundred types, SVG and PNG) that the two processes overlap.
    std::string data = kHeader;
    for (int t = 0; t < 300; ++t) data += rows_for(fmt::format("T{:03}", t));
    test::write_file(dir / "d.csv", data);
    const std::string cli = fmt::format("{} batch --data {} --out-dir {} --run r -q --no-sync --format svg,png", EYEMAP_CLI, q(dir / "d.csv"),
                                        q(dir / "o"));
    // Both started at once from one shell; each one's exit code and messages kept apart.
    const std::string sh = fmt::format("({0} 2> {1}/e1; echo $? > {1}/rc1) & ({0} 2> {1}/e2; echo $? > {1}/rc2) & wait", cli, q(dir));
    REQUIRE(std::system(sh.c_str()) == 0);
    const int rc1 = std::stoi(test::read_file(dir / "rc1"));
    const int rc2 = std::stoi(test::read_file(dir / "rc2"));
    INFO("rc " << rc1 << " " << rc2 << "\n" << test::read_file(dir / "e1") << test::read_file(dir / "e2"));
    CHECK(((rc1 == 0 && rc2 == 2) || (rc1 == 2 && rc2 == 0)));
    const std::string refused = test::read_file(dir / (rc1 == 2 ? "e1" : "e2"));
    CHECK_THAT(refused, Catch::Contains("another eyemap batch is writing manifest.json") && Catch::Contains("pid "));
    // The run is the winner's alone: every file is in the manifest with its size and content hash.
    CHECK(run_cli(fmt::format("runs verify --out-dir {} --run r > /dev/null", q(dir / "o"))) == 0);
    const auto m = read_run_manifests(dir / "o/r").at(0).second;
    CHECK(m.complete);
    std::set<std::string> listed{"manifest.json"};
    for (const auto& t : m.types)
        for (const auto& out : t.outputs) listed.insert(out.path);
    CHECK(m.types.size() == 300);
    CHECK(files_under(dir / "o/r") == listed);  // no file, temporary or lock of the refused writer
    CHECK(files_under(dir / "o") == [&] {
        std::set<std::string> all;
        for (const auto& f : listed) all.insert("r/" + f);
        return all;
    }());
}

TEST_CASE("reliability 5: temp files of another host or a live writer are never stale", "[reliability]") {
    const std::string mine = temp_file_name("x.svg", "hostA", 4242, 7);
    CHECK_FALSE(temp_file_is_stale(mine, "hostB", 1, [](long) { return false; }));
    CHECK_FALSE(temp_file_is_stale(mine, "hostA", 1, [](long) { return true; }));
    CHECK(temp_file_is_stale(mine, "hostA", 1, [](long) { return false; }));
}

TEST_CASE("reliability 5 (pid namespace): a writer in another pid namespace keeps its temp files", "[reliability]") {
    // The issue's machine: `unshare --pid`. A pid of that namespace says nothing here (one that is
    // dead here may be running there), so its host id differs and the cleanup leaves its files.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(fds[0]);
        if (::unshare(CLONE_NEWPID) != 0) ::_exit(2);  // not permitted here
        const pid_t inner = ::fork();                    // the first child of the new namespace
        if (inner == 0) {
            const std::string id = temp_host_id();
            ::_exit(::write(fds[1], id.data(), id.size()) == static_cast<ssize_t>(id.size()) ? 0 : 1);
        }
        int st = 0;
        ::waitpid(inner, &st, 0);
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
    }
    ::close(fds[1]);
    std::string ns_id;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) ns_id.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
        WARN("unshare(CLONE_NEWPID) is not permitted here: skipped");
        return;
    }
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(ns_id != temp_host_id());
    CHECK(ns_id.find("~pidns") != std::string::npos);
    CHECK(ns_id.find('-') == std::string::npos);

    // A batch's start-up cleanup keeps that writer's in-flight file, though its pid is dead here.
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, &status, 0);
    const auto dir = test::fresh_dir("rel-pidns");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --shard 1/2", q(dir / "d.csv"), q(dir / "o"))) == 0);
    const auto theirs = dir / "o/r/svg" / temp_file_name("A_ME_L_cell_count.svg", ns_id, dead, 1);
    const auto mine = dir / "o/r/svg" / temp_file_name("A_ME_L_cell_count.svg", temp_host_id(), dead, 2);
    test::write_file(theirs, "in flight");
    test::write_file(mine, "left by a dead writer of this machine");
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --shard 0/2", q(dir / "d.csv"), q(dir / "o"))) == 0);
    CHECK(fs::exists(theirs));
    CHECK_FALSE(fs::exists(mine));
}

TEST_CASE("reliability 6: a manifest is eyemap's own or refused, with the rebuild command", "[reliability]") {
    const auto dir = test::fresh_dir("rel-manifest");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --pages", q(dir / "d.csv"), q(dir / "o"))) == 0);
    const auto mpath = dir / "o/r/manifest.json";
    const std::string good = test::read_file(mpath);
    auto edit = [&](const std::string& from, const std::string& to) {
        std::string t = good;
        const auto p = t.find(from);
        REQUIRE(p != std::string::npos);
        t.replace(p, from.size(), to);
        return t;
    };
    std::string err;
    test::write_file(mpath, edit("\"pages/A.html\"", "\"javascript:alert(document.domain)//\""));
    CHECK(run_cli(fmt::format("batch --out-dir {} --run r --index-only", q(dir / "o")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("manifest.json") && Catch::Contains("eyemap batch --data") && Catch::Contains("--resume"));
    const auto t0 = std::chrono::steady_clock::now();
    test::write_file(mpath, edit("\"count\":1", "\"count\":4000000000"));
    CHECK(run_cli(fmt::format("batch --out-dir {} --run r --index-only", q(dir / "o")), &err) == 2);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    test::write_file(mpath, good.substr(0, good.size() / 2));  // truncated
    CHECK(run_cli(fmt::format("batch --out-dir {} --run r --index-only", q(dir / "o")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("rebuild it"));
}

TEST_CASE("reliability 7: readers are bounded and refuse non-regular files, templates are limited", "[reliability]") {
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
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    std::string err;
    CHECK(run_cli(fmt::format("render --data {} --type A --templates {} --out-dir {}", q(dir / "d.csv"), q(dir / "t"), q(dir / "out")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("not well-formed"));
    CHECK(detail::xml_well_formed("<a><b/></a>").empty());
    CHECK_FALSE(detail::xml_well_formed("<a><b></a>").empty());
    CHECK(run_cli(fmt::format("render --data {} --type A --regions {} --out-dir {}", q(dir / "d.csv"), q(dir / "fifo"), q(dir / "out2")), &err) == 2);
}

TEST_CASE("reliability 8: invalid options or a bad first row create no run folder", "[reliability]") {
    const auto dir = test::fresh_dir("rel-junk");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    test::write_file(dir / "bad.csv", std::string(kHeader) + "A,ME,R,0,0,NaN,1\n");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --format png --scale 0", q(dir / "d.csv"), q(dir / "o"))) == 1);  // a usage error
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} -q", q(dir / "bad.csv"), q(dir / "o"))) == 2);
    CHECK(!fs::exists(dir / "o"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run good -q", q(dir / "d.csv"), q(dir / "o"))) == 0);
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} -q", q(dir / "bad.csv"), q(dir / "o"))) == 2);
    CHECK(list_runs(dir / "o").size() == 1);
}

TEST_CASE("reliability 9: symlinks, escaped messages, --keep -1, ticks, PDF size, BOMs, sample temp", "[reliability]") {
    const auto dir = test::fresh_dir("rel-small");
    test::write_file(dir / "d.csv", std::string(kHeader) + rows_for("A"));
    std::string err;
    // A link planted at RUN/svg is not followed.
    fs::create_directories(dir / "o/r");
    fs::create_directories(dir / "outside");
    fs::create_symlink(dir / "outside", dir / "o/r/svg");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("symbolic link"));
    CHECK(fs::is_empty(dir / "outside"));
    // Control characters in messages are escaped.
    test::write_file(dir / "esc.csv", std::string(kHeader) + "A,\x1b[31mX\x07,R,0,0,1,1\n");
    CHECK(run_cli(fmt::format("render --data {} --type A --out-dir {}", q(dir / "esc.csv"), q(dir / "e")), &err) == 2);
    CHECK(err.find('\x1b') == std::string::npos);
    CHECK(err.find('\x07') == std::string::npos);
    const Error e(ErrorKind::input, std::string("region \x1b]0;x\x07 \xff") + '\0' + "!");
    CHECK(std::string(e.what()).find('\x1b') == std::string::npos);
    CHECK(std::string(e.what()).find("\\x00") != std::string::npos);
    // --keep -1 is an error.
    CHECK(run_cli(fmt::format("runs clean --out-dir {} --keep -1", q(dir / "o"))) != 0);
    // Ticks of huge scales are not INT64_MIN.
    test::write_file(dir / "big.csv", std::string(kHeader) + "A,ME,R,0,0,9007199254740992,1\nA,ME,R,1,0,0,1\n");  // the largest count (2^53)
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric synapse_density -o {}", q(dir / "big.csv"), q(dir / "big.svg"))) == 0);
    CHECK(test::read_file(dir / "big.svg").find("-9223372036854775808") == std::string::npos);
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --color-min -1e308 --color-max 1e308 -o {}",
                              q(dir / "d.csv"), q(dir / "wide.svg"))) == 0);
    CHECK(test::read_file(dir / "wide.svg").find("-9223372036854775808") == std::string::npos);
    // --color-max inf is not blamed on the data file.
    CHECK(run_cli(fmt::format("render --data {} --type A --color-min 0 --color-max inf --out-dir {}", q(dir / "d.csv"), q(dir / "inf")), &err) != 0);
    CHECK(err.find("d.csv") == std::string::npos);
    // A PDF page beyond 14400 pt: an input error about the layout, not exit 4.
    test::write_file(dir / "wide.csv", std::string(kHeader) + "A,ME,R,-4000,0,1,1\nA,ME,R,4000,0,1,1\n");
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --format pdf -o {}", q(dir / "wide.csv"),
                              q(dir / "wide.pdf")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("canvas"));
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --format png -o {}", q(dir / "wide.csv"),
                              q(dir / "wide.png")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("field 'canvas'"));
    // A doubled byte-order mark is skipped.
    test::write_file(dir / "bom.csv", std::string("\xEF\xBB\xBF\xEF\xBB\xBF") + kHeader + rows_for("A"));
    CHECK(run_cli(fmt::format("render --data {} --type A --out-dir {}", q(dir / "bom.csv"), q(dir / "bom")), &err) == 0);
    // sample: no fixed temp name left behind.
    CHECK(run_cli(fmt::format("sample --out-dir {} --types 2", q(dir / "s"))) == 0);
    CHECK(files_under(dir / "s") == std::set<std::string>{"columns.csv", "data.csv"});
}

TEST_CASE("reliability 7 (one line): a template line that would outgrow the budget is stopped before it is built", "[reliability]") {
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

// Batch generation: determinism across --jobs, shards, resume, cancellation, grouping errors,
// pages (escaping, name collisions), run retention; the library's streaming API.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/runs.hpp"
#include "core/lru_cache.hpp"
#include "eyemap/sample.hpp"
#include "test_support.hpp"
#include "eyemap/eyemap.hpp"
#include "core/text.hpp"
#include "output/sink.hpp"
#include "render/template_guard.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::write_file;
using eyemap::test::xml_error;
using eyemap::test::run_cli;

struct Sample {
    fs::path dir, data, columns;
};

// The sample generator on a cut-down layout (columns with hex1, hex2 <= max_hex): small, fast eyemaps.
Sample make_sample(const std::string& name, std::size_t types, int max_hex = 9) {
    Sample s;
    s.dir = eyemap::test::fresh_dir("batch-" + name);
    s.data = s.dir / "data.csv";
    s.columns = s.dir / "columns.csv";
    ColumnLayout layout = sample_layout(1);
    std::erase_if(layout.entries, [&](const LayoutEntry& e) { return e.hex1 > max_hex || e.hex2 > max_hex; });
    {
        std::ofstream out(s.columns, std::ios::binary);
        write_layout_csv(out, layout);
    }
    {
        std::ofstream out(s.data, std::ios::binary);
        write_sample_data(out, layout, SampleOptions{types, 1, true});
    }
    return s;
}

// Runs the CLI; stderr goes to a file of its own (tests may run in parallel).
int cli(const std::string& args, std::string* err = nullptr) {
    static std::atomic<int> n{0};
    const auto errfile = fs::current_path() / fmt::format("batch-stderr-{}-{}.txt", ::getpid(), n++);
    const std::string cmd = fmt::format("{} {} 2> '{}'", EYEMAP_CLI, args, errfile.string());
    const int rc = std::system(cmd.c_str());
    const std::string text = read_file(errfile);
    fs::remove(errfile);
    if (err) *err = text;
    if (!WIFEXITED(rc) || (WEXITSTATUS(rc) != 0 && !err)) UNSCOPED_INFO("eyemap " << args << "\n" << text);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

using eyemap::test::q;

std::string inputs(const Sample& s) { return fmt::format("--data {} --columns {}", q(s.data), q(s.columns)); }

bool is_manifest(const std::string& name) { return name.rfind("manifest", 0) == 0 && name.size() > 5 && name.ends_with(".json"); }

// Relative path -> content hash of every file under root (manifests and the run report, which hold
// times, left out).
std::map<std::string, std::uint64_t> tree(const fs::path& root) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        const auto rel = fs::relative(e.path(), root).generic_string();
        if (is_manifest(e.path().filename().string()) || rel == "report.html") continue;
        out[rel] = hash_bytes(read_file(e.path()));  // PDFs too: the renderer writes no creation date
    }
    return out;
}

// Names of files anywhere under root that look like leftovers of an unfinished write.
std::vector<std::string> temp_files(const fs::path& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.path().filename().string().find(".tmp") != std::string::npos) out.push_back(e.path().string());
    return out;
}

Manifest load_manifest(const fs::path& p) { return manifest_from_json(read_file(p), p.string()); }

std::size_t count_files(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string()[0] != '.') ++n;
    return n;
}

// Every row of a data file, in order.
std::vector<ColumnRow> read_rows(const fs::path& data, TableColumns* columns = nullptr) {
    DataFileSource src(data, builtin_regions());
    if (columns) *columns = src.columns();
    std::vector<ColumnRow> rows;
    ColumnRow r;
    while (src.next(r)) rows.push_back(r);
    return rows;
}

}  // namespace

TEST_CASE("batch: --jobs 1 and --jobs 4 write identical files, pages and manifests", "[batch]") {
    const auto s = make_sample("jobs", 24);
    const auto out = s.dir / "out";
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run j1 --jobs 1 --pages -q", inputs(s), q(out))) == 0);
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run j4 --jobs 4 --pages -q", inputs(s), q(out))) == 0);
    const auto a = tree(out / "j1"), b = tree(out / "j4");
    CHECK(a.size() == b.size());
    CHECK(a == b);
    // 12 eyemaps, a page and a thumbnail per type; the index and its site files (site.css, site.js, types.js).
    const auto m1 = load_manifest(out / "j1" / "manifest.json");
    const auto m4 = load_manifest(out / "j4" / "manifest.json");
    REQUIRE(m1.complete);
    REQUIRE(m1.types.size() > 20);
    CHECK(a.size() == m1.types.size() * 14 + 4);
    CHECK(count_files(out / "j1" / "svg") == m1.types.size() * 12);
    // Manifests agree except for times and the run name.
    auto norm = [](Manifest m) {
        m.started.clear();
        m.updated.clear();
        m.run.clear();
        return manifest_to_json(m);
    };
    CHECK(norm(m1) == norm(m4));
    for (std::size_t i = 0; i < m1.types.size(); ++i) CHECK(m1.types[i].seq == i);
}

TEST_CASE("batch: the union of shards 0/3, 1/3, 2/3 equals the unsharded run", "[batch]") {
    const auto s = make_sample("shards", 30);
    const auto out = s.dir / "out";
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run full --pages -q", inputs(s), q(out))) == 0);
    std::size_t total = 0;
    for (int i = 0; i < 3; ++i) {
        REQUIRE(cli(fmt::format("batch {} --out-dir {} --run sharded --pages -q --shard {}/3", inputs(s), q(out), i)) == 0);
        const auto m = load_manifest(out / "sharded" / fmt::format("manifest-{}-of-3.json", i));
        CHECK(m.complete);
        CHECK(m.shard.index == static_cast<std::uint32_t>(i));
        CHECK(!m.types.empty());  // 30 types: every shard gets some
        for (const auto& t : m.types) CHECK(shard_of(t.neuron_type, 3) == static_cast<std::uint32_t>(i));
        total += m.types.size();
    }
    const auto full = load_manifest(out / "full" / "manifest.json");
    CHECK(total == full.types.size());
    REQUIRE(cli(fmt::format("batch --out-dir {} --run sharded --index-only", q(out))) == 0);
    auto a = tree(out / "full"), b = tree(out / "sharded");
    CHECK(a.size() == b.size());
    a.erase("index.html"), b.erase("index.html");
    CHECK(a == b);
    // The indexes are equal but for the unsharded run's link to its run report (a shard writes none).
    std::string full_index = read_file(out / "full" / "index.html");
    const std::string report_link = R"( <a href="report.html" id="em-report-link">Run report</a>)";
    const auto at = full_index.find(report_link);
    REQUIRE(at != std::string::npos);
    CHECK(!fs::exists(out / "sharded" / "report.html"));
    CHECK(full_index.erase(at, report_link.size()) == read_file(out / "sharded" / "index.html"));
    CHECK(read_file(out / "full" / "index.html").find("class=\"notice\"") == std::string::npos);

    auto run_info = [&](const std::string& name) {
        for (const auto& r : list_runs(out))
            if (r.name == name) return r;
        FAIL("no run " << name);
        return RunInfo{};
    };
    CHECK(run_info("sharded").complete);
    CHECK(run_info("sharded").types == full.types.size());

    // An index built while a shard is missing says so, and the run is not complete.
    fs::remove(out / "sharded" / "manifest-1-of-3.json");
    CHECK_FALSE(run_info("sharded").complete);
    REQUIRE(cli(fmt::format("batch --out-dir {} --run sharded --index-only", q(out))) == 0);
    CHECK(read_file(out / "sharded" / "index.html").find("Shard 1/3 has not run yet") != std::string::npos);
}

TEST_CASE("batch: --resume after changing one type's rows redoes only that type", "[batch]") {
    const auto s = make_sample("resume", 16);
    const auto out = s.dir / "out";
    const std::string args = fmt::format("batch {} --out-dir {} --run r --pages -q", inputs(s), q(out));
    REQUIRE(cli(args) == 0);
    const auto before_manifest = load_manifest(out / "r" / "manifest.json");
    REQUIRE(before_manifest.types.size() > 4);
    const std::string victim = before_manifest.types[3].neuron_type;

    // Inode of every file: write_file_atomic renames a new file into place, so a rewritten file gets a new one.
    auto inodes = [&] {
        std::map<std::string, ino_t> m;
        for (const auto& e : fs::recursive_directory_iterator(out / "r")) {
            struct stat st {};
            REQUIRE(::stat(e.path().c_str(), &st) == 0);
            m[fs::relative(e.path(), out / "r").generic_string()] = st.st_ino;
        }
        return m;
    };
    const auto before = inodes();
    const auto before_tree = tree(out / "r");

    // Change one row of the victim: synapses and its first layer value together.
    std::string text = read_file(s.data);
    const auto pos = text.find("\n" + victim + ",");
    REQUIRE(pos != std::string::npos);
    const auto end = text.find('\n', pos + 1);
    std::string line = text.substr(pos + 1, end - pos - 1);
    std::vector<std::string> f;
    for (std::size_t a = 0;;) {
        auto c = line.find(',', a);
        f.push_back(line.substr(a, c == std::string::npos ? std::string::npos : c - a));
        if (c == std::string::npos) break;
        a = c + 1;
    }
    REQUIRE(f.size() == 9);
    f[5] = std::to_string(std::stoll(f[5]) + 1000);
    const auto semi = f[7].find(';');
    f[7] = std::to_string(std::stoll(f[7].substr(0, semi)) + 1000) + f[7].substr(semi);
    std::string changed;
    for (std::size_t i = 0; i < f.size(); ++i) changed += (i ? "," : "") + f[i];
    text.replace(pos + 1, end - pos - 1, changed);
    write_file(s.data, text);

    std::string err;
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(fmt::format("{} up to date", before_manifest.types.size() - 1)) != std::string::npos);
    CHECK(err.find(": 12 eyemaps rendered") != std::string::npos);
    const auto after = inodes();
    const auto after_tree = tree(out / "r");
    const auto key = before_manifest.types[3].file_key;
    std::size_t redone = 0, changed_content = 0;
    for (const auto& [path, ino] : before) {
        if (is_manifest(fs::path(path).filename().string())) continue;
        REQUIRE(after.count(path));
        const bool mine = path.find("/" + key + "_") != std::string::npos || path == "pages/" + key + ".html" ||
                          path == "thumbs/" + key + ".svg";
        if (path == "index.html" || path == "site.css" || path == "site.js" || path == "types.js" || path == "report.html")
            continue;  // rebuilt every run (from the manifest; the report from the run's statistics)
        if (mine) {
            ++redone;
            CHECK(after.at(path) != ino);
            changed_content += after_tree.at(path) != before_tree.at(path);
        } else {
            INFO(path);
            CHECK(after.at(path) == ino);
        }
    }
    CHECK(redone == 14);
    CHECK(changed_content >= 2);  // at least its synapse eyemaps of that side, and the page
    const auto m = load_manifest(out / "r" / "manifest.json");
    CHECK(m.complete);
    CHECK(m.types.size() == before_manifest.types.size());
    CHECK(m.types[3].rows_hash != before_manifest.types[3].rows_hash);

    // Nothing changed: nothing rendered.
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(": 0 eyemaps rendered") != std::string::npos);
    // A removed output is made again.
    fs::remove(out / "r" / m.types[0].outputs[0].path);
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(": 12 eyemaps rendered") != std::string::npos);
    CHECK(fs::exists(out / "r" / m.types[0].outputs[0].path));
}

TEST_CASE("batch: --resume after changing only a value column redoes that type", "[batch]") {
    // The rows' hash once left value columns out: a changed coverage kept the old eyemaps.
    const auto dir = eyemap::test::fresh_dir("batch-resume-values");
    const std::string head = "neuron_type,region,side,hex1,hex2,synapses,coverage,layer_coverage\n";
    const std::string b = "B,ME,R,1,1,2,0.5,0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5\n";
    auto write_data = [&](const std::string& a_value, const std::string& a_layer) {
        write_file(dir / "data.csv", head + "A,ME,R,1,1,5,0.5,0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5\n" + "A,ME,R,1,2,3," +
                                         a_value + "," + a_layer + "\n" + b);
    };
    const std::string layers = "0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5";
    write_data("0.25", layers);
    const std::string args = fmt::format("batch --data {} --metric coverage --format svg --out-dir {} --run r -q",
                                         q(dir / "data.csv"), q(dir / "out"));
    REQUIRE(cli(args) == 0);
    const auto first = load_manifest(dir / "out" / "r" / "manifest.json");
    REQUIRE(first.types.size() == 2);
    std::string err;
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(": 0 eyemaps rendered") != std::string::npos);

    // A's value: A redone (its eyemap shows the new value), B up to date.
    write_data("0.75", layers);
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(": 1 eyemaps rendered") != std::string::npos);
    const auto second = load_manifest(dir / "out" / "r" / "manifest.json");
    CHECK(second.types[0].rows_hash != first.types[0].rows_hash);
    CHECK(second.types[1].rows_hash == first.types[1].rows_hash);
    CHECK(read_file(dir / "out" / "r" / second.types[0].outputs[0].path).find("0.75") != std::string::npos);

    // One of A's layer values alone: redone again.
    write_data("0.75", "0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.5;0.125");
    REQUIRE(cli(args + " --resume", &err) == 0);
    CHECK(err.find(": 1 eyemaps rendered") != std::string::npos);
    CHECK(load_manifest(dir / "out" / "r" / "manifest.json").types[0].rows_hash != second.types[0].rows_hash);
}

TEST_CASE("batch: SIGINT stops cleanly, leaves a valid manifest, and --resume completes the run", "[batch][signal]") {
    const auto s = make_sample("cancel", 400, 7);
    const auto out = s.dir / "out";
    const auto errfile = s.dir / "stderr.txt";
    const std::vector<std::string> argv_s = {EYEMAP_CLI, "batch", "--data", s.data.string(), "--columns", s.columns.string(),
                                             "--out-dir", out.string(), "--run", "c", "--jobs", "2", "--pages"};
    std::vector<char*> argv;
    for (const auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, errfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, EYEMAP_CLI, &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);

        const auto t0 = std::chrono::steady_clock::now();
    int status = 0;
    bool exited = false;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
        // ~0.5 s in, once a few types are written; sooner on a machine fast enough to finish early.
        const bool late = std::chrono::steady_clock::now() - t0 > std::chrono::milliseconds(500);
        const auto files = count_files(out / "c" / "svg");
        if (files >= 24 && (late || files >= 1200)) break;
        if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(30)) break;
    }
    if (!exited) {
        ::kill(pid, SIGINT);
        REQUIRE(::waitpid(pid, &status, 0) == pid);
    }
    const std::string err = read_file(errfile);
    INFO(err);
    REQUIRE_FALSE(exited);  // the batch must still have been running
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(err.find("interrupted") != std::string::npos);
    CHECK(err.find("--resume") != std::string::npos);
    CHECK(temp_files(out).empty());

    const auto m = load_manifest(out / "c" / "manifest.json");
    CHECK_FALSE(m.complete);
    CHECK(m.cancelled);
    REQUIRE(!m.types.empty());
    for (const auto& t : m.types)
        for (const auto& o : t.outputs) {
            INFO(o.path);
            REQUIRE(fs::exists(out / "c" / o.path));
            CHECK(fs::file_size(out / "c" / o.path) == o.bytes);
        }
    const auto done_before = m.types.size();

    std::string rerr;
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run c --jobs 2 --pages -q --resume", inputs(s), q(out)), &rerr) == 0);
    CHECK(rerr.find(fmt::format("{} up to date", done_before)) != std::string::npos);
    const auto m2 = load_manifest(out / "c" / "manifest.json");
    CHECK(m2.complete);
    CHECK_FALSE(m2.cancelled);
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run clean --jobs 2 --pages -q", inputs(s), q(out))) == 0);
    const auto a = tree(out / "c"), b = tree(out / "clean");
    CHECK(a.size() == b.size());
    CHECK(a == b);
    CHECK(temp_files(out).empty());
    fs::remove_all(s.dir);  // a few hundred MB
}

TEST_CASE("batch: a type that reappears after its group is a clear input error", "[batch]") {
    const auto dir = eyemap::test::fresh_dir("batch-order");
    write_file(dir / "data.csv",
               "neuron_type,region,side,hex1,hex2,synapses,cells\n"
               "A,ME,L,1,1,5,1\n"
               "A,ME,L,1,2,5,1\n"
               "B,ME,L,1,1,3,1\n"
               "A,ME,L,2,2,4,1\n");
    std::string err;
    CHECK(cli(fmt::format("batch --data {} --out-dir {} -q", q(dir / "data.csv"), q(dir / "out")), &err) == 2);
    CHECK(err.find("'A'") != std::string::npos);
    CHECK(err.find("line 5") != std::string::npos);
    CHECK(err.find("lines 2-3") != std::string::npos);
    CHECK(err.find("sort -t, -k1,1 -s") != std::string::npos);
    CHECK(err.find("data.csv:5") != std::string::npos);

    // The same through the library.
    std::vector<ColumnRow> rows;
    for (auto [t, line] : {std::pair{"A", 2}, {"B", 3}, {"A", 4}}) {
        ColumnRow r;
        r.neuron_type = t;
        r.region = "ME";
        r.side = Side::L;
        r.hex1 = r.hex2 = 1;
        r.synapses = 1;
        r.line = static_cast<std::uint64_t>(line);
        rows.push_back(r);
    }
    ColumnLayout lay;
    lay.entries.push_back({"ME", Side::L, 1, 1});
    const auto prepared = index_columns(lay, builtin_regions());
    TableColumns cols;
    cols.synapses = true;
    std::size_t i = 0;
    RowSource src = [&](ColumnRow& r) {
        if (i == rows.size()) return false;
        r = rows[i++];
        return true;
    };
    BatchOptions o;
    o.source_name = "mem.csv";
    CHECK_THROWS_WITH(run_batch(BatchInput(src, cols), *prepared, Renderer(), o, {}), Catch::Contains("neuron type 'A' appears again on line 4"));
}

TEST_CASE("batch: pages are well-formed, escape hostile names and never overwrite on a name collision", "[batch][pages]") {
    const auto s = make_sample("pages", 3);
    // Rename the three sample types: a hostile name and two that differ only in case.
    const std::vector<std::string> names = {"\"<b>&\"\"'\"", "Mi1", "MI1"};
    const std::vector<std::string> plain = {"<b>&\"'", "Mi1", "MI1"};
    std::string text = read_file(s.data), outtext;
    std::string prev;
    int idx = -1;
    for (std::size_t a = 0; a < text.size();) {
        auto e = text.find('\n', a);
        std::string line = text.substr(a, e - a);
        a = e + 1;
        if (outtext.empty()) {
            outtext = line + "\n";
            continue;
        }
        const auto c = line.find(',');
        const std::string t = line.substr(0, c);
        if (t != prev) ++idx, prev = t;
        outtext += names.at(static_cast<std::size_t>(idx)) + line.substr(c) + "\n";
    }
    write_file(s.data, outtext);
    const auto out = s.dir / "out";
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run p --pages -q", inputs(s), q(out))) == 0);
    const auto m = load_manifest(out / "p" / "manifest.json");
    REQUIRE(m.types.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(m.types[i].neuron_type == plain[i]);
    CHECK(m.types[1].file_key == "Mi1");
    CHECK(m.types[2].file_key.rfind("MI1~", 0) == 0);  // "Mi1" took the name first (ignoring case)
    CHECK(count_files(out / "p" / "svg") == 36);
    CHECK(count_files(out / "p" / "pages") == 3);

    const std::string index = read_file(out / "p" / "index.html");
    CHECK(xml_error(index) == "");
    CHECK(index.find("<b>&") == std::string::npos);
    CHECK(index.find("&lt;b&gt;&amp;") != std::string::npos);
    for (const auto& t : m.types) {
        const auto page = read_file(out / "p" / ("pages/" + t.file_key + ".html"));
        INFO(t.file_key);
        CHECK(xml_error(page) == "");
        CHECK(page.find("<b>&") == std::string::npos);
        CHECK(eyemap::test::count(page, "<svg ") == 0);  // eyemaps by reference, not inlined
        CHECK(eyemap::test::count(page, "<figure class=\"em-cell\"") == 12);
        CHECK(page.find("href=\"../index.html\"") != std::string::npos);
        // Every link resolves from the page's folder.
        for (const auto& o : t.outputs)
            if (o.eyemap >= 0) {
                CHECK(page.find("href=\"../" + o.path + "\"") != std::string::npos);
                CHECK(fs::exists(out / "p" / o.path));
            }
        CHECK(index.find("href=\"pages/" + t.file_key + ".html\"") != std::string::npos);
    }
}

TEST_CASE("batch: runs list, clean --keep, protect and unprotect", "[batch][runs]") {
    const auto s = make_sample("runs", 2, 5);
    const auto out = s.dir / "out";
    for (const char* r : {"r1", "r2", "r3", "r4"}) REQUIRE(cli(fmt::format("batch {} --out-dir {} --run {} -q", inputs(s), q(out), r)) == 0);
    fs::create_directories(out / "not-a-run");  // no manifest: never touched

    const auto runs = list_runs(out);
    REQUIRE(runs.size() == 4);
    CHECK(runs[0].name == "r1");
    CHECK(runs[0].bytes > 0);
    CHECK(runs[0].complete);

    REQUIRE(cli(fmt::format("runs protect r1 --out-dir {}", q(out))) == 0);
    CHECK(is_run_protected(out / "r1"));
    const std::string list_cmd = fmt::format("{} runs list --out-dir {}", EYEMAP_CLI, q(out));
    FILE* p = ::popen(list_cmd.c_str(), "r");
    REQUIRE(p);
    std::string listing;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) listing += buf;
    CHECK(::pclose(p) == 0);
    CHECK(listing.find("r4") != std::string::npos);
    CHECK(listing.find("yes") != std::string::npos);
    CHECK(listing.find("not-a-run") == std::string::npos);

    // A protected run is not overwritten by a batch either.
    std::string err;
    CHECK(cli(fmt::format("batch {} --out-dir {} --run r1 -q", inputs(s), q(out)), &err) == 2);
    CHECK(err.find("protected") != std::string::npos);

    const auto r2_bytes = runs[1].bytes;
    auto res = clean_runs(out, 2, /*dry_run=*/true);
    CHECK(res.removed.size() == 1);
    CHECK(fs::exists(out / "r2"));
    REQUIRE(cli(fmt::format("runs clean --out-dir {} --keep 2", q(out)), &err) == 0);
    CHECK_FALSE(fs::exists(out / "r2"));
    CHECK(fs::exists(out / "r1"));
    CHECK(fs::exists(out / "r3"));
    CHECK(fs::exists(out / "r4"));
    CHECK(fs::exists(out / "not-a-run"));

    REQUIRE(cli(fmt::format("runs unprotect r1 --out-dir {}", q(out))) == 0);
    res = clean_runs(out, 2);
    REQUIRE(res.removed.size() == 1);
    CHECK(res.removed[0].name == "r1");
    CHECK(res.bytes_freed > 0);
    CHECK(res.bytes_freed == r2_bytes);  // r1 and r2 were made from the same input
    CHECK_FALSE(fs::exists(out / "r1"));
    CHECK(cli(fmt::format("runs protect nope --out-dir {}", q(out)), &err) == 2);
}

TEST_CASE("batch library: rows pulled from a callback, files out through a sink, same bytes for any jobs", "[batch][api]") {
    const auto s = make_sample("api", 10);
    TableColumns columns;
    const auto rows = read_rows(s.data, &columns);
    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());

    auto run = [&](unsigned jobs, bool pages) {
        std::size_t i = 0;
        // What a report builder's database cursor would do: fill the caller's row, say whether there was one.
        RowSource src = [&](ColumnRow& r) {
            if (i == rows.size()) return false;
            r = rows[i++];
            return true;
        };
        std::mutex mu;
        std::map<std::string, std::string> files;
        std::vector<std::uint64_t> done;
        BatchCallbacks cb;
        cb.output = [&](const BatchOutput& o) {
            std::lock_guard lk(mu);
            CHECK(files.emplace(o.output.path, std::string(o.bytes)).second);
        };
        cb.type_done = [&](const TypeRecord& t) { done.push_back(t.seq); };
        BatchOptions o;
        o.jobs = jobs;
        const Renderer renderer;
        if (pages) add_type_pages(cb, columns, *layout, renderer, o, PageOptions{true, false});
        BatchCounters counters;
        const auto summary = run_batch(BatchInput(src, columns), *layout, renderer, o, cb, &counters);
        CHECK(summary.types_rendered == done.size());
        CHECK(counters.types_done == done.size());
        CHECK(summary.files == files.size());
        CHECK(counters.rows_read == rows.size());
        CHECK_FALSE(summary.cancelled);
        return files;
    };
    const auto one = run(1, false), three = run(3, false);
    CHECK(!one.empty());
    CHECK(one.size() % 12 == 0);
    CHECK(one == three);
    // The SVG handed to the sink is what the renderer makes for that type alone.
    Dataset ds = load_dataset(s.data, s.columns);
    const auto ref = Renderer().render(ds, ds.types[0].neuron_type);
    for (const auto& r : ref) {
        const auto it = one.find("svg/" + r.file_name());
        REQUIRE(it != one.end());
        CHECK(it->second == r.bytes);
    }
    const auto with_pages = run(2, true);
    CHECK(with_pages.size() == one.size() + 2 * (one.size() / 12));  // a page and a thumbnail per type

    // Cancelled before the start: nothing is rendered, and that is reported.
    std::atomic<bool> stop{true};
    std::size_t i = 0;
    RowSource src = [&](ColumnRow& r) {
        if (i == rows.size()) return false;
        r = rows[i++];
        return true;
    };
    BatchOptions o;
    o.cancel = &stop;
    const auto summary = run_batch(BatchInput(src, columns), *layout, Renderer(), o, {});
    CHECK(summary.cancelled);
    CHECK(summary.types_rendered == 0);
}

TEST_CASE("batch library: a type's own files are planned before resume, made after its eyemaps, in order", "[batch][api]") {
    const auto s = make_sample("own-files", 3);
    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());
    const Renderer renderer;
    // make_type_files runs on the batch's workers, concurrently for different types, and Catch2's
    // assertions are not thread-safe (TSan reported the race): the callback writes down what is wrong
    // and the test checks that list on its own thread.
    std::mutex problems_mu;
    std::vector<std::string> problems;
    auto run = [&](int make_count) {
        DataFileSource src(s.data, builtin_regions());
        std::mutex mu;
        std::vector<std::string> notes;  // "<type>:<path>:<bytes>" of the own files, as delivered
        BatchCallbacks cb;
        cb.output = [&](const BatchOutput& o) {
            if (o.output.eyemap >= 0) return;
            std::lock_guard lk(mu);
            notes.push_back(fmt::format("{}:{}:{}", o.type.neuron_type, o.output.path, o.bytes));
        };
        cb.plan_type_files = [](TypeRecord& rec) {
            rec.outputs.push_back(OutputRecord{FileFormat::html, "notes/" + rec.file_key + ".a", -1, 1, 0});
            rec.outputs.push_back(OutputRecord{FileFormat::html, "notes/" + rec.file_key + ".b", -1, 2, 0});
        };
        cb.make_type_files = [&](const TypeRecord& rec, std::span<const RenderedEyemap> eyemaps,
                                 const std::function<void(std::string_view)>& deliver) {
            // Every eyemap of the type, in request order, with its thumbnail cells.
            std::vector<std::string> wrong;
            if (eyemaps.size() != rec.eyemaps.size())
                wrong.push_back(fmt::format("{}: {} eyemaps, {} planned", rec.neuron_type, eyemaps.size(), rec.eyemaps.size()));
            for (std::size_t i = 0; i < std::min(eyemaps.size(), rec.eyemaps.size()); ++i) {
                const auto what = [&](std::string_view w) { wrong.push_back(fmt::format("{} eyemap {}: {}", rec.neuron_type, i, w)); };
                if (!(eyemaps[i].request == rec.eyemaps[i].request)) what("request differs");
                if (eyemaps[i].has_data != rec.eyemaps[i].has_data) what("has_data differs");
                if (eyemaps[i].thumbnail.size() != static_cast<std::size_t>(kThumbnailCells * kThumbnailCells))
                    what(fmt::format("{} thumbnail cells", eyemaps[i].thumbnail.size()));
                if (!(eyemaps[i].width > 0)) what("width not positive");
            }
            if (!wrong.empty()) {
                std::lock_guard lk(problems_mu);
                problems.insert(problems.end(), wrong.begin(), wrong.end());
            }
            for (int i = 0; i < make_count; ++i) deliver(i == 0 ? "first" : "second");
        };
        BatchOptions o;
        o.jobs = 2;
        run_batch(src, *layout, renderer, o, cb);
        std::sort(notes.begin(), notes.end());
        return notes;
    };
    const auto notes = run(2);
    REQUIRE(notes.size() == 6);
    CHECK(notes[0].find("notes/") != std::string::npos);
    CHECK(notes[0].substr(notes[0].size() - 8) == ".a:first");
    CHECK(notes[1].substr(notes[1].size() - 9) == ".b:second");
    // Fewer or more files than planned: the batch says so instead of recording a file never made.
    CHECK_THROWS_WITH(run(1), Catch::Contains("1 of its") && Catch::Contains("planned files made"));
    CHECK_THROWS_WITH(run(3), Catch::Contains("more files made than planned"));
    CHECK(problems == std::vector<std::string>{});
}

TEST_CASE("batch: manifest JSON round trip and validation", "[batch][manifest]") {
    Manifest m;
    m.tool = "t";
    m.run = "r";
    m.shard = Shard{1, 4};
    m.started = m.updated = "2024-01-01T00:00:00Z";
    m.formats = {OutputFormat::svg};
    m.pages = true;
    m.settings_hash = 0xfedcba9876543210ULL;
    TypeRecord t;
    t.neuron_type = "A \"quoted\" <type>";
    t.file_key = type_file_base(t.neuron_type);
    t.seq = 7;
    t.first_line = 2;
    t.last_line = 9;
    t.rows = 8;
    t.rows_hash = 42;
    t.eyemaps.push_back(EyemapRecord{EyemapRequest{"ME", Side::R, Metric::cells}, 1, 2, 3});
    t.outputs.push_back(OutputRecord{FileFormat::svg, eyemap_path(OutputFormat::svg, t.file_key, t.eyemaps[0].request), 0, 0xffffffffffffffffULL, 10});
    t.outputs.push_back(OutputRecord{FileFormat::html, page_path(t.file_key), -1, 1, 11});
    m.types.push_back(t);
    const auto text = manifest_to_json(m);
    CHECK(nlohmann::json::parse(text)["schema"] == "eyemap-batch/2");
    const auto back = manifest_from_json(text, "m.json");
    CHECK(manifest_to_json(back) == text);
    CHECK(back.types.at(0).outputs.at(0).input_hash == 0xffffffffffffffffULL);
    CHECK_THROWS_AS(manifest_from_json("{", "m.json"), Error);
    CHECK_THROWS_AS(manifest_from_json(R"({"schema":"other/1"})", "m.json"), Error);
    std::string evil = text;
    const std::string path = t.outputs[0].path;
    evil.replace(evil.find(path), path.size(), "../../etc");
    CHECK_THROWS_WITH(manifest_from_json(evil, "m.json"), Catch::Contains("is not the one eyemap writes"));
    CHECK(manifest_file_name(Shard{}) == "manifest.json");
    CHECK(manifest_file_name(Shard{2, 5}) == "manifest-2-of-5.json");
}

TEST_CASE("batch: shards and formats parse strictly, and the shard choice is stable and case-folded", "[batch]") {
    CHECK(parse_shard("0/1").count == 1);
    CHECK(parse_shard("2/3").index == 2);
    for (const char* bad : {"3/3", "1/0", "a/3", "1", "/3", "1/", "-1/3", "1/3/4"}) CHECK_THROWS_AS(parse_shard(bad), Error);
    CHECK(parse_formats("svg,svg").size() == 1);
    CHECK_THROWS_AS(parse_formats("svg,gif"), Error);
    // The same on every run and platform: the shard of a name is a pure function of it.
    CHECK(shard_of("Mi1", 7) == shard_of("Mi1", 7));
    CHECK(shard_of("Mi1", 7) == shard_of("MI1", 7));  // may share a file on a case-insensitive disk
    std::vector<int> hist(4);
    for (const auto& n : sample_type_names(400)) ++hist[shard_of(n, 4)];
    for (int h : hist) CHECK(h > 60);
    CHECK_THROWS_AS(validate_run_name("../x"), Error);
    CHECK_THROWS_AS(validate_run_name(".hidden"), Error);
    CHECK_NOTHROW(validate_run_name("2024-05-01_release.v2"));
}

TEST_CASE("batch: PNG and PDF files and their links on the pages, when the raster backend is built in", "[batch][raster]") {
    const auto s = make_sample("raster", 2, 6);
    const auto out = s.dir / "out";
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run a --formats svg,png,pdf --pages --jobs 1 -q", inputs(s), q(out))) == 0);
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run b --formats svg,png,pdf --pages --jobs 2 -q", inputs(s), q(out))) == 0);
    CHECK(tree(out / "a") == tree(out / "b"));
    const auto m = load_manifest(out / "a" / "manifest.json");
    REQUIRE(!m.types.empty());
    const auto& t = m.types[0];
    CHECK(t.outputs.size() == t.eyemaps.size() * 3 + 2);  // + thumbnail and page
    const auto page = read_file(out / "a" / ("pages/" + t.file_key + ".html"));
    CHECK(xml_error(page) == "");
    for (const auto& o : t.outputs) {
        if (o.format == FileFormat::html) continue;
        const auto bytes = read_file(out / "a" / o.path);
        INFO(o.path);
        if (o.eyemap < 0) {  // the thumbnail: shown by the index, not linked from the page
            CHECK(bytes.rfind("<svg ", 0) == 0);
            continue;
        }
        if (o.format == FileFormat::png) CHECK(bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
        if (o.format == FileFormat::pdf) CHECK(bytes.rfind("%PDF-", 0) == 0);
        CHECK(page.find("href=\"../" + o.path + "\"") != std::string::npos);
    }
    // Another PNG scale changes the PNGs' input hashes: every type is rendered again (a type is redone whole).
    std::string err;
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run a --formats svg,png,pdf --pages --png-scale 2 --resume -q", inputs(s), q(out)), &err) == 0);
    CHECK(err.find("up to date") == std::string::npos);
    CHECK(err.find(fmt::format(": {} eyemaps rendered", m.types.size() * 12)) != std::string::npos);
}

TEST_CASE("batch: row errors name the file and line, stdin input works, the null sink writes nothing", "[batch]") {
    const auto s = make_sample("misc", 3, 5);
    const auto out = s.dir / "out";
    // A column that is not in the layout, in the second type.
    std::string text = read_file(s.data);
    const auto lines_before = std::count(text.begin(), text.end(), '\n');
    std::string err;
    write_file(s.dir / "bad.csv", text + "Zz9,ME,L,99,99,1,1,1;0;0;0;0;0;0;0;0;0,1;0;0;0;0;0;0;0;0;0\n");
    CHECK(cli(fmt::format("batch --data {} --columns {} --out-dir {} --run bad -q", q(s.dir / "bad.csv"), q(s.columns), q(out)), &err) == 2);
    CHECK(err.find(fmt::format("bad.csv:{}", lines_before + 1)) != std::string::npos);
    CHECK(err.find("not in the layout") != std::string::npos);
    // The types before the bad one were finished and recorded.
    const auto m = load_manifest(out / "bad" / "manifest.json");
    CHECK_FALSE(m.complete);
    CHECK(m.types.size() == 3);

    // Standard input (needs --columns), and the same files as from the file.
    REQUIRE(cli(fmt::format("batch --data - --columns {} --out-dir {} --run stdin -q < {}", q(s.columns), q(out), q(s.data))) == 0);
    REQUIRE(cli(fmt::format("batch {} --out-dir {} --run file -q", inputs(s), q(out))) == 0);
    CHECK(tree(out / "stdin") == tree(out / "file"));
    CHECK(cli(fmt::format("batch --data - --out-dir {} -q < {}", q(out), q(s.data)), &err) == 1);  // usage: needs --columns

    // --sink null: everything rendered, nothing written.
    REQUIRE(cli(fmt::format("batch {} --sink null --pages --out-dir {} -q", inputs(s), q(s.dir / "nothing")), &err) == 0);
    CHECK(err.find(": 36 eyemaps rendered, 42 files") != std::string::npos);  // + a page and a thumbnail per type
    CHECK_FALSE(fs::exists(s.dir / "nothing"));
}

namespace {

std::string join_values(const std::vector<std::int64_t>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{}", i ? ";" : "", v[i]);
    return out;
}

// The sample's rows rewritten in a harder dialect: a BOM, the type in the third column, CRLF on
// every other line, blank lines inside and between groups, quoted names with a comma, a doubled
// quote and a line break, a padded name. `bad` maps a row index to a replacement synapse value.
// Returns the text; line_of[k] is the line of row k.
std::string tricky_csv(const std::vector<ColumnRow>& rows, std::vector<std::uint64_t>& line_of,
                       const std::map<std::size_t, std::string>& bad = {}) {
    std::string text = "\xEF\xBB\xBF" "region,side,neuron_type,hex1,hex2,synapses,cells,layer_synapses,layer_cells\n";
    std::uint64_t line = 2;
    std::map<std::string, std::size_t> type_index;
    line_of.clear();
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto& r = rows[k];
        const std::size_t t = type_index.emplace(r.neuron_type, type_index.size()).first->second;
        std::string type = r.neuron_type;
        if (t == 0) type = "\"A,1 \"\"x\"\"\"";
        if (t == 1) type = "\"Multi\r\nline\"";
        if (t == 2) type = "  Padded\t ";
        const auto it = bad.find(k);
        line_of.push_back(line);
        text += fmt::format("{},{},{},{},{},{},{},{},{}", r.region, to_string(r.side), type, r.hex1, r.hex2,
                            it == bad.end() ? std::to_string(r.synapses) : it->second, r.cells, join_values(r.layer_synapses),
                            join_values(r.layer_cells));
        text += k % 2 ? "\r\n" : "\n";
        line += 1 + (t == 1 ? 1 : 0);
        if (k % 7 == 3) text += "\n", ++line;
        if (k % 11 == 5) text += "\r\n", ++line;
    }
    return text;
}

struct BatchResult {
    std::map<std::string, std::string> files;
    std::map<std::uint64_t, std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>> types;
};

// Runs a batch from the data file, parsed by the workers (file) or pulled as parsed rows.
BatchResult batch_of(const fs::path& data, const ColumnIndex& layout, unsigned jobs, bool from_file, Shard shard = {}) {
    DataFileSource src(data, builtin_regions());
    const RowSource rows = src.source();
    std::mutex mu;
    BatchResult res;
    BatchCallbacks cb;
    cb.output = [&](const BatchOutput& o) {
        std::lock_guard lk(mu);
        CHECK(res.files.emplace(o.output.path, std::string(o.bytes)).second);
    };
    cb.type_done = [&](const TypeRecord& t) { res.types[t.seq] = {t.neuron_type, t.first_line, t.last_line, t.rows, t.rows_hash}; };
    BatchOptions o;
    o.jobs = jobs;
    o.shard = shard;
    o.source_name = data.string();
    const Renderer renderer;
    add_type_pages(cb, src.columns(), layout, renderer, o, PageOptions{true, false});
    if (from_file) run_batch(src, layout, renderer, o, cb);
    else run_batch(BatchInput(rows, src.columns()), layout, renderer, o, cb);
    return res;
}

}  // namespace

TEST_CASE("batch library: a data file parsed by the workers gives the bytes and records of parsed rows", "[batch][api]") {
    const auto s = make_sample("dialect", 8);
    const auto rows = read_rows(s.data);
    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());
    std::vector<std::uint64_t> line_of;
    const auto data = s.dir / "tricky.csv";
    write_file(data, tricky_csv(rows, line_of));

    const auto ref = batch_of(data, *layout, 1, false);
    REQUIRE(ref.types.size() == 8);
    std::set<std::string> names;
    for (const auto& [seq, t] : ref.types) names.insert(std::get<0>(t));
    CHECK(names.count("A,1 \"x\""));
    CHECK(names.count("Multi\nline"));  // the CRLF inside quotes reads as a line break
    CHECK(names.count("Padded"));
    // The multi-line type's rows start on the lines counted while writing.
    CHECK(std::get<1>(ref.types.at(0)) == line_of[0]);
    for (unsigned jobs : {1u, 3u}) {
        const auto got = batch_of(data, *layout, jobs, true);
        CHECK(got.types == ref.types);
        CHECK(got.files.size() == ref.files.size());
        CHECK(got.files == ref.files);
    }
}

TEST_CASE("batch library: from a data file, the earliest bad row is reported at its line and a shard checks its own types",
          "[batch][api]") {
    const auto s = make_sample("dialect-err", 8);
    const auto rows = read_rows(s.data);
    const auto layout = index_columns(read_column_layout(s.columns), builtin_regions());
    // Bad values in the middle of the 5th and the 7th type, after multi-line records and blank lines.
    std::map<std::string, std::vector<std::size_t>> of_type;
    std::vector<std::string> order;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (!of_type.count(rows[k].neuron_type)) order.push_back(rows[k].neuron_type);
        of_type[rows[k].neuron_type].push_back(k);
    }
    REQUIRE(order.size() == 8);
    const auto& fifth = of_type[order[4]];
    const auto& seventh = of_type[order[6]];
    const std::size_t bad1 = fifth[fifth.size() / 2], bad2 = seventh[seventh.size() / 2];
    std::vector<std::uint64_t> line_of;
    const auto data = s.dir / "bad.csv";
    write_file(data, tricky_csv(rows, line_of, {{bad1, "many"}, {bad2, "-3"}}));
    const std::string where = fmt::format("{}:{}: field 'synapses': value 'many'", data.string(), line_of[bad1]);

    auto error_of = [&](unsigned jobs, bool from_file, Shard shard = {}) -> std::string {
        try {
            batch_of(data, *layout, jobs, from_file, shard);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            return e.what();
        }
        return {};
    };
    CHECK_THAT(error_of(1, false), Catch::Contains(where));
    for (int i = 0; i < 5; ++i) CHECK_THAT(error_of(3, true), Catch::Contains(where));
    CHECK_THAT(error_of(1, true), Catch::Contains(where));

    // A shard owning neither bad type finishes; the shard of the first one reports it.
    const std::uint32_t s1 = shard_of(order[4], 3), s2 = shard_of(order[6], 3);
    std::uint32_t clean = 0;
    while (clean == s1 || clean == s2) ++clean;
    CHECK(error_of(2, true, Shard{clean, 3}).empty());
    CHECK_THAT(error_of(2, true, Shard{s1, 3}), Catch::Contains(where));
}

TEST_CASE("batch: a type name with '..' round-trips through the manifest (resume, index, runs list)", "[batch]") {
    const auto dir = test::fresh_dir("rel-dotdot");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("T4..a"));
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

TEST_CASE("run lock: a second writer of the same run and shard is refused, naming the holder", "[batch]") {
    const auto dir = test::fresh_dir("rel-lock");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
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

TEST_CASE("run lock (new run): the lock is taken before the first type is rendered", "[batch]") {
    // A run folder that does not exist yet: a second writer is refused before it renders anything
    // (it used to render its first type, then find the lock in the folder the first writer made).
    const auto dir = test::fresh_dir("rel-lock-new");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A") + test::rows_for("B"));
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

TEST_CASE("run lock (new run): two writers race into a fresh run: one writes it, the other is refused", "[batch]") {
    const auto dir = test::fresh_dir("rel-lock-race");
    // Long enough (a few hundred types, SVG and PNG) that the two processes overlap.
    std::string data = test::kRowsHeader;
    for (int t = 0; t < 300; ++t) data += test::rows_for(fmt::format("T{:03}", t));
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
    CHECK(test::files_under(dir / "o/r") == listed);  // no file, temporary or lock of the refused writer
    CHECK(test::files_under(dir / "o") == [&] {
        std::set<std::string> all;
        for (const auto& f : listed) all.insert("r/" + f);
        return all;
    }());
}

TEST_CASE("manifest: eyemap's own or refused, with the rebuild command", "[batch]") {
    const auto dir = test::fresh_dir("rel-manifest");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
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

TEST_CASE("batch: invalid options or a bad first row create no run folder", "[batch]") {
    const auto dir = test::fresh_dir("rel-junk");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
    test::write_file(dir / "bad.csv", std::string(test::kRowsHeader) + "A,ME,R,0,0,NaN,1\n");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --format png --scale 0", q(dir / "d.csv"), q(dir / "o"))) == 1);  // a usage error
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} -q", q(dir / "bad.csv"), q(dir / "o"))) == 2);
    CHECK(!fs::exists(dir / "o"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run good -q", q(dir / "d.csv"), q(dir / "o"))) == 0);
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} -q", q(dir / "bad.csv"), q(dir / "o"))) == 2);
    CHECK(list_runs(dir / "o").size() == 1);
}

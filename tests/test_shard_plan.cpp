// Sharded runs and shard plans (batch/shard_plan.cpp): a shard's start-up cleanup of temporary files,
// content hashes in the manifest and `runs verify` (missing or changed files, missing and unfinished
// shards, exit codes and redo commands), size-balanced plans and a planned run's byte-identical union.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "eyemap/runs.hpp"
#include "eyemap/error.hpp"
#include "eyemap/sample.hpp"
#include "output/sink.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::run_cli;
using eyemap::test::write_file;

struct Release {
    fs::path dir, data, columns;
};

// A small synthetic release written through the CLI (same as users make one).
const Release& release() {
    static const Release r = [] {
        Release x;
        // One folder per test process: CTest runs the cases of this file in parallel processes (-j2).
        x.dir = eyemap::test::fresh_dir(fmt::format("cluster-release-{}", ::getpid()));
        REQUIRE(run_cli(fmt::format("sample --out-dir '{}' --types 24", x.dir.string())) == 0);
        x.data = x.dir / "data.csv";
        x.columns = x.dir / "columns.csv";
        return x;
    }();
    return r;
}

std::string batch_args(const fs::path& out, const std::string& run, const std::string& extra = "") {
    const auto& r = release();
    return fmt::format("batch --data '{}' --columns '{}' --out-dir '{}' --run {} --jobs 2 --quiet --pages {}", r.data.string(),
                       r.columns.string(), out.string(), run, extra);
}

// Every file of a run but the manifests, by relative path, with its content hash.
std::map<std::string, std::uint64_t> run_files(const fs::path& root) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        const auto name = e.path().filename().string();
        const auto rel = fs::relative(e.path(), root).generic_string();
        if (name.rfind("manifest", 0) == 0 || rel == "report.html") continue;  // times; the report only in unsharded runs
        std::string text = read_file(e.path());
        if (rel == "index.html") {  // an unsharded run's index links its report; a sharded one's has none
            const std::string link = R"( <a href="report.html" id="em-report-link">Run report</a>)";
            if (const auto at = text.find(link); at != std::string::npos) text.erase(at, link.size());
        }
        out[rel] = hash_bytes(text);
    }
    return out;
}

}  // namespace

TEST_CASE("a batch's start-up cleanup keeps another host's temp file and removes its own dead one") {
    const auto out = eyemap::test::fresh_dir("cluster-cleanup");
    const fs::path run = out / "r";
    fs::create_directories(run / "svg");
    // A pid that is not running: a child that has exited and been reaped.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    const fs::path other = run / "svg" / temp_file_name("x.svg", "someotherhost", child, 1);
    const fs::path own = run / "svg" / temp_file_name("x.svg", temp_host_id(), child, 2);
    write_file(other, "partial");
    write_file(own, "partial");
    REQUIRE(run_cli(batch_args(out, "r", "--shard 0/2")) == 0);
    CHECK(fs::exists(other));
    CHECK_FALSE(fs::exists(own));
}

TEST_CASE("a manifest from before issue 26 (hash64 content hashes) still verifies, and a resume rewrites them") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-hash64");
    REQUIRE(run_cli(batch_args(out, "old")) == 0);
    const fs::path run = out / "old";
    // What an older eyemap wrote: no "content_hash" field, hash64 of each file.
    Manifest m = manifest_from_json(read_file(run / "manifest.json"), "manifest.json");
    m.content_hash = ContentHash::hash64;
    for (auto& t : m.types)
        for (auto& o : t.outputs) o.content_hash = hash_bytes(read_file(run / o.path));
    const std::string legacy = manifest_to_json(m);
    REQUIRE(legacy.find("content_hash") == std::string::npos);
    write_file(run / "manifest.json", legacy);
    CHECK(manifest_from_json(legacy, "x").content_hash == ContentHash::hash64);
    fs::last_write_time(run / "index.html", fs::file_time_type::clock::now());  // the index is not older than the manifest
    CHECK(verify_run(run).complete);
    // A changed byte is still found with the old algorithm.
    const auto& o0 = m.types[0].outputs[0];
    const std::string kept = read_file(run / o0.path);
    std::string changed = kept;
    changed[changed.size() / 2] ^= 1;
    write_file(run / o0.path, changed);
    const auto r = verify_run(run);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].problem == "content");
    // A resume checks each kept file against its old hash: the changed one's type is made again,
    // the others get hashes the new way, made from the files.
    REQUIRE(run_cli(batch_args(out, "old", "--resume")) == 0);
    CHECK(read_file(run / o0.path) == kept);
    const std::string text = read_file(run / "manifest.json");
    CHECK(text.find("\"digest\":\"") != std::string::npos);
    CHECK(text.find("\"content\":\"") == std::string::npos);  // an older eyemap checks sizes only, not wrongly
    // A manifest whose output keys disagree with its content_hash is refused.
    std::string mixed = text;
    mixed.replace(mixed.find("\"digest\":\""), 10, "\"content\":\"");
    CHECK_THROWS_WITH(manifest_from_json(mixed, "m.json"), Catch::Contains("do not match"));
    // A second resume has nothing to redo.
    REQUIRE(run_cli(batch_args(out, "old", "--resume")) == 0);
    const Manifest now = manifest_from_json(read_file(run / "manifest.json"), "manifest.json");
    CHECK(now.content_hash == ContentHash::crc32_adler32);
    for (const auto& t : now.types)
        for (const auto& o : t.outputs) CHECK(o.content_hash == stream_digest(read_file(run / o.path)));
    CHECK(verify_run(run).complete);
    // An algorithm eyemap does not know is refused, naming the manifest.
    std::string unknown = read_file(run / "manifest.json");
    unknown.replace(unknown.find("crc32-adler32"), 13, "sha-999");
    CHECK_THROWS_WITH(manifest_from_json(unknown, "m.json"), Catch::Contains("unknown content_hash \"sha-999\"") && Catch::Contains("m.json"));
}

TEST_CASE("manifest records each file's content hash, and verify finds missing, resized and changed files") {
    const auto out = eyemap::test::fresh_dir("cluster-verify");
    REQUIRE(run_cli(batch_args(out, "one")) == 0);
    const fs::path run = out / "one";
    const Manifest m = manifest_from_json(read_file(run / "manifest.json"), "manifest.json");
    REQUIRE_FALSE(m.types.empty());
    CHECK(m.content_hash == ContentHash::crc32_adler32);
    CHECK(read_file(run / "manifest.json").find("\"content_hash\":\"crc32-adler32\"") != std::string::npos);
    for (const auto& t : m.types)
        for (const auto& o : t.outputs) {
            REQUIRE(o.content_hash != 0);
            CHECK(o.content_hash == stream_digest(read_file(run / o.path)));
        }
    // Round trip keeps it.
    CHECK(manifest_from_json(manifest_to_json(m), "x").types[0].outputs[0].content_hash == m.types[0].outputs[0].content_hash);

    auto r = verify_run(run);
    CHECK(r.complete);
    CHECK(r.shard_count == 1);
    CHECK(r.files.empty());
    CHECK(r.files_checked > 0);
    CHECK(run_cli(fmt::format("runs verify '{}'", run.string())) == 0);

    // Same size, other bytes: only the content hash sees it.
    const auto& o0 = m.types[0].outputs[0];
    std::string bytes = read_file(run / o0.path);
    bytes[bytes.size() / 2] ^= 1;
    write_file(run / o0.path, bytes);
    r = verify_run(run);
    CHECK_FALSE(r.complete);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].problem == "content");
    CHECK(r.files[0].path == o0.path);
    REQUIRE(r.redo_commands.size() == 2);  // the redo (removing the changed file first) and the index
    CHECK(r.redo_commands[0].rfind("rm -f -- ", 0) == 0);
    CHECK(r.redo_commands[0].find("--resume") != std::string::npos);
    CHECK(verify_run(run, RunVerifyOptions{.check_content = false}).complete);  // --quick: sizes only

    // A missing file and a resized one.
    const auto& o1 = m.types[1].outputs[1];
    fs::remove(run / o1.path);
    write_file(run / m.types[2].outputs[0].path, "short");
    r = verify_run(run);
    std::set<std::string> problems;
    for (const auto& f : r.files) problems.insert(f.path + ":" + f.problem);
    CHECK(problems.count(o1.path + ":missing"));
    CHECK(problems.count(m.types[2].outputs[0].path + ":size"));
    CHECK(run_cli(fmt::format("runs verify '{}'", run.string())) == 2);

    // Running the printed commands repairs it.
    std::string err;
    for (auto& cmd : r.redo_commands) {
        const auto at = cmd.find("eyemap batch");
        REQUIRE(at != std::string::npos);
        const std::string prefix = cmd.substr(0, at);
        if (!prefix.empty()) REQUIRE(std::system((prefix + "true").c_str()) == 0);
        REQUIRE(run_cli(cmd.substr(at + 7) + " --quiet", &err) == 0);
    }
    CHECK(verify_run(run).complete);
}

TEST_CASE("verify a sharded run: missing and unfinished shards, the redo command per shard") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-shards");
    REQUIRE(run_cli(batch_args(out, "ref")) == 0);
    for (int i : {0, 1, 3}) REQUIRE(run_cli(batch_args(out, "sh", fmt::format("--shard {}/4", i))) == 0);
    const fs::path run = out / "sh";
    auto r = verify_run(run);
    CHECK_FALSE(r.complete);
    CHECK(r.shard_count == 4);
    REQUIRE(r.shards.size() == 4);
    CHECK(r.shards[2].state == "missing");
    CHECK(r.redo_shards == std::vector<std::uint32_t>{2});
    REQUIRE_FALSE(r.redo_commands.empty());
    CHECK(r.redo_commands[0].find("--shard 2/4 --resume") != std::string::npos);
    CHECK(r.redo_commands[0].find(fmt::format("--data {}", release().data.string())) != std::string::npos);
    CHECK(r.redo_commands[0].find("--run sh") != std::string::npos);
    // --json, exit 2.
    CHECK(run_cli(fmt::format("runs verify --out-dir '{}' --run sh --json > '{}'", out.string(), (out / "v.json").string())) == 2);
    CHECK(read_file(out / "v.json").find("\"redo_shards\": [\n    2\n  ]") != std::string::npos);
    // --shards N larger than the manifests know: the others are missing too.
    CHECK(verify_run(run, RunVerifyOptions{.expect_shards = 4}).redo_shards.size() == 1);

    // An unfinished shard (its manifest says not complete) is redone, not skipped.
    REQUIRE(run_cli(batch_args(out, "sh", "--shard 2/4")) == 0);
    auto path = run / "manifest-1-of-4.json";
    Manifest m1 = manifest_from_json(read_file(path), path.string());
    m1.complete = false;
    write_file(path, manifest_to_json(m1));
    r = verify_run(run);
    CHECK(r.redo_shards == std::vector<std::uint32_t>{1});
    CHECK(r.shards[1].state == "unfinished");
    REQUIRE(run_cli(batch_args(out, "sh", "--shard 1/4 --resume")) == 0);
    REQUIRE(run_cli(fmt::format("batch --out-dir '{}' --run sh --index-only", out.string())) == 0);
    CHECK(verify_run(run).complete);
    CHECK(run_files(out / "ref") == run_files(run));
}

TEST_CASE("shard plans: LPT balance, case-folded units, hash fallback, JSON round trip") {
    std::vector<TypeRowCount> types{{"big", 100}, {"a", 10}, {"b", 20}, {"c", 30}, {"d", 40}, {"Mi1", 35}, {"MI1", 5}};
    const ShardPlan plan = make_shard_plan(types, 2);
    const auto rows = rows_per_shard(types, 2, &plan);
    CHECK(rows[0] + rows[1] == 240);
    CHECK(std::max(rows[0], rows[1]) == 120);  // big+a+... vs the rest: 120/120
    CHECK(plan.shard_of("Mi1") == plan.shard_of("MI1"));  // one file key ignoring case: one shard
    CHECK(plan.shard_of("mi1") == plan.shard_of("Mi1"));  // unknown name of that key: the same shard
    CHECK(plan.shard_of("never-seen") == shard_of("never-seen", 2));
    const ShardPlan back = shard_plan_from_json(shard_plan_to_json(plan), "plan.json");
    CHECK(back.count == 2);
    for (const auto& t : types) CHECK(back.shard_of(t.name) == plan.shard_of(t.name));
    CHECK_THROWS_AS(shard_plan_from_json("{\"schema\":\"eyemap-plan/1\",\"shards\":2,\"types\":[{\"name\":\"a\",\"shard\":2}]}", "p"), Error);
    CHECK_THROWS_AS(shard_plan_from_json("{\"schema\":\"eyemap-plan/1\",\"shards\":2,\"types\":[{\"name\":\"Mi1\",\"shard\":0},"
                                         "{\"name\":\"MI1\",\"shard\":1}]}", "p"), Error);
    CHECK_THROWS_AS(shard_plan_from_json("{}", "p"), Error);
    // Deterministic.
    CHECK(shard_plan_to_json(make_shard_plan(types, 3)) == shard_plan_to_json(make_shard_plan(types, 3)));
    // A plan made by hand (no index built): the same lookup, case folded, hash for the unknown.
    ShardPlan by_hand;
    by_hand.count = 3;
    by_hand.types = {{"Mi1", 0, 2}, {"T4a", 0, 1}};
    CHECK(by_hand.shard_of("Mi1") == 2);
    CHECK(by_hand.shard_of("MI1") == 2);
    CHECK(by_hand.shard_of("T4a") == 1);
    CHECK(by_hand.shard_of("never-seen") == shard_of("never-seen", 3));
}

TEST_CASE("a planned sharded run is byte-identical to one machine's and better balanced") {
    const auto out = eyemap::test::fresh_dir("cluster-plan");
    const fs::path plan_file = out / "plan.json";
    REQUIRE(run_cli(fmt::format("batch --data '{}' --plan-out '{}' --shards 3", release().data.string(), plan_file.string())) == 0);
    DataFileSource src(release().data, builtin_regions());
    const auto types = count_type_rows(src);
    const ShardPlan plan = shard_plan_from_json(read_file(plan_file), plan_file.string());
    const auto planned = rows_per_shard(types, 3, &plan);
    const auto hashed = rows_per_shard(types, 3);
    CHECK(*std::max_element(planned.begin(), planned.end()) <= *std::max_element(hashed.begin(), hashed.end()));

    REQUIRE(run_cli(batch_args(out, "ref")) == 0);
    for (int i = 0; i < 3; ++i)
        REQUIRE(run_cli(batch_args(out, "pl", fmt::format("--shard {}/3 --plan '{}'", i, plan_file.string()))) == 0);
    REQUIRE(run_cli(fmt::format("batch --out-dir '{}' --run pl --index-only", out.string())) == 0);
    CHECK(run_files(out / "ref") == run_files(out / "pl"));
    const auto r = verify_run(out / "pl");
    CHECK(r.complete);
    // Each shard rendered the plan's types, and the manifest names the plan for the redo command.
    for (std::uint32_t i = 0; i < 3; ++i) {
        const auto p = out / "pl" / manifest_file_name(Shard{i, 3});
        const Manifest m = manifest_from_json(read_file(p), p.string());
        CHECK(m.plan == plan_file.string());
        for (const auto& t : m.types) CHECK(plan.shard_of(t.neuron_type) == i);
    }
    fs::remove(out / "pl" / manifest_file_name(Shard{1, 3}));
    const auto r2 = verify_run(out / "pl");
    REQUIRE_FALSE(r2.redo_commands.empty());
    CHECK(r2.redo_commands[0].find("--plan") != std::string::npos);
    // A plan for another shard count is refused.
    std::string err;
    CHECK(run_cli(batch_args(out, "bad", fmt::format("--shard 0/2 --plan '{}'", plan_file.string())), &err) == 2);
    CHECK(err.find("plan is for 3 shards") != std::string::npos);
}

namespace {

// Runs each of `commands` (as `runs verify` printed them, `eyemap` found on PATH) from `cwd`.
void run_printed(const std::vector<std::string>& commands, const fs::path& cwd) {
    const std::string bin_dir = fs::absolute(EYEMAP_CLI).parent_path().string();
    for (const auto& c : commands) {
        INFO(c);
        const std::string sh = fmt::format("cd '{}' && PATH='{}':\"$PATH\" && {} > /dev/null 2>&1", cwd.string(), bin_dir, c);
        // NOLINTNEXTLINE(cert-env33-c): a test running the shell commands verify printed
        const int rc = std::system(sh.c_str());
        REQUIRE(WIFEXITED(rc));
        REQUIRE(WEXITSTATUS(rc) == 0);
    }
}

// The data file with one count changed (same types, same rows): another version of the input.
void change_one_count(const fs::path& data) {
    std::string text = read_file(data);
    const auto at = text.find_last_of("0123456789");
    REQUIRE(at != std::string::npos);
    text[at] = text[at] == '9' ? '8' : static_cast<char>(text[at] + 1);
    write_file(data, text);
}

}  // namespace

TEST_CASE("verify: shards that read different versions of the data file fail, and the printed redo fixes it", "[verify]") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-input");
    const fs::path data = out / "data.csv";
    fs::copy_file(release().data, data);
    const auto args = [&](int i) {
        return fmt::format("batch --data '{}' --columns '{}' --out-dir '{}' --run v --jobs 2 --quiet --shard {}/2", data.string(),
                           release().columns.string(), out.string(), i);
    };
    REQUIRE(run_cli(args(0)) == 0);
    change_one_count(data);
    REQUIRE(run_cli(args(1)) == 0);
    const auto m0 = manifest_from_json(read_file(out / "v" / "manifest-0-of-2.json"), "m0");
    const auto m1 = manifest_from_json(read_file(out / "v" / "manifest-1-of-2.json"), "m1");
    CHECK(m0.schema == 2);
    REQUIRE(m0.input.known);
    CHECK(m0.input.types == 24);
    CHECK(m0.input.types == m1.input.types);
    CHECK(m0.input.data_bytes == m1.input.data_bytes);
    CHECK(m0.input.data_digest != m1.input.data_digest);
    CHECK(m0.data == data.string());  // absolute, as the batch was given it
    {
        // A manifest whose input has the earlier "data_hash" (another function of the bytes): not compared.
        auto j = nlohmann::json::parse(read_file(out / "v" / "manifest-0-of-2.json").substr(0, read_file(out / "v" / "manifest-0-of-2.json").find("\"types\":[")) + "\"types\":[]}");
        j["input"]["data_hash"] = j["input"]["data_digest"];
        j["input"].erase("data_digest");
        j["type_count"] = 0;
        CHECK_FALSE(manifest_from_json(j.dump(), "old-input").input.known);
    }
    auto r = verify_run(out / "v");
    CHECK_FALSE(r.complete);
    CHECK(r.redo_shards == std::vector<std::uint32_t>{0});  // the newest shard's input is the intended one
    REQUIRE(std::any_of(r.problems.begin(), r.problems.end(), [](const auto& p) { return p.find("another input") != std::string::npos; }));
    CHECK(run_cli(fmt::format("runs verify '{}' > '{}'", (out / "v").string(), (out / "v.txt").string())) == 2);
    run_printed(r.redo_commands, fs::temp_directory_path());
    CHECK(verify_run(out / "v").complete);
}

TEST_CASE("verify: an output that is a symbolic link (to a file outside the run, or through a linked folder) fails, and --resume renders it again", "[verify]") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-link");
    REQUIRE(run_cli(batch_args(out, "l")) == 0);
    const fs::path run = out / "l";
    const auto m = manifest_from_json(read_file(run / "manifest.json"), "m");
    const std::string rel = m.types.at(0).outputs.at(0).path;
    const fs::path outside = out / "outside.svg";
    fs::copy_file(run / rel, outside);  // same bytes: only the link is wrong
    fs::remove(run / rel);
    fs::create_symlink(outside, run / rel);
    auto r = verify_run(run);
    CHECK_FALSE(r.complete);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].problem == "symlink");
    REQUIRE_FALSE(r.redo_commands.empty());
    CHECK(r.redo_commands[0].rfind("rm -f -- ", 0) == 0);
    // --resume does not trust the link: it writes a regular file in its place, the outside file stays.
    REQUIRE(run_cli(batch_args(out, "l", "--resume")) == 0);
    CHECK(fs::symlink_status(run / rel).type() == fs::file_type::regular);
    CHECK(fs::exists(outside));
    CHECK(verify_run(run).complete);
}

TEST_CASE("verify: printed commands are absolute and current, name the real run, remove folders with rm -rf, and run as printed from another folder", "[verify]") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-commands");
    const fs::path here = out / "here", other = out / "other";
    fs::create_directories(here);
    fs::create_directories(other);
    fs::copy_file(release().data, here / "data.csv");
    // The batch with relative paths, run from `here`.
    const std::string bin = fs::absolute(EYEMAP_CLI).string();
    REQUIRE(std::system(fmt::format("cd '{}' && '{}' batch --data data.csv --out-dir runs --run c --format svg,png --quiet --jobs 2 > /dev/null 2>&1",
                                    here.string(), bin).c_str()) == 0);
    const fs::path run = here / "runs" / "c";
    const auto m = manifest_from_json(read_file(run / "manifest.json"), "m");
    const std::string file = m.types.at(0).outputs.at(0).path, png = m.types.at(1).outputs.back().path;
    fs::remove(run / file);
    fs::create_directories(run / file / "sub");  // an output replaced by a folder
    fs::remove(run / png);

    // `runs verify .` inside the run: the real name, absolute paths, --format, rm -rf for the folder.
    const fs::path report = out / "v.txt";
    REQUIRE(std::system(fmt::format("cd '{}' && '{}' runs verify . > '{}' 2>&1", run.string(), bin, report.string()).c_str()) != -1);
    const std::string text = read_file(report);
    INFO(text);
    CHECK(text.find("--run c ") != std::string::npos);
    CHECK(text.find("--run .") == std::string::npos);
    CHECK(text.find("--format svg,png") != std::string::npos);
    CHECK(text.find("--formats") == std::string::npos);
    CHECK(text.find("rm -rf -- ") != std::string::npos);
    CHECK(text.find(fmt::format("--data {}", (here / "data.csv").string())) != std::string::npos);
    CHECK(text.find("INCOMPLETE") != std::string::npos);
    CHECK(text.find("complete,") == std::string::npos);  // one verdict: no "run: complete" line before it
    auto r = verify_run(fs::relative(run, fs::current_path()));
    CHECK(r.run_name == "c");
    run_printed(r.redo_commands, other);
    CHECK(verify_run(run).complete);

    // Shard manifests of two shard counts: a command that sets the odd ones aside, and then it verifies.
    const auto shard = [&](const std::string& s) {
        return run_cli(fmt::format("batch --data '{}' --out-dir '{}' --run s --quiet --jobs 2 --shard {}", release().data.string(), out.string(), s));
    };
    for (const char* s : {"0/2", "1/2", "0/3"}) REQUIRE(shard(s) == 0);
    r = verify_run(out / "s", RunVerifyOptions{.expect_shards = 2});
    CHECK_FALSE(r.complete);
    REQUIRE_FALSE(r.redo_commands.empty());
    run_printed(r.redo_commands, other);
    CHECK(verify_run(out / "s").complete);
}

TEST_CASE("verify and --resume still take eyemap-batch/1 manifests (no input identity)", "[verify]") {
    const auto out = eyemap::test::fresh_dir("cluster-verify-v1");
    REQUIRE(run_cli(batch_args(out, "old")) == 0);
    const fs::path path = out / "old" / "manifest.json";
    std::string text = read_file(path);
    const auto head_end = text.find(",\"types\":[");
    REQUIRE(head_end != std::string::npos);
    auto head = nlohmann::json::parse(text.substr(0, head_end) + "}");
    CHECK(head["schema"] == "eyemap-batch/2");
    head["schema"] = "eyemap-batch/1";
    head.erase("input");
    std::string h = head.dump();
    h.pop_back();
    write_file(path, h + text.substr(head_end));
    // The edit made the manifest newer than index.html; an old run's index is not.
    fs::last_write_time(out / "old" / "index.html", fs::file_time_type::clock::now() + std::chrono::seconds(1));
    const auto m = manifest_from_json(read_file(path), path.string());
    CHECK(m.schema == 1);
    CHECK_FALSE(m.input.known);
    CHECK(verify_run(out / "old").complete);
    REQUIRE(run_cli(batch_args(out, "old", "--resume")) == 0);
    CHECK(manifest_from_json(read_file(path), path.string()).schema == 2);
    CHECK(verify_run(out / "old").complete);
}

TEST_CASE("shard plan reader: counts and entries beyond the batch's limits are refused and not cut", "[shard_plan]") {
    using eyemap::kMaxShards;
    const auto plan = [](std::string_view shards, std::string_view entry_shard) {
        return fmt::format(R"({{"schema":"eyemap-plan/1","shards":{},"types":[{{"name":"A","rows":1,"shard":{}}}]}})", shards, entry_shard);
    };
    // 4294967297 was narrowed to 1 and accepted for a plan of 2 shards.
    CHECK_THROWS_WITH(eyemap::shard_plan_from_json(plan("2", "4294967297"), "p.json"), Catch::Contains("shard 4294967297 is not below 2"));
    CHECK_THROWS_WITH(eyemap::shard_plan_from_json(plan("2", "18446744073709551615"), "p.json"), Catch::Contains("is not below 2"));
    // The count: the batch's kMaxShards (a plan of 1000000 shards was read, then refused by --shard).
    CHECK(eyemap::shard_plan_from_json(plan(std::to_string(kMaxShards), "0"), "p.json").count == kMaxShards);
    CHECK_THROWS_WITH(eyemap::shard_plan_from_json(plan(std::to_string(kMaxShards + 1), "0"), "p.json"),
                      Catch::Contains(fmt::format("from 1 to {}", kMaxShards)) && Catch::Contains(std::to_string(kMaxShards + 1)));
    CHECK_THROWS_WITH(eyemap::shard_plan_from_json(plan("4294967298", "0"), "p.json"), Catch::Contains("4294967298"));
    const auto ok = eyemap::shard_plan_from_json(plan("2", "1"), "p.json");
    CHECK(ok.types.at(0).shard == 1);
}

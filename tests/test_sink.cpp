// Sinks: safe file names (never outside the output folder, deterministic, injective) and atomic
// writes that lose nothing (unwritable folder, read-only file system, full disk, file-size limit).
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/eyemap.hpp"
#include "output/sink.hpp"
#include "test_support.hpp"
#include "core/text.hpp"
#include "render/template_guard.hpp"

using namespace eyemap;
namespace fs = std::filesystem;
using eyemap::test::q;

namespace {

using test::run_cli;

bool is_safe_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

std::vector<std::string> hostile_names() {
    std::vector<std::string> v = {
        "../../etc/x", "../../etc/x/", "/abs", "/", "//", "C:\\Windows\\x", "..", ".", "...", "", " ", ".hidden", "-rf", "--help",
        "x.", "x..", "CON", "con", "Con.svg", "NUL", "aux.txt", "COM1", "lpt9.svg", "COM0", "CONX", "a/b", "a\\b", "a:b",
        "a b", "a  b", "a_b", "a__b", "a?b", "a*b", "a|b", "a<b", "a>b", "a\"b", "a\nb", "a\tb", "a\x01" "b",
        std::string("a\0b", 3), std::string("\0", 1), "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", "\xE2\x80\xAEgvs.exe", "\xff\xfe",
        "Mi1", "mi1", "MI1", "T4a", "Tm5a-b.v2", std::string(500, 'a'), std::string(500, 'a') + "b", std::string(81, 'x'),
        std::string(80, 'x'), std::string(79, '/'), "a_b-0123456789abcdef", "a_b-0123456789ABCDEF",
    };
    // Names that differ only in unsafe characters.
    for (char c : std::string("/\\:*?\"<>| \x7f"))
        v.push_back(std::string("type") + c + "x");
    // A safe name that looks exactly like another name's sanitised form must not collide with it.
    v.push_back(safe_file_name("a b"));
    return v;
}

// Runs `body` in a forked child; returns its exit status (77 = skipped), or -1 if it crashed.
template <class F>
int in_child(F body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 1;
        try {
            rc = body();
        } catch (...) {
            rc = 99;
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Child-side check of one failing write: an io error naming the path and containing `reason`,
// the previous file unchanged and no other file in the folder. Returns 0 or a distinct code.
int expect_failed_write(const fs::path& dir, const std::string& previous, std::size_t size, const std::string& reason) {
    const auto target = dir / "eyemap.svg";
    try {
        write_file_atomic(target, std::string(size, 'x'));
        return 10;  // no error
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::io || e.exit_code() != 3) return 11;
        if (e.where().file != target.string()) return 12;
        if (std::string(e.what()).find(reason) == std::string::npos) {
            std::fprintf(stderr, "message: %s\n", e.what());
            return 13;
        }
    }
    if (test::read_file(target) != previous) return 14;
    if (listing(dir) != std::vector<std::string>{"eyemap.svg"}) return 15;
    return 0;
}

// A private mount namespace with a tmpfs at `dir` (root only; 77 when not permitted here).
int private_tmpfs(const fs::path& dir, const char* options) {
    if (::unshare(CLONE_NEWNS) != 0) return 77;
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 77;
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options) != 0) return 77;
    return 0;
}

}  // namespace

TEST_CASE("safe_file_name: hostile names stay inside the folder, deterministic and distinct") {
    const fs::path out = "/srv/out";
    std::set<std::string> results;
    const auto names = hostile_names();
    for (const auto& n : names) {
        INFO("name: '" << n << "' (" << n.size() << " bytes)");
        const std::string s = safe_file_name(n);
        INFO("safe: '" << s << "'");
        CHECK_FALSE(s.empty());
        CHECK(s.size() <= kMaxSafeNameBytes);
        CHECK(std::all_of(s.begin(), s.end(), is_safe_char));
        CHECK(s != ".");
        CHECK(s != "..");
        CHECK(s.front() != '.');
        CHECK(s.front() != '-');
        CHECK(s.back() != '.');
        // One component directly inside the folder, whatever the name.
        const fs::path p = (out / s).lexically_normal();
        CHECK(p.parent_path() == out);
        CHECK(p.filename() == s);
        // Not a Windows device name, with or without extension.
        std::string stem = s.substr(0, s.find('.'));
        for (auto& c : stem) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        for (const char* r : {"CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM9", "LPT1", "LPT9"}) CHECK(stem != r);
        CHECK(safe_file_name(n) == s);  // deterministic
        results.insert(s);
    }
    CHECK(results.size() == std::set<std::string>(names.begin(), names.end()).size());  // distinct in, distinct out

    // Safe names are kept as they are; changed names keep a readable prefix and get a hash suffix.
    CHECK(safe_file_name("Mi1") == "Mi1");
    CHECK(safe_file_name("Tm5a-b.v2") == "Tm5a-b.v2");
    CHECK(safe_file_name(std::string(80, 'x')) == std::string(80, 'x'));
    CHECK_THAT(safe_file_name("../../etc/x"), Catch::Matchers::StartsWith("_.._etc_x-"));  // one component: no '/'
    CHECK(safe_file_name("/abs").find('/') == std::string::npos);
    CHECK_THAT(safe_file_name("CON"), Catch::Matchers::StartsWith("_CON-"));
    CHECK_THAT(safe_file_name(std::string(500, 'a')), Catch::Matchers::StartsWith(std::string(63, 'a') + "-"));
    CHECK(safe_file_name(std::string(500, 'a')).size() == 80);
    CHECK(safe_file_name("a_b-0123456789abcdef") != "a_b-0123456789abcdef");  // looks like a suffix: hashed too
    // The hash is part of the file-name contract: pinned.
    CHECK(safe_file_name("a b") == fmt::format("a_b-{:016x}", file_name_hash("a b")));
    CHECK(safe_file_name("a b") == "a_b-9ee3f60179951084");
    CHECK(safe_file_name("") == "_-e9e0033e3badaf36");
}

TEST_CASE("safe_file_name: many random unsafe variants never collide, and all land in one folder on disk") {
    std::set<std::string> in, out;
    std::uint64_t x = 12345;
    const std::string alphabet = "ab/\\:. _-\x01\xff\xc3";
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        const int len = 1 + static_cast<int>(x % 12);
        for (int k = 0; k < len; ++k) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            s.push_back(alphabet[(x >> 33) % alphabet.size()]);
        }
        if (in.insert(s).second) out.insert(safe_file_name(s));
    }
    CHECK(out.size() == in.size());

    const auto dir = test::fresh_dir("robust-safe-names");
    const auto names = hostile_names();
    for (const auto& n : names) write_file_atomic(dir / safe_file_name(n), n);
    CHECK(listing(dir).size() == std::set<std::string>(names.begin(), names.end()).size());
    for (const auto& n : names) CHECK(test::read_file(dir / safe_file_name(n)) == n);
}

TEST_CASE("write_file_atomic: writes, replaces, keeps permissions, leaves no temporary file") {
    const auto dir = test::fresh_dir("robust-atomic");
    const auto p = dir / "a.svg";
    write_file_atomic(p, "one");
    CHECK(test::read_file(p) == "one");
    ::chmod(p.c_str(), 0640);
    write_file_atomic(p, "two, longer");
    CHECK(test::read_file(p) == "two, longer");
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    write_file_atomic(p, "");
    CHECK(test::read_file(p).empty());
    // A name near NAME_MAX: the temporary name must still fit.
    const auto longname = dir / (std::string(250, 'n') + ".svg");
    write_file_atomic(longname, "long");
    CHECK(test::read_file(longname) == "long");
    CHECK(listing(dir).size() == 2);

    // Many threads replacing one file: always one whole version, never a mix; no leftovers.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) write_file_atomic(p, std::string(10000, static_cast<char>('a' + t)));
        });
    for (auto& t : threads) t.join();
    const auto final_text = test::read_file(p);
    REQUIRE(final_text.size() == 10000);
    CHECK(std::count(final_text.begin(), final_text.end(), final_text[0]) == 10000);
    CHECK(listing(dir).size() == 2);
}

TEST_CASE("durable writes: every durability writes the same bytes, and sync_file_at names what failed") {
    const auto dir = test::fresh_dir("robust-durable");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(dfd >= 0);
    for (const auto d : {Durability::none, Durability::writeback, Durability::full}) {
        const std::string name = fmt::format("d{}.svg", static_cast<int>(d));
        write_file_atomic_at(dfd, name, "<svg/>", (dir / name).string(), d);
        CHECK(test::read_file(dir / name) == "<svg/>");
        sync_file_at(dfd, name, (dir / name).string());
    }
    CHECK(listing(dir).size() == 3);  // no temporary file left
    sync_folder(dfd, dir.string());
    // A file that is not there, and a link (never followed), are io errors naming the shown path.
    const auto missing = dir / "gone.svg";
    try {
        sync_file_at(dfd, "gone.svg", missing.string());
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::io);
        CHECK_THAT(e.what(), Catch::Contains("gone.svg") && Catch::Contains("flush"));
    }
    fs::create_symlink(dir / "d0.svg", dir / "link.svg");
    CHECK_THROWS_AS(sync_file_at(dfd, "link.svg", (dir / "link.svg").string()), Error);
    ::close(dfd);
}

TEST_CASE("write_file_atomic_at in pieces: the pieces in order, and a failing producer keeps the old file") {
    const auto dir = test::fresh_dir("robust-pieces");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(dfd >= 0);
    const std::string shown = (dir / "m.json").string();
    write_file_atomic_at(dfd, "m.json", [](const ByteWriter& write) {
        write("{\"a\":[");
        write("");
        for (int i = 0; i < 3; ++i) write(std::string(100000, static_cast<char>('0' + i)));
        write("]}");
    }, shown);
    const std::string text = test::read_file(dir / "m.json");
    REQUIRE(text.size() == 300008);
    CHECK(text.substr(0, 6) == "{\"a\":[");
    CHECK(text[6] == '0');
    CHECK(text[100006] == '1');
    CHECK(text[200006] == '2');
    CHECK(text.substr(300006) == "]}");
    // The producer fails half-way: the previous file stays whole and no temporary file is left.
    CHECK_THROWS_WITH(write_file_atomic_at(dfd, "m.json", [](const ByteWriter& write) {
        write("half");
        throw std::runtime_error("producer failed");
    }, shown), "producer failed");
    CHECK(test::read_file(dir / "m.json") == text);
    CHECK(listing(dir).size() == 1);
    ::close(dfd);
}

TEST_CASE("write_file_atomic: bad targets are io errors naming the path") {
    const auto dir = test::fresh_dir("robust-atomic-bad");
    const auto file = dir / "plain-file";
    test::write_file(file, "x");
    struct Bad {
        fs::path path;
        const char* reason;
    };
    const std::vector<Bad> bad = {
        {file / "x.svg", "Not a directory"},       // a folder that is a regular file: fails even for root
        {dir / "missing" / "x.svg", "No such file"},
        {"/proc/eyemap-test.svg", "cannot create file"},  // not writable, even for root
        {dir, "it is a folder"},
        {dir / "", "not a file name"},
        {"", "not a file name"},
    };
    for (const auto& b : bad) {
        INFO(b.path.string());
        try {
            write_file_atomic(b.path, "data");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(e.exit_code() == 3);
            CHECK(e.where().file == b.path.string());
            CHECK_THAT(e.what(), Catch::Matchers::Contains(b.reason));
        }
    }
    CHECK(listing(dir) == std::vector<std::string>{"plain-file"});
    CHECK(test::read_file(file) == "x");

    // ensure_directory: io errors instead of std::filesystem_error.
    CHECK_NOTHROW(ensure_directory(dir / "new" / "nested"));
    CHECK(fs::is_directory(dir / "new" / "nested"));
    CHECK_NOTHROW(ensure_directory(dir / "new"));
    for (const auto& p : {file, file / "sub", fs::path("/proc/eyemap-test-dir")}) {
        INFO(p.string());
        try {
            ensure_directory(p);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(e.where().file == p.string());
        }
    }
}

TEST_CASE("write_file_atomic: file-size limit (a full disk for this process) keeps the previous file") {
    const auto dir = test::fresh_dir("robust-fsize");
    const std::string previous = "<svg>previous</svg>";
    write_file_atomic(dir / "eyemap.svg", previous);
    const int rc = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
        rlimit lim{4096, 4096};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 77;
        if (const int r = expect_failed_write(dir, previous, 100000, "File too large")) return r;
        write_file_atomic(dir / "eyemap.svg", "small enough");  // under the limit it still works
        return test::read_file(dir / "eyemap.svg") == "small enough" ? 0 : 20;
    });
    CHECK(rc == 0);
    CHECK(listing(dir) == std::vector<std::string>{"eyemap.svg"});
}

TEST_CASE("write_file_atomic: file-size limit with SIGXFSZ at its default (kill) still fails cleanly") {
    const auto dir = test::fresh_dir("robust-fsize-default");
    const std::string previous = "<svg>previous</svg>";
    write_file_atomic(dir / "eyemap.svg", previous);
    const int rc = in_child([&] {
        std::signal(SIGXFSZ, SIG_DFL);
        rlimit lim{4096, 4096};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 77;
        if (const int r = expect_failed_write(dir, previous, 100000, "File too large")) return r;
        // The signal was consumed, not left pending to kill the process later.
        sigset_t pending;
        sigpending(&pending);
        return sigismember(&pending, SIGXFSZ) ? 21 : 0;
    });
    CHECK(rc == 0);
    CHECK(listing(dir) == std::vector<std::string>{"eyemap.svg"});

    // Through the CLI, under `ulimit -f`: exit code 3, the previous file kept, no temporary file.
    const std::string data = EYEMAP_SOURCE_DIR "/tests/data/good/bom_crlf_quoted.csv";
    std::string err;
    const int cli = run_cli("render --data " + data + " --type 'Tm5a, Tm5b' --region ME --side R --metric cell_count -o " +
                                      (dir / "eyemap.svg").string(), &err);
    REQUIRE(cli == 0);  // fits without a limit
    test::write_file(dir / "eyemap.svg", previous);
    const std::string cmd = "ulimit -f 2 && " + std::string(EYEMAP_CLI) +
                            " render --data " + data + " --type 'Tm5a, Tm5b' --region ME --side R --metric cell_count -o " +
                            (dir / "eyemap.svg").string() + " 2> " + (dir.parent_path() / "robust-ulimit.txt").string();
    const int st = std::system(("sh -c \"" + cmd + "\"").c_str());
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 3);
    CHECK_THAT(test::read_file(dir.parent_path() / "robust-ulimit.txt"), Catch::Matchers::Contains("File too large"));
    CHECK(test::read_file(dir / "eyemap.svg") == previous);
    CHECK(listing(dir) == std::vector<std::string>{"eyemap.svg"});
}

TEST_CASE("write_file_atomic: a full tmpfs (ENOSPC) and a read-only mount keep the previous file") {
    const auto dir = test::fresh_dir("robust-mounts");
    const std::string previous = "<svg>previous</svg>";
    const int full = in_child([&] {
        if (const int r = private_tmpfs(dir, "size=64k")) return r;
        write_file_atomic(dir / "eyemap.svg", previous);
        if (const int r = expect_failed_write(dir, previous, 1 << 20, "No space left on device")) return r;
        // Writing fits again once there is room.
        write_file_atomic(dir / "eyemap.svg", std::string(1000, 'y'));
        return test::read_file(dir / "eyemap.svg") == std::string(1000, 'y') ? 0 : 20;
    });
    const int readonly = in_child([&] {
        if (const int r = private_tmpfs(dir, "size=1m")) return r;
        write_file_atomic(dir / "eyemap.svg", previous);
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=1m") != 0) return 77;
        return expect_failed_write(dir, previous, 100, "Read-only file system");
    });
    INFO("child exit codes: full disk " << full << ", read-only " << readonly << " (77 = not permitted)");
    if (full == 77 || readonly == 77) WARN("mounting a tmpfs is not permitted here: ENOSPC/EROFS checks skipped");
    CHECK((full == 0 || full == 77));
    CHECK((readonly == 0 || readonly == 77));
    // Not root: a folder without write permission is the plain unwritable case.
    if (::geteuid() != 0) {
        const auto ro = test::fresh_dir("robust-ro");
        write_file_atomic(ro / "eyemap.svg", previous);
        ::chmod(ro.c_str(), 0555);
        CHECK(in_child([&] { return expect_failed_write(ro, previous, 100, "Permission denied"); }) == 0);
        ::chmod(ro.c_str(), 0755);
    }
}

TEST_CASE("eyemap render: an unwritable output is exit code 3 with the path, and nothing else is written") {
    const auto dir = test::fresh_dir("robust-cli-io");
    const std::string data = EYEMAP_SOURCE_DIR "/tests/data/good/bom_crlf_quoted.csv";
    test::write_file(dir / "file", "x");
    std::string err;
    CHECK(run_cli("render --data " + data + " --type 'Tm5a, Tm5b' --region ME --side R --metric cell_count -o " +
                            (dir / "file" / "x.svg").string(), &err) == 3);
    CHECK_THAT(err, Catch::Matchers::Contains((dir / "file" / "x.svg").string()));
    CHECK_THAT(err, Catch::Matchers::Contains("Not a directory"));
    CHECK(run_cli("render --data " + data + " --type 'Tm5a, Tm5b' --region ME --side R --metric cell_count -o /proc/x.svg", &err) == 3);
    CHECK(listing(dir) == std::vector<std::string>{"file"});
}

TEST_CASE("file names are injective: separators, case, dots, invalid UTF-8, length", "[sink]") {
    // (type, region) pairs that used to share a file, and others that try.
    const std::vector<std::pair<std::string, std::string>> items = {
        {"A", "B_C"}, {"A_B", "C"}, {"A", "b_c"}, {"a", "B_C"}, {"A_B_C", "R"}, {"A", "B.C"}, {"A.B", "C"}, {"A", "B-C"},
        {"A-B", "C"}, {"\xff\xfe", "ME"}, {"\xc0\xaf", "ME"}, {"_", "ME"}, {"x", "ME-0123456789abcdef"}, {"x", "me-0123456789abcdef"},
        {std::string(300, 'a'), "ME"}, {std::string(300, 'a') + "b", "ME"}, {"A", "ME"}, {"A", "me"}, {"A", "Me"}, {"A_ME", "R"},
        {"A", "ME_R"}, {"A", "con"}, {"A", "CON"}};
    std::set<std::string> stems, batch_folded;
    for (const auto& [t, r] : items)
        for (Side s : {Side::L, Side::R})
            for (Metric m : {Metric::synapses, Metric::cells}) {
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
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A", "B_C") + test::rows_for("A_B", "C"));
    REQUIRE(run_cli(fmt::format("batch --data {} --regions {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "regions.json"),
                                q(dir / "o"))) == 0);
    const auto m = read_run_manifests(dir / "o/r").at(0).second;
    std::set<std::string> paths;
    std::size_t n = 0;
    for (const auto& t : m.types)
        for (const auto& o : t.outputs) paths.insert(o.path), ++n;
    CHECK(paths.size() == n);
    CHECK(test::files_under(dir / "o/r/svg").size() == n);

    // Two invalid-UTF-8 names stay two types in the manifest and in runs list.
    const auto dir2 = test::fresh_dir("rel-utf8");
    test::write_file(dir2 / "d.csv", std::string(test::kRowsHeader) + test::rows_for("\xff\xfe") + test::rows_for("\xc0\xaf"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --pages", q(dir2 / "d.csv"), q(dir2 / "o"))) == 0);
    const auto m2 = read_run_manifests(dir2 / "o/r").at(0).second;
    REQUIRE(m2.types.size() == 2);
    CHECK(m2.types[0].neuron_type == "\xff\xfe");
    CHECK(m2.types[1].neuron_type == "\xc0\xaf");
    CHECK(list_runs(dir2 / "o").at(0).types == 2);
}

TEST_CASE("temp files of another host or a live writer are never stale", "[sink]") {
    const std::string mine = temp_file_name("x.svg", "hostA", 4242, 7);
    CHECK_FALSE(temp_file_is_stale(mine, "hostB", 1, [](long) { return false; }));
    CHECK_FALSE(temp_file_is_stale(mine, "hostA", 1, [](long) { return true; }));
    CHECK(temp_file_is_stale(mine, "hostA", 1, [](long) { return false; }));
}

TEST_CASE("temp files of a writer in another pid namespace are kept by the start-up cleanup", "[sink]") {
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
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --shard 1/2", q(dir / "d.csv"), q(dir / "o"))) == 0);
    const auto theirs = dir / "o/r/svg" / temp_file_name("A_ME_L_cell_count.svg", ns_id, dead, 1);
    const auto mine = dir / "o/r/svg" / temp_file_name("A_ME_L_cell_count.svg", temp_host_id(), dead, 2);
    test::write_file(theirs, "in flight");
    test::write_file(mine, "left by a dead writer of this machine");
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --shard 0/2", q(dir / "d.csv"), q(dir / "o"))) == 0);
    CHECK(fs::exists(theirs));
    CHECK_FALSE(fs::exists(mine));
}

namespace {
bool alive_never(long) { return false; }
bool alive_always(long) { return true; }
}  // namespace

TEST_CASE("temporary names carry host, pid and a unique number, and parse back") {
    const std::string n = temp_file_name("Mi1_ME_L_cell_count.svg", "node17", 4242, 0xabcULL);
    CHECK(n == ".Mi1_ME_L_cell_count.svg.tmp-node17-4242-0000000000000abc");
    auto owner = parse_temp_file_name(n);
    REQUIRE(owner);
    CHECK(owner->host == "node17");
    CHECK(owner->pid == 4242);
    // A long target name is cut so the temporary name fits NAME_MAX.
    const std::string long_name(250, 'x');
    CHECK(temp_file_name(long_name, "node17", 1, 1).size() < 120);
    // Not ours: the old format (no host), other files, broken fields.
    CHECK_FALSE(parse_temp_file_name(".a.svg.tmp-4242-7"));
    CHECK_FALSE(parse_temp_file_name("a.svg"));
    CHECK_FALSE(parse_temp_file_name(".a.svg.tmp-node-0-0000000000000abc"));
    CHECK_FALSE(parse_temp_file_name(".a.svg.tmp-node-x1-0000000000000abc"));
    CHECK_FALSE(parse_temp_file_name(".a.svg.tmp-node-12-00000000000abc"));
    // A target whose own name looks like a temp name still parses to the writer's fields.
    owner = parse_temp_file_name(temp_file_name("b.tmp-h-1-0000000000000000", "real", 7, 9));
    REQUIRE(owner);
    CHECK(owner->host == "real");
    CHECK(owner->pid == 7);
}

TEST_CASE("the host id is this machine's name, made safe for temporary names") {
    const std::string h = temp_host_id();
    REQUIRE_FALSE(h.empty());
    CHECK(h.find('-') == std::string::npos);
    CHECK(h.find('/') == std::string::npos);
    char buf[256] = {};
    REQUIRE(::gethostname(buf, sizeof buf - 1) == 0);
    const std::string name = buf;
    if (name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._") == std::string::npos && name.size() <= 64)
        CHECK(h == name);
    else
        CHECK(h.find('~') != std::string::npos);
}

TEST_CASE("cleanup rule: only this host's files of a dead process are stale") {
    const std::string mine = temp_file_name("a.svg", "hostB", 100, 1);
    const std::string other = temp_file_name("a.svg", "hostA", 100, 1);
    CHECK(temp_file_is_stale(mine, "hostB", 5, alive_never));
    CHECK_FALSE(temp_file_is_stale(mine, "hostB", 5, alive_always));   // process still runs
    CHECK_FALSE(temp_file_is_stale(mine, "hostB", 100, alive_never));  // this very process
    CHECK_FALSE(temp_file_is_stale(other, "hostB", 5, alive_never));   // another machine: never
    CHECK_FALSE(temp_file_is_stale(".a.svg.tmp-100-3", "hostB", 5, alive_never));  // old format: host unknown
    CHECK_FALSE(temp_file_is_stale("a.svg", "hostB", 5, alive_never));
    CHECK(local_pid_alive(static_cast<long>(::getpid())));
}

// ---- Issue 25, item 1: write_output_file, the one function for a single named output.

TEST_CASE("write_output_file: links are followed to the file they name, which is replaced in its own folder", "[sink]") {
    const auto dir = test::fresh_dir("sink-output-links");
    fs::create_directories(dir / "a" / "b");
    test::write_file(dir / "a" / "b" / "real.svg", "old");
    ::chmod((dir / "a" / "b" / "real.svg").c_str(), 0640);
    fs::create_symlink("b/real.svg", dir / "a" / "hop.svg");   // relative to the link's folder
    fs::create_symlink(dir / "a" / "hop.svg", dir / "out.svg");  // absolute, to another link
    write_output_file(dir / "out.svg", "new");
    CHECK(fs::is_symlink(dir / "out.svg"));
    CHECK(fs::is_symlink(dir / "a" / "hop.svg"));
    CHECK(test::read_file(dir / "a" / "b" / "real.svg") == "new");
    CHECK((fs::status(dir / "a" / "b" / "real.svg").permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
    CHECK(listing(dir / "a" / "b") == std::vector<std::string>{"real.svg"});
    // A dangling link: the file it names is created.
    fs::create_symlink("a/b/new.svg", dir / "dangling.svg");
    write_output_file(dir / "dangling.svg", "made");
    CHECK(fs::is_symlink(dir / "dangling.svg"));
    CHECK(test::read_file(dir / "a" / "b" / "new.svg") == "made");
    // A loop and a link to a folder are io errors naming the path as given.
    fs::create_symlink("loop2", dir / "loop1");
    fs::create_symlink("loop1", dir / "loop2");
    CHECK_THROWS_WITH(write_output_file(dir / "loop1", "x"), Catch::Matchers::Contains("symbolic links") && Catch::Matchers::Contains("loop1"));
    fs::create_symlink("a", dir / "to-folder");
    CHECK_THROWS_WITH(write_output_file(dir / "to-folder", "x"), Catch::Matchers::Contains("folder"));
    CHECK_THROWS_WITH(write_output_file(dir / "a", "x"), Catch::Matchers::Contains("folder"));
}

TEST_CASE("write_output_file: a FIFO whose reader leaves is a reported write error, not a SIGPIPE death", "[sink]") {
    const auto dir = test::fresh_dir("sink-output-fifo-epipe");
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    const int rc = in_child([&] {
        std::thread reader([&] {
            const int fd = ::open((dir / "fifo").c_str(), O_RDONLY | O_CLOEXEC);
            char buf[16];
            [[maybe_unused]] const auto n = ::read(fd, buf, sizeof buf);
            ::close(fd);  // leaves after 16 bytes
        });
        int result = 10;
        try {
            write_output_file(dir / "fifo", std::string(8 << 20, 'x'));
        } catch (const Error& e) {
            result = e.kind() == ErrorKind::io && std::string(e.what()).find("Broken pipe") != std::string::npos ? 0 : 11;
        }
        reader.join();
        return result;
    });
    CHECK(rc == 0);  // -1: killed by SIGPIPE
    struct stat st {};
    CHECK((::lstat((dir / "fifo").c_str(), &st) == 0 && S_ISFIFO(st.st_mode)));
}

namespace {
volatile std::sig_atomic_t g_alarm = 0;
extern "C" void on_test_alarm(int) { g_alarm = 1; }
}  // namespace

TEST_CASE("write_output_file: waiting for a FIFO's reader ends when the caller's interrupt check says so", "[sink]") {
    const auto dir = test::fresh_dir("sink-output-fifo-wait");
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    const int rc = in_child([&] {
        struct sigaction sa {};
        sa.sa_handler = on_test_alarm;  // no SA_RESTART: the blocked open() returns EINTR
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGALRM, &sa, nullptr);
        ::alarm(1);
        try {
            write_output_file(dir / "fifo", "bytes", [] { return g_alarm != 0; });
            return 10;
        } catch (const Error& e) {
            return e.kind() == ErrorKind::io && std::string(e.what()).find("interrupted") != std::string::npos ? 0 : 11;
        }
    });
    CHECK(rc == 0);
    struct stat st {};
    CHECK((::lstat((dir / "fifo").c_str(), &st) == 0 && S_ISFIFO(st.st_mode)));
}

TEST_CASE("write_output_file: a regular file is replaced atomically, and a failed write keeps it", "[sink]") {
    const auto dir = test::fresh_dir("sink-output-regular");
    write_output_file(dir / "eyemap.svg", "previous");
    CHECK(test::read_file(dir / "eyemap.svg") == "previous");
    const int rc = in_child([&] {
        const rlimit lim{100, RLIM_INFINITY};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 77;
        try {
            write_output_file(dir / "eyemap.svg", std::string(1000, 'x'));
            return 10;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::io) return 11;
        }
        return test::read_file(dir / "eyemap.svg") == "previous" && listing(dir) == std::vector<std::string>{"eyemap.svg"} ? 0 : 12;
    });
    CHECK(rc == 0);
}

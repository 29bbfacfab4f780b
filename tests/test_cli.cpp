// The command line as a whole: exit codes, option spellings, help texts,
// standard input, did-you-mean, --version and the batch progress line on a terminal.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "eyemap/table.hpp"
#include "eyemap/version.hpp"
#include "test_support.hpp"
#include "eyemap/eyemap.hpp"
#include "core/text.hpp"
#include "layout/layout.hpp"
#include "output/sink.hpp"
#include "render/template_guard.hpp"

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::run_cli;
using eyemap::test::write_file;

namespace {

using eyemap::test::q;

// A small sample (data.csv, columns.csv), made once per process and removed at its exit.
// Per process: ctest runs the test cases of this file as processes of their own, at once.
const fs::path& sample_dir() {
    struct Sample {
        fs::path dir = eyemap::test::fresh_dir("cli-sample-" + std::to_string(::getpid()));
        Sample() { REQUIRE(run_cli("sample --types 3 --out-dir " + q(dir)) == 0); }
        ~Sample() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    };
    static const Sample sample;
    return sample.dir;
}

std::string inputs() { return "--data " + q(sample_dir() / "data.csv") + " --columns " + q(sample_dir() / "columns.csv"); }

// A data file whose second row has a bad side: an input error (exit 2).
fs::path bad_data(const fs::path& dir) {
    const auto p = dir / "bad.csv";
    write_file(p, "neuron_type,region,side,hex1,hex2,synapses,cells\nT,ME,R,1,1,3,1\nT,ME,X,1,2,3,1\n");
    return p;
}

// Standard output of the CLI (stderr discarded).
std::string cli_stdout(const std::string& args, int* rc = nullptr) {
    static int n = 0;
    const auto out = fs::current_path() / ("cli-stdout-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".txt");
    const int r = run_cli(args + " > " + q(out));
    if (rc) *rc = r;
    std::string text = read_file(out);
    fs::remove(out);
    return text;
}

bool is_png(const std::string& bytes) { return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }

}  // namespace

TEST_CASE("cli exit codes: render 0 ok, 1 usage, 2 bad input, 3 file error") {
    const auto dir = eyemap::test::fresh_dir("cli-codes-render");
    const std::string one = inputs() + " --type Mi1 --region ME --side R --metric cell_count ";
    std::string err;
    CHECK(run_cli("render " + one + "-o " + q(dir / "ok.svg"), &err) == 0);
    // Usage: the command line itself.
    CHECK(run_cli("render --type Mi1 -o " + q(dir / "x.svg"), &err) == 1);  // missing --data
    CHECK_THAT(err, Catch::Matchers::Contains("--data"));
    CHECK(run_cli("render " + one + "--format jpg --out-dir " + q(dir), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--format 'jpg'"));
    CHECK(run_cli("render " + one + "--hex-size 0 -o " + q(dir / "x.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--hex-size '0'"));  // the option as typed, not hex_size
    CHECK(run_cli("render " + one + "--spacing 9 -o " + q(dir / "x.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--spacing"));
    CHECK(run_cli("render " + one + "--format png --scale 0 -o " + q(dir / "x.png"), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--scale"));
    CHECK(run_cli("render " + one + "--layer 2 -o " + q(dir / "x.svg"), &err) == 1);  // a layer needs PNG/PDF
    CHECK(run_cli("render " + one + "--id 1bad -o " + q(dir / "x.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--id"));
    CHECK(run_cli("render " + one + "--color-max 3 -o " + q(dir / "x.svg"), &err) == 1);
    CHECK(run_cli("render " + one + "-o " + q(dir / "x.svg") + " --out-dir " + q(dir), &err) == 1);
    CHECK(run_cli("render " + inputs() + " --type Mi1 -o " + q(dir / "x.svg"), &err) == 1);  // -o with 12 eyemaps
    CHECK(run_cli("render " + one + "--hex-size abc -o " + q(dir / "x.svg"), &err) == 1);
    CHECK(run_cli("render " + one + "--side M -o " + q(dir / "x.svg"), &err) == 1);
    // Bad input: the files' content, or a value the data does not have.
    CHECK(run_cli("render --data " + q(bad_data(dir)) + " --type T -o " + q(dir / "x.svg"), &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("bad.csv:3"));
    CHECK(run_cli("render " + inputs() + " --type NoSuchType -o " + q(dir / "x.svg"), &err) == 2);
    // File errors.
    CHECK(run_cli("render --data " + q(dir / "missing.csv") + " --type T -o -", &err) == 3);
    CHECK(run_cli("render " + one + "-o /proc/eyemap-no/x.svg", &err) == 3);
    CHECK_FALSE(fs::exists(dir / "x.svg"));
}

TEST_CASE("cli exit codes: batch 0 ok, 1 usage, 2 bad input, 3 file error") {
    const auto dir = eyemap::test::fresh_dir("cli-codes-batch");
    std::string err;
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run ok -q", &err) == 0);
    CHECK(run_cli("batch --out-dir " + q(dir) + " -q", &err) == 1);  // missing --data: 1, as in render
    CHECK_THAT(err, Catch::Matchers::Contains("--data"));
    CHECK(run_cli("batch " + inputs() + " -q", &err) == 1);  // missing --out-dir
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --format jpg -q", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--format 'jpg'"));
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --shard 5/4 -q", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--shard '5/4'"));
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --hex-size 0 -q", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--hex-size"));
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --png-scale 0 --format png -q", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--scale"));
    CHECK(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run ../x -q", &err) == 1);
    CHECK(run_cli("batch " + inputs() + " --sink null --resume -q", &err) == 1);
    CHECK(run_cli("batch --data - --out-dir " + q(dir) + " -q < " + q(sample_dir() / "data.csv"), &err) == 1);  // needs --columns
    CHECK(run_cli("batch --data " + q(bad_data(dir)) + " --out-dir " + q(dir) + " --run bad -q", &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("bad.csv:3"));
    CHECK(run_cli("batch --data " + q(dir / "missing.csv") + " --out-dir " + q(dir) + " -q", &err) == 3);
    CHECK(run_cli("batch " + inputs() + " --out-dir /proc/eyemap-no --run r -q", &err) == 3);
}

TEST_CASE("cli exit codes: runs and sample") {
    const auto dir = eyemap::test::fresh_dir("cli-codes-runs");
    std::string err;
    REQUIRE(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run r1 -q", &err) == 0);
    CHECK(run_cli("runs list --out-dir " + q(dir) + " > /dev/null", &err) == 0);
    CHECK(run_cli("runs verify --out-dir " + q(dir) + " --run r1 > /dev/null", &err) == 0);
    CHECK(run_cli("runs", &err) == 1);  // a subcommand is required
    CHECK(run_cli("runs verify", &err) == 1);
    CHECK(run_cli("runs clean --out-dir " + q(dir), &err) == 1);  // --keep is required
    CHECK(run_cli("runs protect 'bad name!' --out-dir " + q(dir), &err) == 1);
    write_file(dir / "r1" / "manifest.json", "{not json");
    CHECK(run_cli("runs verify --out-dir " + q(dir) + " --run r1 > /dev/null", &err) == 2);
    CHECK(run_cli("runs list --out-dir " + q(dir / "missing"), &err) == 3);
    CHECK(run_cli("runs verify " + q(dir / "missing"), &err) == 3);

    // sample reads no input, so it has no exit code 2.
    CHECK(run_cli("sample --types 1 --out-dir " + q(dir / "s"), &err) == 0);
    CHECK(run_cli("sample --types 0 --out-dir " + q(dir / "s"), &err) == 1);
    CHECK(run_cli("sample", &err) == 1);
    CHECK(run_cli("sample --out-dir /proc/eyemap-no/x", &err) == 3);
}

TEST_CASE("cli: old option spellings are hidden aliases: they work and are not in --help") {
    const auto dir = eyemap::test::fresh_dir("cli-aliases");
    const std::string one = inputs() + " --type Mi1 --region ME --side R --metric cell_count ";
    std::string err;
    REQUIRE(run_cli("render " + one + "--format png --scale 2 -o " + q(dir / "new.png"), &err) == 0);
    REQUIRE(run_cli("render " + one + "--formats png --scale-factor 2 -o " + q(dir / "old.png"), &err) == 0);
    CHECK(read_file(dir / "old.png") == read_file(dir / "new.png"));
    CHECK_THAT(err, Catch::Matchers::Contains("--scale-factor is now --scale"));
    REQUIRE(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run new --format png --scale 2 -q", &err) == 0);
    REQUIRE(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run old --formats png --png-scale 2 -q", &err) == 0);
    CHECK(read_file(dir / "old" / "png" / "Mi1_ME_R_cell_count.png") == read_file(dir / "new" / "png" / "Mi1_ME_R_cell_count.png"));
    CHECK(read_file(dir / "old" / "png" / "Mi1_ME_R_cell_count.png") == read_file(dir / "new.png"));

    for (const std::string cmd : {"render", "batch"}) {
        INFO(cmd);
        const std::string help = cli_stdout(cmd + " --help");
        CHECK_THAT(help, Catch::Matchers::Contains("--format"));
        CHECK_THAT(help, Catch::Matchers::Contains("--scale"));
        CHECK_FALSE(help.find("--formats") != std::string::npos);
        CHECK_FALSE(help.find("--scale-factor") != std::string::npos);
        CHECK_FALSE(help.find("--png-scale") != std::string::npos);
    }
}

TEST_CASE("cli: '-' reads standard input for --data (render, batch) and --columns") {
    const auto dir = eyemap::test::fresh_dir("cli-stdin");
    const auto data = sample_dir() / "data.csv", columns = sample_dir() / "columns.csv";
    const std::string sel = " --type Mi1 --region ME --side L --metric synapse_density ";
    std::string err;
    REQUIRE(run_cli("render " + inputs() + sel + "-o " + q(dir / "file.svg"), &err) == 0);
    REQUIRE(run_cli("render --data - --columns " + q(columns) + sel + "-o " + q(dir / "data.svg") + " < " + q(data), &err) == 0);
    REQUIRE(run_cli("render --data " + q(data) + " --columns -" + sel + "-o " + q(dir / "cols.svg") + " < " + q(columns), &err) == 0);
    CHECK(read_file(dir / "data.svg") == read_file(dir / "file.svg"));
    CHECK(read_file(dir / "cols.svg") == read_file(dir / "file.svg"));
    CHECK(run_cli("render --data - --columns -" + sel + "-o " + q(dir / "x.svg") + " < " + q(data), &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("standard input"));

    REQUIRE(run_cli("batch " + inputs() + " --out-dir " + q(dir) + " --run file -q", &err) == 0);
    REQUIRE(run_cli("batch --data - --columns " + q(columns) + " --out-dir " + q(dir) + " --run data -q < " + q(data), &err) == 0);
    REQUIRE(run_cli("batch --data " + q(data) + " --columns - --out-dir " + q(dir) + " --run cols -q < " + q(columns), &err) == 0);
    for (const char* run : {"data", "cols"})
        for (const auto& e : fs::directory_iterator(dir / "file" / "svg")) {
            INFO(run << " " << e.path().filename());
            CHECK(read_file(dir / run / "svg" / e.path().filename()) == read_file(e.path()));
        }
    CHECK(run_cli("batch --data - --columns - --out-dir " + q(dir) + " -q < " + q(data), &err) == 1);
}

TEST_CASE("cli: -o FILE takes the format from the extension and refuses a contradicting --format") {
    const auto dir = eyemap::test::fresh_dir("cli-o");
    const std::string one = "render " + inputs() + " --type Mi1 --region ME --side R --metric cell_count ";
    std::string err;
    REQUIRE(run_cli(one + "-o " + q(dir / "y.png"), &err) == 0);
    CHECK(is_png(read_file(dir / "y.png")));
    REQUIRE(run_cli(one + "-o " + q(dir / "y.pdf"), &err) == 0);
    CHECK(read_file(dir / "y.pdf").substr(0, 5) == "%PDF-");
    CHECK(run_cli(one + "-o " + q(dir / "y.svg") + " --format png", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("says svg but --format says png"));
    CHECK_FALSE(fs::exists(dir / "y.svg"));
    CHECK(run_cli(one + "-o " + q(dir / "y.jpg"), &err) == 1);
    CHECK(run_cli(one + "-o " + q(dir / "y.jpg") + " --format png", &err) == 0);  // an unknown extension with --format
    CHECK(is_png(read_file(dir / "y.jpg")));
}

TEST_CASE("cli: a mistyped option gets a did-you-mean naming the subcommand's closest option") {
    std::string err;
    CHECK(run_cli("render " + inputs() + " --type Mi1 --hex-sise 3 -o -", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("unknown option '--hex-sise'"));
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean '--hex-size'?"));
    CHECK(run_cli("batch " + inputs() + " --out-dir x --resme", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean '--resume'?"));
    CHECK(run_cli("runs clean --keep 1 --dryrun", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean '--dry-run'?"));
    CHECK(run_cli("rendr --type Mi1", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("unknown command 'rendr' for 'eyemap'; did you mean 'render'?"));
    CHECK(run_cli("runs lst", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'list'?"));
    CHECK(run_cli("render --dat x --type Mi1 -o -", &err) == 1);  // also when a required option is then missing
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean '--data'?"));
    CHECK(run_cli("render --zzzzzzzz", &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("unknown option '--zzzzzzzz'"));
    CHECK(err.find("did you mean") == std::string::npos);
}

TEST_CASE("cli: --help shows FILE/DIR placeholders and what the metric means, --version the version") {
    const std::string render = cli_stdout("render --help"), batch = cli_stdout("batch --help");
    for (const std::string* help : {&render, &batch}) {
        CHECK_THAT(*help, Catch::Matchers::Contains("--data FILE"));
        CHECK_THAT(*help, Catch::Matchers::Contains("--columns FILE"));
        CHECK_THAT(*help, Catch::Matchers::Contains("--regions FILE"));
        CHECK_THAT(*help, Catch::Matchers::Contains("--templates DIR"));
        CHECK_THAT(*help, Catch::Matchers::Contains("--out-dir DIR"));
        CHECK_THAT(*help, Catch::Matchers::Contains("--stats-json FILE"));
        CHECK_THAT(*help, Catch::Matchers::Contains("synapses (synapse count"));
    }
    CHECK_THAT(render, Catch::Matchers::Contains("-o,--output FILE"));
    CHECK_THAT(batch, Catch::Matchers::Contains("--plan FILE"));
    CHECK_THAT(cli_stdout("sample --help"), Catch::Matchers::Contains("--out-dir DIR"));
    CHECK_THAT(cli_stdout("runs list --help"), Catch::Matchers::Contains("--out-dir DIR"));
    for (const std::string* help : {&render, &batch}) CHECK(help->find("--data TEXT") == std::string::npos);

    int rc = -1;
    const std::string version = cli_stdout("--version", &rc);
    CHECK(rc == 0);
    CHECK(version == "eyemap " + std::string(eyemap::kVersion) + "\n");
}

TEST_CASE("cli: the batch progress line fits an 80-column terminal") {
    REQUIRE(std::system("command -v script > /dev/null 2>&1") == 0);  // script(1), util-linux
    const auto dir = eyemap::test::fresh_dir("cli-progress");
    REQUIRE(run_cli("sample --types 30 --out-dir " + q(dir)) == 0);
    // script(1) runs the batch on a pseudo-terminal of 80 columns; PNG output keeps it busy ~1 s.
    const auto out = dir / "tty.txt";
    const std::string inner = "stty cols 80; " + std::string(EYEMAP_CLI) + " batch --data " + (dir / "data.csv").string() +
                              " --sink null --jobs 1 --format png,svg";
    REQUIRE(std::system(("script -qfc " + q(fs::path(inner)) + " /dev/null > " + q(out) + " 2>&1 < /dev/null").c_str()) == 0);
    std::string text = read_file(out);
    for (auto p = text.find("\033[K"); p != std::string::npos; p = text.find("\033[K")) text.erase(p, 3);
    std::vector<std::string> progress;
    std::string seg;
    for (char c : text + "\n") {
        if (c == '\r' || c == '\n') {
            if (seg.find(" types done") != std::string::npos) progress.push_back(seg);
            seg.clear();
        } else {
            seg += c;
        }
    }
    INFO(text);
    REQUIRE_FALSE(progress.empty());
    for (const auto& line : progress) {
        INFO(line);
        CHECK(line.size() <= 79);
    }
    CHECK_THAT(text, Catch::Matchers::Contains("eyemap batch: 30 types"));  // the summary after the progress
}

TEST_CASE("layout_from_data_file: the columns of a data file, as layout_from_table finds them in the table") {
    const auto data = sample_dir() / "data.csv";
    const auto streamed = eyemap::layout_from_data_file(data);
    const auto whole = eyemap::layout_from_table(eyemap::read_column_table(data));
    REQUIRE(streamed.entries.size() == whole.entries.size());
    CHECK(streamed.entries.size() > 1000);
    for (std::size_t i = 0; i < whole.entries.size(); ++i) {
        CHECK(streamed.entries[i].region == whole.entries[i].region);
        CHECK(streamed.entries[i].side == whole.entries[i].side);
        CHECK(streamed.entries[i].hex1 == whole.entries[i].hex1);
        CHECK(streamed.entries[i].hex2 == whole.entries[i].hex2);
    }
    CHECK(streamed.source == data.string());
    CHECK_THROWS_AS(eyemap::layout_from_data_file(sample_dir() / "missing.csv"), eyemap::Error);
}

TEST_CASE("cli: symlinked outputs, escaped messages, --keep -1, huge and wide data, BOMs, sample temp files", "[cli]") {
    const auto dir = test::fresh_dir("rel-small");
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A"));
    std::string err;
    // A link planted at RUN/svg is not followed.
    fs::create_directories(dir / "o/r");
    fs::create_directories(dir / "outside");
    fs::create_symlink(dir / "outside", dir / "o/r/svg");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "o")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("symbolic link"));
    CHECK(fs::is_empty(dir / "outside"));
    // Control characters in messages are escaped.
    test::write_file(dir / "esc.csv", std::string(test::kRowsHeader) + "A,\x1b[31mX\x07,R,0,0,1,1\n");
    CHECK(run_cli(fmt::format("render --data {} --type A --out-dir {}", q(dir / "esc.csv"), q(dir / "e")), &err) == 2);
    CHECK(err.find('\x1b') == std::string::npos);
    CHECK(err.find('\x07') == std::string::npos);
    const Error e(ErrorKind::input, std::string("region \x1b]0;x\x07 \xff") + '\0' + "!");
    CHECK(std::string(e.what()).find('\x1b') == std::string::npos);
    CHECK(std::string(e.what()).find("\\x00") != std::string::npos);
    // --keep -1 is an error.
    CHECK(run_cli(fmt::format("runs clean --out-dir {} --keep -1", q(dir / "o"))) != 0);
    // Ticks of huge scales are not INT64_MIN.
    test::write_file(dir / "big.csv", std::string(test::kRowsHeader) + "A,ME,R,0,0,9007199254740992,1\nA,ME,R,1,0,0,1\n");  // the largest count (2^53)
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric synapse_density -o {}", q(dir / "big.csv"), q(dir / "big.svg"))) == 0);
    CHECK(test::read_file(dir / "big.svg").find("-9223372036854775808") == std::string::npos);
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --color-min -1e308 --color-max 1e308 -o {}",
                              q(dir / "d.csv"), q(dir / "wide.svg"))) == 0);
    CHECK(test::read_file(dir / "wide.svg").find("-9223372036854775808") == std::string::npos);
    // --color-max inf is not blamed on the data file.
    CHECK(run_cli(fmt::format("render --data {} --type A --color-min 0 --color-max inf --out-dir {}", q(dir / "d.csv"), q(dir / "inf")), &err) != 0);
    CHECK(err.find("d.csv") == std::string::npos);
    // A PDF page beyond 14400 pt: an input error about the layout, not exit 4.
    test::write_file(dir / "wide.csv", std::string(test::kRowsHeader) + "A,ME,R,-4000,0,1,1\nA,ME,R,4000,0,1,1\n");
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --format pdf -o {}", q(dir / "wide.csv"),
                              q(dir / "wide.pdf")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("canvas"));
    CHECK(run_cli(fmt::format("render --data {} --type A --region ME --side R --metric cell_count --format png -o {}", q(dir / "wide.csv"),
                              q(dir / "wide.png")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("field 'canvas'"));
    // A doubled byte-order mark is skipped.
    test::write_file(dir / "bom.csv", std::string("\xEF\xBB\xBF\xEF\xBB\xBF") + test::kRowsHeader + test::rows_for("A"));
    CHECK(run_cli(fmt::format("render --data {} --type A --out-dir {}", q(dir / "bom.csv"), q(dir / "bom")), &err) == 0);
    // sample: no fixed temp name left behind.
    CHECK(run_cli(fmt::format("sample --out-dir {} --types 2", q(dir / "s"))) == 0);
    CHECK(test::files_under(dir / "s") == std::set<std::string>{"columns.csv", "data.csv"});
}

// ---- Outputs that are special files, standard output, killed writes.


namespace {

// Reads a FIFO as `cat` would, without hanging when no writer ever comes: opened non-blocking (so
// opening needs no writer), then read until the writer closes it or `seconds` pass.
std::string read_fifo(const fs::path& fifo, int seconds) {
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return "(cannot open)";
    std::string got;
    bool writer_seen = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[65536];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            got.append(buf, static_cast<std::size_t>(n));
            writer_seen = true;
        } else if (n == 0 && writer_seen) {
            break;  // the writer closed it
        } else if (n == 0) {
            ::usleep(20000);  // POLLHUP before any writer: wait for one
        }
    }
    ::close(fd);
    return got;
}

mode_t file_type(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? (st.st_mode & S_IFMT) : 0;
}

// A character device node in a temporary folder (root only): 1,3 is null, 1,7 is full. Never /dev itself.
bool make_device(const fs::path& p, unsigned minor) { return ::mknod(p.c_str(), S_IFCHR | 0666, ::makedev(1, minor)) == 0; }

}  // namespace

TEST_CASE("outputs into special files: FIFO and device written like cat, links kept, folder exit 3") {
    const auto dir = eyemap::test::fresh_dir("cli-special-outputs-" + std::to_string(::getpid()));
    const std::string one = inputs() + " --type Mi1 --region ME --side R --metric cell_count ";
    std::string err;
    REQUIRE(run_cli("render " + one + "-o " + q(dir / "plain.svg"), &err) == 0);
    const std::string svg = read_file(dir / "plain.svg");

    // A FIFO: its reader gets the SVG, and it stays a FIFO.
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    auto reader = std::async(std::launch::async, [&] { return read_fifo(dir / "fifo", 10); });
    CHECK(run_cli("render " + one + "--format svg -o " + q(dir / "fifo"), &err) == 0);
    CHECK(reader.get() == svg);
    CHECK(file_type(dir / "fifo") == S_IFIFO);

    // A symbolic link: the file it points to is replaced (in its own folder), the link stays.
    fs::create_directories(dir / "real");
    eyemap::test::write_file(dir / "real" / "target.svg", "old");
    fs::create_symlink("real/target.svg", dir / "link.svg");
    CHECK(run_cli("render " + one + "-o " + q(dir / "link.svg"), &err) == 0);
    CHECK(file_type(dir / "link.svg") == S_IFLNK);
    CHECK(read_file(dir / "real" / "target.svg") == svg);
    // ... for --stats-json, stats report -o and --plan-out as well.
    eyemap::test::write_file(dir / "real" / "stats.json", "old");
    fs::create_symlink("real/stats.json", dir / "stats-link.json");
    CHECK(run_cli("render " + one + "-o " + q(dir / "s.svg") + " --stats-json " + q(dir / "stats-link.json"), &err) == 0);
    CHECK(file_type(dir / "stats-link.json") == S_IFLNK);
    CHECK_THAT(read_file(dir / "real" / "stats.json"), Catch::Matchers::Contains("eyemap-stats"));
    eyemap::test::write_file(dir / "real" / "report.html", "old");
    fs::create_symlink(dir / "real" / "report.html", dir / "report-link.html");  // an absolute link
    CHECK(run_cli("stats report " + q(dir / "real" / "stats.json") + " -o " + q(dir / "report-link.html"), &err) == 0);
    CHECK(file_type(dir / "report-link.html") == S_IFLNK);
    CHECK_THAT(read_file(dir / "real" / "report.html"), Catch::Matchers::Contains("<html"));
    eyemap::test::write_file(dir / "real" / "plan.json", "old");
    fs::create_symlink("real/plan.json", dir / "plan-link.json");
    CHECK(run_cli("batch " + inputs() + " --plan-out " + q(dir / "plan-link.json") + " --shards 2 -q", &err) == 0);
    CHECK(file_type(dir / "plan-link.json") == S_IFLNK);
    CHECK(read_file(dir / "real" / "plan.json") != "old");

    // A folder is a file error.
    fs::create_directories(dir / "folder.svg");
    CHECK(run_cli("render " + one + "-o " + q(dir / "folder.svg"), &err) == 3);
    CHECK_THAT(err, Catch::Matchers::Contains("folder"));

    // Character devices (made in the temporary folder; needs root): written into, errors reported.
    if (make_device(dir / "null", 3) && make_device(dir / "full", 7)) {
        CHECK(run_cli("render " + one + "-o " + q(dir / "s.svg") + " --stats-json " + q(dir / "null"), &err) == 0);
        CHECK(file_type(dir / "null") == S_IFCHR);
        CHECK(run_cli("render " + one + "--format svg -o " + q(dir / "full"), &err) == 3);
        CHECK_THAT(err, Catch::Matchers::Contains("No space left on device"));
        CHECK(file_type(dir / "full") == S_IFCHR);
    } else {
        WARN("mknod not permitted: character device outputs not checked");
    }
    for (const auto& e : fs::directory_iterator(dir))  // no temporary file anywhere
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    for (const auto& e : fs::directory_iterator(dir / "real")) CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("a failed write to standard output is exit 3 with a message") {
    const auto dir = eyemap::test::fresh_dir("cli-stdout-errors-" + std::to_string(::getpid()));
    const std::string one = inputs() + " --type Mi1 --region ME --side R --metric cell_count ";
    std::string err;
    // A closed standard output fails, and no file takes its place.
    CHECK(run_cli("render " + one + "--format svg -o - >&-", &err) == 3);
    CHECK_THAT(err, Catch::Matchers::Contains("standard output"));
    // Nothing written to a closed standard output is no error.
    CHECK(run_cli("render " + one + "-o " + q(dir / "x.svg") + " --stats-json " + q(dir / "stats.json") + " >&-", &err) == 0);
    REQUIRE(run_cli("batch " + inputs() + " --out-dir " + q(dir / "runs") + " --run r -q", &err) == 0);
    if (!make_device(dir / "full", 7)) {
        WARN("mknod not permitted: the full-device checks are skipped");
        return;
    }
    const std::string full = " > " + q(dir / "full");
    for (const std::string& cmd : {"render " + one + "--format svg -o -", "render " + one + "--format png -o -",
                                   "stats report " + q(dir / "stats.json"), "stats report " + q(dir / "stats.json") + " -o -",
                                   "runs verify --json " + q(dir / "runs" / "r"), "runs verify " + q(dir / "runs" / "r"),
                                   "runs list --out-dir " + q(dir / "runs"), std::string("render --help")}) {
        INFO(cmd);
        CHECK(run_cli(cmd + full, &err) == 3);
        CHECK_THAT(err, Catch::Matchers::Contains("eyemap: error:") && Catch::Matchers::Contains("standard output") &&
                            Catch::Matchers::Contains("No space left on device"));
    }
    CHECK(file_type(dir / "full") == S_IFCHR);
}

TEST_CASE("eyemap render killed during its write leaves no temporary file") {
    if (std::system("command -v strace > /dev/null 2>&1") != 0) {
        WARN("strace is not installed: the killed-write check is skipped");
        return;
    }
    const auto dir = eyemap::test::fresh_dir("cli-killed-write-" + std::to_string(::getpid()));
    // strace holds every write() for 3 s, so the render is surely inside its write when the signal
    // comes; the signal arrives as the write returns, with the temporary file there. `set -m` (in the
    // subshell itself): a background job of a script would otherwise start with SIGINT ignored.
    // SIGINT only when this process does not ignore it: an ignored signal stays ignored in children
    // (bash cannot undo that), and eyemap rightly leaves an ignored SIGINT ignored.
    struct sigaction now {};
    const bool int_ignored = ::sigaction(SIGINT, nullptr, &now) == 0 && now.sa_handler == SIG_IGN;
    if (int_ignored) WARN("SIGINT is ignored in this process (and so in its children): only SIGTERM is checked");
    for (const char* sig : {"TERM", "INT"}) {
        if (int_ignored && std::string_view(sig) == "INT") continue;
        const std::string script =
            "cd " + q(dir) + " && rm -rf out && mkdir out && "
            "(set -m; strace -qq -o trace.log -e trace=write -e inject=write:delay_enter=3000000 " + std::string(EYEMAP_CLI) + " render " +
            inputs() + " --type Mi1 --region ME --side R --metric cell_count --format svg -o out/x.svg 2> render.err & "
            "tracer=$!; for i in $(seq 200); do ls -A out | grep -q tmp- && break; sleep 0.05; done; "
            "child=$(pgrep -P $tracer); [ -n \"$child\" ] && kill -" + sig + " $child; wait $tracer; ls -A out > listing.txt)";
        INFO("signal " << sig);
        CHECK(std::system(("bash -c " + q(script)).c_str()) == 0);
        CHECK(read_file(dir / "listing.txt").empty());  // no temporary file, no partial output
    }
}

// --- Readers, run folders, limits and messages --------------------------------

namespace {

// A small data file (types A and B) in a fresh folder.
fs::path r3_dir(const std::string& name) {
    const auto dir = test::fresh_dir("r3-" + name + "-" + std::to_string(::getpid()));
    test::write_file(dir / "d.csv", std::string(test::kRowsHeader) + test::rows_for("A") + test::rows_for("B", "LO"));
    return dir;
}

// Standard output of an eyemap command line (stdout to a file of its own), its exit code in *rc.
std::string r3_stdout(const std::string& args, int* rc, std::string* err = nullptr) {
    static int n = 0;
    const auto out = fs::current_path() / fmt::format("r3-stdout-{}-{}.txt", ::getpid(), n++);
    *rc = run_cli(args + " > " + q(out), err);
    std::string text = test::read_file(out);
    fs::remove(out);
    return text;
}

}  // namespace

TEST_CASE("readers: stats report and batch --plan refuse /dev/zero and a FIFO without writer and a folder", "[cli]") {
    const auto dir = r3_dir("readers");
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    fs::create_directories(dir / "folder");
    std::string err;
    const auto t0 = std::chrono::steady_clock::now();
    // Reading /dev/zero as an input: refused before reading (it read until bad_alloc, exit 4).
    CHECK(run_cli("stats report /dev/zero -o " + q(dir / "r.html"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("regular file") && Catch::Contains("/dev/zero"));
    CHECK(run_cli(fmt::format("stats report {} -o {}", q(dir / "fifo"), q(dir / "r.html")), &err) == 2);  // it hung
    CHECK_THAT(err, Catch::Contains("FIFO"));
    CHECK(run_cli(fmt::format("stats report {} -o {}", q(dir / "folder"), q(dir / "r.html")), &err) == 3);  // "internal error", 4
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: ") && Catch::Contains("folder") && Catch::Contains("is a folder, not a file"));
    const std::string batch = fmt::format("batch --data {} --out-dir {} --shard 0/2 --plan ", q(dir / "d.csv"), q(dir / "out"));
    CHECK(run_cli(batch + "/dev/zero", &err) == 2);
    CHECK_THAT(err, Catch::Contains("regular file"));
    CHECK(run_cli(batch + q(dir / "fifo"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("FIFO"));
    CHECK(run_cli(batch + q(dir / "folder"), &err) == 3);
    CHECK_THAT(err, Catch::Contains("is a folder, not a file"));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
    CHECK_FALSE(fs::exists(dir / "out"));
    // A number beyond double in a stats file (found by fuzz_stats): bad input, not an internal error.
    test::write_file(dir / "big.json", R"({"schema":"eyemap-stats/2","wall_ns":1e9992,"ops":[]})");
    CHECK(run_cli(fmt::format("stats report {} -o {}", q(dir / "big.json"), q(dir / "r.html")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("big.json") && Catch::Contains("not valid JSON"));
}

TEST_CASE("readers: render --data - with a folder on standard input says so as batch does", "[cli]") {
    const auto dir = r3_dir("stdin-folder");
    fs::create_directories(dir / "folder");
    std::string err;
    CHECK(run_cli(fmt::format("render --data - --type A --out-dir {} < {}", q(dir / "o"), q(dir / "folder")), &err) == 3);  // "empty file", 2
    CHECK_THAT(err, Catch::Contains("standard input is a folder"));
    CHECK(run_cli(fmt::format("batch --data - --columns {} --out-dir {} < {}", q(dir / "d.csv"), q(dir / "o"), q(dir / "folder")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("standard input is a folder"));
}

TEST_CASE("limits: shard counts are checked where they enter against kMaxShards", "[cli]") {
    const auto dir = r3_dir("shards");
    std::string err;
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "out")), &err) == 0);
    // runs verify --shards: 4000000000 died with bad_alloc; 70000 printed 70000 lines and exited 0.
    for (const char* n : {"4000000000", "70000", "99999999999"}) {
        int rc = 0;
        const std::string out = r3_stdout(fmt::format("runs verify {} --shards {}", q(dir / "out/r"), n), &rc, &err);
        CHECK(rc == 1);
        CHECK_THAT(err, Catch::StartsWith("eyemap: error: --shards") && Catch::Contains("65536"));
        CHECK(out.size() < 1000);
    }
    // --plan-out writes no plan that --shard I/N would refuse.
    CHECK(run_cli(fmt::format("batch --data {} --plan-out {} --shards 70000", q(dir / "d.csv"), q(dir / "p.json")), &err) == 1);
    CHECK_THAT(err, Catch::Contains("'70000'") && Catch::Contains("65536"));
    CHECK_FALSE(fs::exists(dir / "p.json"));
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --shard 0/70000", q(dir / "d.csv"), q(dir / "out")), &err) != 0);
    CHECK_THAT(err, Catch::Contains("65536"));
    CHECK(run_cli(fmt::format("batch --data {} --plan-out {} --shards 65536", q(dir / "d.csv"), q(dir / "p.json")), &err) == 0);
    // A plan entry's shard is compared as written: 4294967297 of 2 was cut to 1 and accepted.
    test::write_file(dir / "bad.json", "{\"schema\":\"eyemap-plan/1\",\"shards\":2,\"types\":[{\"name\":\"A\",\"shard\":4294967297}]}");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --shard 1/2 --plan {}", q(dir / "d.csv"), q(dir / "out2"), q(dir / "bad.json")), &err) == 2);
    CHECK_THAT(err, Catch::Contains("shard 4294967297 is not below 2"));
}

TEST_CASE("limits: --progress-interval has a range and --stats-json is checked before the batch", "[cli]") {
    const auto dir = r3_dir("interval");
    std::string err;
    for (const char* v : {"0", "-1", "nan", "1e308", "0.1"}) {
        CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r --progress-interval {}", q(dir / "d.csv"), q(dir / "out"), v), &err) == 1);
        CHECK_THAT(err, Catch::Contains("--progress-interval") && Catch::Contains("0.2 to 86400"));
    }
    CHECK_FALSE(fs::exists(dir / "out"));
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --progress-interval 0.5", q(dir / "d.csv"), q(dir / "ok")), &err) == 0);
    // A --stats-json that cannot be written: found before any type is rendered, no run made.
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --stats-json {}", q(dir / "d.csv"), q(dir / "out"), q(dir / "no/such/s.json")),
                  &err) == 3);
    CHECK_THAT(err, Catch::Contains("--stats-json") && Catch::Contains("before the batch starts"));
    CHECK_FALSE(fs::exists(dir / "out/r"));
    fs::create_directories(dir / "isdir");
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q --stats-json {}", q(dir / "d.csv"), q(dir / "out"), q(dir / "isdir")), &err) == 3);
    CHECK_FALSE(fs::exists(dir / "out/r"));
}

TEST_CASE("render keeps only its types: a type the data lacks is named by its option, with the closest type", "[cli]") {
    const auto dir = eyemap::test::fresh_dir("cli-types-" + std::to_string(::getpid()));
    std::string err;
    // The output of one type read from the file with others is the one read as before (every type kept).
    REQUIRE(run_cli("render " + inputs() + " --type Tm3 --region ME --side R --metric synapses -o " + q(dir / "tm3.svg")) == 0);
    REQUIRE(run_cli("render --data " + q(sample_dir() / "data.csv") + " --columns - --type Tm3 --region ME --side R --metric synapses -o " +
                    q(dir / "tm3_stdin.svg") + " < " + q(sample_dir() / "columns.csv")) == 0);
    CHECK(read_file(dir / "tm3.svg") == read_file(dir / "tm3_stdin.svg"));
    CHECK(run_cli("render " + inputs() + " --type tm3 --side R --metric synapses -o " + q(dir / "x.svg"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("field '--type': value 'tm3'") && Catch::Contains("(3 types); did you mean 'Tm3'?"));
    CHECK(run_cli("render " + inputs() + " --type Mi1 --baseline-type t4a --out-dir " + q(dir), &err) == 2);
    CHECK_THAT(err, Catch::Contains("field '--baseline-type': value 't4a'") && Catch::Contains("did you mean 'T4a'?"));
    CHECK(run_cli("render " + inputs() + " --type Mi1 --baseline-type T4a --side R --metric synapses --out-dir " + q(dir), &err) == 0);
    CHECK(run_cli("figure " + inputs() + " --type Mi1,tm3 --side R --metric synapses -o " + q(dir / "f.svg"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("value 'tm3'") && Catch::Contains("did you mean 'Tm3'?"));
    CHECK(run_cli("figure " + inputs() + " --type Mi1,Tm3 --side R --metric synapses -o " + q(dir / "f.svg"), &err) == 0);
    CHECK(fs::file_size(dir / "f.svg") > 0);
}

TEST_CASE("messages: choice options say eyemap: error: and did you mean and an unknown command's --help is an error", "[cli]") {
    const auto dir = r3_dir("messages");
    const std::string render = fmt::format("render --data {} --type A --out-dir {} ", q(dir / "d.csv"), q(dir / "o"));
    std::string err;
    // Any valid column name may be a value metric: one the data lacks is an input error, with the near name.
    CHECK(run_cli(render + "--metric cels", &err) == 2);
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: ") && Catch::Contains("no 'cels' column") && Catch::Contains("did you mean the column 'cells'?"));
    CHECK(run_cli(render + "--metric 'cel ls'", &err) == 1);  // not a column name at all: a bare CLI11 line
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: --metric") && Catch::Contains("value 'cel ls'"));
    CHECK(run_cli(render + "--side l", &err) == 1);
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: --side") && Catch::Contains("did you mean 'L'?"));
    CHECK(run_cli(render + "--region me", &err) == 2);  // no suggestion
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: ") && Catch::Contains("value 'me'") && Catch::Contains("did you mean 'ME'?"));
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --sink nul", q(dir / "d.csv"), q(dir / "o")), &err) == 1);
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: --sink") && Catch::Contains("did you mean 'null'?"));
    // Help for a command that does not exist: the main help and exit 0 before.
    int rc = 0;
    const std::string out = r3_stdout("montage --help", &rc, &err);
    CHECK(rc == 1);
    CHECK_THAT(err, Catch::StartsWith("eyemap: error: unknown command 'montage'"));
    CHECK(out.find("Usage") == std::string::npos);
    CHECK(run_cli("render --help > " + q(dir / "help.txt")) == 0);  // real commands' help is unchanged
}

TEST_CASE("messages: the batch's file count is the one runs list shows and its time says what it covers", "[cli]") {
    const auto dir = r3_dir("counts");
    std::string err;
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r --pages", q(dir / "d.csv"), q(dir / "out")), &err) == 0);
    // Written this time (eyemaps, pages, thumbnails) and in the folder (also manifest, index, site files).
    const auto files = test::files_under(dir / "out/r").size();
    CHECK_THAT(err, Catch::Contains(fmt::format("({} files in the folder, as 'eyemap runs list' counts them)", files)));
    CHECK_THAT(err, Catch::Contains("the types' pass; --stats wall: the whole command"));
    int rc = 0;
    const std::string list = r3_stdout("runs list --out-dir " + q(dir / "out"), &rc);
    CHECK(rc == 0);
    CHECK_THAT(list, Catch::Matches(fmt::format("(.|\n)*\nr +[0-9.]+ [KMG]?i?B +{} (.|\n)*", files)));
}

TEST_CASE("run folders: a run folder that is a symbolic link is refused by every command", "[cli]") {
    const auto dir = r3_dir("symlink");
    std::string err;
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run real -q --pages", q(dir / "d.csv"), q(dir / "elsewhere")), &err) == 0);
    fs::create_directories(dir / "out");
    fs::create_directory_symlink(dir / "elsewhere/real", dir / "out/lnk");
    const auto before = test::files_under(dir / "elsewhere/real");
    // The batch refuses it; --index-only wrote through it, protect followed it.
    CHECK(run_cli(fmt::format("batch --data {} --out-dir {} --run lnk -q", q(dir / "d.csv"), q(dir / "out")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("symbolic link"));
    fs::remove(dir / "elsewhere/real/index.html");
    CHECK(run_cli(fmt::format("batch --out-dir {} --run lnk --index-only", q(dir / "out")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("symbolic link"));
    CHECK_FALSE(fs::exists(dir / "elsewhere/real/index.html"));
    CHECK(run_cli(fmt::format("runs protect lnk --out-dir {}", q(dir / "out")), &err) == 3);
    CHECK_THAT(err, Catch::Contains("symbolic link"));
    CHECK_FALSE(fs::exists(dir / "elsewhere/real/.protected"));
    CHECK(run_cli(fmt::format("runs verify {}", q(dir / "out/lnk")), &err) == 3);
    // runs list shows it (it was skipped), as refused; clean leaves it and what it points to.
    int rc = 0;
    const std::string list = r3_stdout("runs list --out-dir " + q(dir / "out"), &rc);
    CHECK(rc == 0);
    CHECK_THAT(list, Catch::Contains("lnk") && Catch::Contains("refused: a symbolic link"));
    CHECK(run_cli(fmt::format("runs clean --keep 0 --out-dir {} > {}", q(dir / "out"), q(dir / "clean.txt")), &err) == 0);
    CHECK(fs::is_symlink(dir / "out/lnk"));
    auto after = test::files_under(dir / "elsewhere/real");
    after.insert("index.html");
    CHECK(after == before);
}

TEST_CASE("run folders: runs verify and runs list escape what they print from names and manifests", "[cli]") {
    const auto dir = r3_dir("escape");
    std::string err;
    REQUIRE(run_cli(fmt::format("batch --data {} --out-dir {} --run r -q", q(dir / "d.csv"), q(dir / "out")), &err) == 0);
    // The manifest's "started" with ESC, BEL and U+202E; a temporary file and the run path with ESC.
    std::string m = test::read_file(dir / "out/r/manifest.json");
    const auto at = m.find("\"started\":\"");
    REQUIRE(at != std::string::npos);
    m.insert(at + 11, "\\u001b[2J\\u0007\\u202e");
    test::write_file(dir / "out/r/manifest.json", m);
    test::write_file(dir / "out/r/svg/.A\x1b]0;x\x07.svg.tmp-h-1-0123456789abcdef", "partial");
    int rc = 0;
    const std::string list = r3_stdout("runs list --out-dir " + q(dir / "out"), &rc);
    CHECK(list.find('\x1b') == std::string::npos);
    CHECK(list.find('\x07') == std::string::npos);
    CHECK(list.find("\xe2\x80\xae") == std::string::npos);
    CHECK_THAT(list, Catch::Contains("\\x1b[2J\\x07\\u{202e}"));
    fs::rename(dir / "out/r", dir / "out/r\x1b[31m");
    const std::string verify = r3_stdout("runs verify " + q(dir / "out/r\x1b[31m"), &rc);
    CHECK(verify.find('\x1b') == std::string::npos);
    CHECK(verify.find('\x07') == std::string::npos);
    CHECK_THAT(verify, Catch::Contains("r\\x1b[31m") && Catch::Contains("\\x1b]0;x\\x07"));
}

TEST_CASE("value metrics: --metric NAME, render and batch draw a value column by name, counts stay the default, bad values write nothing", "[cli]") {
    const auto dir = test::fresh_dir("values-" + std::to_string(::getpid()));
    const std::string header = "neuron_type,region,side,hex1,hex2,cells,coverage,diff,layer_diff\n";
    std::string rows;
    for (int i = 0; i < 6; ++i)
        rows += fmt::format("{},ME,R,{},{},{},{},{},{}\n", i < 3 ? "A" : "B", 10 + i, 5, i, i == 2 ? "" : fmt::format("0.{}", i + 1),
                            fmt::format("{}.5", i - 3), "1;-1;;0;0;0;0;0;0;2");
    test::write_file(dir / "d.csv", header + rows);
    const std::string data = "--data " + q(dir / "d.csv") + " ";
    std::string err;
    // render: the value column by name, beside a count; files named by the column.
    REQUIRE(run_cli("render " + data + "--type A --metric coverage,cells --colormap viridis --out-dir " + q(dir / "r"), &err) == 0);
    CHECK(fs::exists(dir / "r/A_ME_R_coverage.svg"));
    CHECK(fs::exists(dir / "r/A_ME_R_cell_count.svg"));
    const std::string svg = test::read_file(dir / "r/A_ME_R_coverage.svg");
    CHECK_THAT(svg, Catch::Contains("coverage: 0.2\nROI") && Catch::Contains("coverage: no data\nROI"));
    // Without --metric: the counts only, byte for byte what the same file without value columns gives.
    std::string counts_only = "neuron_type,region,side,hex1,hex2,cells\n";
    for (int i = 0; i < 6; ++i) counts_only += fmt::format("{},ME,R,{},{},{}\n", i < 3 ? "A" : "B", 10 + i, 5, i);
    test::write_file(dir / "c.csv", counts_only);
    REQUIRE(run_cli("render " + data + "--type A --out-dir " + q(dir / "d"), &err) == 0);
    REQUIRE(run_cli("render --data " + q(dir / "c.csv") + " --type A --out-dir " + q(dir / "c"), &err) == 0);
    CHECK_FALSE(fs::exists(dir / "d/A_ME_R_coverage.svg"));
    CHECK(test::read_file(dir / "d/A_ME_R_cell_count.svg") == test::read_file(dir / "c/A_ME_R_cell_count.svg"));
    // batch: every type with the value columns named, pages with their summaries; resume and verify.
    REQUIRE(run_cli("batch " + data + "--metric diff,cells --colormap rdbu --out-dir " + q(dir / "b") + " --run r --pages -q", &err) == 0);
    CHECK(fs::exists(dir / "b/r/svg/B_ME_R_diff.svg"));
    const std::string page = test::read_file(dir / "b/r/pages/A.html");
    CHECK_THAT(page, Catch::Contains("<th scope=\"col\">Min</th>") && Catch::Contains("<td>diff</td>"));
    CHECK_THAT(test::read_file(dir / "b/r/index.html"), Catch::Contains("diff (mean)"));
    REQUIRE(run_cli("batch " + data + "--metric diff,cells --colormap rdbu --out-dir " + q(dir / "b") + " --run r --pages --resume", &err) == 0);
    CHECK_THAT(err, Catch::Contains("2 up to date"));
    REQUIRE(run_cli("runs verify " + q(dir / "b/r"), &err) == 0);
    // Errors: a column the data lacks (did you mean), inf in a value column (file, line, column, value): nothing written.
    CHECK(run_cli("render " + data + "--type A --metric coverge --out-dir " + q(dir / "e1"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("no 'coverge' column") && Catch::Contains("did you mean the column 'coverage'?"));
    CHECK_FALSE(fs::exists(dir / "e1"));
    test::write_file(dir / "inf.csv", header + "A,ME,R,1,1,1,inf,0,\n");
    CHECK(run_cli("render --data " + q(dir / "inf.csv") + " --type A --metric coverage --out-dir " + q(dir / "e2"), &err) == 2);
    CHECK_THAT(err, Catch::Contains("inf.csv:2: field 'coverage': value 'inf'") && Catch::Contains("not a finite number"));
    CHECK_FALSE(fs::exists(dir / "e2"));
    CHECK(run_cli("batch --data " + q(dir / "inf.csv") + " --metric coverage --out-dir " + q(dir / "e3") + " -q", &err) == 2);
    CHECK_FALSE(fs::exists(dir / "e3/" ));
}

TEST_CASE("value metrics: --label and --unit name a value metric on pictures and pages, files keep the column's name", "[cli]") {
    const auto dir = test::fresh_dir("labels-" + std::to_string(::getpid()));
    test::write_file(dir / "d.csv", "neuron_type,region,side,hex1,hex2,cov\nA,ME,R,1,1,0.5\nA,ME,R,1,2,0.25\n");
    const std::string data = "--data " + q(dir / "d.csv") + " ";
    std::string err;
    REQUIRE(run_cli("render " + data + "--type A --metric cov --label 'cov=T4 <coverage>' --unit cov=% -o " + q(dir / "a.svg"), &err) == 0);
    const std::string svg = test::read_file(dir / "a.svg");
    CHECK(test::xml_error(svg).empty());
    CHECK_THAT(svg, Catch::Contains("T4 &lt;coverage&gt; (%): 0.5\nROI") && Catch::Contains(">T4 &lt;coverage&gt; (%)</text>"));
    REQUIRE(run_cli("batch " + data + "--metric cov --label cov=Coverage --out-dir " + q(dir / "b") + " --run r -q --pages", &err) == 0);
    CHECK(fs::exists(dir / "b/r/svg/A_ME_R_cov.svg"));
    CHECK_THAT(test::read_file(dir / "b/r/pages/A.html"), Catch::Contains("<td>Coverage</td>"));
    // The index rebuilt from the manifest keeps the label.
    fs::remove(dir / "b/r/index.html");
    REQUIRE(run_cli("batch --out-dir " + q(dir / "b") + " --run r --index-only", &err) == 0);
    CHECK_THAT(test::read_file(dir / "b/r/index.html"), Catch::Contains("Coverage (mean)"));
    // Usage errors before any input is read: a name not in --metric, a count, no '='.
    CHECK(run_cli("render --data " + q(dir / "none.csv") + " --type A --metric cov --label x=y -o " + q(dir / "e.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Contains("'x' is not a metric of --metric"));
    CHECK(run_cli("render " + data + "--type A --metric cov,cells --label cells=y -o " + q(dir / "e.svg"), &err) == 1);
    CHECK(run_cli("render " + data + "--type A --metric cov --unit cov -o " + q(dir / "e.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Contains("expected NAME=TEXT"));
    CHECK_FALSE(fs::exists(dir / "e.svg"));
}

TEST_CASE("value metrics: --metric-look gives one metric its own map and fixed limits in a batch, the counts keep their bytes", "[cli]") {
    const auto dir = test::fresh_dir("looks-" + std::to_string(::getpid()));
    std::string csv = "neuron_type,region,side,hex1,hex2,cells,diff\n";
    for (int i = 0; i < 8; ++i) csv += fmt::format("{},ME,R,{},{},{},{}\n", i < 4 ? "A" : "B", 10 + i % 4, 5, 1 + i % 3, i < 4 ? (i - 2) * 0.75 : (i - 5) * 1.5);
    test::write_file(dir / "d.csv", csv);
    const std::string base = "batch --data " + q(dir / "d.csv") + " --metric cells,diff -q --out-dir ";
    std::string err;
    REQUIRE(run_cli(base + q(dir / "plain") + " --run r", &err) == 0);
    REQUIRE(run_cli(base + q(dir / "looks") + " --run r --pages --metric-look diff:colormap=rdbu --metric-look diff:color_min=-6 "
                    "--metric-look diff:color_max=6 --metric-look diff:bins=7", &err) == 0);
    for (const char* t : {"A", "B"}) {
        CAPTURE(t);
        // The counts: the run's own look, the bytes of a run without looks.
        const std::string cells = fmt::format("svg/{}_ME_R_cell_count.svg", t);
        CHECK(test::read_file(dir / "plain/r" / cells) == test::read_file(dir / "looks/r" / cells));
        // diff: RdBu in 7 bins, the same fixed edges for both types (maps of different types compare).
        const std::string svg = test::read_file(dir / "looks/r" / fmt::format("svg/{}_ME_R_diff.svg", t));
        CHECK_THAT(svg, Catch::Contains(fmt::format("var pal = [\"{}\"];", fmt::join(fill_colours(Style{}, "rdbu", 7).colour, "\", \""))));
        CHECK_THAT(svg, Catch::Contains(">-6</text>") && Catch::Contains(">-4.29</text>") && Catch::Contains(">6</text>"));
        CHECK(svg != test::read_file(dir / "plain/r" / fmt::format("svg/{}_ME_R_diff.svg", t)));
    }
    // Bad looks are usage errors naming the item, before anything is read or written.
    CHECK(run_cli(base + q(dir / "bad") + " --metric-look diff:colormp=rdbu", &err) == 1);
    CHECK_THAT(err, Catch::Contains("--metric-look 'diff:colormp=rdbu'") && Catch::Contains("did you mean 'colormap'?"));
    CHECK(run_cli(base + q(dir / "bad") + " --metric-look diff:color_min=-6", &err) == 1);
    CHECK_THAT(err, Catch::Contains("needs both color_min and color_max"));
    CHECK(run_cli(base + q(dir / "bad") + " --metric-look 'a b:bins=3'", &err) == 1);
    CHECK_FALSE(fs::exists(dir / "bad"));
}

TEST_CASE("value metrics: the no-data and not-in-region colours are the palette's ends for every map, binned or continuous", "[cli]") {
    const auto dir = test::fresh_dir("nodata-" + std::to_string(::getpid()));
    test::write_file(dir / "d.csv", "neuron_type,region,side,hex1,hex2,v\nA,ME,R,1,1,0.5\nA,ME,R,1,2,\nA,ME,R,1,3,-1\nA,LO,R,2,2,1\n");
    const std::string args = "render --data " + q(dir / "d.csv") + " --type A --region ME --side R --metric v "
                             "--style palette=#010203,#000000,#000000,#000000,#000000,#000000,#0a0b0c ";
    std::string err;
    for (const std::string extra : {"--colormap viridis", "--colormap rdbu --continuous", "--colormap '#ff0000,#00ff00,#0000ff' --bins 3"}) {
        CAPTURE(extra);
        REQUIRE(run_cli(args + extra + " -o " + q(dir / "m.svg"), &err) == 0);
        const std::string svg = test::read_file(dir / "m.svg");
        CHECK_THAT(svg, Catch::Contains("fill=\"#010203\"><title>Column: 1, 2\nv: no data"));  // the empty cell
        CHECK_THAT(svg, Catch::Contains("fill=\"#0a0b0c\"><title>Column: 2, 2\nColumn not identified in ME (R)"));  // LO's column
        CHECK(svg.find("#000000") == std::string::npos);  // the palette's bins are the field's reds only
    }
}

TEST_CASE("value metrics: a look for an old name applies to its count, a look for a metric not drawn is a usage error", "[cli]") {
    const auto dir = test::fresh_dir("looknames-" + std::to_string(::getpid()));
    test::write_file(dir / "d.csv", "neuron_type,region,side,hex1,hex2,synapses,v\nA,ME,R,1,1,3,0.5\nA,ME,R,1,2,5,-1\n");
    const std::string base = "render --data " + q(dir / "d.csv") + " --type A --region ME --side R ";
    std::string err;
    REQUIRE(run_cli(base + "--metric synapses --metric-look synapses:colormap=rdbu -o " + q(dir / "a.svg"), &err) == 0);
    REQUIRE(run_cli(base + "--metric synapses --metric-look synapse_density:colormap=rdbu -o " + q(dir / "b.svg"), &err) == 0);
    REQUIRE(run_cli(base + "--metric synapses -o " + q(dir / "c.svg"), &err) == 0);
    CHECK(test::read_file(dir / "a.svg") == test::read_file(dir / "b.svg"));
    CHECK(test::read_file(dir / "a.svg") != test::read_file(dir / "c.svg"));
    CHECK(run_cli(base + "--metric v --metric-look w:colormap=rdbu -o " + q(dir / "e.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Contains("'w' is not a metric of --metric (v)"));
    CHECK(run_cli(base + "--metric-look v:colormap=rdbu -o " + q(dir / "e.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Contains("'v' is not a count: name it in --metric"));
    CHECK_FALSE(fs::exists(dir / "e.svg"));
}

TEST_CASE("value metrics: a centre outside given fixed limits is a usage error", "[cli]") {
    const auto dir = test::fresh_dir("centre-out-" + std::to_string(::getpid()));
    test::write_file(dir / "d.csv", "neuron_type,region,side,hex1,hex2,v\nA,ME,R,1,1,0.5\nA,ME,R,1,2,-1\n");
    const std::string base = "render --data " + q(dir / "d.csv") + " --type A --metric v --colormap rdbu ";
    std::string err;
    CHECK(run_cli(base + "--color-min -1 --color-max 1 --centre 5 -o " + q(dir / "e.svg"), &err) == 1);
    CHECK_THAT(err, Catch::Contains("--centre") && Catch::Contains("within the fixed limits"));
    CHECK_FALSE(fs::exists(dir / "e.svg"));
    CHECK(run_cli(base + "--color-min -1 --color-max 3 --centre 0 -o " + q(dir / "ok.svg"), &err) == 0);
    CHECK(run_cli(base + "--color-max 3 --centre 1 -o " + q(dir / "ok2.svg"), &err) == 0);  // the other limit mirrored: -1 .. 3
}

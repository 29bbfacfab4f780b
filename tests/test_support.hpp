// Helpers shared by the tests: XML well-formedness with libxml2, files, running the CLI, shell quoting.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <regex>
#include <string>
#include <string_view>

#include <libxml/parser.h>
#include <sys/wait.h>
#include <unistd.h>

namespace eyemap::test {

// Parses with libxml2 (no network, no entities); returns "" when well-formed, else the error.
inline std::string xml_error(std::string_view doc) {
    xmlDocPtr d = xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "doc.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    if (!d) {
        const xmlError* e = xmlGetLastError();
        return e && e->message ? std::string(e->message) + " at line " + std::to_string(e->line) : "parse failed";
    }
    xmlFreeDoc(d);
    return {};
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::filesystem::path& p, std::string_view text) {
    std::ofstream out(p, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// A fresh empty folder under the test's working directory.
inline std::filesystem::path fresh_dir(const std::string& name) {
    auto p = std::filesystem::current_path() / ("tmp-" + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

// Runs the eyemap CLI with arguments (a shell string); returns the exit code, stderr into *err.
// Standard error goes to a file of this process's own: ctest runs several test executables at
// once in one folder, and a shared file name would mix their messages.
inline int run_cli(const std::string& args, std::string* err = nullptr) {
    static int n = 0;
    const auto errfile = std::filesystem::current_path() /
                         ("cli-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".txt");
    const std::string cmd = std::string(EYEMAP_CLI) + " " + args + " 2> '" + errfile.string() + "'";
    const int rc = std::system(cmd.c_str());
    if (err) *err = read_file(errfile);
    std::filesystem::remove(errfile);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The header and a few rows per type of a small data file (built-in regions, both sides, 3 columns).
inline constexpr const char* kRowsHeader = "neuron_type,region,side,hex1,hex2,synapses,cells\n";
inline std::string rows_for(const std::string& type, const std::string& region = "ME") {
    std::string s;
    for (int h = 0; h < 3; ++h)
        for (const char* side : {"L", "R"})
            s += type + "," + region + "," + side + "," + std::to_string(h) + ",0," + std::to_string(5 + h) + "," + std::to_string(1 + h) + "\n";
    return s;
}

// Every id="..." of an SVG, in document order (duplicates kept).
inline std::vector<std::string> svg_ids(const std::string& svg) {
    std::vector<std::string> ids;
    static const std::regex re(R"re(\bid="([^"]*)")re");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) ids.push_back((*it)[1]);
    return ids;
}

// Every regular file under `root`, by relative path.
inline std::set<std::string> files_under(const std::filesystem::path& root) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root))
        if (e.is_regular_file()) out.insert(std::filesystem::relative(e.path(), root).generic_string());
    return out;
}

// `p` as one single-quoted shell word (a ' inside written '\''), for the command lines tests run.
inline std::string q(const std::filesystem::path& p) {
    std::string out = "'";
    for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

inline std::size_t count(std::string_view hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

}  // namespace eyemap::test

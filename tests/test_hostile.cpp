// Hostile names: type, region and layer names with markup, quotes, "]]>", control characters,
// bidirectional marks, other Unicode and invalid UTF-8. The SVG stays well-formed (checked by
// xmllint on the files the CLI writes, and by libxml2 in process) and shows the name as text.
#include <catch2/catch.hpp>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include "eyemap/eyemap.hpp"
#include "test_support.hpp"

using namespace eyemap;
namespace fs = std::filesystem;

namespace {

using test::run_cli;

const std::string kFFFD = "\xEF\xBF\xBD";  // U+FFFD, what the writer shows for bytes XML cannot carry

struct Hostile {
    const char* what;
    std::string name;     // as in the data
    std::string display;  // the text a reader of the SVG sees (libxml2's text content)
};

std::vector<Hostile> hostile_types() {
    return {
        {"markup", "<b>T4</b>", "<b>T4</b>"},
        {"entities", "&amp;&lt;&#0;&bogus;", "&amp;&lt;&#0;&bogus;"},
        {"ampersand and quotes", "Tm&\"5'a\"", "Tm&\"5'a\""},
        {"CDATA end", "x]]>y", "x]]>y"},
        {"CDATA start", "<![CDATA[z", "<![CDATA[z"},
        {"script end", "</script><script>alert(1)</script>", "</script><script>alert(1)</script>"},
        {"comment", "a<!--b-->c--", "a<!--b-->c--"},
        {"processing instruction", "<?xml version=\"1.0\"?>", "<?xml version=\"1.0\"?>"},
        {"control characters", std::string("a\x01" "b\x1b[31mc\x7f" "d"), "a" + kFFFD + "b" + kFFFD + "[31mc" + kFFFD + "d"},
        {"tab", "a\tb", "a\tb"},
        {"right-to-left mark", "\xE2\x80\x8FMi1", "\xE2\x80\x8FMi1"},
        {"right-to-left override", "\xE2\x80\xAEMi1\xE2\x80\xAC", "\xE2\x80\xAEMi1\xE2\x80\xAC"},
        {"Hebrew", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"},
        {"CJK and emoji", "\xE7\xA5\x9E\xE7\xB5\x8C\xF0\x9F\xA7\xA0", "\xE7\xA5\x9E\xE7\xB5\x8C\xF0\x9F\xA7\xA0"},
        {"combining marks", "e\xCC\x81\xCC\x81\xCC\x81", "e\xCC\x81\xCC\x81\xCC\x81"},
        {"invalid UTF-8", "a\xff\xfe" "b", "a" + kFFFD + kFFFD + "b"},
        {"truncated UTF-8", "a\xE2\x80", "a" + kFFFD + kFFFD},
        {"overlong UTF-8", "a\xC0\xAF" "b", "a" + kFFFD + kFFFD + "b"},
        {"UTF-16 surrogate", "a\xED\xA0\x80" "b", "a" + kFFFD + kFFFD + kFFFD + "b"},
        {"noncharacter U+FFFE", "a\xEF\xBF\xBE" "b", "a" + kFFFD + kFFFD + kFFFD + "b"},
        {"path", "../../etc/passwd", "../../etc/passwd"},
        {"long", std::string(3000, 'W'), std::string(3000, 'W')},
    };
}

// One CSV field, quoted.
std::string csv_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// A single-quoted shell word.
std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

// Text content of every element named `element` with class `cls` ("" = any), via libxml2.
std::vector<std::string> texts_of(const std::string& svg, const char* element, const char* cls = "") {
    std::vector<std::string> out;
    xmlDocPtr doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "x.svg", nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    if (!doc) return out;
    std::vector<xmlNodePtr> stack{xmlDocGetRootElement(doc)};
    while (!stack.empty()) {
        xmlNodePtr n = stack.back();
        stack.pop_back();
        for (xmlNodePtr c = n ? n->last : nullptr; c; c = c->prev)
            if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
        if (!n || std::string(reinterpret_cast<const char*>(n->name)) != element) continue;
        if (*cls) {
            xmlChar* a = xmlGetProp(n, reinterpret_cast<const xmlChar*>("class"));
            const bool match = a && std::string(reinterpret_cast<const char*>(a)) == cls;
            xmlFree(a);
            if (!match) continue;
        }
        xmlChar* t = xmlNodeGetContent(n);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
        xmlFree(t);
    }
    xmlFreeDoc(doc);
    return out;
}

bool have_xmllint() { return std::system("xmllint --version > /dev/null 2>&1") == 0; }

// xmllint --noout on the files; "" when all are well-formed, else its report.
std::string xmllint(const std::vector<fs::path>& files) {
    std::string cmd = "xmllint --noout --nonet";
    for (const auto& f : files) cmd += " " + sh_quote(f.string());
    const auto report = fs::current_path() / "robust-xmllint.txt";
    cmd += " > " + sh_quote(report.string()) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return rc == 0 ? std::string() : "xmllint failed: " + test::read_file(report);
}

const char* kRegions = R"({"regions": [
  {"name": "R<&>\"']]>", "layers": ["<1>", "]]>", "&amp;", "\u202eL4", "\u0001x"]},
  {"name": "\u05e9\u05dc", "layers": ["a"]}
]})";

}  // namespace

TEST_CASE("hostile type names through the CLI: xmllint-clean SVG showing the name as text") {
    const auto dir = test::fresh_dir("robust-hostile-cli");
    const auto types = hostile_types();
    std::string csv = "neuron_type,region,side,hex1,hex2,synapses,cells\n";
    for (const auto& t : types) csv += csv_quote(t.name) + ",ME,R,1,2,5,1\n" + csv_quote(t.name) + ",ME,R,2,2,9,2\n";
    test::write_file(dir / "data.csv", csv);

    std::vector<fs::path> files;
    int i = 0;
    for (const auto& t : types) {
        INFO("case: " << t.what);
        const auto out = dir / ("t" + std::to_string(i++) + ".svg");
        std::string err;
        REQUIRE(run_cli("render --data " + sh_quote((dir / "data.csv").string()) + " --type " + sh_quote(t.name) +
                                  " --region ME --side R --metric synapse_density -o " + sh_quote(out.string()),
                              &err) == 0);
        const std::string svg = test::read_file(out);
        CHECK(test::xml_error(svg).empty());
        const auto titles = texts_of(svg, "text", "em-title");
        REQUIRE(titles.size() == 3);
        CHECK(titles[1] == t.display + " (R)");  // the type's title line, with the side badge
        files.push_back(out);
    }
    // Every type at once into a folder: one safe, distinct file per eyemap, all inside the folder.
    std::string err;
    for (const auto& t : types) {
        REQUIRE(run_cli("render --data " + sh_quote((dir / "data.csv").string()) + " --type " + sh_quote(t.name) +
                                  " --out-dir " + sh_quote((dir / "all").string()),
                              &err) == 0);
    }
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir / "all")) {
        CHECK(e.is_regular_file());
        names.insert(e.path().filename().string());
        files.push_back(e.path());
    }
    CHECK(names.size() == types.size() * 2);  // ME R, two metrics each
    CHECK_FALSE(fs::exists(dir.parent_path() / "etc"));
    if (have_xmllint()) CHECK(xmllint(files).empty());
    else WARN("xmllint not installed: checked with libxml2 in process only");
}

TEST_CASE("hostile region and layer names from a config: well-formed SVG, names shown as text") {
    const auto dir = test::fresh_dir("robust-hostile-regions");
    test::write_file(dir / "regions.json", kRegions);
    const std::string region = "R<&>\"']]>";
    const std::string csv = "neuron_type,region,side,hex1,hex2,synapses,layer_synapses\n" + csv_quote("T") + "," + csv_quote(region) +
                            ",L,1,2,5,1;2;0;0;2\n\xD7\xA9\xD7\x9C-type,\xD7\xA9\xD7\x9C,L,1,2,3,3\n";
    test::write_file(dir / "data.csv", csv);
    std::string err;
    REQUIRE(run_cli("render --data " + sh_quote((dir / "data.csv").string()) + " --regions " +
                              sh_quote((dir / "regions.json").string()) + " --type T --out-dir " + sh_quote((dir / "out").string()),
                          &err) == 0);
    // The hostile region's L synapse map, and the Hebrew region's (columns without T's data); no
    // cells column, no right side.
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir / "out")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() == 2);
    CHECK(files[0].parent_path() == dir / "out");
    CHECK_THAT(files[0].filename().string(), Catch::Matchers::StartsWith("T_r-"));
    const std::string svg = test::read_file(files[0]);
    CHECK(test::xml_error(svg).empty());
    const auto titles = texts_of(svg, "text", "em-title");
    REQUIRE(titles.size() == 3);
    CHECK(titles[2] == region + " (L)");
    // Layer buttons carry the layer names as text; tooltips name the region.
    std::set<std::string> all_text;
    for (const auto& t : texts_of(svg, "text")) all_text.insert(t);
    for (const auto& l : {"<1>", "]]>", "&amp;", "\xE2\x80\xAEL4"}) CHECK(all_text.count(l) == 1);
    CHECK(all_text.count(kFFFD + "x") == 1);  // U+0001 is not allowed in XML 1.0
    const auto tips = texts_of(svg, "title");  // the eyemap's own (what a screen reader says), then one per hexagon
    REQUIRE(tips.size() > 1);
    CHECK(tips[0] == "Synapse count of T in " + region + " (L)");
    CHECK_THAT(tips[1], Catch::Matchers::Contains("ROI: " + region + " (L)"));
    const auto desc = texts_of(svg, "desc");
    REQUIRE(desc.size() == 1);
    CHECK_THAT(desc[0], Catch::Matchers::Contains("Eyemap of " + region + ", left side: ") &&
                            Catch::Matchers::Contains(" columns not in " + region + " are grey"));
    if (have_xmllint()) CHECK(xmllint(files).empty());

    // The Hebrew region and type.
    REQUIRE(run_cli("render --data " + sh_quote((dir / "data.csv").string()) + " --regions " +
                              sh_quote((dir / "regions.json").string()) + " --type " + sh_quote("\xD7\xA9\xD7\x9C-type") + " --region " + sh_quote("\xD7\xA9\xD7\x9C") +
                              " --side L --metric synapse_density -o " +
                              sh_quote((dir / "he.svg").string()),
                          &err) == 0);
    CHECK(test::xml_error(test::read_file(dir / "he.svg")).empty());
}

TEST_CASE("hostile names in the library, including NUL bytes: every eyemap well-formed") {
    auto types = hostile_types();
    types.push_back({"NUL byte", std::string("a\0b", 3), "a" + kFFFD + "b"});
    types.push_back({"only NUL", std::string("\0", 1), kFFFD});
    std::string csv = "neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses\n";
    for (const auto& t : types) csv += csv_quote(t.name) + ",LOP,L,1,2,5,1,1;2;2;0\n" + csv_quote(t.name) + ",LOP,R,1,2,5,1,0;0;0;5\n";
    const Dataset ds = make_dataset(parse_column_table(csv, "hostile.csv"));
    REQUIRE(ds.types.size() == types.size());
    std::set<std::string> stems;
    for (std::size_t i = 0; i < types.size(); ++i) {
        INFO("case: " << types[i].what);
        const auto svgs = Renderer().render(ds, types[i].name);
        REQUIRE(svgs.size() == 4);
        for (const auto& s : svgs) {
            CHECK(test::xml_error(s.bytes).empty());
            const auto titles = texts_of(s.bytes, "text", "em-title");
            REQUIRE(titles.size() == 3);
            CHECK(titles[1] == types[i].display + (s.request.side == Side::L ? " (L)" : " (R)"));
            // The file stem is one safe component.
            CHECK(s.file_name().find('/') == std::string::npos);
            CHECK(s.file_name().find('\0') == std::string::npos);
            stems.insert(s.file_name());
        }
        // Static pictures too.
        RenderOptions o;
        o.interactive = false;
        for (const auto& s : Renderer(o).render(ds, types[i].name)) CHECK(test::xml_error(s.bytes).empty());
    }
    CHECK(stems.size() == types.size() * 4);
}

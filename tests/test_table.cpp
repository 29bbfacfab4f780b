// Ingest: data tables, layout tables and region configs. Table-driven: one malformed input per
// case, each checked for the error's kind, line, field and value, in memory and read from a file;
// the accepted dialect (BOM, CRLF, quoting, ...) the same way; and the CLI's exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <limits>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "ingest/csv.hpp"
#include "eyemap/eyemap.hpp"
#include "test_support.hpp"

using namespace eyemap;

namespace {

using test::run_cli;

const std::string kH = "neuron_type,region,side,hex1,hex2,synapses,cells\n";
const std::string kHL = "neuron_type,region,side,hex1,hex2,synapses,layer_synapses\n";
const std::string kLH = "region,side,hex1,hex2\n";

enum class Reader { data, layout, regions };

struct BadCase {
    const char* name;
    Reader reader;
    std::string text;
    std::uint64_t line;       // expected ErrorLocation::line (0: not line-specific)
    std::string field;        // expected ErrorLocation::field ("" = none)
    std::string value;        // expected ErrorLocation::value ("" = none)
    std::string reason_part;  // a piece of the reason the message must contain
};

const RegionSet& custom_regions() {
    static const RegionSet r = parse_region_config(R"({"regions":[{"name":"AME","layers":["1","2"]},{"name":"X0","layers":[]}]})", "cfg");
    return r;
}

// Runs the reader on `text` and returns the error it threw, if any.
std::optional<Error> run_reader(Reader reader, const std::string& text, const std::string& source) {
    try {
        switch (reader) {
            case Reader::data: parse_column_table(text, source, custom_regions()); break;
            case Reader::layout: parse_column_layout(text, source, custom_regions()); break;
            case Reader::regions: parse_region_config(text, source); break;
        }
    } catch (const Error& e) {
        return e;
    }
    return std::nullopt;
}

// The same through the file readers (streamed from disk for the CSV tables).
std::optional<Error> run_file_reader(Reader reader, const std::filesystem::path& path) {
    try {
        switch (reader) {
            case Reader::data: read_column_table(path, custom_regions()); break;
            case Reader::layout: read_column_layout(path, custom_regions()); break;
            case Reader::regions: load_region_config(path); break;
        }
    } catch (const Error& e) {
        return e;
    }
    return std::nullopt;
}

std::vector<BadCase> bad_cases() {
    const std::string me10 = "1;2;3;4;5;6;7;8;9;10";
    return {
        // Header
        {"missing required header", Reader::data, "neuron_type,region,side,hex1,synapses\nT,ME,R,1,2\n", 1, "hex2", "", "missing required column"},
        {"header spelled like a known one", Reader::data, "neuron_type,region,side,hex1,hex2,synapse\nT,ME,R,1,2,3\n", 1, "synapse", "", "did you mean 'synapses'"},
        {"header in the wrong case", Reader::data, "neuron_type,region,side,Hex1,hex2\nT,ME,R,1,2\n", 1, "Hex1", "", "did you mean 'hex1'"},
        {"header column twice", Reader::data, "neuron_type,region,side,hex1,hex2,cells,cells\nT,ME,R,1,2,3,3\n", 1, "cells", "", "twice"},
        {"CR-only line ends", Reader::data, "neuron_type,region,side,hex1,hex2\rT,ME,R,1,2\r", 1, "hex2", "hex2\rT", "carriage return"},
        {"empty file", Reader::data, "", 0, "", "", "empty file"},
        {"blank lines only", Reader::data, "\n\r\n\n", 0, "", "", "empty file"},
        {"header only", Reader::data, kH, 1, "", "", "no data rows"},
        // Record shape
        {"too few fields", Reader::data, kH + "T,ME,R,1,2,3,1\nT,ME,R,1,3,3\n", 3, "cells", "", "expected 7 fields"},
        {"too many fields", Reader::data, kH + "T,ME,R,1,2,3,1,x\n", 2, "#8", "x", "expected 7 fields"},
        {"unquoted comma in a name", Reader::data, kH + "Tm5a, Tm5b,ME,R,1,2,3,1\n", 2, "#8", "1", "unquoted comma"},
        {"unterminated quote", Reader::data, kH + "T,ME,R,1,2,3,1\n\"T,ME,R,1,3,3,1\nU,ME,R,1,2,3,1\n", 3, "neuron_type", "", "never closed"},
        {"text after a closing quote", Reader::data, kH + "T,\"ME\"x,R,1,2,3,1\n", 2, "region", "x,R,1,2,3,1", "after a closing quote"},
        // Counts
        {"non-numeric count", Reader::data, kH + "T,ME,R,1,2,many,1\n", 2, "synapses", "many", "not a number"},
        {"empty count", Reader::data, kH + "T,ME,R,1,2,,1\n", 2, "synapses", "", "empty value"},
        {"negative count", Reader::data, kH + "T,ME,R,1,2,3,-1\n", 2, "cells", "-1", "negative"},
        {"negative float count", Reader::data, kH + "T,ME,R,1,2,-2.0,1\n", 2, "synapses", "-2.0", "negative"},
        {"NaN count", Reader::data, kH + "T,ME,R,1,2,NaN,1\n", 2, "synapses", "NaN", "not a finite number"},
        {"nan count", Reader::data, kH + "T,ME,R,1,2,nan,1\n", 2, "synapses", "nan", "not a finite number"},
        {"inf count", Reader::data, kH + "T,ME,R,1,2,inf,1\n", 2, "synapses", "inf", "not a finite number"},
        {"-infinity count", Reader::data, kH + "T,ME,R,1,2,1,-infinity\n", 2, "cells", "-infinity", "not a finite number"},
        {"float overflow", Reader::data, kH + "T,ME,R,1,2,1e999,1\n", 2, "synapses", "1e999", "too large"},
        {"int64 overflow", Reader::data, kH + "T,ME,R,1,2,9223372036854775808,1\n", 2, "synapses", "9223372036854775808", "too large"},
        {"uint64 overflow", Reader::data, kH + "T,ME,R,1,2,3,18446744073709551616\n", 2, "cells", "18446744073709551616", "too large"},
        {"huge negative", Reader::data, kH + "T,ME,R,1,2,-99999999999999999999,1\n", 2, "synapses", "-99999999999999999999", "negative"},
        {"fractional count", Reader::data, kH + "T,ME,R,1,2,2.5,1\n", 2, "synapses", "2.5", "whole numbers"},
        {"hex number", Reader::data, kH + "T,ME,R,1,2,0x10,1\n", 2, "synapses", "0x10", "not a number"},
        {"count past 2^53", Reader::data, kH + "T,ME,R,1,2,9007199254740993,1\n", 2, "synapses", "9007199254740993", "too large (at most 9007199254740992)"},
        {"count of int64 max", Reader::data, kH + "T,ME,R,1,2,9223372036854775807,1\n", 2, "synapses", "9223372036854775807", "too large"},
        {"layer value past 2^53", Reader::data, kHL + "T,LOP,R,1,2,3,1;2;3;9007199254740993\n", 2, "layer_synapses",
         "9007199254740993", "too large"},
        {"float beyond exact range", Reader::data, kH + "T,ME,R,1,2,1e17,1\n", 2, "synapses", "1e17", "too large"},
        // Layers
        {"too few layer values", Reader::data, kHL + "T,LO,R,1,2,3,1;1;1\n", 2, "layer_synapses", "1;1;1", "3 layer values given"},
        {"too many layer values", Reader::data, kHL + "T,ME,R,1,2,3," + me10 + ";11;12\n", 2, "layer_synapses", me10 + ";11;12", "12 layer values given"},
        {"layer values of another region", Reader::data, kHL + "T,LOP,R,1,2,3," + me10 + "\n", 2, "layer_synapses", me10, "region LOP has 4 layers"},
        {"bad layer value", Reader::data, kHL + "T,LOP,R,1,2,3,1;x;3;4\n", 2, "layer_synapses", "x", "not a number"},
        {"empty layer value", Reader::data, kHL + "T,LOP,R,1,2,3,1;;3;4\n", 2, "layer_synapses", "", "empty value"},
        {"negative layer value", Reader::data, kHL + "T,LOP,R,1,2,3,1;2;-3;4\n", 2, "layer_synapses", "-3", "negative"},
        {"layers on a region without layers", Reader::data, kHL + "T,X0,R,1,2,3,5\n", 2, "layer_synapses", "5", "1 layer values given"},
        // Side, region, type
        {"side not L/R", Reader::data, kH + "T,ME,X,1,2,3,1\n", 2, "side", "X", "side must be L or R"},
        {"side in lower case", Reader::data, kH + "T,ME,l,1,2,3,1\n", 2, "side", "l", "did you mean 'L'"},
        {"side empty", Reader::data, kH + "T,ME,,1,2,3,1\n", 2, "side", "", "side must be L or R"},
        {"unknown region", Reader::data, kH + "T,LA,R,1,2,3,1\n", 2, "region", "LA", "unknown region"},
        {"region in the wrong case", Reader::data, kH + "T,lop,R,1,2,3,1\n", 2, "region", "lop", "did you mean 'LOP'"},
        {"empty neuron type", Reader::data, kH + " ,ME,R,1,2,3,1\n", 2, "neuron_type", " ", "empty neuron type"},
        {"duplicate row", Reader::data, kH + "T,ME,R,1,2,3,1\nU,ME,R,1,2,3,1\nT,ME,L,1,2,3,1\nT,ME,R,1,2,5,1\n", 5,
         "neuron_type,region,side,hex1,hex2", "T,ME,R,1,2", "same type, region, side and column as line 2"},
        {"first duplicate in file order", Reader::data, kH + "Z,ME,R,1,2,3,1\nA,ME,R,1,2,3,1\nA,ME,R,1,2,3,1\nZ,ME,R,1,2,3,1\n", 4,
         "neuron_type,region,side,hex1,hex2", "A,ME,R,1,2", "as line 3"},
        {"three of a kind", Reader::data, kH + "T,ME,R,1,2,3,1\nT,LO,R,1,2,3,1\nT,ME,R,1,2,4,1\nT,ME,R,1,2,5,1\n", 4,
         "neuron_type,region,side,hex1,hex2", "T,ME,R,1,2", "as line 2"},
        {"duplicate after trimming", Reader::data, kH + "T,ME,R,1,2,3,1\n T ,ME, R ,01,2,3,1\n", 3,
         "neuron_type,region,side,hex1,hex2", "T,ME,R,1,2", "as line 2"},
        // Hex coordinates
        {"absurd hex coordinate", Reader::data, kH + "T,ME,R,1,2000000000,3,1\n", 2, "hex2", "2000000000", "out of range"},
        {"hex just past the limit", Reader::data, kH + "T,ME,R,4097,1,3,1\n", 2, "hex1", "4097", "out of range"},
        {"hex beyond int64", Reader::data, kH + "T,ME,R,1,99999999999999999999999,3,1\n", 2, "hex2", "99999999999999999999999", "out of range"},
        {"hex not an integer", Reader::data, kH + "T,ME,R,1.5,2,3,1\n", 2, "hex1", "1.5", "not an integer"},
        {"hex empty", Reader::data, kH + "T,ME,R,,2,3,1\n", 2, "hex1", "", "not an integer"},
        // Layout tables
        {"layout: empty", Reader::layout, "", 0, "", "", "empty file"},
        {"layout: header only", Reader::layout, kLH, 1, "", "", "no layout rows"},
        {"layout: missing header", Reader::layout, "region,side,hex1\nME,R,1\n", 1, "hex2", "", "missing required column"},
        {"layout: misspelled header", Reader::layout, "region,sides,hex1,hex2\nME,R,1,2\n", 1, "sides", "", "did you mean 'side'"},
        {"layout: field count", Reader::layout, kLH + "ME,R,1\n", 2, "hex2", "", "expected 4 fields"},
        {"layout: side", Reader::layout, kLH + "ME,right,1,2\n", 2, "side", "right", "did you mean 'R'"},
        {"layout: region", Reader::layout, kLH + "ME,R,1,2\nAOTU,R,1,2\n", 3, "region", "AOTU", "unknown region"},
        {"layout: huge hex", Reader::layout, kLH + "ME,R,-5000,2\n", 2, "hex1", "-5000", "out of range"},
        {"layout: duplicate", Reader::layout, kLH + "ME,R,1,2\nLO,R,1,2\nME,R,1,2\n", 4, "region,side,hex1,hex2", "ME,R,1,2", "as line 2"},
        // Region configs
        {"config: not JSON", Reader::regions, "{\"regions\": [\n  {\"name\": \"A\",\n   \"layers\": [1,]}\n]}", 3, "", "", "not valid JSON"},
        {"config: number out of range", Reader::regions, "{\"regions\": [], \"x\": 1e999}", 0, "", "", "number overflow"},
        {"config: empty", Reader::regions, " \n", 0, "", "", "empty file"},
        {"config: not an object", Reader::regions, "[]", 0, "", "", "expected a JSON object"},
        {"config: no regions", Reader::regions, "{}", 0, "regions", "", "\"regions\" array"},
        {"config: misspelled top key", Reader::regions, "{\"region\": []}", 0, "(top level)", "region", "did you mean \"regions\""},
        {"config: region not an object", Reader::regions, "{\"regions\": [\"ME\"]}", 0, "regions[0]", "", "must be an object"},
        {"config: no name", Reader::regions, "{\"regions\": [{\"layers\": []}]}", 0, "regions[0].name", "", "string \"name\""},
        {"config: misspelled key", Reader::regions, "{\"regions\": [{\"name\": \"A\", \"layer\": [\"1\"]}]}", 0, "regions[0]", "layer", "did you mean \"layers\""},
        {"config: empty name", Reader::regions, "{\"regions\": [{\"name\": \"\", \"layers\": []}]}", 0, "regions[0].name", "", "1 to 64 bytes"},
        {"config: long name", Reader::regions, "{\"regions\": [{\"name\": \"" + std::string(65, 'A') + "\", \"layers\": []}]}", 0,
         "regions[0].name", std::string(65, 'A'), "1 to 64 bytes"},
        {"config: padded name", Reader::regions, "{\"regions\": [{\"name\": \" ME\", \"layers\": []}]}", 0, "regions[0].name", " ME", "white space"},
        {"config: reserved name", Reader::regions, "{\"regions\": [{\"name\": \"all\", \"layers\": []}]}", 0, "regions[0].name", "all", "reserved"},
        {"config: region twice", Reader::regions, "{\"regions\": [{\"name\": \"A\", \"layers\": []}, {\"name\": \"A\", \"layers\": []}]}", 0,
         "regions[1].name", "A", "twice"},
        {"config: layers missing", Reader::regions, "{\"regions\": [{\"name\": \"A\"}]}", 0, "regions[0].layers", "", "\"layers\" array"},
        {"config: layer not a string", Reader::regions, "{\"regions\": [{\"name\": \"A\", \"layers\": [\"1\", 2]}]}", 0,
         "regions[0].layers[1]", "2", "must be strings"},
        {"config: too many layers", Reader::regions, "{\"regions\": [{\"name\": \"A\", \"layers\": [" + [] {
             std::string s;
             for (int i = 0; i < 65; ++i) s += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
             return s;
         }() + "]}]}", 0, "regions[0].layers", "65", "at most 64 layers"},
        {"config: deep nesting", Reader::regions, "{\"regions\": " + std::string(100, '[') + std::string(100, ']') + "}", 1, "", "", "nested deeper"},
    };
}

}  // namespace

TEST_CASE("ingest: every malformed input gives one input error naming file, line, field and value") {
    const auto dir = test::fresh_dir("robust-table");
    int n = 0;
    for (const auto& c : bad_cases()) {
        INFO("case: " << c.name);
        const std::string source = std::string("case-") + std::to_string(n++) + ".csv";
        const auto e = run_reader(c.reader, c.text, source);
        REQUIRE(e.has_value());
        CHECK(e->kind() == ErrorKind::input);
        CHECK(e->exit_code() == 2);
        CHECK(e->where().file == source);
        CHECK(e->where().line == c.line);
        CHECK(e->where().field == c.field);
        CHECK(e->where().value == c.value);
        CHECK_THAT(e->reason(), Catch::Matchers::Contains(c.reason_part));
        // The message leads with "file:line:" and carries the field, so a user can find the spot.
        const std::string msg = e->what();
        CHECK_THAT(msg, Catch::Matchers::StartsWith(c.line ? source + ":" + std::to_string(c.line) + ": " : source + ": "));
        if (!c.field.empty()) CHECK_THAT(msg, Catch::Matchers::Contains("field '" + c.field + "'"));

        // The file readers (streaming for CSV) report the same place.
        const auto path = dir / source;
        test::write_file(path, c.text);
        const auto f = run_file_reader(c.reader, path);
        REQUIRE(f.has_value());
        CHECK(f->kind() == ErrorKind::input);
        CHECK(f->where().file == path.string());
        CHECK(f->where().line == c.line);
        CHECK(f->where().field == c.field);
        CHECK(f->reason() == e->reason());
    }
}

TEST_CASE("ingest: the accepted dialect") {
    struct GoodCase {
        const char* name;
        std::string text;
        std::vector<std::string> types;  // neuron_type of each row, in order
        std::vector<std::int64_t> synapses;
    };
    const std::vector<GoodCase> cases = {
        {"plain", kH + "T,ME,R,1,2,3,1\n", {"T"}, {3}},
        {"no final line break", kH + "T,ME,R,1,2,3,1", {"T"}, {3}},
        {"UTF-8 BOM and CRLF", "\xEF\xBB\xBF" + kH.substr(0, kH.size() - 1) + "\r\nT,ME,R,1,2,3,1\r\n", {"T"}, {3}},
        {"quoted field with commas", kH + "\"Tm5a, Tm5b\",ME,R,1,2,3,1\n", {"Tm5a, Tm5b"}, {3}},
        {"doubled quotes", kH + "\"say \"\"hi\"\"\",ME,R,1,2,3,1\n", {"say \"hi\""}, {3}},
        {"quoted line break", kH + "\"two\nlines\",ME,R,1,2,3,1\nU,ME,R,1,2,4,1\n", {"two\nlines", "U"}, {3, 4}},
        {"quoted numbers", kH + "T,\"ME\",\"R\",\"1\",\"2\",\"3\",\"1\"\n", {"T"}, {3}},
        {"empty quoted last field", "neuron_type,region,side,hex1,hex2,note\nT,ME,R,1,2,\"\"\n", {"T"}, {0}},
        {"blank lines skipped", kH + "\nT,ME,R,1,2,3,1\n\n\nU,ME,R,1,2,4,1\n", {"T", "U"}, {3, 4}},
        {"spaces around values", kH + " T , ME , R , 1 , 2 , 3 , 1 \n", {"T"}, {3}},
        {"plus sign and leading zeros", kH + "T,ME,R,+1,02,+007,1\n", {"T"}, {7}},
        {"whole number as float", kH + "T,ME,R,1,2,3.0,1\n", {"T"}, {3}},
        {"whole number in exponent form", kH + "T,ME,R,1,2,2e3,1\n", {"T"}, {2000}},
        {"largest count: 2^53", kH + "T,ME,R,1,2,9007199254740992,1\n", {"T"}, {9007199254740992}},
        {"extra unknown column", "neuron_type,region,side,hex1,hex2,notes,synapses\nT,ME,R,1,2,whatever,5\n", {"T"}, {5}},
        {"columns in any order", "synapses,hex2,hex1,side,region,neuron_type\n5,2,1,R,ME,T\n", {"T"}, {5}},
        {"hex at the limit", kH + "T,ME,R,4096,-4096,3,1\n", {"T"}, {3}},
        {"region from a config", kHL + "T,AME,R,1,2,3,1;2\n", {"T"}, {3}},
        {"region without layers", kHL + "T,X0,R,1,2,3,\n", {"T"}, {3}},
        {"same column, other type or side", kH + "T,ME,R,1,2,3,1\nU,ME,R,1,2,3,1\nT,ME,L,1,2,3,1\nT,LO,R,1,2,3,1\n",
         {"T", "U", "T", "T"}, {3, 3, 3, 3}},
        {"hostile but valid type names", kH + "\"a<b&c\",ME,R,1,2,1,1\n\"]]>\",ME,R,1,2,2,1\n\xE2\x80\x8F\xD7\xA9,ME,R,1,2,3,1\n",
         {"a<b&c", "]]>", "\xE2\x80\x8F\xD7\xA9"}, {1, 2, 3}},
    };
    for (const auto& c : cases) {
        INFO("case: " << c.name);
        ColumnTable t;
        REQUIRE_NOTHROW(t = parse_column_table(c.text, "good.csv", custom_regions()));
        REQUIRE(t.rows.size() == c.types.size());
        for (std::size_t i = 0; i < c.types.size(); ++i) {
            CHECK(t.rows[i].neuron_type == c.types[i]);
            CHECK(t.rows[i].synapses == c.synapses[i]);
        }
    }
}

TEST_CASE("ingest: rows carry their line, layer values parse, layouts and configs load") {
    const auto t = parse_column_table(kHL + "\nT,LO,L,3,4,10,1;2;3;0;0;4;0\n\"U\nV\",LOP,R,5,6,7,1;2;3;1\nW,ME,R,1,1,0,0;0;0;0;0;0;0;0;0;0\n", "x");
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].line == 3);
    CHECK(t.rows[0].side == Side::L);
    CHECK(t.rows[0].layer_synapses == std::vector<std::int64_t>{1, 2, 3, 0, 0, 4, 0});
    CHECK(t.rows[1].line == 4);
    CHECK(t.rows[2].line == 6);  // after the quoted line break
    CHECK(t.columns.layer_synapses);
    CHECK_FALSE(t.columns.cells);

    const auto lay = parse_column_layout("\xEF\xBB\xBF" "region,side,hex1,hex2\r\nME,R,1,2\r\nLO,L,1,2\r\n", "lay");
    REQUIRE(lay.entries.size() == 2);
    CHECK(lay.entries[1].region == "LO");

    const auto regions = load_region_config(EYEMAP_SOURCE_DIR "/tests/data/good/ame_regions.json");
    REQUIRE(regions.find("AME"));
    CHECK(regions.find("AME")->layers.size() == 2);
    CHECK(regions.find("ME"));  // built-ins stay
    // A config may replace a built-in region's layers.
    const auto replaced = parse_region_config(R"({"regions":[{"name":"LOP","layers":["a","b"]}], "comment": "ok"})", "r");
    CHECK(replaced.find("LOP")->layers.size() == 2);
    CHECK(replaced.regions.size() == 3);
}

TEST_CASE("ingest: a missing file or a folder is an io error (exit code 3)") {
    for (const std::string p : {"/nonexistent/data.csv", "/tmp"}) {
        INFO(p);
        try {
            read_column_table(p);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(e.exit_code() == 3);
            CHECK(e.where().file == p);
        }
        CHECK_THROWS_AS(read_column_layout(p), Error);
        CHECK_THROWS_AS(load_region_config(p), Error);
    }
}

TEST_CASE("ingest: error messages stay on one line and show hidden characters") {
    const auto e = run_reader(Reader::data, kH + "T,ME,R,1,2,\x1b[31m\xE2\x80\xAE" "1\xff,1\n", "m.csv");
    REQUIRE(e);
    const std::string msg = e->what();
    CHECK(msg.find('\x1b') == std::string::npos);
    CHECK(msg.find("\xE2\x80\xAE") == std::string::npos);  // right-to-left override
    CHECK_THAT(msg, Catch::Matchers::Contains("\\x1b[31m\\u{202e}1\\xff"));
    CHECK(e->where().value == "\x1b[31m\xE2\x80\xAE" "1\xff");  // the raw value stays available
    const auto big = run_reader(Reader::data, kH + "T,ME,R,1,2," + std::string(5000, '9') + "x,1\n", "b.csv");
    REQUIRE(big);
    CHECK(std::string(big->what()).size() < 400);
}

// ---------------------------------------------------------------------------------------------
// Through the command-line tool: exit code 2 and the file:line message for each bad file.

TEST_CASE("eyemap render: bad input files exit with code 2 and name file, line and field") {
    const std::string bad = EYEMAP_SOURCE_DIR "/tests/data/bad/";
    const auto dir = test::fresh_dir("robust-cli-bad");
    struct CliCase {
        const char* file;
        std::string where;  // "file:line: field 'x'" part expected in the message
    };
    const std::vector<CliCase> cases = {
        {"missing_header.csv", "missing_header.csv:1: field 'hex2'"},
        {"misspelled_header.csv", "misspelled_header.csv:1: field 'synapse'"},
        {"field_count.csv", "field_count.csv:3: field 'cells'"},
        {"non_numeric.csv", "non_numeric.csv:3: field 'synapses': value 'many'"},
        {"negative.csv", "negative.csv:2: field 'synapses': value '-7'"},
        {"nan.csv", "nan.csv:2: field 'synapses': value 'NaN'"},
        {"inf.csv", "inf.csv:2: field 'cells': value 'inf'"},
        {"overflow.csv", "overflow.csv:2: field 'synapses': value '18446744073709551616'"},
        {"layer_count.csv", "layer_count.csv:2: field 'layer_synapses': value '1;1;1'"},
        {"side.csv", "side.csv:2: field 'side': value 'X'"},
        {"unknown_region.csv", "unknown_region.csv:2: field 'region': value 'AME'"},
        {"duplicate.csv", "duplicate.csv:5: field 'neuron_type,region,side,hex1,hex2': value 'T,ME,R,1,2'"},
        {"huge_hex.csv", "huge_hex.csv:2: field 'hex2': value '2000000000'"},
        {"empty.csv", "empty.csv: empty file"},
        {"header_only.csv", "header_only.csv:1: no data rows"},
        {"unterminated_quote.csv", "unterminated_quote.csv:2: field 'neuron_type'"},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        std::string err;
        const int rc = run_cli("render --data " + bad + c.file + " --type T --out-dir " + (dir / c.file).string(), &err);
        CHECK(rc == 2);
        CHECK_THAT(err, Catch::Matchers::Contains(c.where));
        CHECK_THAT(err, Catch::Matchers::StartsWith("eyemap: error: "));
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // one line
        CHECK_FALSE(std::filesystem::exists(dir / c.file));    // nothing written, not even the folder
    }
}

TEST_CASE("eyemap render: a region from --regions is accepted, and without the config the same file is an error") {
    const std::string good = EYEMAP_SOURCE_DIR "/tests/data/good/";
    const auto dir = test::fresh_dir("robust-cli-regions");
    std::string err;
    CHECK(run_cli("render --data " + good + "custom_region.csv --type T --region AME --side R --metric synapse_density -o " +
                            (dir / "ame.svg").string(), &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("field 'region': value 'AME': unknown region"));
    CHECK(run_cli("render --data " + good + "custom_region.csv --regions " + good + "ame_regions.json --type T --region AME --side R " +
                            "--metric synapse_density -o " + (dir / "ame.svg").string(), &err) == 0);
    CHECK(test::xml_error(test::read_file(dir / "ame.svg")).empty());
    // BOM, CRLF, quoted names with commas and quotes render.
    CHECK(run_cli("render --data " + good + "bom_crlf_quoted.csv --type 'Tm5a, Tm5b' --out-dir " + (dir / "q").string(), &err) == 0);
    CHECK(std::filesystem::exists(dir / "q"));
}

TEST_CASE("eyemap render: a selection with no columns is a clear input error and writes no SVG") {
    const std::string good = EYEMAP_SOURCE_DIR "/tests/data/good/";
    const auto dir = test::fresh_dir("robust-cli-empty");
    const std::string base = "render --data " + good + "bom_crlf_quoted.csv ";
    struct Sel {
        std::string args;
        std::string message;
    };
    const std::vector<Sel> sels = {
        // The data has only ME R: the left side has no columns.
        {"--type 'Tm5a, Tm5b' --region ME --side L --metric cell_count", "no columns"},
        {"--type 'Tm5a, Tm5b' --region ME --side L", "nothing to render"},
        {"--type 'Tm5a, Tm5b' --region LO", "nothing to render"},
        {"--type 'Tm5a, Tm5b' --region AOTU", "unknown region"},
        {"--type Mi1", "neuron type not found"},
        {"--type 'tm5a, tm5b'", "did you mean 'Tm5a, Tm5b'"},
    };
    int i = 0;
    for (const auto& s : sels) {
        INFO(s.args);
        const auto out = dir / std::to_string(i++);
        std::string err;
        CHECK(run_cli(base + s.args + " --out-dir " + out.string(), &err) == 2);
        CHECK_THAT(err, Catch::Matchers::Contains(s.message));
        CHECK_FALSE(std::filesystem::exists(out));
        CHECK(run_cli(base + s.args + " -o " + (dir / "single.svg").string(), &err) == 2);
        CHECK_FALSE(std::filesystem::exists(dir / "single.svg"));
    }
}

TEST_CASE("eyemap render: unreadable inputs exit with code 3") {
    std::string err;
    CHECK(run_cli("render --data /nonexistent/x.csv --type T -o -", &err) == 3);
    CHECK_THAT(err, Catch::Matchers::Contains("/nonexistent/x.csv"));
    CHECK(run_cli("render --data /tmp --type T -o -", &err) == 3);
    CHECK_THAT(err, Catch::Matchers::Contains("is a folder"));
    CHECK(run_cli("render --data " EYEMAP_SOURCE_DIR "/tests/data/good/custom_region.csv --regions /nonexistent.json --type T -o -",
                        &err) == 3);
}

namespace {

// Everything a CsvReader says about a text: per record its fields, first and last line and the raw
// text with field 1; or the error it stops with.
struct CsvTrace {
    std::vector<std::vector<std::string>> fields;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lines;
    std::vector<std::pair<std::string, std::string>> raw;
    std::string error;
    bool operator==(const CsvTrace&) const = default;
};

CsvTrace trace(detail::CsvReader& csv, bool raw) {
    CsvTrace t;
    try {
        std::vector<std::string_view> f;
        std::string_view field, text;
        while (raw ? csv.read_record_raw(1, field, text) : csv.read_record(f)) {
            if (raw) t.raw.emplace_back(std::string(field), std::string(text));
            else t.fields.emplace_back(f.begin(), f.end());
            t.lines.emplace_back(csv.record_line(), csv.record_end_line());
        }
    } catch (const Error& e) {
        t.error = e.what();
    }
    return t;
}

}  // namespace

TEST_CASE("csv: records read in chunks of any size are those of the same text in one block") {
    const std::string big(70000, 'x');
    const std::vector<std::string> texts{
        "a,b,c\n1,2,3\n",
        "\xEF\xBB\xBF" "a,b\r\n\r\n1,2\r\n\n\n3,4",
        "a,\"b,\"\"q\"\"\",c\n\"x\r\ny\",\"mul\nti\nline\",z\n\nlast,,\n",
        "h1,h2\n" + big + "," + big + "\n\"" + big + "\n" + big + "\",end\n",
        "a,b\n\"open,1\n2,3\n",            // an unterminated quote
        "a,b\n\"q\"x,1\n",                 // text after a closing quote
        "a,b\nx\rstill x,1\r\r\n",            // a lone CR is data
        "a,b\nx\"y,1\nz,\"2\"\"\"\n\"w\"\"\",3\n",  // a quote inside an unquoted field is data
        "",
        "\n\n",
    };
    for (const auto& text : texts) {
        for (bool raw : {false, true}) {
            detail::CsvReader block(text, "t.csv");
            const CsvTrace want = trace(block, raw);
            for (std::size_t chunk : {1, 2, 3, 7, 64, 4096}) {
                INFO("text #" << (&text - texts.data()) << " raw " << raw << " chunk " << chunk);
                std::size_t at = 0;
                detail::CsvReader stream(
                    [&](char* p, std::size_t n) {
                        const std::size_t k = std::min({n, chunk, text.size() - at});
                        std::memcpy(p, text.data() + at, k);
                        at += k;
                        return k;
                    },
                    "t.csv");
                CHECK(trace(stream, raw) == want);
            }
        }
    }
    // What the careful path makes of the quoted records, and the lines it counts.
    detail::CsvReader csv(texts[2], "t.csv");
    const CsvTrace t = trace(csv, false);
    REQUIRE(t.fields.size() == 3);
    CHECK(t.fields[0] == std::vector<std::string>{"a", "b,\"q\"", "c"});
    CHECK(t.fields[1] == std::vector<std::string>{"x\ny", "mul\nti\nline", "z"});
    CHECK(t.lines[1] == std::pair<std::uint64_t, std::uint64_t>{2, 5});
    CHECK(t.fields[2] == std::vector<std::string>{"last", "", ""});
    CHECK(t.lines[2] == std::pair<std::uint64_t, std::uint64_t>{7, 7});
    detail::CsvReader raw(texts[2], "t.csv");
    const CsvTrace r = trace(raw, true);
    REQUIRE(r.raw.size() == 3);
    CHECK(r.raw[1] == std::pair<std::string, std::string>{"mul\nti\nline", "\"x\r\ny\",\"mul\nti\nline\",z"});
    // A block read from a later line counts from there.
    detail::CsvReader later("p,q\n\nr,s\n", "t.csv", 40);
    const CsvTrace l = trace(later, false);
    CHECK(l.lines == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{40, 40}, {42, 42}});
    detail::CsvReader inner(texts[7], "t.csv");
    const CsvTrace in = trace(inner, false);
    REQUIRE(in.fields.size() == 4);
    CHECK(in.fields[1] == std::vector<std::string>{"x\"y", "1"});
    CHECK(in.fields[2] == std::vector<std::string>{"z", "2\""});
    CHECK(in.fields[3] == std::vector<std::string>{"w\"", "3"});
    CHECK(in.lines[3] == std::pair<std::uint64_t, std::uint64_t>{4, 4});
    detail::CsvReader open(texts[4], "t.csv");
    CHECK_THAT(trace(open, false).error, Catch::Contains("t.csv:2: field '#1'") && Catch::Contains("never closed"));
}

namespace {

// The error a reader throws (the test fails if it throws none or another kind).
template <class F>
Error error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    throw;
}

TextColumn text(std::vector<std::string> rows) {
    TextColumn c;
    for (auto& r : rows) {
        const auto it = std::find(c.values.begin(), c.values.end(), r);
        c.codes.push_back(static_cast<std::uint32_t>(it - c.values.begin()));
        if (it == c.values.end()) c.values.push_back(r);
    }
    return c;
}

// Two rows of type T (ME R, LO L), as typed columns and as the same CSV.
DataColumns two_rows() {
    DataColumns d;
    d.source = "frame";
    d.first_line = 2;  // as the CSV's data lines
    d.neuron_type = text({"T", "T"});
    d.region = text({"ME", "LO"});
    d.side = text({"R", "L"});
    d.hex1 = std::vector<std::int64_t>{1, 2};
    d.hex2 = std::vector<std::int64_t>{3, 4};
    d.synapses = std::vector<std::int64_t>{5, 6};
    d.cells = std::vector<std::int64_t>{1, 0};
    return d;
}

}  // namespace

TEST_CASE("ingest: typed columns (data frames) follow the CSV reader's rules and messages") {
    const std::string csv_head = kH + "T,ME,R,1,3,5,1\n";
    SECTION("a valid table is the CSV's") {
        const ColumnTable a = table_from_columns(two_rows());
        const ColumnTable b = parse_column_table(csv_head + "T,LO,L,2,4,6,0\n", "frame");
        REQUIRE(a.rows.size() == b.rows.size());
        for (std::size_t i = 0; i < a.rows.size(); ++i) {
            CHECK(a.rows[i].neuron_type == b.rows[i].neuron_type);
            CHECK(a.rows[i].region == b.rows[i].region);
            CHECK(a.rows[i].side == b.rows[i].side);
            CHECK(a.rows[i].hex1 == b.rows[i].hex1);
            CHECK(a.rows[i].synapses == b.rows[i].synapses);
            CHECK(a.rows[i].cells == b.rows[i].cells);
            CHECK(a.rows[i].line == b.rows[i].line);
        }
        CHECK(a.columns.synapses == b.columns.synapses);
        CHECK(a.columns.cells == b.columns.cells);
    }
    struct Case {
        const char* name;
        std::function<void(DataColumns&)> change;
        std::string csv_row2;  // the same defect as the CSV's second data row
    };
    const std::vector<Case> cases = {
        {"side", [](DataColumns& d) { d.side = text({"R", "left"}); }, "T,LO,left,2,4,6,0"},
        {"region", [](DataColumns& d) { d.region = text({"ME", "lo"}); }, "T,lo,L,2,4,6,0"},
        {"empty type", [](DataColumns& d) { d.neuron_type = text({"T", " "}); }, " ,LO,L,2,4,6,0"},
        {"hex", [](DataColumns& d) { d.hex2 = std::vector<std::int64_t>{3, 4097}; }, "T,LO,L,2,4097,6,0"},
        {"negative count", [](DataColumns& d) { d.cells = std::vector<std::int64_t>{1, -1}; }, "T,LO,L,2,4,6,-1"},
        {"count past 2^53", [](DataColumns& d) { d.synapses = std::vector<std::uint64_t>{5, 9007199254740993u}; },
         "T,LO,L,2,4,9007199254740993,0"},
        {"count of int64 max", [](DataColumns& d) { d.synapses = std::vector<std::int64_t>{5, INT64_MAX}; },
         "T,LO,L,2,4,9223372036854775807,0"},
        {"count as decimal text", [](DataColumns& d) { d.synapses = std::vector<std::string>{"5", "100000000000000000000"}; },
         "T,LO,L,2,4,100000000000000000000,0"},
        {"duplicate row", [](DataColumns& d) { d.region = text({"ME", "ME"}), d.side = text({"R", "R"}), d.hex1 = std::vector<std::int64_t>{1, 1}, d.hex2 = std::vector<std::int64_t>{3, 3}; },
         "T,ME,R,1,3,6,0"},
        {"missing column", [](DataColumns& d) { d.hex2.reset(); }, ""},
    };
    for (const auto& c : cases) {
        INFO("case: " << c.name);
        DataColumns d = two_rows();
        c.change(d);
        const Error a = error_of([&] { table_from_columns(d); });
        if (c.csv_row2.empty()) {
            CHECK(a.where().field == "hex2");
            CHECK_THAT(a.reason(), Catch::Matchers::Contains("missing required column"));
            continue;
        }
        const Error b = error_of([&] { parse_column_table(csv_head + c.csv_row2 + "\n", "frame"); });
        CHECK(a.reason() == b.reason());
        CHECK(a.where().line == b.where().line);
        CHECK(a.where().field == b.where().field);
        CHECK(a.where().value == b.where().value);
        CHECK(a.kind() == ErrorKind::input);
    }
    SECTION("floats: whole numbers only, NaN is missing, past 2^53 too large") {
        DataColumns d = two_rows();
        d.synapses = std::vector<double>{5.0, 6.0};
        CHECK(table_from_columns(d).rows[1].synapses == 6);
        d.synapses = std::vector<double>{5.0, 2.5};
        CHECK_THAT(error_of([&] { table_from_columns(d); }).reason(), Catch::Matchers::Contains("not an integer"));
        d.synapses = std::vector<double>{5.0, std::nan("")};
        CHECK_THAT(error_of([&] { table_from_columns(d); }).reason(), Catch::Matchers::Contains("missing value (NaN)"));
        d.synapses = std::vector<double>{5.0, 18014398509481984.0};
        const Error e = error_of([&] { table_from_columns(d); });
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("too large"));
        CHECK(e.where().line == 3);
    }
    SECTION("layers: per row text or an n x width block, checked against the row's region") {
        DataColumns d = two_rows();
        d.layer_cells = LayerColumn{{"1;2;3;4;5;6;7;8;9;10", "1;2;3"}, {}, 0};
        const Error a = error_of([&] { table_from_columns(d); });
        CHECK(a.where().field == "layer_cells");
        CHECK_THAT(a.reason(), Catch::Matchers::Contains("3 layer values given (';'-separated), region LO has 7 layers"));
        d.region = text({"LO", "LO"});
        d.layer_cells = LayerColumn{{}, std::vector<std::int64_t>(14, 2), 7};
        CHECK(table_from_columns(d).rows[1].layer_cells == std::vector<std::int64_t>(7, 2));
    }
    SECTION("the columns a reader ignores are kept for \"did you mean\"") {
        DataColumns d = two_rows();
        d.cells.reset();
        d.ignored = {"cell_count"};
        CHECK(table_from_columns(d).columns.ignored == std::vector<std::string>{"cell_count"});
        CHECK(parse_column_table("neuron_type,region,side,hex1,hex2,cell_count\nT,ME,R,1,2,3\n", "x").columns.ignored ==
              std::vector<std::string>{"cell_count"});
    }
}

TEST_CASE("eyemap render and batch: selected metrics missing from the data exit 2, name the data's columns, write nothing") {
    const auto dir = test::fresh_dir("rows-metrics");
    // The cells column called cell_count: before, batch rendered 0 eyemaps and a site, exit 0.
    test::write_file(dir / "misnamed.csv", "neuron_type,region,side,hex1,hex2,cell_count\nT,ME,R,1,2,3\nT,ME,R,2,2,4\n");
    test::write_file(dir / "both.csv", "neuron_type,region,side,hex1,hex2,synapses,cell_count\nT,ME,R,1,2,3,1\nT,ME,R,2,2,4,1\n");
    const std::string misnamed = (dir / "misnamed.csv").string(), both = (dir / "both.csv").string();
    std::string err;
    CHECK(run_cli("batch --data " + misnamed + " --pages --out-dir " + (dir / "runs").string() + " --run r1", &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean the column 'cell_count'"));
    CHECK_FALSE(std::filesystem::exists(dir / "runs" / "r1"));
    CHECK(run_cli("batch --data " + both + " --out-dir " + (dir / "runs").string() + " --run r2", &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("the data's value columns: synapses"));
    CHECK_FALSE(std::filesystem::exists(dir / "runs" / "r2"));
    CHECK(run_cli("render --data " + misnamed + " --type T --out-dir " + (dir / "r3").string(), &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("cell_count"));
    CHECK_FALSE(std::filesystem::exists(dir / "r3"));
    CHECK(run_cli("render --data " + both + " --type T --metric cell_count --out-dir " + (dir / "r4").string(), &err) == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean the column 'cell_count'"));
    CHECK_FALSE(std::filesystem::exists(dir / "r4"));
    // The data's own columns are still drawn when asked for.
    CHECK(run_cli("render --data " + both + " --type T --metric synapse_density --out-dir " + (dir / "r5").string(), &err) == 0);
}

TEST_CASE("ingest: value columns are read by name as float64: empty and NaN are no data, inf and text are errors naming line, column and value") {
    const std::vector<std::string> values{"coverage", "diff"};
    const std::string text =
        "neuron_type,region,side,hex1,hex2,cells,coverage,diff,layer_diff,note\n"
        "A,ME,R,1,1,2,0.25,-1.5,1;-2;;0.5;0;0;0;0;0;3e-2,x\n"
        "A,ME,R,1,2,0,,0,,y\n"
        "A,ME,R,1,3,1,NaN,+4,0;0;0;0;0;0;0;0;0;0,z\n";
    const ColumnTable t = parse_column_table(text, "v.csv", builtin_regions(), values);
    REQUIRE(t.columns.values.size() == 2);
    CHECK(t.columns.values[0] == ValueColumn{"coverage", false});
    CHECK(t.columns.values[1] == ValueColumn{"diff", true});
    CHECK(t.columns.ignored == std::vector<std::string>{"note"});  // the value columns and their layers are not "ignored"
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].values == std::vector<double>{0.25, -1.5});
    REQUIRE(t.rows[0].layer_values.size() == 10);
    CHECK(t.rows[0].layer_values[1] == -2);
    CHECK(std::isnan(t.rows[0].layer_values[2]));
    CHECK(t.rows[0].layer_values[9] == 0.03);
    CHECK(std::isnan(t.rows[1].values[0]));
    CHECK(t.rows[1].values[1] == 0);
    REQUIRE(t.rows[1].layer_values.size() == 10);  // an empty layer field: no data in any layer
    CHECK(std::all_of(t.rows[1].layer_values.begin(), t.rows[1].layer_values.end(), [](double v) { return std::isnan(v); }));
    CHECK(std::isnan(t.rows[2].values[0]));
    CHECK(t.rows[2].values[1] == 4);
    // The same through the streaming reader (what the batch reads).
    std::istringstream in(text);
    ColumnRowReader reader(in, "v.csv", builtin_regions(), values);
    ColumnRow row;
    REQUIRE(reader.next(row));
    CHECK(row.values == t.rows[0].values);
    // Without the names, the columns are ignored as before: counts alone read as they always did.
    const ColumnTable plain = parse_column_table(text, "v.csv");
    CHECK(plain.columns.values.empty());
    CHECK(plain.rows[0].values.empty());
    // A named column the file lacks is left out (the metric check names it, with the near names).
    CHECK(parse_column_table(text, "v.csv", builtin_regions(), std::vector<std::string>{"coverag"}).columns.values.empty());

    struct Bad {
        std::string cell;
        std::string reason;
    };
    for (const Bad& b : {Bad{"inf", "not a finite number"}, Bad{"-inf", "not a finite number"}, Bad{"abc", "not a number"},
                         Bad{"1e999", "out of the range"}, Bad{"1.5x", "not a number"}}) {
        CAPTURE(b.cell);
        const std::string bad = "neuron_type,region,side,hex1,hex2,coverage\nA,ME,R,1,1,0.5\nA,ME,R,1,2," + b.cell + "\n";
        try {
            parse_column_table(bad, "bad.csv", builtin_regions(), std::vector<std::string>{"coverage"});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(e.where().file == "bad.csv");
            CHECK(e.where().line == 3);
            CHECK(e.where().field == "coverage");
            CHECK(e.where().value == b.cell);
            CHECK_THAT(e.reason(), Catch::Contains(b.reason));
        }
    }
    // A layer list of the wrong length names the layer column.
    try {
        parse_column_table("neuron_type,region,side,hex1,hex2,diff,layer_diff\nA,ME,R,1,1,1,1;2\n", "l.csv", builtin_regions(),
                           std::vector<std::string>{"diff"});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.where().field == "layer_diff");
        CHECK(e.where().line == 2);
        CHECK_THAT(e.reason(), Catch::Contains("2 layer values given") && Catch::Contains("10 layers"));
    }
    // Names that cannot be a value column's are refused before any row is read.
    for (const std::string name : {"hex1", "layer_diff", "9lives", "a b"}) {
        CAPTURE(name);
        CHECK_THROWS_AS(parse_column_table(text, "v.csv", builtin_regions(), std::vector<std::string>{name}), Error);
    }
}

TEST_CASE("ingest: value columns from typed columns (float, integer and text numbers): NaN is no data, inf names the row") {
    DataColumns d;
    d.source = "frame";
    d.neuron_type = TextColumn{{"A"}, {0, 0, 0}};
    d.region = TextColumn{{"ME"}, {0, 0, 0}};
    d.side = TextColumn{{"R"}, {0, 0, 0}};
    d.hex1 = NumberColumn{std::vector<std::int64_t>{1, 1, 1}};
    d.hex2 = NumberColumn{std::vector<std::int64_t>{1, 2, 3}};
    d.values.push_back(NamedValues{"coverage", std::vector<double>{0.5, std::nan(""), -2}, std::nullopt});
    d.values.push_back(NamedValues{"n", std::vector<std::int64_t>{3, 0, -7}, std::nullopt});
    d.values.push_back(NamedValues{"t", std::vector<std::string>{"1.5", "", "nan"}, LayerColumn{{"1;;3;4;5;6;7;8;9;10", "", ""}, {}, 0}});
    const ColumnTable t = table_from_columns(d);
    REQUIRE(t.columns.values.size() == 3);
    CHECK(t.columns.values[2].layers);
    CHECK(t.rows[0].values[0] == 0.5);
    CHECK(std::isnan(t.rows[1].values[0]));
    CHECK(t.rows[2].values[1] == -7);
    CHECK(t.rows[0].values[2] == 1.5);
    CHECK(std::isnan(t.rows[2].values[2]));
    CHECK(std::isnan(t.rows[0].layer_values[1]));
    CHECK(t.rows[0].layer_values[9] == 10);
    d.values[0].values = std::vector<double>{0.5, std::numeric_limits<double>::infinity(), 1};
    try {
        table_from_columns(d);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.where().line == 2);
        CHECK(e.where().field == "coverage");
        CHECK(e.where().value == "inf");
    }
    d.values[0].values = std::vector<double>{0.5, 1};  // one value short
    CHECK_THROWS_WITH(table_from_columns(d), Catch::Contains("column has 2 values"));
    d.values[0].values = std::vector<double>{0.5, 1, 2};
    d.values[1].name = "coverage";  // twice
    CHECK_THROWS_WITH(table_from_columns(d), Catch::Contains("value column given twice"));
}

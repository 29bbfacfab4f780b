// Link templates and provenance: placeholders, padding, URL escaping, refused schemes and template errors.
#include <catch2/catch.hpp>

#include <string>

#include "core/links.hpp"
#include "eyemap/error.hpp"

using namespace eyemap;

namespace {

LinkTemplate column(std::string_view text) { return LinkTemplate(text, LinkTemplate::Kind::column, "column_link"); }

// The input error a template gets: its message, and that it names the option and the template.
std::string error_of(std::string_view text, LinkTemplate::Kind kind = LinkTemplate::Kind::column) {
    try {
        LinkTemplate(text, kind, kind == LinkTemplate::Kind::column ? "column_link" : "type_link");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.where().field == (kind == LinkTemplate::Kind::column ? "column_link" : "type_link"));
        CHECK(e.where().value == text);
        return e.reason();
    }
    FAIL("no error for " << text);
    return {};
}

}  // namespace

TEST_CASE("a column link expands every placeholder, with zero-padding and neuPrint's ROI name") {
    const LinkTemplate t = column("https://neuprint.janelia.org/view?t={type}&r={region}&s={side}&a={hex1}&b={hex2:03}&roi={roi}#x");
    CHECK(t.host() == "neuprint.janelia.org");
    CHECK(t.expand({"Mi1", "ME", "R", 12, 7}) == "https://neuprint.janelia.org/view?t=Mi1&r=ME&s=R&a=12&b=007&roi=ME_R_col_12_07#x");
    // Padding is a minimum width, the sign included (as fmt and Python pad): wider numbers keep every digit.
    CHECK(column("http://h/{hex1:02}/{hex2:02}/{hex2:03}").expand({"T", "LO", "L", 123, -3}) == "http://h/123/-3/-03");
    CHECK(column("http://h/{roi}").expand({"T", "LOP", "L", 3, 140}) == "http://h/LOP_L_col_03_140");
    CHECK(column("HTTPS://H/{hex1:09}").expand({"T", "ME", "R", 1, 1}) == "HTTPS://H/000000001");
}

TEST_CASE("values are URL-escaped: a name cannot leave its place in the URL") {
    const LinkTemplate t = column("https://h/p?type={type}&roi={roi}");
    CHECK(t.expand({"a/b c&d=e?#\"<é", "M&E", "R", 1, 2}) ==
          "https://h/p?type=a%2Fb%20c%26d%3De%3F%23%22%3C%C3%A9&roi=M%26E_R_col_01_02");
    CHECK(t.expand({"Tm3-a.b_c~", "ME", "L", 1, 2}) == "https://h/p?type=Tm3-a.b_c~&roi=ME_L_col_01_02");  // unreserved stay
    std::string s;
    append_url_escaped(s, std::string_view("\0\x7f\xff", 3));
    CHECK(s == "%00%7F%FF");
    // "." and "..": a browser resolves them (and %2E, %2E%2E) as path steps, so they are refused, named.
    const LinkTemplate path = column("https://h/api/types/{type}/view");
    CHECK_THROWS_WITH(path.expand({"..", "ME", "R", 1, 2}), Catch::Contains("type \"..\"") && Catch::Contains("step in the path"));
    CHECK_THROWS_AS(path.expand({".", "ME", "R", 1, 2}), Error);
    CHECK(path.expand({"...", "ME", "R", 1, 2}) == "https://h/api/types/.../view");  // not a dot segment
}

TEST_CASE("expansion appends into one buffer without growing it again for each column") {
    const LinkTemplate t = column("https://h/{type}/{roi}?a={hex1:04}");
    std::string buf;
    buf.reserve(64);
    const auto capacity = buf.capacity();
    const char* data = buf.data();
    for (int h = 0; h < 1000; ++h) {
        buf.clear();
        t.expand(buf, {"Mi1", "ME", "R", h, h + 1});
    }
    CHECK(buf == "https://h/Mi1/ME_R_col_999_1000?a=0999");
    CHECK(buf.capacity() == capacity);
    CHECK(buf.data() == data);
}

TEST_CASE("only http and https links: other schemes, relative and scheme-less URLs are refused") {
    CHECK_THAT(error_of("javascript:alert(1)"), Catch::Contains("only http and https") && Catch::Contains("javascript:"));
    CHECK_THAT(error_of("JavaScript:alert({type})"), Catch::Contains("only http and https"));
    CHECK_THAT(error_of("data:text/html,<b>"), Catch::Contains("only http and https"));
    CHECK_THAT(error_of("data:text/html,x"), Catch::Contains("not data:"));
    CHECK_THAT(error_of("ftp://h/{roi}"), Catch::Contains("not ftp:"));
    CHECK_THAT(error_of("vbscript:x"), Catch::Contains("only http and https"));
    CHECK_THAT(error_of("/relative/{roi}"), Catch::Contains("relative"));
    CHECK_THAT(error_of("//h/{roi}"), Catch::Contains("relative"));
    CHECK_THAT(error_of("{type}"), Catch::Contains("only http and https"));
    CHECK_THAT(error_of("h/{roi}"), Catch::Contains("only http and https"));
    CHECK_THAT(error_of(" https://h/"), Catch::Contains("only http and https"));  // no leading space either
    // The host is written out: no placeholder makes it, none is left empty.
    CHECK_THAT(error_of("https://{type}.org/"), Catch::Contains("host"));
    CHECK_THAT(error_of("https://h{type}/"), Catch::Contains("host"));
    CHECK_THAT(error_of("https:///p"), Catch::Contains("host"));
    CHECK_THAT(error_of("https://"), Catch::Contains("host"));
}

TEST_CASE("template errors: unknown name, bad padding spec, unbalanced braces, characters a URL cannot hold") {
    CHECK_THAT(error_of("https://h/{foo}"), Catch::Contains("unknown placeholder {foo}") && Catch::Contains("{hex1}"));
    CHECK_THAT(error_of("https://h/{hexl}"), Catch::Contains("did you mean {hex1}?"));
    CHECK_THAT(error_of("https://h/{}"), Catch::Contains("unknown placeholder {}"));
    CHECK_THAT(error_of("https://h/{hex1:2}"), Catch::Contains("bad padding spec '2' in {hex1:2}"));
    CHECK_THAT(error_of("https://h/{hex1:0}"), Catch::Contains("bad padding spec '0'"));
    CHECK_THAT(error_of("https://h/{hex2:010}"), Catch::Contains("bad padding spec '010'"));
    CHECK_THAT(error_of("https://h/{hex2:}"), Catch::Contains("bad padding spec ''"));
    CHECK_THAT(error_of("https://h/{type:02}"), Catch::Contains("applies to {hex1} and {hex2} only"));
    CHECK_THAT(error_of("https://h/{roi"), Catch::Contains("unbalanced braces: '{' at offset 10"));
    CHECK_THAT(error_of("https://h/{ro{i}"), Catch::Contains("unbalanced braces"));
    CHECK_THAT(error_of("https://h/roi}"), Catch::Contains("unbalanced braces: '}' at offset 13"));
    CHECK_THAT(error_of("https://h/a b"), Catch::Contains("' ' at offset 11 is not allowed in a URL"));
    CHECK_THAT(error_of("https://h/\"onclick=x"), Catch::Contains("not allowed in a URL"));
    CHECK_THAT(error_of("https://h/<script>"), Catch::Contains("not allowed in a URL"));
    CHECK_THAT(error_of("https://h/\xC3\xA9"), Catch::Contains("not allowed in a URL"));
    CHECK_THAT(error_of("https://h/" + std::string(3000, 'a')), Catch::Contains("at most 2048 bytes"));
    // Literal braces are written percent-encoded.
    CHECK(column("https://h/%7Bx%7D/{hex1}").expand({"T", "ME", "R", 5, 6}) == "https://h/%7Bx%7D/5");
}

TEST_CASE("a type's link knows {type} only") {
    const LinkTemplate t("https://neuprint.janelia.org/results?dataset=optic-lobe&type={type}", LinkTemplate::Kind::type, "type_link");
    CHECK(t.expand({"Tm3 a", {}, {}, 0, 0}) == "https://neuprint.janelia.org/results?dataset=optic-lobe&type=Tm3%20a");
    for (const char* name : {"{roi}", "{hex1}", "{hex2:02}", "{region}", "{side}"})
        CHECK_THAT(error_of(std::string("https://h/") + name, LinkTemplate::Kind::type), Catch::Contains("a type's link has no placeholder"));
    CHECK_THAT(error_of("javascript:{type}", LinkTemplate::Kind::type), Catch::Contains("only http and https"));
}

TEST_CASE("provenance: the sentence names the parts given, and labels and identities are checked") {
    CHECK(Provenance{"optic-lobe", "v1.1", "0123456789abcdef"}.sentence() == "Dataset: optic-lobe, version v1.1, input 0123456789abcdef");
    CHECK(Provenance{"", "v2", ""}.sentence() == "Dataset: version v2");
    CHECK(Provenance{"", "", "ab"}.sentence() == "Dataset: input ab");
    CHECK(Provenance{"x", "", "ab"}.sentence() == "Dataset: x, input ab");
    CHECK(Provenance{}.empty());
    CHECK_NOTHROW(check_provenance_text("optic-lobe <v1> & \xC3\xA9", "dataset_label", false));
    CHECK_THROWS_AS(check_provenance_text("a\nb", "dataset_label", false), Error);
    CHECK_THROWS_AS(check_provenance_text("a\x01", "dataset_label", false), Error);
    CHECK_THROWS_AS(check_provenance_text("\xff", "dataset_label", false), Error);
    CHECK_THROWS_AS(check_provenance_text(std::string(201, 'a'), "dataset_label", false), Error);
    // Direction controls would reorder the footer's sentence around the label (RLO, RLI, LRM).
    for (const char* bidi : {"v1.1\u202E", "\u2067x", "a\u200Eb"})
        CHECK_THROWS_WITH(check_provenance_text(bidi, "dataset_version", false), Catch::Contains("direction-control"));
    CHECK_NOTHROW(check_provenance_text("sha256:0123abcdef", "input_digest", true));
    CHECK_THROWS_AS(check_provenance_text("a b", "input_digest", true), Error);
    CHECK_THROWS_AS(check_provenance_text("<x>", "input_digest", true), Error);
}

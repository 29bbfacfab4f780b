// Type pages, index and site files: every user string escaped for its context (HTML text, attribute,
// JSON inside <script>, URL path), hostile names included; template overrides.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "eyemap/runs.hpp"
#include "output/naming.hpp"
#include "core/links.hpp"
#include "output/pages.hpp"
#include "test_support.hpp"

using namespace eyemap;
using eyemap::test::count;
using eyemap::test::xml_error;

namespace {

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (int k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += n;
    }
    return true;
}

TypeRecord make_type(const std::string& name, const std::string& key, std::uint64_t seq) {
    TypeRecord t;
    t.neuron_type = name;
    t.file_key = key;
    t.seq = seq;
    t.rows = 7;
    int i = 0;
    for (const char* region : {"ME", "LO"})
        for (Side side : {Side::L, Side::R})
            for (Metric m : {Metric::synapses, Metric::cells}) {
                EyemapRecord e;
                e.request = {region, side, m};
                const bool empty = std::string(region) == "LO";  // LO has no data: a "no data" line
                e.has_data = empty ? 0 : 3;
                e.no_data = empty ? 5 : 2;
                e.not_in_region = 1;
                EyemapSummary s;
                s.columns_with_data = e.has_data;
                s.columns_in_region = 5;
                s.total = empty ? 0 : 12;
                s.mean = empty ? 0 : 4;
                s.median = empty ? 0 : 3.5;
                s.max = empty ? 0 : 6;
                s.scale_max = 6;
                e.summary = s;
                t.eyemaps.push_back(e);
                for (OutputFormat f : {OutputFormat::svg, OutputFormat::png})
                    t.outputs.push_back(OutputRecord{file_format(f), eyemap_path(f, key, e.request), i, 1, 10});
                ++i;
            }
    t.outputs.push_back(OutputRecord{FileFormat::svg, detail::thumb_path(key), -1, 1, 10});
    t.outputs.push_back(OutputRecord{FileFormat::html, page_path(key), -1, 1, 10});
    return t;
}

// The text of <script type="application/json" id="em-data">.
std::string json_block(const std::string& page) {
    const std::string open = "<script type=\"application/json\" id=\"em-data\">";
    const auto a = page.find(open);
    REQUIRE(a != std::string::npos);
    const auto b = page.find("</script>", a);
    REQUIRE(b != std::string::npos);
    return page.substr(a + open.size(), b - a - open.size());
}

// Every href="..." and src="..." value.
std::vector<std::string> links(const std::string& html) {
    std::vector<std::string> out;
    for (const std::string attr : {" href=\"", " src=\""})
        for (auto p = html.find(attr); p != std::string::npos; p = html.find(attr, p + 1)) {
            const auto s = p + attr.size();
            out.push_back(html.substr(s, html.find('"', s) - s));
        }
    return out;
}

const std::vector<std::string> kHostile = {
    "<script>alert(1)</script>",
    "\"'&<>",
    "</script><script>alert(1)//",
    "javascript:alert(1)",
    "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",  // U+2028, U+2029
    "bad\xff\xfe<utf8>\xc3",              // invalid UTF-8
    "Mi1 & <b>Tm3</b> 'x' \"y\"",
};

}  // namespace

TEST_CASE("pages: hostile type names are escaped in the type page", "[pages]") {
    for (const auto& name : kHostile) {
        // Both a safe key (as the batch makes them) and a hostile one (URL path encoding).
        for (const std::string& key : {type_file_base(name), std::string("java script:x?#%\"<")}) {
            INFO(name << " / " << key);
            const auto t = make_type(name, key, 1);
            const std::string page = render_type_page(t);
            CHECK(xml_error(page) == "");
            CHECK(valid_utf8(page));
            CHECK(page.find("<script>") == std::string::npos);
            CHECK(page.find("<b>") == std::string::npos);
            CHECK(page.find("alert(1)</script>") == std::string::npos);
            CHECK(count(page, "<script") == 3);  // types.js, site.js, the JSON block
            CHECK(count(page, "</script>") == 3);
            const std::string json = json_block(page);
            CHECK(json.find("\xe2\x80\xa8") == std::string::npos);  // U+2028/9 end a JavaScript line: escaped
            CHECK(json.find("\xe2\x80\xa9") == std::string::npos);
            CHECK(json.find('<') == std::string::npos);
            CHECK(json.find('>') == std::string::npos);
            CHECK(json.find('&') == std::string::npos);
            const auto j = nlohmann::json::parse(json);
            if (valid_utf8(name)) CHECK(j.at("name").get<std::string>() == name);
            else CHECK(j.at("name").get<std::string>().find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
            CHECK(j.at("key").get<std::string>() == key);
            for (const auto& l : links(page)) {
                INFO(l);
                CHECK(l.rfind("../", 0) == 0);  // relative to the run folder, never javascript: or absolute
                CHECK(l.find_first_of(" ?#\"<>:") == std::string::npos);
            }
            // Each eyemap with data is a lazily loaded frame referring to its SVG file; no data: one line.
            CHECK(count(page, "<iframe ") == 4);
            CHECK(count(page, "loading=\"lazy\"") == 4);
            CHECK(page.find("<p class=\"em-nodata\">no data in LO</p>") != std::string::npos);
            CHECK(page.find("href=\"../" + detail::url_path(eyemap_path(OutputFormat::png, key, t.eyemaps[0].request)) + "\"") !=
                  std::string::npos);
        }
    }
    // A hostile key is percent-encoded in every URL.
    const auto t = make_type("x", "java script:x?#%\"<", 0);
    const std::string page = render_type_page(t);
    CHECK(page.find("src=\"../svg/java%20script%3Ax%3F%23%25%22%3C_ME_L_synapse_density.svg\"") != std::string::npos);
}

TEST_CASE("pages: the summary table, --empty-maps and the canvas size", "[pages]") {
    const auto t = make_type("Mi1", "Mi1", 0);
    TypePageSettings o;
    o.eyemap_width = 380.4;
    o.eyemap_height = 410;
    const std::string page = render_type_page(t, o);
    CHECK(page.find("<td>ME</td><td>L</td><td>Synapse count</td><td>3 / 5</td><td>12</td><td>4</td><td>3.5</td><td>6</td><td>0 \u2013 6 (linear)</td>") !=
          std::string::npos);
    CHECK(page.find("width=\"381\" height=\"410\"") != std::string::npos);
    o.empty_maps = true;
    const std::string all = render_type_page(t, o);
    CHECK(count(all, "<iframe ") == 8);
    CHECK(all.find("no data in LO") == std::string::npos);
    // A record from an old manifest (no summary) still renders.
    auto old = t;
    for (auto& e : old.eyemaps) e.summary.reset();
    CHECK(xml_error(render_type_page(old)) == "");
}

TEST_CASE("pages: hostile type names are escaped in the index and types.js", "[pages]") {
    std::vector<TypeRecord> types;
    for (std::size_t i = 0; i < kHostile.size(); ++i) types.push_back(make_type(kHostile[i], type_file_base(kHostile[i]), i));
    const std::vector<IndexNotice> notices{{"<i>shard</i> & co"}};
    const std::string index = render_index_page(types, notices);
    CHECK(xml_error(index) == "");
    CHECK(valid_utf8(index));
    CHECK(index.find("<script>") == std::string::npos);
    CHECK(index.find("<b>") == std::string::npos);
    CHECK(index.find("<i>") == std::string::npos);
    CHECK(index.find("&lt;i&gt;shard&lt;/i&gt; &amp; co") != std::string::npos);
    CHECK(count(index, "<script") == 1);  // site.js
    CHECK(index.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(count(index, "<tr><td class=\"em-thumb\">") == kHostile.size());
    for (const auto& l : links(index)) {
        INFO(l);
        CHECK(l.find(':') == std::string::npos);
        CHECK(l.find_first_of(" ?#\"<>") == std::string::npos);
    }
    for (const auto& t : types) CHECK(index.find("href=\"pages/" + t.file_key + ".html\"") != std::string::npos);

    const auto assets = render_site_assets(types);
    REQUIRE(assets.size() == 3);
    CHECK(assets[0].first == "site.css");
    CHECK(assets[1].first == "site.js");
    CHECK(assets[2].first == "types.js");
    const std::string& js = assets[2].second;
    CHECK(js.find('<') == std::string::npos);
    CHECK(js.find("\xe2\x80\xa8") == std::string::npos);
    CHECK(valid_utf8(js));
    const auto a = js.find("= "), b = js.rfind(';');
    const auto list = nlohmann::json::parse(js.substr(a + 2, b - a - 2));
    REQUIRE(list.size() == kHostile.size());
    CHECK(list[0][1].get<std::string>() == kHostile[0]);
    CHECK(list[2][0].get<std::string>() == type_file_base(kHostile[2]));
}

TEST_CASE("pages: url_path and script_safe_json", "[pages]") {
    CHECK(detail::url_path("svg/Mi1_ME_L.svg") == "svg/Mi1_ME_L.svg");
    CHECK(detail::url_path("a b/c:d%") == "a%20b/c%3Ad%25");
    CHECK(detail::url_path("\xc3\xa9") == "%C3%A9");
    CHECK(detail::script_safe_json("\"</script>&\xe2\x80\xa8\"") == "\"\\u003c/script\\u003e\\u0026\\u2028\"");
}

TEST_CASE("pages: page, index and site templates are overridable with --templates DIR", "[pages][templates]") {
    const auto dir = eyemap::test::fresh_dir("page-templates");
    eyemap::test::write_file(dir / "page.html.mustache", "<p>{{name}}|{{{json}}}</p>\n");
    eyemap::test::write_file(dir / "site.css.mustache", "body{color:red}\n");
    const auto set = load_templates(dir);
    TypePageSettings o;
    o.templates = set;
    const std::string page = render_type_page(make_type("<x>", "x", 0), o);
    CHECK(page.rfind("<p>&lt;x&gt;|{\"name\":\"\\u003cx\\u003e\"", 0) == 0);
    const auto assets = render_site_assets(std::vector<TypeRecord>{make_type("a", "a", 0)}, set);
    CHECK(assets[0].second == "body{color:red}\n");
    CHECK(assets[1].second.find("eyemapIndex") != std::string::npos);  // not overridden: built in
    // The built-in set has every site template.
    for (const char* n : {"page.html.mustache", "index.html.mustache", "site.css.mustache", "site.js.mustache"})
        CHECK(builtin_templates()->files.count(n) == 1);
}

TEST_CASE("pages: a type's link out and the dataset footer, escaped for their context, and nothing of them without", "[pages][links]") {
    ReleaseLinks release;
    release.type_link = "https://neuprint.janelia.org/results?dataset=optic-lobe&type={type}";
    release.dataset_label = "<b>lobe</b> & \"x\" 'y'";
    release.dataset_version = "v1.1";
    release.input_digest = "0123456789abcdef";
    const std::string footer =
        "<footer class=\"meta\" id=\"em-provenance\">Dataset: &lt;b&gt;lobe&lt;/b&gt; &amp; &quot;x&quot; &apos;y&apos;, version v1.1, input "
        "0123456789abcdef</footer>";
    std::vector<TypeRecord> types;
    for (std::size_t i = 0; i < kHostile.size(); ++i) {
        const auto& name = kHostile[i];
        INFO(name);
        types.push_back(make_type(name, type_file_base(name), i));
        TypePageSettings o;
        o.links = release;
        const std::string page = render_type_page(types.back(), o);
        CHECK(xml_error(page) == "");
        CHECK(page.find("<b>") == std::string::npos);
        CHECK(count(page, footer) == 1);
        // The name URL-escaped into the URL, the URL's '&' an entity in the attribute.
        std::string url;
        append_url_escaped(url, name);
        CHECK(url.find_first_of("<>\"'& ") == std::string::npos);
        CHECK(page.find("<a href=\"https://neuprint.janelia.org/results?dataset=optic-lobe&amp;type=" + url + "\" id=\"em-type-link\">") !=
              std::string::npos);
        const auto found = links(page);
        CHECK(std::count_if(found.begin(), found.end(), [](const std::string& l) { return l.rfind("https://", 0) == 0; }) == 1);
        // Without links the page has none of it.
        const std::string plain = render_type_page(types.back());
        CHECK(plain.find("em-provenance") == std::string::npos);
        CHECK(plain.find("em-type-link") == std::string::npos);
        CHECK(plain.find("https://") == std::string::npos);
    }
    const std::string index = render_index_page(types, {}, nullptr, false, release);
    CHECK(xml_error(index) == "");
    CHECK(count(index, "<th scope=\"col\">Link</th>") == 1);
    CHECK(count(index, "class=\"em-type-link\"><span class=\"em-vh\">") == kHostile.size());
    CHECK(count(index, footer) == 1);
    CHECK(index.find("<b>") == std::string::npos);
    std::string url;
    append_url_escaped(url, kHostile[0]);
    CHECK(index.find("href=\"https://neuprint.janelia.org/results?dataset=optic-lobe&amp;type=" + url + "\"") != std::string::npos);
    const std::string plain = render_index_page(types);
    CHECK(plain.find(">Link</th>") == std::string::npos);
    CHECK(plain.find("em-provenance") == std::string::npos);
    CHECK(plain.find("em-type-link") == std::string::npos);
    // The dataset alone: a footer, no link column.
    ReleaseLinks named;
    named.dataset_version = "v2";
    const std::string versioned = render_index_page(types, {}, nullptr, false, named);
    CHECK(versioned.find("id=\"em-provenance\">Dataset: version v2</footer>") != std::string::npos);
    CHECK(versioned.find(">Link</th>") == std::string::npos);
}

// Fuzz target: ingest -> process -> layout -> SVG as a whole, through eyemap::Renderer (a fresh one
// per input, so a finding does not depend on what earlier inputs left in its caches). The input is up
// to three parts separated by a line "%%": [region config JSON %%] data CSV [%% layout CSV]. Every
// SVG written must be well-formed XML (checked with libxml2), and every file name one safe path
// component.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/parser.h>

#include "eyemap/eyemap.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

namespace {

void quiet(void*, const char*, ...) {}

std::vector<std::string_view> split_parts(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto p = text.find("\n%%\n");
        if (p == std::string_view::npos || parts.size() == 2) break;
        parts.push_back(text.substr(0, p));
        text.remove_prefix(p + 4);
    }
    parts.push_back(text);
    return parts;
}

void check_svg(const std::string& svg) {
    fuzz::check(svg.rfind("<svg", 0) == 0, "SVG does not start with <svg");
    xmlDocPtr doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "fuzz.svg", nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    if (!doc) {
        const xmlError* e = xmlGetLastError();
        std::fprintf(stderr, "fuzz: SVG not well-formed: %s\n", e && e->message ? e->message : "?");
        std::fwrite(svg.data(), 1, svg.size() < 4000 ? svg.size() : 4000, stderr);
        std::abort();
    }
    xmlFreeDoc(doc);
}

void check_file_name(const std::string& name) {
    fuzz::check(!name.empty() && name.front() != '.', "file name empty or hidden");
    fuzz::check(name.size() > 4 && name.compare(name.size() - 4, 4, ".svg") == 0, "file name without .svg");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        fuzz::check(ok, "unsafe character in a file name");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    xmlInitParser();
    xmlSetGenericErrorFunc(nullptr, quiet);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const auto parts = split_parts(text);
        const bool has_config = parts.size() >= 2;
        const RegionSet regions = has_config && !parts[0].empty() ? parse_region_config(parts[0], "fuzz-regions.json") : builtin_regions();
        const std::string_view data_csv = has_config ? parts[1] : parts[0];
        std::optional<ColumnLayout> layout;
        if (parts.size() == 3) layout = parse_column_layout(parts[2], "fuzz-columns.csv", regions);
        const Dataset ds = make_dataset(parse_column_table(data_csv, "fuzz.csv", regions), std::move(layout), regions);

        RenderOptions options;
        options.interactive = size % 2 == 0;
        options.scale.method = size % 3 == 0 ? ScaleMethod::percentile : ScaleMethod::linear;
        options.scale.scope = size % 5 == 0 ? ScaleScope::per_region : ScaleScope::pooled;
        const Renderer renderer(options);
        const std::size_t columns = column_count(*ds.index);
        // The first and the last type: all of their eyemaps.
        std::vector<const TypeRows*> types{&ds.types.front()};
        if (ds.types.size() > 1) types.push_back(&ds.types.back());
        for (const TypeRows* t : types) {
            for (const Eyemap& e : renderer.render(ds, t->neuron_type)) {
                fuzz::check(e.format == OutputFormat::svg, "not the default format");
                fuzz::check(e.neuron_type == t->neuron_type, "another type's eyemap");
                check_svg(e.bytes);
                check_file_name(e.file_name());
                fuzz::check(e.counts.has_data <= columns && e.counts.no_data <= columns && e.counts.not_in_region <= columns &&
                                e.counts.has_data + e.counts.no_data + e.counts.not_in_region == columns,
                            "eyemap counts do not add up to the grid's columns");
            }
        }
    });
    return 0;
}

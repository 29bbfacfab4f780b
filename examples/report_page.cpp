// A report builder in miniature: data built in memory, the 12 eyemaps of one type inlined into one
// HTML page, and one of them as a PNG beside it. Usage: report_page OUT.html (writes OUT.html.png too)
#include <cmath>
#include <cstdio>
#include <fstream>

#include <eyemap/eyemap.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.html\n", argv[0]);
        return 1;
    }
    try {
        // A small eye: a 15 x 15 rhombus of columns, every region on both sides; LOP lacks one edge.
        eyemap::ColumnLayout layout;
        eyemap::ColumnTable table;
        table.columns = {true, true, true, true};
        const auto regions = eyemap::builtin_regions();
        for (const auto& region : regions.regions)
            for (auto side : {eyemap::Side::L, eyemap::Side::R})
                for (int h1 = 1; h1 <= 15; ++h1)
                    for (int h2 = 1; h2 <= 15; ++h2) {
                        if (region.name == "LOP" && h1 == 15) continue;
                        layout.entries.push_back({region.name, side, h1, h2});
                        const double d = std::hypot(h1 - 6.0, h2 - 9.0);
                        const auto syn = static_cast<std::int64_t>(400 * std::exp(-d * d / 20));
                        if (syn == 0) continue;
                        eyemap::ColumnRow row;
                        row.neuron_type = "Demo<&>";  // escaped in the output, never markup
                        row.region = region.name;
                        row.side = side;
                        row.hex1 = h1;
                        row.hex2 = h2;
                        row.synapses = syn;
                        row.cells = 1 + syn / 200;
                        for (std::size_t l = 0; l < region.layers.size(); ++l) {
                            row.layer_synapses.push_back(l % 2 ? syn / 2 : 0);
                            row.layer_cells.push_back(l == 1 ? row.cells : 0);
                        }
                        table.rows.push_back(std::move(row));
                    }
        const auto dataset = eyemap::make_dataset(std::move(table), std::move(layout));
        const eyemap::Renderer renderer;  // default options: interactive SVG, linear pooled scale
        const auto eyemaps = renderer.render(dataset, "Demo<&>");  // all 12, SVG
        const eyemap::EyemapRequest me_right{"ME", eyemap::Side::R, eyemap::Metric::synapses};
        const eyemap::OutputFormat png[] = {eyemap::OutputFormat::png};
        const auto picture = renderer.render(dataset, "Demo<&>", {&me_right, 1}, png);

        std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo&lt;&amp;&gt;</title>\n"
                           "<style>body{font-family:sans-serif} .grid{display:flex;flex-wrap:wrap;gap:8px}</style></head>\n"
                           "<body><main><h1>Demo&lt;&amp;&gt;: " + std::to_string(eyemaps.size()) + " eyemaps</h1>\n<div class=\"grid\">\n";
        for (const auto& e : eyemaps) html += "<figure>" + e.bytes + "<figcaption>" +
                                            eyemap::eyemap_file_stem(e.neuron_type, e.request.region, e.request.side, e.request.metric) +
                                            "</figcaption></figure>\n";
        html += "</div></main></body></html>\n";
        const std::string png_path = std::string(argv[1]) + ".png";
        std::ofstream(argv[1], std::ios::binary) << html;
        std::ofstream(png_path, std::ios::binary) << picture.at(0).bytes;
        std::printf("wrote %s with %zu eyemaps and %s\n", argv[1], eyemaps.size(), png_path.c_str());
    } catch (const eyemap::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return e.exit_code();
    }
    return 0;
}

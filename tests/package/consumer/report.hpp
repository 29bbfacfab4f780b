// What every package consumer does (tests/package): parse a 3-row CSV, render the type's eyemaps to
// SVG and PNG through the umbrella header's Renderer, print "eyemap <version>: <n> rows, <m> files",
// return 0 only when all came back well (3 rows; 2 eyemaps x 2 formats; SVG and PNG magic bytes).
#pragma once

#include <cstdio>
#include <exception>
#include <string_view>

#include <eyemap/eyemap.hpp>
#include <eyemap/version.hpp>

static_assert(eyemap::kVersion == EYEMAP_VERSION_STRING);

namespace eyemap_consumer {

inline int report() noexcept {
    try {
        constexpr std::string_view csv =
            "neuron_type,region,side,hex1,hex2,synapses\n"
            "Mi1,ME,R,0,0,10\n"
            "Mi1,ME,R,1,0,20\n"
            "Mi1,ME,L,0,1,30\n";
        eyemap::ColumnTable table = eyemap::parse_column_table(csv, "inline");
        const std::size_t rows = table.rows.size();
        const eyemap::Dataset ds = eyemap::make_dataset(std::move(table));
        const eyemap::OutputFormat formats[] = {eyemap::OutputFormat::svg, eyemap::OutputFormat::png};
        const auto files = eyemap::Renderer().render(ds, "Mi1", {}, formats);
        bool ok = rows == 3 && files.size() == 4;
        for (const auto& f : files)
            ok = ok && (f.format == eyemap::OutputFormat::svg ? f.bytes.rfind("<svg ", 0) == 0 : f.bytes.rfind("\x89PNG", 0) == 0);
        std::printf("eyemap %.*s: %zu rows, %zu files\n", static_cast<int>(eyemap::kVersion.size()), eyemap::kVersion.data(), rows,
                    files.size());
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
}

}  // namespace eyemap_consumer

// What every package consumer does (tests/package): parse a 3-row CSV with eyemap's public table
// API, print "eyemap <version>: <n> rows", return 0 only when all 3 rows came back.
#pragma once

#include <cstdio>
#include <exception>
#include <string_view>

#include <eyemap/table.hpp>
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
        const eyemap::ColumnTable table = eyemap::parse_column_table(csv, "inline");
        std::printf("eyemap %.*s: %zu rows\n", static_cast<int>(eyemap::kVersion.size()), eyemap::kVersion.data(),
                    table.rows.size());
        return table.rows.size() == 3 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
}

}  // namespace eyemap_consumer

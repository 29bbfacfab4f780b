// Fuzz target: the column layout reader.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <tuple>

#include "eyemap/table.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const ColumnLayout l = parse_column_layout(text, "fuzz-columns.csv");
        fuzz::check(!l.entries.empty(), "a layout without rows was accepted");
        std::set<std::tuple<std::string, int, int, int>> seen;
        for (const auto& e : l.entries) {
            fuzz::check(builtin_regions().find(e.region) != nullptr, "unknown region accepted");
            fuzz::check(e.hex1 >= -kMaxHexCoordinate && e.hex1 <= kMaxHexCoordinate, "hex1 range");
            fuzz::check(e.hex2 >= -kMaxHexCoordinate && e.hex2 <= kMaxHexCoordinate, "hex2 range");
            fuzz::check(seen.emplace(e.region, static_cast<int>(e.side), e.hex1, e.hex2).second, "duplicate accepted");
        }
    });
    return 0;
}

// Fuzz target: the data table reader (CSV dialect, header mapping, every field's validation).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "eyemap/table.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

namespace {
const RegionSet& regions() {
    // The built-ins plus a region without layers and one with a hostile name.
    static const RegionSet r = parse_region_config(
        R"({"regions":[{"name":"X0","layers":[]},{"name":"A<&\"","layers":["1","2"]}]})", "fuzz-regions.json");
    return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const ColumnTable t = parse_column_table(text, "fuzz.csv", regions());
        fuzz::check(!t.rows.empty(), "a table without rows was accepted");
        for (const auto& r : t.rows) {
            fuzz::check(!r.neuron_type.empty(), "empty type");
            fuzz::check(r.line >= 2, "row line before the header");
            fuzz::check(r.hex1 >= -kMaxHexCoordinate && r.hex1 <= kMaxHexCoordinate, "hex1 range");
            fuzz::check(r.hex2 >= -kMaxHexCoordinate && r.hex2 <= kMaxHexCoordinate, "hex2 range");
            fuzz::check(r.synapses >= 0 && r.cells >= 0, "negative count");
            const RegionDef* def = regions().find(r.region);
            fuzz::check(def != nullptr, "unknown region accepted");
            if (t.columns.layer_synapses) fuzz::check(r.layer_synapses.size() == def->layers.size(), "layer count");
            if (t.columns.layer_cells) fuzz::check(r.layer_cells.size() == def->layers.size(), "layer count");
        }
        fuzz::check(!layout_from_table(t).entries.empty(), "empty layout from a table");
    });
    // The streaming reader must agree with the whole-table reader on the rows it accepts.
    fuzz::run([&] {
        std::istringstream in{std::string(text)};
        ColumnRowReader reader(in, "fuzz.csv", regions());
        ColumnRow row;
        std::size_t n = 0;
        while (reader.next(row) && n < 100000) ++n;
    });
    return 0;
}

// Fuzz target: the JSON region config reader.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "eyemap/regions.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const RegionSet r = parse_region_config(text, "fuzz-regions.json");
        std::set<std::string> names;
        for (const auto& d : r.regions) {
            fuzz::check(!d.name.empty() && d.name.size() <= 64, "region name length");
            fuzz::check(d.layers.size() <= 64, "layer count");
            fuzz::check(names.insert(d.name).second, "region name twice");
            fuzz::check(r.find(d.name) == &d, "find");
            for (const auto& l : d.layers) fuzz::check(!l.empty() && l.size() <= 64, "layer name length");
        }
    });
    return 0;
}

// Region definitions (name, layer names) as data: ME/LO/LOP built in, more from a JSON config.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap {

struct RegionDef {
    std::string name;
    std::vector<std::string> layers;  // display names; size() is the layer count
};

struct RegionSet {
    std::vector<RegionDef> regions;

    const RegionDef* find(std::string_view name) const noexcept;
    // Index into regions, or -1.
    int index_of(std::string_view name) const noexcept;
};

// ME (10 layers), LO (1,2,3,4,5A,5B,6), LOP (4 layers).
RegionSet builtin_regions();

// Config: {"regions": [{"name": "AME", "layers": ["1", "2"]}, ...]}. Entries add to `base` or
// replace a region of the same name. Errors name the file and the offending entry.
RegionSet parse_region_config(std::string_view json_text, std::string_view source_name,
                              RegionSet base = builtin_regions());
RegionSet load_region_config(const std::filesystem::path& path, RegionSet base = builtin_regions());

}  // namespace eyemap

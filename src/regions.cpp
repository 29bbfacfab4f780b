// Built-in optic-lobe regions and the JSON region config reader.
#include "eyemap/regions.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/error.hpp"

namespace eyemap {

const RegionDef* RegionSet::find(std::string_view name) const noexcept {
    for (const auto& r : regions)
        if (r.name == name) return &r;
    return nullptr;
}

int RegionSet::index_of(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < regions.size(); ++i)
        if (regions[i].name == name) return static_cast<int>(i);
    return -1;
}

RegionSet builtin_regions() {
    return RegionSet{{
        {"ME", {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
        {"LO", {"1", "2", "3", "4", "5A", "5B", "6"}},
        {"LOP", {"1", "2", "3", "4"}},
    }};
}

RegionSet parse_region_config(std::string_view json_text, std::string_view source_name, RegionSet base) {
    const std::string src(source_name);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& e) {
        throw_input(fmt::format("not valid JSON: {}", e.what()), ErrorLocation{src, 0, {}, {}});
    }
    if (!doc.is_object() || !doc.contains("regions") || !doc["regions"].is_array())
        throw_input("expected an object with a \"regions\" array", ErrorLocation{src, 0, "regions", {}});
    std::size_t k = 0;
    for (const auto& r : doc["regions"]) {
        const std::string where = fmt::format("regions[{}]", k++);
        if (!r.is_object() || !r.contains("name") || !r["name"].is_string())
            throw_input("each region needs a string \"name\"", ErrorLocation{src, 0, where, {}});
        RegionDef def;
        def.name = r["name"].get<std::string>();
        if (def.name.empty() || def.name.size() > 64)
            throw_input("region name must have 1 to 64 characters", ErrorLocation{src, 0, where + ".name", def.name});
        if (!r.contains("layers") || !r["layers"].is_array())
            throw_input("each region needs a \"layers\" array of names", ErrorLocation{src, 0, where + ".layers", {}});
        for (const auto& l : r["layers"]) {
            if (!l.is_string()) throw_input("layer names must be strings", ErrorLocation{src, 0, where + ".layers", l.dump()});
            def.layers.push_back(l.get<std::string>());
        }
        if (def.layers.size() > 64)
            throw_input("at most 64 layers per region", ErrorLocation{src, 0, where + ".layers", std::to_string(def.layers.size())});
        if (int i = base.index_of(def.name); i >= 0) base.regions[static_cast<std::size_t>(i)] = std::move(def);
        else base.regions.push_back(std::move(def));
    }
    return base;
}

RegionSet load_region_config(const std::filesystem::path& path, RegionSet base) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io("cannot open region config", path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_region_config(ss.str(), path.string(), std::move(base));
}

}  // namespace eyemap

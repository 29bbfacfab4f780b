// Built-in optic-lobe regions and the JSON region config reader.
#include "eyemap/regions.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/csv.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "core/read_file.hpp"

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

namespace {

constexpr std::uint64_t kMaxRegionConfigBytes = 16u << 20;

// 1-based line of a byte offset, for messages about a JSON document.
std::uint64_t line_of(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    return 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

// An unknown key spelled like an expected one is a typo: an error with a suggestion. Other keys
// (comments, extensions) are ignored.
void check_keys(const nlohmann::json& obj, std::initializer_list<std::string_view> expected, const std::string& src,
                const std::string& where) {
    for (const auto& [key, value] : obj.items()) {
        bool known = false;
        for (auto e : expected) known |= key == e;
        if (known) continue;
        for (auto e : expected) {
            std::string lk = key;
            for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lk == e || (key.size() >= 3 && key.size() <= e.size() + 2 && detail::edit_distance(lk, e) <= 2))
                throw_input(fmt::format("unknown key; did you mean \"{}\"?", e), ErrorLocation{src, 0, where, key});
        }
    }
}

bool has_outer_space(const std::string& s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    return !s.empty() && (space(s.front()) || space(s.back()));
}

// Deepest nesting of arrays/objects in the text (strings skipped), with where it first exceeds `limit`.
std::size_t nesting_beyond(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i + 1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return 0;
}

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMaxLayers = 64;
constexpr std::size_t kMaxRegions = 1024;

}  // namespace

RegionSet parse_region_config(std::string_view json_text, std::string_view source_name, RegionSet base) {
    const std::string src(source_name);
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw_input("empty file: expected a JSON object with a \"regions\" array", ErrorLocation{src, 0, {}, {}});
    if (const std::size_t at = nesting_beyond(json_text, kMaxDepth))
        throw_input(fmt::format("JSON nested deeper than {} levels", kMaxDepth), ErrorLocation{src, line_of(json_text, at - 1), {}, {}});
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond double's range (1e999) while parsing.
        std::string why = e.what();
        if (auto p = why.find("] "); p != std::string::npos) why.erase(0, p + 2);
        throw_input(fmt::format("not valid JSON: {}", why), ErrorLocation{src, 0, {}, {}});
    } catch (const nlohmann::json::parse_error& e) {
        // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 5: ..."; keep the reason.
        std::string why = e.what();
        if (auto p = why.find("] "); p != std::string::npos) why.erase(0, p + 2);
        throw_input(fmt::format("not valid JSON: {}", why), ErrorLocation{src, e.byte ? line_of(json_text, e.byte - 1) : 0, {}, {}});
    } catch (const nlohmann::json::exception& e) {
        throw_input(fmt::format("not valid JSON: {}", e.what()), ErrorLocation{src, 0, {}, {}});
    }
    if (!doc.is_object()) throw_input("expected a JSON object with a \"regions\" array", ErrorLocation{src, 0, {}, {}});
    check_keys(doc, {"regions"}, src, "(top level)");
    if (!doc.contains("regions") || !doc["regions"].is_array())
        throw_input("expected an object with a \"regions\" array", ErrorLocation{src, 0, "regions", {}});
    const auto& list = doc["regions"];
    if (list.size() > kMaxRegions)
        throw_input(fmt::format("at most {} regions", kMaxRegions), ErrorLocation{src, 0, "regions", std::to_string(list.size())});
    std::vector<std::string> defined;  // names in this config, to catch a region given twice
    std::size_t k = 0;
    for (const auto& r : list) {
        const std::string where = fmt::format("regions[{}]", k++);
        if (!r.is_object()) throw_input("each region must be an object {\"name\": .., \"layers\": [..]}", ErrorLocation{src, 0, where, {}});
        check_keys(r, {"name", "layers"}, src, where);
        if (!r.contains("name") || !r["name"].is_string())
            throw_input("each region needs a string \"name\"", ErrorLocation{src, 0, where + ".name", {}});
        RegionDef def;
        def.name = r["name"].get<std::string>();
        if (def.name.empty() || def.name.size() > kMaxNameBytes)
            throw_input(fmt::format("region name must have 1 to {} bytes", kMaxNameBytes), ErrorLocation{src, 0, where + ".name", def.name});
        if (has_outer_space(def.name))
            throw_input("region name must not start or end with white space (data files are trimmed)",
                        ErrorLocation{src, 0, where + ".name", def.name});
        if (def.name == "all" || def.name == "both")
            throw_input("region name is reserved (the command line uses it for every region)",
                        ErrorLocation{src, 0, where + ".name", def.name});
        if (std::find(defined.begin(), defined.end(), def.name) != defined.end())
            throw_input("region defined twice in this config", ErrorLocation{src, 0, where + ".name", def.name});
        defined.push_back(def.name);
        if (!r.contains("layers") || !r["layers"].is_array())
            throw_input("each region needs a \"layers\" array of names (may be empty)", ErrorLocation{src, 0, where + ".layers", {}});
        const auto& layers = r["layers"];
        if (layers.size() > kMaxLayers)
            throw_input(fmt::format("at most {} layers per region", kMaxLayers), ErrorLocation{src, 0, where + ".layers", std::to_string(layers.size())});
        std::size_t j = 0;
        for (const auto& l : layers) {
            const std::string lwhere = fmt::format("{}.layers[{}]", where, j++);
            if (!l.is_string()) throw_input("layer names must be strings", ErrorLocation{src, 0, lwhere, l.dump()});
            def.layers.push_back(l.get<std::string>());
            if (def.layers.back().empty() || def.layers.back().size() > kMaxNameBytes)
                throw_input(fmt::format("layer name must have 1 to {} bytes", kMaxNameBytes), ErrorLocation{src, 0, lwhere, def.layers.back()});
        }
        if (int i = base.index_of(def.name); i >= 0) base.regions[static_cast<std::size_t>(i)] = std::move(def);
        else base.regions.push_back(std::move(def));
    }
    return base;
}

RegionSet load_region_config(const std::filesystem::path& path, RegionSet base) {
    // Bounded: 1024 regions of 64 layers of 64-byte names fit well below the limit.
    const std::string text = read_regular_file(path, kMaxRegionConfigBytes, "region config");
    return parse_region_config(text, path.string(), std::move(base));
}

}  // namespace eyemap

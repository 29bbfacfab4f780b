// The high-level pipeline: dataset grouping, grids per side, process -> layout -> SVG for a type.
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "core/lru_cache.hpp"
#include "eyemap/eyemap.hpp"

namespace eyemap {

const TypeRows* Dataset::find_type(std::string_view name) const noexcept {
    for (const auto& t : types)
        if (t.neuron_type == name) return &t;
    return nullptr;
}

Dataset make_dataset(ColumnTable table, std::optional<ColumnLayout> layout, const RegionSet& regions) {
    Dataset ds;
    ds.source = table.source;
    ds.columns = table.columns;
    ds.layout = prepare_layout(layout ? *layout : layout_from_table(table), regions);
    std::unordered_map<std::string, std::size_t> index;
    for (auto& r : table.rows) {
        auto [it, fresh] = index.emplace(r.neuron_type, ds.types.size());
        if (fresh) ds.types.push_back(TypeRows{r.neuron_type, {}});
        ds.types[it->second].rows.push_back(std::move(r));
    }
    return ds;
}

Dataset load_dataset(const std::filesystem::path& data, const std::optional<std::filesystem::path>& layout,
                     const RegionSet& regions) {
    auto table = read_column_table(data, regions);
    std::optional<ColumnLayout> lay;
    if (layout) lay = read_column_layout(*layout, regions);
    return make_dataset(std::move(table), std::move(lay), regions);
}

std::vector<Scene> build_scenes(const PreparedLayout& layout, const TableColumns& columns, const TypeRows& type,
                                std::span<const EyemapRequest> requests, const RenderOptions& options) {
    std::vector<EyemapRequest> all;
    if (requests.empty()) {
        all = all_requests(layout, columns);
        requests = all;
    }
    auto data = process_type(type.neuron_type, type.rows, columns, layout, requests, options.scale);
    std::vector<Scene> scenes;
    scenes.reserve(data.size());
    std::shared_ptr<const GridCoordinates> grids[2];
    for (auto& d : data) {
        auto& g = grids[static_cast<int>(d.side)];
        if (!g) g = grid_for(layout, options.geometry, d.side);
        scenes.push_back(layout_eyemap(std::move(d), g, options.geometry));
    }
    return scenes;
}

std::vector<RenderedSvg> render_type_svg(const Dataset& ds, std::string_view neuron_type,
                                         std::span<const EyemapRequest> requests, const RenderOptions& options) {
    const TypeRows* type = ds.find_type(neuron_type);
    if (!type) throw_input("neuron type not found in the data", ErrorLocation{{}, 0, "neuron_type", std::string(neuron_type)});
    std::vector<Scene> scenes;
    try {
        scenes = build_scenes(ds.layout, ds.columns, *type, requests, options);
    } catch (const Error& e) {
        rethrow_in_file(e, ds.source);
    }
    std::vector<RenderedSvg> out;
    fmt::memory_buffer buf;
    for (const auto& s : scenes) {
        buf.clear();
        write_svg(s, buf, options.svg);
        out.push_back({EyemapRequest{s.data.region, s.data.side, s.data.metric},
                       eyemap_file_stem(s.data.neuron_type, s.data.region, s.data.side, s.data.metric), fmt::to_string(buf)});
    }
    return out;
}

std::string eyemap_file_stem(std::string_view neuron_type, std::string_view region, Side side, Metric metric) {
    return fmt::format("{}_{}_{}_{}", safe_file_name(neuron_type), safe_file_name(region), to_string(side), to_string(metric));
}

}  // namespace eyemap

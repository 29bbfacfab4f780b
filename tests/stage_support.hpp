// Test scaffolding for the stage unit tests: a type's Scenes from the stage functions alone (no renderer, no caches).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "eyemap/renderer.hpp"
#include "layout/layout.hpp"
#include "process/process.hpp"
#include "render/raster.hpp"
#include "render/svg.hpp"

namespace eyemap::test {

// Process + layout of one type as the renderer chains them, for tests that look at a stage's input or
// output (Scene fields, the SVG writer, the cairo painter) in isolation.
inline std::vector<Scene> stage_scenes(const Dataset& ds, std::string_view type, std::span<const EyemapRequest> requests = {},
                                       const Geometry& geometry = {}, const ScaleOptions& scale = {}) {
    const TypeRows* t = ds.find_type(type);
    if (!t) throw_input("no such type", ErrorLocation{{}, 0, "neuron_type", std::string(type)});
    std::vector<EyemapRequest> all;
    if (requests.empty()) {
        all = all_requests(*ds.index, ds.columns);
        requests = all;
    }
    check_requests(*ds.index, ds.columns, requests);
    auto data = process_type(t->neuron_type, t->rows, ds.columns, *ds.index, requests, scale);
    std::vector<Scene> out;
    for (auto& d : data) {
        auto grid = std::make_shared<const GridCoordinates>(compute_grid(*ds.index, geometry, d.side));
        out.push_back(layout_eyemap(std::move(d), std::move(grid), geometry));
    }
    return out;
}

}  // namespace eyemap::test

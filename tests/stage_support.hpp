// Test scaffolding for the stage unit tests: a type's Scenes from the stage functions alone (no renderer, no caches).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/renderer.hpp"
#include "core/throw.hpp"
#include "layout/layout.hpp"
#include "process/process.hpp"
#include "render/raster.hpp"
#include "render/svg.hpp"
#include "render/svg_frame.hpp"

namespace eyemap::test {

// Process + layout of one type as the renderer chains them, for tests that look at a stage's input or
// output (Scene fields, the SVG writer, the cairo painter) in isolation.
inline std::vector<Scene> stage_scenes(const Dataset& ds, std::string_view type, std::span<const EyemapRequest> requests = {},
                                       const Geometry& geometry = {}, const ScaleOptions& scale = {},
                                       std::shared_ptr<const FillColours> fills = nullptr /* null: reds in scale.bins */) {
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
        out.push_back(layout_eyemap(std::move(d), std::move(grid), geometry, nullptr, scale.scope, fills));
    }
    return out;
}

// A scene's PNG as the renderer makes it: drawing, then encoding.
inline std::string png_of(const Scene& scene, const RasterOptions& options = {}) {
    return encode_png(render_image(scene, options), options.png);
}

// A scene's SVG as the renderer writes it, from the built-in templates, with the default id.
inline std::string svg_of(const Scene& scene, bool interactive = true) {
    fmt::memory_buffer out;
    detail::write_svg(scene, detail::expand_frame(scene, *builtin_templates(), interactive), out, default_svg_id(scene.data));
    return fmt::to_string(out);
}

}  // namespace eyemap::test

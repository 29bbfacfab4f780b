// The caches at the stage seams: coordinates (layout) and SVG frames (metadata).
#include "eyemap/eyemap.hpp"
#include "svg_frame.hpp"

namespace eyemap {

std::shared_ptr<const GridCoordinates> grid_for(const PreparedLayout& layout, const Geometry& geometry, Side side) {
    return std::make_shared<const GridCoordinates>(compute_grid(layout, geometry, side));
}

namespace detail {
std::shared_ptr<const SvgFrame> cached_frame(const Scene& scene, const TemplateSet& templates, bool interactive) {
    return std::make_shared<const SvgFrame>(expand_frame(scene, templates, interactive));
}
}  // namespace detail

}  // namespace eyemap

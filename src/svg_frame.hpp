// Internal: the value-independent SVG frame (head and tail text) and the hexagon/legend writers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "eyemap/svg.hpp"

namespace eyemap::detail {

struct SvgFrame {
    std::string head;  // <svg> ... <g class="em-hexes">
    std::string tail;  // controls, tooltip, script, </svg>
};

SvgFrame expand_frame(const Scene& scene, const TemplateSet& templates, std::string_view id, bool interactive);
// The frame through the metadata cache (keyed by everything the frame depends on).
std::shared_ptr<const SvgFrame> cached_frame(const Scene& scene, const TemplateSet& templates, std::string_view id,
                                             bool interactive);

void append_number(fmt::memory_buffer& out, double v);
void append_hexagons(fmt::memory_buffer& out, const Scene& scene, std::string_view id);
void append_legend(fmt::memory_buffer& out, const Scene& scene);

}  // namespace eyemap::detail

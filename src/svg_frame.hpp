// Internal: the value-independent SVG frame (head and tail text) and the hexagon/legend writers.
#pragma once

#include <memory>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "eyemap/svg.hpp"

namespace eyemap::detail {

// The expanded templates with two slots left open: the eyemap's id and its (escaped) type name.
// Everything else in the frame depends only on region, side, metric, geometry and templates, so
// one expanded frame serves every type of a release (the metadata cache's value).
enum class FrameSlot : std::uint8_t { none, id, type };
struct FramePiece {
    std::string text;
    FrameSlot slot_after = FrameSlot::none;
};
struct SvgFrame {
    std::vector<FramePiece> head;  // <svg> ... <g class="em-hexes">
    std::vector<FramePiece> tail;  // controls, tooltip, script, </svg>
    std::size_t bytes() const noexcept;
};

SvgFrame expand_frame(const Scene& scene, const TemplateSet& templates, bool interactive);
// Content key of everything expand_frame reads (never the type name or id).
std::uint64_t frame_key(const Scene& scene, const TemplateSet& templates, bool interactive);
// The frame through the metadata cache.
std::shared_ptr<const SvgFrame> cached_frame(const Scene& scene, const TemplateSet& templates, bool interactive);
void append_frame(fmt::memory_buffer& out, std::span<const FramePiece> pieces, std::string_view id,
                  std::string_view escaped_type);

void append_number(fmt::memory_buffer& out, double v);
void append_hexagons(fmt::memory_buffer& out, const Scene& scene, std::string_view id);
void append_legend(fmt::memory_buffer& out, const Scene& scene);

}  // namespace eyemap::detail

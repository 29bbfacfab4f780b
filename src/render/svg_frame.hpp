// Internal: the value-independent SVG frame (head and tail text) and the hexagon/legend writers.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/number.hpp"
#include "render/svg.hpp"

namespace eyemap::detail {

// The expanded templates with three slots left open: the eyemap's id, its (escaped) type name and
// the per-type sentence of its <desc> (columns with data, the scale's ends: append_summary).
// Everything else in the frame depends only on region, side, metric, scale method and scope,
// geometry and templates, so one expanded frame serves every type of a release (the metadata
// cache's value).
enum class FrameSlot : std::uint8_t { none, id, type, summary };
struct FramePiece {
    std::string text;
    FrameSlot slot_after = FrameSlot::none;
};
struct SvgFrame {
    std::vector<FramePiece> head;  // <svg> ... <g class="em-hexes">
    std::vector<FramePiece> tail;  // controls, tooltip, script, </svg>
    std::size_t bytes() const noexcept;
};

// Reads the scene's size, hex size, style, fills, region, side, metric, scale method (data.scale) and
// scope, layer names, titles but the type's, and buttons: the metadata cache's key
// (renderer/caches.cpp) holds exactly these.
SvgFrame expand_frame(const Scene& scene, const TemplateSet& templates, bool interactive);
// The path data of one hexagon of radius `hs` about the origin (the <defs> every <use> points at).
std::string hex_path_data(double hs);
// The dataset's <metadata> element (data-* attributes and a Dublin Core source and identifier), with
// its newline: an eyemap's head template and a figure carry the same.
void append_provenance_metadata(fmt::memory_buffer& out, std::string_view id, const Provenance& p);
// The style template (style.css.mustache) expanded for `scene`'s Style and fills under `id`.
std::string render_style_css(const Scene& scene, const TemplateSet& templates, std::string_view id);
void append_frame(fmt::memory_buffer& out, std::span<const FramePiece> pieces, std::string_view id,
                  std::string_view escaped_type, std::string_view escaped_summary);
// The summary slot's text (XML-escaped): "N of M columns have data; the colour scale runs from A to B, ...".
// ... and the marked sets (" Marked: NAME (style, N columns); ..."), when there are any.
void append_summary(fmt::memory_buffer& out, const Scene& scene);

// A coordinate or length as the SVG writes it: at most two decimals (write_decimal, half away from zero).
inline void append_number(fmt::memory_buffer& out, double v) { append_decimal(out, v, 2); }

// Writes into space reserved up front: one capacity check per hexagon instead of one per piece.
struct RawWriter {
    char* p;
    void lit(std::string_view s) noexcept {
        std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
    void ch(char c) noexcept { *p++ = c; }
    void uint(std::uint64_t v) noexcept { p = write_unsigned(p, v); }
    void integer(std::int64_t v) noexcept {
        if (v < 0) {
            *p++ = '-';
            uint(0 - static_cast<std::uint64_t>(v));
        } else {
            uint(static_cast<std::uint64_t>(v));
        }
    }
    void number(double v) noexcept { p = write_decimal_fixed<2>(p, v); }  // same output as append_number
};

void append_hexagons(fmt::memory_buffer& out, const Scene& scene, std::string_view id);
// The Scene as SVG around an expanded frame (write_svg without the template expansion).
void write_svg(const Scene& scene, const SvgFrame& frame, fmt::memory_buffer& out, std::string_view id);
// Throws input unless id matches [A-Za-z][A-Za-z0-9_-]*.
void check_svg_id(std::string_view id);
void append_legend(fmt::memory_buffer& out, const Scene& scene, std::string_view id);
// The scene's marks as one group after the hexagons (nothing without marks): per set one <path> of
// all its shapes, dims first, then outlines, then markers; `attributes` go on the group (a figure's
// panel transform). Not <use> elements (those are the hexagons) and not pointer targets, so the
// hexagons keep their tooltips and the layer buttons' script never sees them.
void append_marks(fmt::memory_buffer& out, const Scene& scene, std::string_view attributes = {});
// A legend row per set: a swatch hexagon in the set's style and its name (XML-escaped).
void append_mark_legend(fmt::memory_buffer& out, std::span<const SceneMarkSet> sets, const MarkLegend& at, const Style& style,
                        double line);  // hexagon lines at the legend's scale

}  // namespace eyemap::detail

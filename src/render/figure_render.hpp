// Figure output: a FigureScene as one SVG, PNG pixels or a one-page PDF, drawn by the single-eyemap writers.
#pragma once

#include <string>

#include <fmt/format.h>

#include "layout/figure.hpp"
#include "render/raster.hpp"
#include "render/svg.hpp"

namespace eyemap {

// One SVG, width and height in millimetres, user units in points: each panel's hexagons written by
// the eyemaps' hexagon writer (with their <title> tooltips) in a group scaled to the panel, ids
// prefixed by the panel's; each legend by the eyemaps' legend writer; the CSS from the style template.
void write_figure_svg(const FigureScene& figure, const TemplateSet& templates, fmt::memory_buffer& out);

// The figure at `dpi` pixels per inch (a point is dpi / 72 pixels), drawn by the cairo painter of
// eyemaps: opaque with a background (a palette PNG when it fits 256 colours), else straight-alpha RGBA.
RasterImage render_figure_image(const FigureScene& figure, double dpi);
// One vector page of the figure's size in points, text as text with the font subset embedded.
std::string render_figure_pdf(const FigureScene& figure);
// Whether fontconfig has the family itself (false: cairo draws with its nearest match instead).
bool font_family_available(const std::string& family);

}  // namespace eyemap

// Raster and print output: the Scene the SVG writer takes, drawn directly with cairo to PNG and PDF.
#pragma once

// What is drawn: the same picture as the SVG (background, hexagons, titles with the side badge,
// legend with bins, ticks and rotated title, the layer buttons' static look with the chosen
// layer highlighted) at the same positions and sizes, in DejaVu Sans. A static image shows one
// layer: RasterOptions::layer, 0 = all layers (the SVG's initial state); N > 0 colours the
// hexagons with layer N (fills_for_layer) and labels the legend with the per-layer scale.
//
// PNG: canvas x scale pixels (each side rounded up), opaque, an 8-bit palette PNG when the
// drawing has at most 256 colours after antialiased shades are merged with near colours (eyemaps
// do), else RGBA. Text is filled glyph outlines (as rsvg-convert draws the SVG's text), hexagon
// edges are antialiased in 17 coverage levels; antialiased colours may be moved by up to 4 levels
// to fit 256 (render_image finds the palette indices as it draws; limit_colours where it cannot).
// PDF: vector, one page per eyemap, real text with the font subset embedded, page size = canvas in points (1 px = 1 pt, so a 72 dpi rasterisation has the PNG's
// 1x dimensions); RasterOptions::scale does not apply to PDF. The font is fontconfig's match
// for "DejaVu Sans" (Debian: fonts-dejavu-core); without it another sans-serif font is used.
//
// Deterministic: the same scene and options give the same PNG and PDF bytes, in any process, with
// the same cairo, libdeflate and fonts (the PDF carries no creation date).
//
// Untimed: the renderer times these calls ("render_png" = drawing, "encode_png" = encoding,
// "render_pdf" = one whole PDF).
//
// Errors: eyemap::Error input for a bad scale, layer or encoder setting; internal when cairo or
// libdeflate fail. Thread-safe: calls share only locked caches: hexagon masks (per hexagon size in
// device pixels, made on first use in 2-5 ms, at most 4 sizes of <= 4 MB each), the blend tables
// of the last 4 styles, and the layer buttons' tiles (per look, at most 64: the buttons drawn once
// and copied into each image over background).
// Each thread that encodes PNGs keeps a libdeflate compressor per level <= 9 it used (0.65 MB at
// the default level) and work buffers of about the raw image size (released after images > 16 MB);
// each that draws them, a copy of its last image's pixels (released after images > 16 MB).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "layout/layout.hpp"

namespace eyemap {

// PNG row filter (libpng's names); `adaptive` picks per row among all five (least sum of
// absolute differences, as libpng does).
enum class PngFilter : std::uint8_t { none, sub, up, average, paeth, adaptive };

// The defaults were picked with bench/bench_raster on an 892-hexagon ME eyemap at 1x (all five
// bins, noisy values: the hardest case for the encoder), against libpng/zlib and cairo's writer
// (bench/png_alternatives.hpp); its header has the table. No row filter is both the fastest and
// the smallest at every level (eyemaps are flat colours in repeating hexagon rows, which deflate
// matches directly; filters turn them into noise), and level 1 is the fastest level within a few
// KB of the smallest: the time budget (<= 2.5 ms per 1x PNG, drawing included) weighs more than
// 4 KB under the 80 KB limit. libdeflate takes about 90 % of the encoding time.
struct PngOptions {
    int compression = 1;  // libdeflate level 0..12
    PngFilter filter = PngFilter::none;  // RGB and RGBA images only (palette images are never filtered)
    // Write an 8-bit palette PNG when the image has at most 256 distinct colours and, for RGBA,
    // is opaque (lossless: it decodes to the same pixels; otherwise RGB or RGBA). render_image
    // limits eyemaps to 256 colours (antialiased shades moved by up to 4 levels) and leaves their
    // palette indices, so drawn eyemaps are palette PNGs: a quarter of the bytes to deflate, and
    // `alpha` does not apply to them. False: render_image keeps the pixels exactly as drawn.
    bool palette_when_possible = true;
    // For an image written without a palette: RGBA (opaque) instead of RGB, no per-pixel
    // repacking, so it encodes faster (an 892-hexagon eyemap at 1x: level 1 RGBA 1.49 ms and 74 KB,
    // RGB 1.70 ms and 68 KB; bench_raster's table); RGB is the smaller choice.
    bool alpha = true;
};

struct RasterOptions {
    double scale = 1;  // PNG pixels per canvas pixel, > 0 (1 and 2 typical)
    int layer = 0;     // 0 = all layers; 1..layer_count() = that layer
    PngOptions png;
};

// Drawn pixels, before encoding: row-major, width * height entries, each 0xAARRGGBB. render_image's
// are opaque; encode_png ignores the alpha byte unless PngOptions::alpha.
struct RasterImage {
    int width = 0, height = 0;
    std::vector<std::uint32_t> argb;
    // Palette indices of argb, when render_image or limit_colours found <= 256 colours (else empty):
    // palette[index[i]] is argb[i] with alpha 0xff. encode_png uses them after checking they still
    // match the pixels (one cheap pass instead of indexing again).
    std::vector<std::uint8_t> index;
    std::vector<std::uint32_t> palette;
    std::uint32_t pixel(int x, int y) const { return argb[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
};

// Pixel dimensions of a scene's PNG at `scale` (ceil(width * scale), ceil(height * scale)).
// Throws input when the scale is not a positive finite number or the image would exceed
// 32767 pixels a side or 2^26 pixels in all.
std::pair<int, int> raster_size(const Scene& scene, double scale);

// Drawing only.
RasterImage render_image(const Scene& scene, const RasterOptions& options = {});
// Encoding only.
std::string encode_png(const RasterImage& image, const PngOptions& options = {});

// Reduces an opaque image to at most 256 colours when that moves no pixel by more than
// `max_error` levels in any channel (the most frequent colours are kept exactly; the others take
// the nearest kept one), so that encode_png can write a palette PNG, and fills image.index and
// image.palette. Returns the colour count afterwards, or 0 when the image is left unchanged (more
// than 4,096 colours, or 256 would move some pixel further; index and palette then empty).
// Deterministic: a function of the pixels only.
int limit_colours(RasterImage& image, int max_error);

// One-page vector PDF of one eyemap.
std::string render_pdf(const Scene& scene, const RasterOptions& options = {});
// One PDF, one page per scene (each page sized to its scene), in order; the same layer for all
// pages (use 0 when the scenes are of different regions). Throws input for no scenes.
std::string render_pdf_pages(std::span<const Scene> scenes, const RasterOptions& options = {});

namespace detail {
// render_image with `button_tiles` false draws the layer buttons into every image instead of
// copying the tile drawn once per look (tests compare the two).
RasterImage render_image(const Scene& scene, const RasterOptions& options, bool button_tiles);
// render_pdf_pages with `splice` false draws every page wholly with cairo: the fallback it takes
// when cairo's file is not laid out as cairo 1.16 writes it (tests force it here).
std::string render_pdf_pages(std::span<const Scene> scenes, const RasterOptions& options, bool splice);
// Replaces, in page order, each hexagon placeholder group's content stream of `pdf` with
// layers[i]; false (and `pdf` unchanged) when the file is not laid out as cairo 1.16 writes it.
bool splice_hexagon_layers(std::string& pdf, const std::vector<std::string>& layers);
}  // namespace detail

}  // namespace eyemap

// Raster and PDF output: a Scene drawn with cairo (the same picture the SVG writer produces).
#include "render/raster.hpp"
#include "render/figure_render.hpp"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <libdeflate.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bitset>
#include <array>
#include <cmath>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <memory>

#include <fmt/format.h>

#include "core/number.hpp"
#include "core/text.hpp"
#include "render/cairo_stream.hpp"
#include "render/colour_index.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {
namespace {

// Colours, fonts, sizes and line widths come from the scene's Style (as the SVG's CSS does); these
// are the shapes of the SVG's templates (templates/tail.svg.mustache, svg.cpp).
// Fills by palette index (Scene::fills): no data, up to kMaxScaleBins bins or kContinuousLevels levels, not in region.
constexpr std::size_t kMaxFills = kContinuousLevels + 2;
// The most fills drawn for which render_image tries limit_colours (the binned maps' 14 at most).
constexpr std::size_t kPaletteFills = 64;
constexpr double kButtonRadius = 2;
constexpr double kButtonBaseline = 3.5;  // label baseline above the button's bottom edge
constexpr double kSin60 = 0.8660254037844386;

struct Rgb {
    double r = 0, g = 0, b = 0;
};

constexpr int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}

// "#rrggbb" -> 0..1 components.
constexpr Rgb rgb(std::string_view hex) {
    auto byte = [&](std::size_t i) { return (hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])) / 255.0; };
    return hex.size() == 7 ? Rgb{byte(1), byte(3), byte(5)} : Rgb{};
}

void set_colour(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

// "#rrggbb" -> opaque 0xffrrggbb.
constexpr std::uint32_t argb(std::string_view hex) {
    std::uint32_t v = 0xff;
    for (std::size_t i = 1; i < 7 && i < hex.size(); ++i) v = v << 4 | static_cast<std::uint32_t>(hex_digit(hex[i]));
    return v;
}

struct CairoDelete {
    void operator()(cairo_t* cr) const noexcept { cairo_destroy(cr); }
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
    void operator()(cairo_font_options_t* o) const noexcept { cairo_font_options_destroy(o); }
    void operator()(cairo_font_face_t* f) const noexcept { cairo_font_face_destroy(f); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDelete>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDelete>;

void check(cairo_status_t st, std::string_view what) {
    if (st == CAIRO_STATUS_SUCCESS) return;
    if (st == CAIRO_STATUS_NO_MEMORY) throw std::bad_alloc();
    throw_internal(fmt::format("cairo: {}: {}", what, cairo_status_to_string(st)));
}

// Font faces are created once per family and kept until the process ends (a style names one
// family; cairo's faces are reference counted and thread-safe); released at exit, so leak checkers
// see nothing left.
struct Fonts {
    std::unique_ptr<cairo_font_face_t, CairoDelete> regular_face, bold_face;
    std::unique_ptr<cairo_font_options_t, CairoDelete> owned_options;
    cairo_font_face_t* regular = nullptr;
    cairo_font_face_t* bold = nullptr;
    cairo_font_options_t* options = nullptr;
};
const Fonts& fonts(const std::string& family) {
    static std::mutex mutex;
    static std::map<std::string, Fonts, std::less<>> by_family;
    std::lock_guard lock(mutex);
    if (auto it = by_family.find(family); it != by_family.end()) return it->second;
    if (by_family.size() >= 16) throw_input("more than 16 font families in one process", ErrorLocation{{}, 0, "font_family", family});
    return by_family.emplace(family, [&] {
        Fonts out;
        out.regular_face.reset(cairo_toy_font_face_create(family.c_str(), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL));
        out.bold_face.reset(cairo_toy_font_face_create(family.c_str(), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD));
        out.owned_options.reset(cairo_font_options_create());
        out.regular = out.regular_face.get();
        out.bold = out.bold_face.get();
        out.options = out.owned_options.get();
        // Unhinted outlines and fractional advances: text sits where the SVG puts it at every scale
        // and in the PDF, instead of snapping to the pixel grid of one resolution.
        cairo_font_options_set_hint_metrics(out.options, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(out.options, CAIRO_HINT_STYLE_NONE);
        cairo_font_options_set_antialias(out.options, CAIRO_ANTIALIAS_GRAY);
        return out;
    }()).first->second;
}

enum class Anchor { start, middle, end };


// Text in one colour. On a PDF it is real text (selectable, searchable, font subset embedded); on
// a raster it is glyph outlines filled once per batch: cairo 1.16 draws glyph bitmaps at
// whole-pixel positions, outlines go exactly where the SVG says, as rsvg-convert draws SVG text
// (measured: pixels off by more than 24 levels fell from 0.8 % to 0.3 % of the image, and
// against pdftoppm from 1.0 % to 0.9 %); one fill per batch is cheaper than one per string.
// No kerning (cairo's toy API does not shape text; browsers and rsvg-convert kern pairs such as
// "Te" by a fraction of a pixel).
// Nothing else may be drawn between begin() and end() (the outlines collect in the current path).
class TextBatch {
public:
    TextBatch(cairo_t* cr, bool outlines) : cr_(cr), outlines_(outlines) {}
    void begin(const Rgb& colour) {
        colour_ = colour;
        cairo_new_path(cr_);
        if (!outlines_) set_colour(cr_, colour);
    }
    // Adds `text` with its baseline at (x, y) in the current font; returns its advance.
    double add(std::string_view raw, double x, double y, Anchor anchor) {
        if (raw.empty()) return 0;
        const std::string text = drawable_text(raw);  // the renderer's texts are drawable already; a Scene made elsewhere may not be
        // One UTF-8 -> glyph conversion for both the advance and the drawing.
        cairo_scaled_font_t* font = cairo_get_scaled_font(cr_);
        cairo_glyph_t* glyphs = nullptr;
        int count = 0;
        check(cairo_scaled_font_text_to_glyphs(font, 0, 0, text.data(), static_cast<int>(text.size()), &glyphs, &count, nullptr,
                                               nullptr, nullptr),
              "text");
        std::unique_ptr<cairo_glyph_t, void (*)(cairo_glyph_t*)> owned(glyphs, cairo_glyph_free);
        cairo_text_extents_t ext;
        cairo_scaled_font_glyph_extents(font, glyphs, count, &ext);
        const double dx = anchor == Anchor::middle ? -ext.x_advance / 2 : anchor == Anchor::end ? -ext.x_advance : 0;
        if (outlines_) {
            for (int i = 0; i < count; ++i) {
                glyphs[i].x += x + dx;
                glyphs[i].y += y;
            }
            cairo_glyph_path(cr_, glyphs, count);
        } else {  // real text: cairo maps it to the embedded font's glyphs with the UTF-8 attached (copy, search)
            cairo_move_to(cr_, x + dx, y);
            cairo_show_text(cr_, text.c_str());
        }
        return ext.x_advance;
    }
    void end() {
        if (!outlines_) return;
        set_colour(cr_, colour_);
        cairo_fill(cr_);
    }

private:
    cairo_t* cr_;
    bool outlines_;
    Rgb colour_;
};

void set_font(cairo_t* cr, const Style& st, bool bold, double size) {
    const Fonts& f = fonts(st.font_family);
    cairo_set_font_face(cr, bold ? f.bold : f.regular);
    cairo_set_font_size(cr, size);
}

void hex_path(cairo_t* cr, double cx, double cy, double r) {
    const double h = r * kSin60, half = r / 2;  // flat-topped: vertices at 0, 60, ..., 300 degrees
    cairo_move_to(cr, cx + r, cy);
    cairo_line_to(cr, cx + half, cy + h);
    cairo_line_to(cr, cx - half, cy + h);
    cairo_line_to(cr, cx - r, cy);
    cairo_line_to(cr, cx - half, cy - h);
    cairo_line_to(cr, cx + half, cy - h);
    cairo_close_path(cr);
}

void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r) {
    r = std::min({r, w / 2, h / 2});
    constexpr double pi = 3.14159265358979323846;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -pi / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, pi / 2);
    cairo_arc(cr, x + r, y + h - r, r, pi / 2, pi);
    cairo_arc(cr, x + r, y + r, r, pi, 3 * pi / 2);
    cairo_close_path(cr);
}

void validate_scene(const Scene& s) {
    if (!s.grid) throw_internal("raster: scene without grid");
    if (!s.fills || s.fills->colour.size() > kMaxFills) throw_internal("raster: scene without fills");
    const std::size_t n = s.data.status.size();
    if (s.grid->x.size() != n || s.grid->y.size() != n || s.data.fill.size() != n)
        throw_internal("raster: scene grid and data sizes differ");
    if (!(s.width > 0 && s.height > 0 && std::isfinite(s.width) && std::isfinite(s.height)))
        throw_input("scene has an empty canvas", ErrorLocation{{}, 0, "canvas", fmt::format("{}x{}", s.width, s.height)});
}

// Fills of the chosen layer; an input error for a layer the eyemap does not have.
std::vector<FillIndex> layer_fills(const Scene& s, int layer) {
    if (layer != 0 && !s.data.has_layers())
        throw_input(fmt::format("eyemap {} {} ({}) has no per-layer values", s.data.neuron_type, s.data.region, to_string(s.data.side)),
                    ErrorLocation{{}, 0, "layer", std::to_string(layer)});
    return fills_for_layer(s.data, layer);  // throws input for a layer out of range
}

// `raster`: the pixels are already the background colour; text as outlines.
void draw_background_and_titles(cairo_t* cr, const Scene& s, bool raster) {
    if (!raster) {
        set_colour(cr, rgb(s.style->background));
        cairo_rectangle(cr, 0, 0, s.width, s.height);
        cairo_fill(cr);
    }
    const bool outlines = raster;

    cairo_set_font_options(cr, fonts(s.style->font_family).options);
    TextBatch text(cr, outlines);
    std::array<double, 3> badge_x{};
    const Style& st = *s.style;
    text.begin(rgb(st.text));
    set_font(cr, st, false, st.title_size);
    for (std::size_t i = 0; i < s.titles.size(); ++i) {
        const TitleLine& t = s.titles[i];
        badge_x[i] = t.x + text.add(t.text, t.x, t.y, Anchor::start);
        if (!t.badge.empty()) badge_x[i] += text.add(" ", badge_x[i], t.y, Anchor::start);  // the SVG's space before the badge
    }
    text.end();
    text.begin(rgb(s.data.side == Side::L ? st.badge_left : st.badge_right));
    set_font(cr, st, true, st.title_size);
    for (std::size_t i = 0; i < s.titles.size(); ++i) text.add(s.titles[i].badge, badge_x[i], s.titles[i].y, Anchor::start);
    text.end();
}

// Adds the outline of every hexagon with palette index `p` to the path; false when there is none.
bool add_hexagons_of(cairo_t* cr, const Scene& s, const std::vector<FillIndex>& fills, FillIndex p) {
    const GridCoordinates& g = *s.grid;
    bool any = false;
    for (std::size_t c = 0; c < fills.size(); ++c)
        if (fills[c] == p) {
            hex_path(cr, g.x[c], g.y[c], s.hex_size);
            any = true;
        }
    return any;
}

// Draws the hexagons with `draw`, as one group painted at the style's opacity when it is below 1
// (hexagons do not overlap, so that is each hexagon at that opacity).
template <class Draw>
void with_hexagon_opacity(cairo_t* cr, const Style& st, Draw draw) {
    const bool faded = st.hex_opacity < 1;
    if (faded) cairo_push_group(cr);
    draw();
    if (faded) {
        cairo_pop_group_to_source(cr);
        cairo_paint_with_alpha(cr, st.hex_opacity);
    }
}

// Hexagons as paths (PDF, and rasters too large for stamps): one path per palette colour, then
// all outlines in one stroke. Hexagons do not overlap at spacing > 1, so this is the SVG's
// fill-then-stroke per hexagon; where they touch (spacing 1) each shared edge shows the whole .5
// line instead of the later hexagon's half of it on top of the earlier's.
// Style::hex_opacity: the hexagons are drawn opaque into a group that is then painted at that
// opacity (one transparency group in a PDF). Hexagons do not overlap, so this is the SVG's opacity
// per hexagon (fill and outline together).
void draw_hexagon_paths(cairo_t* cr, const Scene& s, const std::vector<FillIndex>& fills) {
    const GridCoordinates& g = *s.grid;
    const Style& st = *s.style;
    with_hexagon_opacity(cr, st, [&] {
        for (FillIndex p = 0; p < s.fills->colour.size(); ++p) {
            if (!add_hexagons_of(cr, s, fills, p)) continue;
            set_colour(cr, rgb(s.fills->colour[p]));
            cairo_fill(cr);
        }
        for (std::size_t c = 0; c < fills.size(); ++c) hex_path(cr, g.x[c], g.y[c], s.hex_size);
        set_colour(cr, rgb(st.hex_stroke));
        cairo_set_line_width(cr, st.hex_stroke_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
        cairo_stroke(cr);
    });
}

// PDF hexagons: per palette colour one path, filled and then stroked with the path kept, which
// cairo writes once with the fill-and-stroke operator (B) instead of twice (f, then S): half the
// path text to format and compress (measured with callgrind: the coordinates' printf and zlib
// were ~2/3 of a PDF). Where hexagons touch (spacing 1) a later colour's fill covers half of an
// earlier colour's outline, as the SVG's per-hexagon fill-then-stroke does.
void draw_hexagon_paths_pdf(cairo_t* cr, const Scene& s, const std::vector<FillIndex>& fills) {
    const Style& st = *s.style;
    with_hexagon_opacity(cr, st, [&] {
        cairo_set_line_width(cr, st.hex_stroke_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
        for (FillIndex p = 0; p < s.fills->colour.size(); ++p) {
            if (!add_hexagons_of(cr, s, fills, p)) continue;
            set_colour(cr, rgb(s.fills->colour[p]));
            cairo_fill_preserve(cr);
            set_colour(cr, rgb(st.hex_stroke));
            cairo_stroke(cr);
        }
    });
}

void draw_legend(cairo_t* cr, const Scene& s, int layer, bool raster) {
    const bool outlines = raster;
    cairo_set_font_options(cr, fonts(s.style->font_family).options);
    TextBatch text(cr, outlines);
    const Style& st = *s.style;
    const LegendBox& lg = s.legend;
    if (lg.shown) {
        const LegendScale& ls = layer == 0 ? lg.all : lg.layer;
        if (ls.gradient && ls.bins > 0) {  // the SVG's linearGradient: the same stops, bottom to top
            cairo_pattern_t* g = cairo_pattern_create_linear(0, lg.y + lg.bar_height, 0, lg.y);
            for (const GradientStop& st : s.fills->stops) {
                const Rgb c = rgb(s.fills->colour[st.fill]);
                cairo_pattern_add_color_stop_rgb(g, st.offset, c.r, c.g, c.b);
            }
            cairo_rectangle(cr, lg.x, lg.y, lg.bin_width, lg.bar_height);
            cairo_set_source(cr, g);
            cairo_fill(cr);
            cairo_pattern_destroy(g);
        }
        for (int b = ls.gradient ? ls.bins : 0; b < ls.bins; ++b) {  // opaque, as the SVG's legend boxes
            cairo_rectangle(cr, lg.x, lg.box_y(ls, b), lg.bin_width, lg.bin_height);
            set_colour(cr, rgb(s.fills->colour[ls.fill[static_cast<std::size_t>(b)]]));
            cairo_fill(cr);
        }
        text.begin(rgb(st.text));
        set_font(cr, st, false, st.tick_size);
        for (std::size_t k = 0; k < ls.labels.size(); ++k)  // bottom to top
            text.add(ls.labels[k], lg.tick_x, lg.label_y(ls, static_cast<int>(k)), Anchor::end);
        cairo_save(cr);  // the path is not part of the saved state: the rotated title joins the batch
        cairo_translate(cr, lg.title_x, lg.title_y);
        cairo_rotate(cr, -3.14159265358979323846 / 2);
        set_font(cr, st, true, st.legend_title_size);
        text.add(lg.title, 0, 0, Anchor::middle);
        cairo_restore(cr);
        text.end();
    }
}

// The layer buttons' static look, the chosen layer highlighted.
void draw_buttons(cairo_t* cr, const Scene& s, int layer, bool raster) {
    if (s.buttons.empty()) return;
    cairo_set_font_options(cr, fonts(s.style->font_family).options);
    TextBatch text(cr, raster);
    const Style& st = *s.style;
    // Buttons do not overlap: one fill per colour and one stroke for all outlines.
    for (bool on : {false, true}) {
        for (const LayerButton& b : s.buttons)
            if ((b.layer == layer) == on) rounded_rect(cr, b.x, b.y, b.width, b.height, kButtonRadius);
        set_colour(cr, rgb(on ? st.button_on_fill : st.button_fill));
        cairo_fill(cr);
    }
    for (const LayerButton& b : s.buttons) rounded_rect(cr, b.x, b.y, b.width, b.height, kButtonRadius);
    cairo_set_line_width(cr, st.button_stroke_width);
    set_colour(cr, rgb(st.button_stroke));
    cairo_stroke(cr);
    text.begin(rgb(st.text));
    set_font(cr, st, false, st.button_size);
    for (const LayerButton& b : s.buttons) text.add(b.label, b.x + b.width / 2, b.y + b.height - kButtonBaseline, Anchor::middle);
    text.end();
}

void draw_legend_and_buttons(cairo_t* cr, const Scene& s, int layer, bool raster) {
    draw_legend(cr, s, layer, raster);
    draw_buttons(cr, s, layer, raster);
}

// Paints the current path (hexagons for dim and outline sets, discs for markers) as a set of `style`
// draws it: the grid's members and the legend's swatch alike.
void paint_mark_path(cairo_t* cr, MarkStyle style, const Rgb& colour, const MarkPen& pen, const Style& st) {
    set_colour(cr, colour);
    if (style == MarkStyle::marker) {
        cairo_fill_preserve(cr);
        set_colour(cr, rgb(st.text));
        cairo_set_line_width(cr, pen.dot_edge);
    } else {
        cairo_set_line_width(cr, style == MarkStyle::dim ? pen.dim_edge() : pen.outline);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    }
    cairo_stroke(cr);
}

// The scene's marks as the SVG draws them (append_marks): dims, then outlines, then markers, one
// path per set, over the hexagons.
void draw_marks(cairo_t* cr, const Scene& s) {
    if (s.marks.empty()) return;
    const GridCoordinates& g = *s.grid;
    const Style& st = *s.style;
    const MarkPen pen = mark_pen(s.hex_size, st.hex_stroke_width);
    const std::size_t n = g.x.size();
    constexpr double kTurn = 2 * 3.14159265358979323846;
    cairo_save(cr);
    cairo_new_path(cr);
    if (const std::vector<std::uint8_t> kept = dim_members(s.marks, n); !kept.empty()) {  // one cover (append_marks)
        for (std::size_t c = 0; c < n; ++c)
            if (!kept[c]) hex_path(cr, g.x[c], g.y[c], s.hex_size);
        const Rgb bg = rgb(st.background);
        cairo_set_source_rgba(cr, bg.r, bg.g, bg.b, MarkPen::kDimOpacity);
        cairo_fill(cr);
    }
    for (const MarkStyle kind : {MarkStyle::dim, MarkStyle::outline, MarkStyle::marker})
        for (const SceneMarkSet& m : s.marks) {
            if (m.style != kind) continue;
            for (const std::uint32_t c : m.columns) {
                if (c >= n) continue;
                if (kind != MarkStyle::marker) {
                    hex_path(cr, g.x[c], g.y[c], s.hex_size);
                } else {
                    cairo_new_sub_path(cr);
                    cairo_arc(cr, g.x[c], g.y[c], pen.dot, 0, kTurn);
                    cairo_close_path(cr);
                }
            }
            paint_mark_path(cr, kind, rgb(m.colour), pen, st);
        }
    cairo_restore(cr);
}

// The marks' legend as append_mark_legend writes it; `line`: hexagon lines at the legend's scale.
void draw_mark_legend(cairo_t* cr, std::span<const SceneMarkSet> sets, const MarkLegend& at, const Style& st, double line, bool raster) {
    if (!at.shown || sets.empty()) return;
    const MarkPen pen = mark_pen(at.swatch, line);
    constexpr double kTurn = 2 * 3.14159265358979323846;
    cairo_save(cr);
    for (std::size_t k = 0; k < sets.size(); ++k) {
        const SceneMarkSet& m = sets[k];
        const double cx = at.x + at.swatch, cy = at.row_centre(k);
        const Rgb colour = rgb(m.colour);
        hex_path(cr, cx, cy, at.swatch);
        set_colour(cr, rgb(st.palette.front()));
        cairo_fill_preserve(cr);
        set_colour(cr, rgb(st.hex_stroke));
        cairo_set_line_width(cr, line);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
        cairo_stroke(cr);
        if (m.style != MarkStyle::marker) {
            hex_path(cr, cx, cy, at.swatch);
        } else {
            cairo_new_sub_path(cr);
            cairo_arc(cr, cx, cy, pen.dot, 0, kTurn);
            cairo_close_path(cr);
        }
        paint_mark_path(cr, m.style, colour, pen, st);
    }
    cairo_restore(cr);
    cairo_set_font_options(cr, fonts(st.font_family).options);
    TextBatch text(cr, raster);
    text.begin(rgb(st.text));
    set_font(cr, st, false, at.font);
    for (std::size_t k = 0; k < sets.size(); ++k) text.add(sets[k].name, at.text_x(), at.row_centre(k) + 0.35 * at.font, Anchor::start);
    text.end();
}

// The whole picture with cairo paths, in the SVG's order: background, titles, hexagons, legend,
// buttons. `raster`: an image whose pixels are already the background; text as outlines.
void draw_scene(cairo_t* cr, const Scene& s, const std::vector<FillIndex>& fills, int layer, bool raster) {
    draw_background_and_titles(cr, s, raster);
    if (raster) draw_hexagon_paths(cr, s, fills);
    else draw_hexagon_paths_pdf(cr, s, fills);
    draw_marks(cr, s);
    draw_legend_and_buttons(cr, s, layer, raster);
    draw_mark_legend(cr, s.marks, s.mark_legend, *s.style, s.style->hex_stroke_width, raster);
}

// ---- Hexagon stamps for rasters -------------------------------------------------------------
// Every hexagon is the same shape, so its coverage is rendered once by cairo (fill and outline
// separately, as A8 masks) for each of kStampSteps x kStampSteps sub-pixel positions, and each
// hexagon is then composited from the masks of its centre's nearest sub-pixel position: fill
// colour over the canvas with the fill mask, outline colour over that with the outline mask,
// as drawing that hexagon with cairo would (pixman's OVER with its rounding), but without
// building, stroking and scan-converting 892 x 2 paths per image (measured: 6 ms -> 0.7 ms).
// Centres snap to 1/kStampSteps pixel (the SVG itself rounds them to 1/100). The masks are made
// once per (radius, line width) in device pixels and kept: ~2 ms, on the first image only.
constexpr int kStampSteps = 16;
// Coverage is rounded to 17 levels (what 4 x 4 supersampling gives, as in cairo's "fast" and
// poppler's antialiasing): at most 1/32 of the contrast off, invisible, and it makes the PNG
// 17-24 % smaller (fewer distinct edge colours), which lets the encoder use a fast level and
// stay under the field's file size.
constexpr int kCoverageLevels = 16;
constexpr int kLevelCount = kCoverageLevels + 1;
inline unsigned coverage_level(unsigned v) { return (v * kCoverageLevels + 127) / 255; }
// Masks of larger hexagons (radius above ~34 device pixels) are not kept: those are drawn as
// paths, whose cost is then small next to the pixels they cover.
constexpr std::size_t kMaxStampBytes = std::size_t(4) << 20;

struct HexStamps {
    int width = 0, height = 0;   // one mask
    int centre_x = 0, centre_y = 0;  // the hexagon centre in a mask at offset 0
    // Per pixel: fill level * kLevelCount + outline level (levels 0..kCoverageLevels),
    // [(oy * kStampSteps + ox) * width * height + y * width + x].
    std::vector<std::uint16_t> combo;
    static constexpr std::uint16_t kSolid = kCoverageLevels * kLevelCount;  // full fill, no outline
    // Per mask row: [begin, end) not empty, and within it [solid_begin, solid_end) of kSolid
    // pixels (copied rather than blended).
    struct Span {
        std::int16_t begin = 0, end = 0, solid_begin = 0, solid_end = 0;
    };
    std::vector<Span> spans;  // [(oy * kStampSteps + ox) * height + y]
};

std::shared_ptr<const HexStamps> make_stamps(double radius, double line) {
    auto st = std::make_shared<HexStamps>();
    const double ex = radius + line / 2 / kSin60, ey = radius * kSin60 + line / 2;  // miter tips, flat sides
    st->centre_x = static_cast<int>(std::ceil(ex)) + 1;
    st->centre_y = static_cast<int>(std::ceil(ey)) + 1;
    st->width = 2 * st->centre_x + 2;
    st->height = 2 * st->centre_y + 2;
    const std::size_t plane = static_cast<std::size_t>(st->width) * static_cast<std::size_t>(st->height);
    st->combo.resize(plane * kStampSteps * kStampSteps);
    // All positions as tiles of one atlas: one fill and one stroke for all of them.
    const int aw = st->width * kStampSteps, ah = st->height * kStampSteps;
    const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_A8, aw);
    std::vector<unsigned char> atlas(static_cast<std::size_t>(stride) * static_cast<std::size_t>(ah));
    SurfacePtr surface(cairo_image_surface_create_for_data(atlas.data(), CAIRO_FORMAT_A8, aw, ah, stride));
    check(cairo_surface_status(surface.get()), "stamp surface");
    CairoPtr cr(cairo_create(surface.get()));
    cairo_set_line_width(cr.get(), line);
    cairo_set_line_join(cr.get(), CAIRO_LINE_JOIN_MITER);
    for (int pass = 0; pass < 2; ++pass) {
        std::fill(atlas.begin(), atlas.end(), 0);
        cairo_surface_mark_dirty(surface.get());
        for (int oy = 0; oy < kStampSteps; ++oy)
            for (int ox = 0; ox < kStampSteps; ++ox)
                hex_path(cr.get(), ox * st->width + st->centre_x + double(ox) / kStampSteps,
                         oy * st->height + st->centre_y + double(oy) / kStampSteps, radius);
        if (pass == 0) cairo_fill(cr.get());
        else cairo_stroke(cr.get());
        cairo_surface_flush(surface.get());
        const unsigned weight = pass == 0 ? kLevelCount : 1;
        for (int oy = 0; oy < kStampSteps; ++oy)
            for (int ox = 0; ox < kStampSteps; ++ox) {
                std::uint16_t* out = st->combo.data() + static_cast<std::size_t>(oy * kStampSteps + ox) * plane;
                for (int y = 0; y < st->height; ++y) {
                    const unsigned char* in = atlas.data() + static_cast<std::size_t>(oy * st->height + y) * stride +
                                              static_cast<std::size_t>(ox * st->width);
                    for (int x = 0; x < st->width; ++x)
                        out[static_cast<std::size_t>(y) * st->width + x] += static_cast<std::uint16_t>(coverage_level(in[x]) * weight);
                }
            }
    }
    check(cairo_status(cr.get()), "stamps");
    st->spans.resize(static_cast<std::size_t>(kStampSteps * kStampSteps) * static_cast<std::size_t>(st->height));
    for (std::size_t m = 0; m < static_cast<std::size_t>(kStampSteps * kStampSteps); ++m)
        for (int y = 0; y < st->height; ++y) {
            const std::uint16_t* c = st->combo.data() + m * plane + static_cast<std::size_t>(y) * st->width;
            HexStamps::Span sp;
            int b = 0, e = st->width;
            while (b < e && c[b] == 0) ++b;
            while (e > b && c[e - 1] == 0) --e;
            int sb = b;
            while (sb < e && c[sb] != HexStamps::kSolid) ++sb;
            int se = sb;
            while (se < e && c[se] == HexStamps::kSolid) ++se;
            sp.begin = static_cast<std::int16_t>(b);
            sp.end = static_cast<std::int16_t>(e);
            sp.solid_begin = static_cast<std::int16_t>(sb);
            sp.solid_end = static_cast<std::int16_t>(se);
            st->spans[m * static_cast<std::size_t>(st->height) + static_cast<std::size_t>(y)] = sp;
        }
    return st;
}

// Stamps per (radius, line width) in device pixels, shared by all threads; a handful of sizes in
// practice, so the cache is small and cleared when full.
std::shared_ptr<const HexStamps> stamps_for(double radius, double line) {
    const double ex = radius + line / 2 / kSin60 + 3, ey = radius * kSin60 + line / 2 + 3;
    if (4 * ex * ey * kStampSteps * kStampSteps * sizeof(std::uint16_t) > double(kMaxStampBytes)) return nullptr;
    static std::mutex mutex;
    static std::map<std::pair<double, double>, std::shared_ptr<const HexStamps>> cache;
    {
        std::lock_guard lock(mutex);
        if (auto it = cache.find({radius, line}); it != cache.end()) return it->second;
    }
    auto st = make_stamps(radius, line);  // outside the lock: other sizes need not wait
    std::lock_guard lock(mutex);
    if (cache.size() >= 4) cache.clear();
    return cache.emplace(std::pair{radius, line}, std::move(st)).first->second;
}

// Fill colour through coverage f, then outline colour through k, the two at opacity a (the SVG's
// opacity on each hexagon: fill and outline composited together, then faded), over the canvas
// colour D: D (1 - a (1 - (1-f)(1-k))) + a (F f (1-k) + S k). Per (palette colour, f level,
// k level) the constant part and D's weight are tabulated, so a pixel costs one lookup and three
// multiply-adds.
struct Blend {
    std::array<std::uint16_t, 3> add;  // the F and S terms per channel (R, G, B), 0..255
    std::uint16_t keep;                // D's weight, 0..255
};
using BlendTable = std::array<Blend, kLevelCount * kLevelCount>;

inline std::uint32_t blend(std::uint32_t d, const Blend& b) {
    auto ch = [&](int shift, int i) {
        unsigned t = ((d >> shift) & 0xff) * b.keep + 0x80;
        t = b.add[static_cast<std::size_t>(i)] + ((t + (t >> 8)) >> 8);
        return std::min(t, 255u) << shift;
    };
    return 0xff000000u | ch(16, 0) | ch(8, 1) | ch(0, 2);
}

// What compositing a style's hexagons needs, computed once per style (colours) and kept: the blend
// tables per palette colour, and blend() over the background colour per (palette colour, combined
// level): most edge pixels land on the background, so they cost a lookup (the same values, one
// table read instead of the arithmetic; measured: ~1/3 fewer instructions for the stamping).
using OverBackground = std::array<std::uint32_t, kLevelCount * kLevelCount>;
struct PaintTables {
    std::vector<BlendTable> blend;  // per palette index (Scene::fills)
    std::vector<OverBackground> over_background;
    // A solid (fully covered, no outline) pixel over the background; when opaque, over anything.
    std::vector<std::uint32_t> colour;
    std::uint32_t background = 0;
    bool opaque = true;
};

std::shared_ptr<const PaintTables> make_paint_tables(const Style& style, const FillColours& fills) {
    auto t = std::make_shared<PaintTables>();
    const Rgb sc = rgb(style.hex_stroke);
    t->background = argb(style.background);
    const double a = style.hex_opacity;
    t->opaque = a >= 1;
    if (fills.colour.size() > kMaxFills) throw_internal("raster: more fills than bins");
    t->blend.resize(fills.colour.size());
    t->over_background.resize(fills.colour.size());
    t->colour.resize(fills.colour.size());
    for (std::size_t p = 0; p < fills.colour.size(); ++p) {
        const Rgb fc = rgb(fills.colour[p]);
        for (int fl = 0; fl < kLevelCount; ++fl)
            for (int kl = 0; kl < kLevelCount; ++kl) {
                const double f = double(fl) / kCoverageLevels, k = double(kl) / kCoverageLevels;
                auto add = [&](double fch, double sch) {
                    return static_cast<std::uint16_t>(std::lround(255 * a * (fch * f * (1 - k) + sch * k)));
                };
                t->blend[p][static_cast<std::size_t>(fl * kLevelCount + kl)] =
                    Blend{{add(fc.r, sc.r), add(fc.g, sc.g), add(fc.b, sc.b)},
                          static_cast<std::uint16_t>(std::lround(255 * (1 - a * (1 - (1 - f) * (1 - k)))))};
            }
        for (std::size_t i = 0; i < t->over_background[p].size(); ++i)
            t->over_background[p][i] = blend(t->background, t->blend[p][i]);
        t->colour[p] = t->opaque ? argb(fills.colour[p]) : t->over_background[p][HexStamps::kSolid];
    }
    return t;
}

// The tables of the last few styles and fills (a process normally draws with one).
std::shared_ptr<const PaintTables> paint_tables(const Style& style, const FillColours& fills) {
    struct Entry {
        Style style;
        FillColours fills;
        std::shared_ptr<const PaintTables> tables;
    };
    static std::mutex mutex;
    static std::vector<Entry> recent;
    {
        std::lock_guard lock(mutex);
        for (const auto& e : recent)
            if (e.fills == fills && e.style.hex_stroke == style.hex_stroke && e.style.background == style.background &&
                e.style.hex_opacity == style.hex_opacity)
                return e.tables;
    }
    auto t = make_paint_tables(style, fills);
    std::lock_guard lock(mutex);
    if (recent.size() >= 4) recent.erase(recent.begin());
    recent.push_back(Entry{style, fills, t});
    return t;
}

// Palette indices written while drawing (render_image), instead of a hash probe per pixel
// afterwards (limit_colours was ~40 % of a 1x PNG's drawing): the pixels cairo draws are indexed
// where they changed, the stamped ones as they are stamped, from per-(fill, coverage) entries found
// once per image. Antialiased shades take a palette colour within kMaxColourError levels when there
// is one (NearPalette), as limit_colours would move them; the solid colours are in the palette
// first, exactly. Pixels keep their drawn colours until the end (later drawing blends over what
// was drawn, not over a moved colour), then take their palette colours in one pass.
// `palette.full`: more than 256 colours were needed, the indices are incomplete.
constexpr int kMaxColourError = 4;
struct IndexedPixels {
    std::uint8_t* index = nullptr;  // parallel to the pixels
    detail::NearPalette palette{kMaxColourError};
    // [fill * kLevelCount^2 + level]: the index of that fill's colour at that coverage over the
    // background, -1 until needed; [fill]: its solid colour's.
    std::vector<std::int16_t> on_background, solid;
    std::uint8_t take(std::uint32_t px) noexcept { return static_cast<std::uint8_t>(std::max(palette.find_or_add(px), 0)); }
    // The same for a pixel whose colour is determined by `entry` (a table's), found once.
    std::uint8_t take(std::int16_t& entry, std::uint32_t px) noexcept {
        if (entry < 0) entry = static_cast<std::int16_t>(palette.find_or_add(px));
        return static_cast<std::uint8_t>(std::max<std::int16_t>(entry, 0));
    }
    // Indexes the pixels that differ from `before` (what they were when last indexed; `step` 0:
    // one colour for all), looking at blocks of 16 at once: most pixels did not change, and
    // comparing is cheaper than hashing.
    void index_changed(const std::uint32_t* px, std::size_t n, const std::uint32_t* before, std::size_t step) noexcept {
        constexpr std::size_t kBlock = 16;
        std::size_t i = 0;
        for (; i + kBlock <= n; i += kBlock) {
            if (same_block(px + i, before + i * step, step)) continue;
            for (std::size_t j = i; j < i + kBlock; ++j)
                if (px[j] != before[j * step]) index[j] = take(px[j]);
        }
        for (; i < n; ++i)
            if (px[i] != before[i * step]) index[i] = take(px[i]);
    }

private:
    // 16 pixels equal to 16 others (step 1) or to one colour (step 0).
    static bool same_block(const std::uint32_t* a, const std::uint32_t* b, std::size_t step) noexcept {
#if defined(__SSE2__)
        auto load = [](const std::uint32_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
        const __m128i one = _mm_set1_epi32(static_cast<int>(*b));
        auto other = [&](int k) { return step ? load(b + 4 * k) : one; };
        const __m128i d = _mm_or_si128(_mm_or_si128(_mm_xor_si128(load(a), other(0)), _mm_xor_si128(load(a + 4), other(1))),
                                       _mm_or_si128(_mm_xor_si128(load(a + 8), other(2)), _mm_xor_si128(load(a + 12), other(3))));
        return _mm_movemask_epi8(_mm_cmpeq_epi32(d, _mm_setzero_si128())) == 0xffff;
#else
        std::uint32_t diff = 0;
        for (std::size_t j = 0; j < 16; ++j) diff |= a[j] ^ b[j * step];
        return diff == 0;
#endif
    }
};

// kIndexed: also write the stamped pixels' palette indices into `indexed` (a separate instance, so
// that the plain one has no per-pixel test).
template <bool kIndexed>
void stamp_hexagons_as(std::uint32_t* pixels, int width, int height, const HexStamps& st, const Scene& s,
                       const std::vector<FillIndex>& fills, double scale, double dx, double dy, IndexedPixels* indexed) {
    const GridCoordinates& g = *s.grid;
    const auto paint = paint_tables(*s.style, *s.fills);
    const auto& tables = paint->blend;
    const auto& over_bg = paint->over_background;
    const std::uint32_t bg = paint->background;
    const auto& colour = paint->colour;
    const bool opaque = paint->opaque;
    const std::size_t plane = static_cast<std::size_t>(st.width) * static_cast<std::size_t>(st.height);
    constexpr std::size_t kLevels2 = static_cast<std::size_t>(kLevelCount * kLevelCount);
    if constexpr (kIndexed) {
        indexed->on_background.assign(colour.size() * kLevels2, -1);
        indexed->solid.assign(colour.size(), -1);
    }
    for (std::size_t c = 0; c < fills.size(); ++c) {
        const double x = g.x[c] * scale + dx, y = g.y[c] * scale + dy;
        int ix = static_cast<int>(std::floor(x)), iy = static_cast<int>(std::floor(y));
        int ox = static_cast<int>(std::lround((x - ix) * kStampSteps)), oy = static_cast<int>(std::lround((y - iy) * kStampSteps));
        if (ox == kStampSteps) ox = 0, ++ix;
        if (oy == kStampSteps) oy = 0, ++iy;
        const std::size_t m = static_cast<std::size_t>(oy * kStampSteps + ox);
        const std::uint16_t* cm = st.combo.data() + m * plane;
        const HexStamps::Span* spans = st.spans.data() + m * static_cast<std::size_t>(st.height);
        const BlendTable& table = tables[fills[c]];
        const OverBackground& on_bg = over_bg[fills[c]];
        const std::uint32_t fc = colour[fills[c]];
        std::int16_t* on_bg_index = kIndexed ? indexed->on_background.data() + fills[c] * kLevels2 : nullptr;
        const int x0 = ix - st.centre_x, y0 = iy - st.centre_y;
        const int tx_min = std::max(0, -x0), tx_max = std::min(st.width, width - x0);  // inside the canvas
        for (int ty = std::max(0, -y0); ty < st.height && y0 + ty < height; ++ty) {
            const HexStamps::Span& sp = spans[ty];
            std::uint32_t* row = pixels + static_cast<std::size_t>(y0 + ty) * static_cast<std::size_t>(width) + x0;
            const std::uint16_t* cr = cm + static_cast<std::size_t>(ty) * st.width;
            std::uint8_t* irow = kIndexed ? indexed->index + (row - pixels) : nullptr;
            auto edge = [&](int from, int to) {
                for (int tx = std::max(from, tx_min); tx < std::min(to, tx_max); ++tx) {
                    const unsigned level = cr[tx];
                    if (!level) continue;
                    if (row[tx] == bg) {
                        row[tx] = on_bg[level];
                        if constexpr (kIndexed) irow[tx] = indexed->take(on_bg_index[level], row[tx]);
                    } else {
                        row[tx] = blend(row[tx], table[level]);
                        if constexpr (kIndexed) irow[tx] = indexed->take(row[tx]);
                    }
                }
            };
            edge(sp.begin, sp.solid_begin);
            const int sb = std::max<int>(sp.solid_begin, tx_min), se = std::min<int>(sp.solid_end, tx_max);
            if (sb < se) {
                // Opaque: the fill colour over anything. Faded: the precomputed colour over the
                // background (the usual case, checked in one vectorised pass), blended over anything else.
                bool clean = opaque;
                if (!opaque) {
                    clean = true;
                    for (int tx = sb; tx < se; ++tx) clean &= row[tx] == bg;
                }
                if (clean) {
                    std::fill(row + sb, row + se, fc);
                    if constexpr (kIndexed) std::fill(irow + sb, irow + se, indexed->take(indexed->solid[fills[c]], fc));
                } else {
                    const Blend& solid = table[HexStamps::kSolid];
                    for (int tx = sb; tx < se; ++tx) {
                        row[tx] = row[tx] == bg ? fc : blend(row[tx], solid);
                        if constexpr (kIndexed) irow[tx] = indexed->take(row[tx]);
                    }
                }
            }
            edge(sp.solid_end, sp.end);
        }
    }
}

// `scale` device pixels per scene pixel, then moved by (dx, dy) device pixels (a figure's panel);
// `indexed`: also write the stamped pixels' palette indices.
void stamp_hexagons(std::uint32_t* pixels, int width, int height, const HexStamps& st, const Scene& s,
                    const std::vector<FillIndex>& fills, double scale, double dx = 0, double dy = 0, IndexedPixels* indexed = nullptr) {
    if (indexed) stamp_hexagons_as<true>(pixels, width, height, st, s, fills, scale, dx, dy, indexed);
    else stamp_hexagons_as<false>(pixels, width, height, st, s, fills, scale, dx, dy, nullptr);
}

using detail::append_to_string;

// ---- PDF hexagon layer written directly --------------------------------------------------------
// cairo 1.16 formats every path coordinate with snprintf("%.3f") and compresses the content with
// zlib's default level, and analyses every stroke exactly before writing it: for the 892 hexagons
// of an eyemap that was ~90 % of a PDF's time (callgrind: ~73 of 81 M instructions). So cairo
// draws the page with the hexagons' opacity group holding only a marker rectangle, and that
// group's content stream is then replaced by the operators cairo would have written for
// draw_hexagon_paths_pdf (per palette colour one path of its hexagons, filled and stroked with "B",
// the same vertices in cairo's 24.8 fixed point and its number format: pdftoppm draws the same
// pixels), formatted here and compressed with libdeflate; the stream's /Length object and the
// cross-reference table are updated to match. Everything else (text with its embedded font subset,
// legend, buttons, metadata) stays cairo's. When cairo's output is not laid out as expected
// (another cairo version), the PDF is drawn again wholly by cairo: the same picture either way.
// (A Form XObject per hexagon look, painted once per hexagon, was measured slower: cairo 1.16
// analyses each paint of a recording surface separately, with an O(n^2) region union.)
constexpr Rgb kMarker{0.25, 0.5, 0.75};  // written by cairo as "0.25 0.5 0.75 rg"
constexpr std::string_view kMarkerText = "0.25 0.5 0.75 rg";
// libdeflate level 5: per eyemap 19 M instructions and 35.7 KB (level 1: 14.5 M, 37.7 KB; cairo's
// zlib before: 81 M, 36.9 KB).
constexpr int kPdfDeflateLevel = 5;

// cairo keeps path coordinates in 24.8 fixed point: the same vertices as it would write.
double to_fixed(double v) { return std::nearbyint(v * 256) / 256; }

// `v` as cairo writes numbers (3 decimals for path coordinates, 6 for colours, rounded as printf),
// then a space.
void append_number(std::string& out, double v, int decimals) {
    append_decimal(out, v, decimals, Rounding::half_even);
    out.push_back(' ');
}

void append_colour(std::string& out, const Rgb& c, std::string_view op) {
    append_number(out, c.r, 6);
    append_number(out, c.g, 6);
    append_number(out, c.b, 6);
    out.append(op).push_back('\n');
}

// The hexagons' operators in the group's coordinates (cairo's: the page flips y outside the group),
// scaled by `scale` and moved by (dx, dy) (a figure's panel; the identity leaves every number as it was).
std::string hexagon_operators(const Scene& s, const std::vector<FillIndex>& fills, double scale = 1, double dx = 0, double dy = 0) {
    const GridCoordinates& g = *s.grid;
    const Style& st = *s.style;
    const double r = s.hex_size, h = r * kSin60, half = r / 2;
    std::string out;
    out.reserve(fills.size() * 110 + 256);
    out.append("q\n");
    append_colour(out, rgb(st.hex_stroke), "RG");
    append_number(out, st.hex_stroke_width * scale, 3);
    out.append("w\n0 J\n0 j\n10 M\n");
    for (FillIndex p = 0; p < s.fills->colour.size(); ++p) {
        if (std::find(fills.begin(), fills.end(), p) == fills.end()) continue;
        append_colour(out, rgb(s.fills->colour[p]), "rg");
        for (std::size_t c = 0; c < fills.size(); ++c) {
            if (fills[c] != p) continue;
            const double cx = g.x[c], cy = g.y[c];
            const std::array<std::pair<double, double>, 6> v{{{cx + r, cy}, {cx + half, cy + h}, {cx - half, cy + h},
                                                              {cx - r, cy}, {cx - half, cy - h}, {cx + half, cy - h}}};
            for (std::size_t k = 0; k < v.size(); ++k) {
                append_number(out, to_fixed(v[k].first * scale + dx), 3);
                append_number(out, to_fixed(v[k].second * scale + dy), 3);
                out.append(k == 0 ? "m " : "l ");
            }
            out.append("h\n");
        }
        out.append("B\n");
    }
    out.append("Q\n");
    return out;
}

// The hexagons' opacity group with only the marker in it (replaced by splice_hexagon_layers).
void draw_hexagon_placeholder_pdf(cairo_t* cr, const Scene& s) {
    cairo_push_group(cr);
    set_colour(cr, kMarker);
    cairo_rectangle(cr, 0, 0, std::min(1.0, s.width), std::min(1.0, s.height));
    cairo_fill(cr);
    cairo_pop_group_to_source(cr);
    if (s.style->hex_opacity < 1) cairo_paint_with_alpha(cr, s.style->hex_opacity);
    else cairo_paint(cr);
}

struct DeflateFree {
    void operator()(libdeflate_decompressor* d) const noexcept { libdeflate_free_decompressor(d); }
    void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

// Unsigned decimal at `pos` (after spaces); npos when there is none.
std::size_t parse_unsigned(const std::string& s, std::size_t& pos) {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    std::size_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
    if (ec != std::errc() || ptr == s.data() + pos) return std::string::npos;
    pos = static_cast<std::size_t>(ptr - s.data());
    return v;
}

// Replaces, in page order, each marker group's content stream of `pdf` with layers[i]; false
// (and `pdf` unchanged) when the file is not laid out as cairo 1.16 writes it.
bool splice_hexagon_layers(std::string& pdf, const std::vector<std::string>& layers) {
    struct Edit {
        std::size_t pos, len;
        std::string text;
    };
    std::vector<Edit> edits;
    std::unique_ptr<libdeflate_decompressor, DeflateFree> inflater(libdeflate_alloc_decompressor());
    std::unique_ptr<libdeflate_compressor, DeflateFree> deflater(libdeflate_alloc_compressor(kPdfDeflateLevel));
    if (!inflater || !deflater) throw std::bad_alloc();
    std::string inflated(4096, '\0');
    std::size_t page = 0;
    std::size_t next = 0;  // streams are searched for after the previous one's data only
    for (std::size_t at = pdf.find(">>\nstream\n"); at != std::string::npos; at = pdf.find(">>\nstream\n", next)) {
        const std::size_t data = at + 10;
        const std::size_t dict = pdf.rfind(" 0 obj\n", at);
        if (dict == std::string::npos) return false;
        const std::string_view head(pdf.data() + dict, at - dict);
        const std::size_t lref = head.find("/Length ");
        if (lref == std::string::npos) return false;
        std::size_t p = dict + lref + 8;
        const std::size_t length_obj = parse_unsigned(pdf, p);
        if (length_obj == std::string::npos || pdf.compare(p, 5, " 0 R\n") != 0) return false;
        // The length object follows the stream: "\nN 0 obj\n   LEN\nendobj".
        const std::string obj_head = fmt::format("\n{} 0 obj\n", length_obj);
        const std::size_t lobj = pdf.find(obj_head, data);
        if (lobj == std::string::npos) return false;
        std::size_t lpos = lobj + obj_head.size();
        while (lpos < pdf.size() && pdf[lpos] == ' ') ++lpos;
        const std::size_t lstart = lpos;
        const std::size_t length = parse_unsigned(pdf, lpos);
        if (length == std::string::npos || data + length > pdf.size() || pdf.compare(data + length, 10, "\nendstream") != 0) return false;
        next = data + length;
        if (head.find("/Subtype /Form") == std::string_view::npos || head.find("/FlateDecode") == std::string_view::npos || length > 1024)
            continue;
        std::size_t got = 0;
        if (libdeflate_zlib_decompress(inflater.get(), pdf.data() + data, length, inflated.data(), inflated.size(), &got) != LIBDEFLATE_SUCCESS)
            continue;
        if (std::string_view(inflated.data(), got).find(kMarkerText) == std::string_view::npos) continue;
        if (page >= layers.size()) return false;
        const std::string& text = layers[page++];
        std::string z(libdeflate_zlib_compress_bound(deflater.get(), text.size()), '\0');
        z.resize(libdeflate_zlib_compress(deflater.get(), text.data(), text.size(), z.data(), z.size()));
        if (z.empty()) return false;
        const std::size_t zsize = z.size();
        edits.push_back({data, length, std::move(z)});
        edits.push_back({lstart, lpos - lstart, std::to_string(zsize)});
    }
    if (page != layers.size()) return false;
    // The cross-reference table: "xref\n0 N\n" and N entries "oooooooooo ggggg n \n".
    const std::size_t sx = pdf.rfind("\nstartxref\n");
    if (sx == std::string::npos) return false;
    std::size_t sp = sx + 11;
    const std::size_t sx_start = sp;
    const std::size_t xref = parse_unsigned(pdf, sp);
    if (xref == std::string::npos || pdf.compare(xref, 7, "xref\n0 ") != 0) return false;
    std::size_t xp = xref + 7;
    const std::size_t count = parse_unsigned(pdf, xp);
    if (count == std::string::npos || pdf.compare(xp, 1, "\n") != 0 || xp + 1 + count * 20 > pdf.size()) return false;
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.pos < b.pos; });
    auto moved = [&](std::size_t off) {  // an offset outside every edit, after the edits
        long long d = 0;
        for (const Edit& e : edits)
            if (e.pos + e.len <= off) d += static_cast<long long>(e.text.size()) - static_cast<long long>(e.len);
        return static_cast<std::size_t>(static_cast<long long>(off) + d);
    };
    std::vector<Edit> table;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t e = xp + 1 + i * 20;
        if (pdf.compare(e + 10, 10, " 00000 n \n") != 0) continue;  // free entries and generations stay
        std::size_t q = e;
        const std::size_t off = parse_unsigned(pdf, q);
        if (off == std::string::npos || q != e + 10) return false;
        table.push_back({e, 10, fmt::format("{:010}", moved(off))});
    }
    table.push_back({sx_start, sp - sx_start, std::to_string(moved(xref))});
    for (Edit& e : table) edits.push_back(std::move(e));
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.pos < b.pos; });
    std::string out;
    out.reserve(pdf.size());
    std::size_t from = 0;
    for (const Edit& e : edits) {
        if (e.pos < from) return false;
        out.append(pdf, from, e.pos - from).append(e.text);
        from = e.pos + e.len;
    }
    out.append(pdf, from, std::string::npos);
    pdf = std::move(out);
    return true;
}

// A link annotation over each hexagon's bounding box (cairo tags: annotations beside the page's
// content, so the hexagons' spliced content stream is untouched), the scene drawn at `scale` and
// offset (dx, dy) on the page (a figure's panel; 1, 0, 0 for an eyemap's own page).
void add_column_link_rects(cairo_t* cr, const Scene& s, double scale = 1, double dx = 0, double dy = 0) {
    const GridCoordinates& g = *s.grid;
    const double r = s.hex_size * scale, ry = r * 0.8660254037844386;
    const std::string_view side = to_string(s.data.side);
    std::string url, attributes;
    for (std::size_t c = 0; c < s.data.status.size(); ++c) {
        url.clear();
        s.column_link->expand(url, LinkValues{s.data.neuron_type, s.data.region, side, g.hex1[c], g.hex2[c]});
        attributes = "uri='";
        for (const char ch : url) {
            // cairo 1.16 copies the URI into a PDF string unescaped: an unbalanced parenthesis would end
            // it, so both are percent-encoded (the same URL). Its attribute syntax escapes ' and \.
            if (ch == '(' || ch == ')') attributes += ch == '(' ? "%28" : "%29";
            else if (ch == '\'' || ch == '\\') attributes.push_back('\\'), attributes.push_back(ch);
            else attributes.push_back(ch);
        }
        fmt::format_to(std::back_inserter(attributes), "' rect=[{} {} {} {}]", dx + g.x[c] * scale - r, dy + g.y[c] * scale - ry, 2 * r, 2 * ry);
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes.c_str());
        cairo_tag_end(cr, CAIRO_TAG_LINK);
    }
}

// Links are structure elements to cairo: outside a structure element begun on their page, cairo
// 1.16 refers to struct elements it never writes (cross-reference entries pointing at other
// objects). Around the page's drawing, the structure makes cairo refuse its text; so the links
// alone are the page's "Document" element.
template <class Links>
void with_link_structure(cairo_t* cr, Links links) {
    cairo_tag_begin(cr, "Document", "");
    links();
    cairo_tag_end(cr, "Document");
}

void add_column_links(cairo_t* cr, const Scene& s) {
    with_link_structure(cr, [&] { add_column_link_rects(cr, s); });
}

std::string pdf_title(const Scene& s) {
    return fmt::format("{} {} ({}) {}", s.data.neuron_type, s.data.region, to_string(s.data.side), metric_label(s.data.metric));
}

// What an image may be: cairo's image surfaces stop at 32767 pixels a side; 2^26 pixels (256 MB of
// ARGB) bounds the memory one drawing takes. PDF readers refuse pages beyond 14400 pt (200 in) a
// side (the PDF implementation limit).
bool raster_fits(double w, double h) noexcept { return w >= 1 && h >= 1 && w <= 32767 && h <= 32767 && w * h <= double(1 << 26); }
constexpr double kMaxPdfPagePoints = 14400;

}  // namespace

std::pair<int, int> raster_size(const Scene& scene, double scale) {
    if (!(scale > 0) || !std::isfinite(scale))
        throw_input("scale must be a positive number", ErrorLocation{{}, 0, "scale", fmt::format("{}", scale)});
    const double w = std::ceil(scene.width * scale - 1e-9), h = std::ceil(scene.height * scale - 1e-9);
    if (!raster_fits(w, h))
        throw_input(fmt::format("image of {}x{} pixels is empty or too large (at most 32767 a side, 2^26 in all): the canvas is {}x{} at "
                                "scale {}; {}", w, h, scene.width, scene.height, scale,
                                scale > 1 ? "use a smaller --scale" : "the layout's columns span too wide a range of hex coordinates (use SVG)"),
                    scale > 1 ? ErrorLocation{{}, 0, "scale", fmt::format("{}", scale)}
                              : ErrorLocation{{}, 0, "canvas", fmt::format("{}x{}", scene.width, scene.height)});
    return {static_cast<int>(w), static_cast<int>(h)};
}

namespace {
// ---- The layer buttons, drawn once per look ---------------------------------------------------
// Every eyemap of a region draws the same buttons (positions, labels, the chosen layer) over the
// background: they are drawn once into a tile of the background colour and copied in afterwards
// (they were ~15 % of a 1x PNG's drawing). cairo draws a path the same at any whole-pixel offset,
// so the tile holds the pixels drawing into the image gives, as long as what lies under the
// buttons is the background: checked at every copy, else the buttons are drawn into the image.
struct ButtonTile {
    int x0 = 0, y0 = 0, width = 0, height = 0;  // device pixels
    std::vector<std::uint32_t> argb;
};

std::string button_tile_key(const Scene& s, int layer, double scale) {
    const Style& st = *s.style;
    std::string key = fmt::format("{}|{}|{}:{}|{}|{}|{}|{}|{}|{}|{}", scale, layer, st.font_family.size(), st.font_family, st.background,
                                  st.button_fill, st.button_on_fill, st.button_stroke, st.button_stroke_width, st.text, st.button_size);
    for (const LayerButton& b : s.buttons)
        fmt::format_to(std::back_inserter(key), "|{},{},{},{},{},{}:{}", b.x, b.y, b.width, b.height, b.layer, b.label.size(), b.label);
    return key;
}

// The tile of `s`'s buttons at `scale`, or null when it would not lie wholly inside a w x h image.
std::shared_ptr<const ButtonTile> button_tile(const Scene& s, int layer, double scale, int w, int h) {
    const Style& st = *s.style;
    std::string key = button_tile_key(s, layer, scale);
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const ButtonTile>, std::less<>> cache;
    std::shared_ptr<const ButtonTile> tile;
    {
        std::lock_guard lock(mutex);
        if (auto it = cache.find(key); it != cache.end()) tile = it->second;
    }
    if (!tile) {
        // Where the buttons' ink lies in device pixels, whatever the font, size and labels: measured
        // by drawing them once onto a recording surface (cairo's ink extents), and a pixel more for
        // antialiasing.
        SurfacePtr rec(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr));
        {
            CairoPtr cr(cairo_create(rec.get()));
            cairo_scale(cr.get(), scale, scale);
            draw_buttons(cr.get(), s, layer, true);
            check(cairo_status(cr.get()), "button extents");
        }
        double ix = 0, iy = 0, iw = 0, ih = 0;
        cairo_recording_surface_ink_extents(rec.get(), &ix, &iy, &iw, &ih);
        auto made = std::make_shared<ButtonTile>();
        made->x0 = static_cast<int>(std::clamp(std::floor(ix) - 2, -1e9, 1e9));
        made->y0 = static_cast<int>(std::clamp(std::floor(iy) - 2, -1e9, 1e9));
        const double x1 = std::ceil(ix + iw) + 2, y1 = std::ceil(iy + ih) + 2;
        if (iw > 0 && ih > 0 && x1 - made->x0 <= 32767 && y1 - made->y0 <= 32767) {
            made->width = static_cast<int>(x1 - made->x0);
            made->height = static_cast<int>(y1 - made->y0);
            made->argb.assign(static_cast<std::size_t>(made->width) * static_cast<std::size_t>(made->height), argb(st.background));
            SurfacePtr surface(cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(made->argb.data()), CAIRO_FORMAT_ARGB32,
                                                                   made->width, made->height, made->width * 4));
            check(cairo_surface_status(surface.get()), "button tile");
            CairoPtr cr(cairo_create(surface.get()));
            cairo_translate(cr.get(), -made->x0, -made->y0);
            cairo_scale(cr.get(), scale, scale);
            draw_buttons(cr.get(), s, layer, true);
            check(cairo_status(cr.get()), "button tile");
            cr.reset();
            cairo_surface_finish(surface.get());
        }  // else: width 0, never copied
        std::lock_guard lock(mutex);
        if (cache.size() >= 64) cache.clear();  // a handful of regions, layers and scales in practice
        tile = cache.emplace(std::move(key), std::move(made)).first->second;
    }
    // Usable only wholly inside the image (else the buttons are clipped there, which drawing does).
    if (tile->width == 0 || tile->x0 < 0 || tile->y0 < 0 || tile->x0 + tile->width > w || tile->y0 + tile->height > h) return nullptr;
    return tile;
}

// Copies the buttons' tile into the image; false (nothing done) when it cannot stand in for
// drawing them: no tile, or something other than the background under it.
bool copy_buttons(RasterImage& img, const Scene& s, int layer, double scale) {
    if (s.buttons.empty()) return true;
    const auto tile = button_tile(s, layer, scale, img.width, img.height);
    if (!tile) return false;
    const std::uint32_t bg = argb(s.style->background);
    const auto row = [&](int y) { return img.argb.data() + static_cast<std::size_t>(tile->y0 + y) * static_cast<std::size_t>(img.width) + tile->x0; };
    for (int y = 0; y < tile->height; ++y)
        if (!std::all_of(row(y), row(y) + tile->width, [bg](std::uint32_t p) { return p == bg; })) return false;
    for (int y = 0; y < tile->height; ++y)
        std::memcpy(row(y), tile->argb.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(tile->width),
                    static_cast<std::size_t>(tile->width) * sizeof(std::uint32_t));
    return true;
}

// The colours an eyemap draws solid (background first: index 0), so that shades near them do not
// take their place in the palette.
void seed_palette(detail::NearPalette& palette, const Scene& s, const std::bitset<kMaxFills>& drawn) {
    const Style& st = *s.style;
    palette.add_exact(argb(st.background));
    const auto paint = paint_tables(st, *s.fills);
    for (std::size_t p = 0; p < paint->colour.size(); ++p)
        if (drawn.test(p)) palette.add_exact(paint->colour[p]);
    for (const std::string* c : {&st.text, &st.hex_stroke, &st.badge_left, &st.badge_right, &st.button_fill, &st.button_on_fill, &st.button_stroke})
        palette.add_exact(argb(*c));
    for (const LegendScale* ls : {&s.legend.all, &s.legend.layer})
        if (s.legend.shown && !ls->gradient)
            for (int b = 0; b < ls->bins; ++b) palette.add_exact(argb(s.fills->colour[ls->fill[static_cast<std::size_t>(b)]]));
}
}  // namespace

RasterImage detail::render_image(const Scene& scene, const RasterOptions& options, bool button_tiles) {
    validate_scene(scene);
    const auto [w, h] = raster_size(scene, options.scale);
    const auto fills = layer_fills(scene, options.layer);
    RasterImage img;
    img.width = w;
    img.height = h;
    img.argb.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), argb(scene.style->background));  // every pixel, also a last partial one
    static_assert(sizeof(std::uint32_t) == 4);
    // cairo's ARGB32 is exactly a native-endian uint32 0xAARRGGBB per pixel, rows of width * 4 bytes.
    if (cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w) != w * 4) throw_internal("cairo: unexpected ARGB32 stride");
    SurfacePtr surface(cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(img.argb.data()), CAIRO_FORMAT_ARGB32,
                                                           w, h, w * 4));
    check(cairo_surface_status(surface.get()), "image surface");
    CairoPtr cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()), "context");
    cairo_scale(cr.get(), options.scale, options.scale);
    // A palette PNG is tried only when wanted and with at most kPaletteFills fills drawn (a continuous map's levels
    // and their antialiased shades never fit 256 colours within 4 levels, and the attempt was ~20 %
    // of such a PNG's time: bench_pipeline BM_Ratio_EyemapContinuousVsReds5); such images are
    // written RGB(A).
    std::bitset<kMaxFills> drawn;
    for (const FillIndex f : fills) drawn.set(f);
    const bool palette = options.png.palette_when_possible && drawn.count() <= kPaletteFills;
    const std::size_t n = img.argb.size();
    IndexedPixels indexed;
    bool index_kept = false;
    if (auto stamps = stamps_for(scene.hex_size * options.scale, scene.style->hex_stroke_width * options.scale)) {
        draw_background_and_titles(cr.get(), scene, true);
        cairo_surface_flush(surface.get());
        // Indices while drawing: the titles' pixels (all else is the background, index 0), the
        // stamped ones, then what cairo changes after the stamps (legend, buttons, marks), found
        // against a copy of the pixels.
        thread_local std::vector<std::uint32_t> stamped;
        if (palette) {
            img.index.assign(n, 0);
            indexed.index = img.index.data();
            const std::uint32_t bg = argb(scene.style->background);
            seed_palette(indexed.palette, scene, drawn);
            indexed.index_changed(img.argb.data(), n, &bg, 0);
        }
        stamp_hexagons(img.argb.data(), w, h, *stamps, scene, fills, options.scale, 0, 0, palette ? &indexed : nullptr);
        if (palette) stamped.assign(img.argb.begin(), img.argb.end());
        cairo_surface_mark_dirty(surface.get());
        draw_marks(cr.get(), scene);
        draw_legend(cr.get(), scene, options.layer, true);
        cairo_surface_flush(surface.get());
        const bool copied = button_tiles && copy_buttons(img, scene, options.layer, options.scale);
        cairo_surface_mark_dirty(surface.get());
        if (!copied) draw_buttons(cr.get(), scene, options.layer, true);
        draw_mark_legend(cr.get(), scene.marks, scene.mark_legend, *scene.style, scene.style->hex_stroke_width, true);
        cairo_surface_flush(surface.get());
        if (palette) {
            indexed.index_changed(img.argb.data(), n, stamped.data(), 1);
            index_kept = !indexed.palette.full;
            if (stamped.capacity() > (std::size_t(4) << 20)) std::vector<std::uint32_t>().swap(stamped);  // kept up to 16 MB per thread
        }
    } else {
        draw_scene(cr.get(), scene, fills, options.layer, true);
    }
    check(cairo_status(cr.get()), "drawing");
    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), "image surface");
    if (index_kept) {
        img.palette = indexed.palette.grid.colours;
        const std::uint32_t* colour = img.palette.data();
        const std::uint8_t* index = img.index.data();
        std::uint32_t* px = img.argb.data();
        for (std::size_t i = 0; i < n; ++i) px[i] = colour[index[i]];  // opaque: the background is, and all drawn over it
    } else if (palette) {
        // Hexagons drawn as paths, or more than 256 colours needed in drawing order: at most 256
        // colours, no pixel moved by more than 4 levels, the most frequent kept exactly (antialiased
        // edge and text colours merge with near ones), or RGB(A) when that does not fit either.
        img.index.clear();
        limit_colours(img, kMaxColourError);
    }
    return img;
}

RasterImage render_image(const Scene& scene, const RasterOptions& options) { return detail::render_image(scene, options, true); }

std::string render_pdf(const Scene& scene, const RasterOptions& options) { return render_pdf_pages(std::span(&scene, 1), options); }

namespace {

// A PDF drawn by `draw(surface, cr)`, its first page width x height points, `title` and the dataset
// (`provenance`, may be null) in its metadata.
template <class Draw>
std::string pdf_document(double width, double height, std::string_view title, const Provenance* provenance, Draw draw) {
    std::string out;
    SurfacePtr surface(cairo_pdf_surface_create_for_stream(append_to_string, &out, width, height));
    check(cairo_surface_status(surface.get()), "PDF surface");
    const std::string drawable_title = drawable_text(title);
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, drawable_title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "eyemap");
    // Deterministic output: cairo stamps /CreationDate with the current time unless told a
    // date; a date string it cannot parse (here: empty) clears it, so the document has no
    // creation date at all (optional in PDF; cairo 1.16 would also write a fixed date without
    // the "D:" prefix the PDF date syntax asks for). No /ModDate is written unless set. Every
    // other byte depends only on the scenes (font subset tags are hashes of the glyphs used).
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
    // The dataset, when named (a renderer's scenes share it): the document info's subject and keywords.
    if (const Provenance* p = provenance; p && !p->empty()) {
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_SUBJECT, drawable_text(p->sentence()).c_str());
        std::string keywords;
        for (const auto& [key, value] : {std::pair{"dataset", &p->label}, {"version", &p->version}, {"input", &p->input}})
            if (!value->empty()) keywords += fmt::format("{}{}={}", keywords.empty() ? "" : "; ", key, *value);
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_KEYWORDS, drawable_text(keywords).c_str());
    }
    CairoPtr cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()), "context");
    draw(surface.get(), cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), "PDF");
    return out;
}

// The PDF of `scenes` drawn by cairo; with `layers`, the hexagons are left to splice_hexagon_layers
// (each page's operators appended to *layers).
std::string cairo_pdf(std::span<const Scene> scenes, const std::vector<std::vector<FillIndex>>& fills, int layer,
                      std::vector<std::string>* layers) {
    const std::string title = scenes.size() == 1 ? pdf_title(scenes[0]) : fmt::format("{} eyemaps", scenes[0].data.neuron_type);
    return pdf_document(scenes[0].width, scenes[0].height, title, scenes[0].provenance.get(), [&](cairo_surface_t* surface, cairo_t* cr) {
        for (std::size_t i = 0; i < scenes.size(); ++i) {
            // The page size must be set before anything is drawn on the page.
            cairo_pdf_surface_set_size(surface, scenes[i].width, scenes[i].height);
            if (layers) {
                draw_background_and_titles(cr, scenes[i], false);
                draw_hexagon_placeholder_pdf(cr, scenes[i]);
                layers->push_back(hexagon_operators(scenes[i], fills[i]));
                draw_marks(cr, scenes[i]);
                draw_legend_and_buttons(cr, scenes[i], layer, false);
                draw_mark_legend(cr, scenes[i].marks, scenes[i].mark_legend, *scenes[i].style, scenes[i].style->hex_stroke_width, false);
            } else {
                draw_scene(cr, scenes[i], fills[i], layer, false);
            }
            if (scenes[i].column_link) add_column_links(cr, scenes[i]);
            cairo_show_page(cr);
            check(cairo_status(cr), "drawing");
        }
    });
}

}  // namespace

std::string render_pdf_pages(std::span<const Scene> scenes, const RasterOptions& options) {
    return detail::render_pdf_pages(scenes, options, true);
}

namespace detail {

std::string render_pdf_pages(std::span<const Scene> scenes, const RasterOptions& options, bool splice) {
    if (scenes.empty()) throw_input("no eyemaps for the PDF", ErrorLocation{});
    std::vector<std::vector<FillIndex>> fills;
    fills.reserve(scenes.size());
    for (const Scene& s : scenes) {
        validate_scene(s);
        if (s.width > kMaxPdfPagePoints || s.height > kMaxPdfPagePoints)
            throw_input(fmt::format("a PDF page is at most 14400 pt a side; this canvas is {}x{}: the layout's columns span too wide a "
                                    "range of hex coordinates (use SVG)", s.width, s.height),
                        ErrorLocation{{}, 0, "canvas", fmt::format("{}x{}", s.width, s.height)});
        fills.push_back(layer_fills(s, options.layer));
    }
    if (!splice) return cairo_pdf(scenes, fills, options.layer, nullptr);
    std::vector<std::string> layers;
    std::string out = cairo_pdf(scenes, fills, options.layer, &layers);
    if (!splice_hexagon_layers(out, layers)) out = cairo_pdf(scenes, fills, options.layer, nullptr);  // not cairo 1.16's layout
    return out;
}

bool splice_hexagon_layers(std::string& pdf, const std::vector<std::string>& layers) { return ::eyemap::splice_hexagon_layers(pdf, layers); }

}  // namespace detail

// ---- Figures: panels and legends drawn by the functions above, at each panel's offset and scale -----

namespace {

// Background (PDF, opaque figures) and labels; `raster`: the pixels are already the background.
void draw_figure_labels(cairo_t* cr, const FigureScene& fig, bool raster) {
    const Style& st = *fig.style;
    if (!raster && !fig.transparent) {
        set_colour(cr, rgb(st.background));
        cairo_rectangle(cr, 0, 0, fig.width, fig.height);
        cairo_fill(cr);
    }
    cairo_set_font_options(cr, fonts(st.font_family).options);
    TextBatch text(cr, raster);
    text.begin(rgb(st.text));
    set_font(cr, st, false, st.title_size);
    for (const FigureText& t : fig.labels) {
        if (!t.rotated) {
            text.add(t.text, t.x, t.y, Anchor::middle);
            continue;
        }
        cairo_save(cr);  // the path is not part of the saved state: the rotated label joins the batch
        cairo_translate(cr, t.x, t.y);
        cairo_rotate(cr, -3.14159265358979323846 / 2);
        text.add(t.text, 0, 0, Anchor::middle);
        cairo_restore(cr);
    }
    text.end();
}

// A panel's hexagons as paths, in its scene's coordinates scaled and moved onto the page.
template <class Draw>
void in_panel(cairo_t* cr, const FigurePanel& p, Draw draw) {
    cairo_save(cr);
    cairo_translate(cr, p.offset_x(), p.offset_y());
    cairo_scale(cr, p.scale, p.scale);
    draw();
    cairo_restore(cr);
}

// Lines in points there: the panels' (their style's width is in scene pixels, drawn scaled).
void draw_figure_mark_legend(cairo_t* cr, const FigureScene& fig, bool raster) {
    draw_mark_legend(cr, fig.mark_keys, fig.mark_legend, *fig.style, fig.style->hex_stroke_width * fig.panels.front().scale, raster);
}

void check_figure(const FigureScene& fig) {
    if (fig.panels.empty()) throw_internal("figure without panels");
    for (const FigurePanel& p : fig.panels) validate_scene(p.scene);
}

}  // namespace

bool font_family_available(const std::string& family) {
    // cairo's toy face resolves the family through fontconfig; the face it found names its family.
    std::unique_ptr<cairo_font_face_t, CairoDelete> face(
        cairo_toy_font_face_create(family.c_str(), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL));
    cairo_matrix_t m;
    cairo_matrix_init_identity(&m);
    std::unique_ptr<cairo_font_options_t, CairoDelete> options(cairo_font_options_create());
    cairo_scaled_font_t* font = cairo_scaled_font_create(face.get(), &m, &m, options.get());
    bool found = false;
    if (cairo_scaled_font_status(font) == CAIRO_STATUS_SUCCESS && cairo_scaled_font_get_type(font) == CAIRO_FONT_TYPE_FT) {
        if (FT_Face ft = cairo_ft_scaled_font_lock_face(font)) {
            if (ft->family_name) {
                const std::string_view have(ft->family_name);
                found = have.size() == family.size() &&
                        std::equal(have.begin(), have.end(), family.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); });
            }
            cairo_ft_scaled_font_unlock_face(font);
        }
    }
    cairo_scaled_font_destroy(font);
    return found;
}

RasterImage render_figure_image(const FigureScene& fig, double dpi) {
    check_figure(fig);
    const double s = dpi / 72;  // device pixels per point
    const double wd = std::ceil(fig.width * s - 1e-9), hd = std::ceil(fig.height * s - 1e-9);
    if (!raster_fits(wd, hd))
        throw_input(fmt::format("a figure of {}x{} pixels is too large (at most 32767 a side, 2^26 in all): use a lower dpi", wd, hd),
                    ErrorLocation{{}, 0, "dpi", fmt::format("{}", dpi)});
    const int w = static_cast<int>(wd), h = static_cast<int>(hd);
    RasterImage img;
    img.width = w;
    img.height = h;
    // cairo's ARGB32 is premultiplied: transparent is 0.
    img.argb.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), fig.transparent ? 0u : argb(fig.style->background));
    SurfacePtr surface(cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(img.argb.data()), CAIRO_FORMAT_ARGB32,
                                                           w, h, w * 4));
    check(cairo_surface_status(surface.get()), "image surface");
    CairoPtr cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()), "context");
    cairo_scale(cr.get(), s, s);
    draw_figure_labels(cr.get(), fig, true);
    std::bitset<kMaxFills> drawn;
    for (const FigurePanel& p : fig.panels) {
        const Scene& sc = p.scene;
        for (const FillIndex f : sc.data.fill) drawn.set(f);
        // Stamps blend over an opaque canvas; a transparent one gets cairo's paths.
        const double k = p.scale * s;
        if (auto stamps = fig.transparent ? nullptr : stamps_for(sc.hex_size * k, sc.style->hex_stroke_width * k)) {
            cairo_surface_flush(surface.get());
            stamp_hexagons(img.argb.data(), w, h, *stamps, sc, sc.data.fill, k, p.offset_x() * s, p.offset_y() * s);
            cairo_surface_mark_dirty(surface.get());
        } else {
            in_panel(cr.get(), p, [&] { draw_hexagon_paths(cr.get(), sc, sc.data.fill); });
        }
        in_panel(cr.get(), p, [&] { draw_marks(cr.get(), sc); });
    }
    for (const Scene& l : fig.legends) draw_legend_and_buttons(cr.get(), l, 0, true);
    draw_figure_mark_legend(cr.get(), fig, true);
    check(cairo_status(cr.get()), "drawing");
    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), "image surface");
    if (fig.transparent) {
        for (std::uint32_t& px : img.argb) {  // premultiplied -> straight alpha, as PNG stores it
            const std::uint32_t a = px >> 24;
            if (a == 0 || a == 255) continue;
            auto ch = [&](int shift) { return std::min(255u, (((px >> shift) & 0xffu) * 255 + a / 2) / a) << shift; };
            px = a << 24 | ch(16) | ch(8) | ch(0);
        }
    } else if (drawn.count() <= kPaletteFills) {
        limit_colours(img, 4);
    }
    return img;
}

std::string render_figure_pdf(const FigureScene& fig) {
    check_figure(fig);
    if (fig.width > kMaxPdfPagePoints || fig.height > kMaxPdfPagePoints)
        throw_input(fmt::format("a PDF page is at most 14400 pt a side; this figure is {}x{} pt: fewer rows", fig.width, fig.height),
                    ErrorLocation{{}, 0, "canvas", fmt::format("{}x{}", fig.width, fig.height)});
    // As a single eyemap's PDF: each panel's opacity group holds a marker, whose content stream is then
    // replaced by the panel's hexagon operators at its offset and scale (splice_hexagon_layers); when
    // cairo's file is not laid out as expected, every panel is drawn by cairo instead.
    std::vector<std::string> layers;
    const auto draw = [&](bool splice) {
        return pdf_document(fig.width, fig.height, fig.title, fig.panels[0].scene.provenance.get(), [&](cairo_surface_t*, cairo_t* cr) {
            draw_figure_labels(cr, fig, false);
            for (const FigurePanel& p : fig.panels) {
                if (splice) {
                    draw_hexagon_placeholder_pdf(cr, p.scene);
                    layers.push_back(hexagon_operators(p.scene, p.scene.data.fill, p.scale, p.offset_x(), p.offset_y()));
                } else {
                    in_panel(cr, p, [&] { draw_hexagon_paths_pdf(cr, p.scene, p.scene.data.fill); });
                }
                in_panel(cr, p, [&] { draw_marks(cr, p.scene); });
            }
            for (const Scene& l : fig.legends) draw_legend_and_buttons(cr, l, 0, false);
            draw_figure_mark_legend(cr, fig, false);
            if (fig.panels[0].scene.column_link)  // the renderer gives every panel the same link
                with_link_structure(cr, [&] {
                    for (const FigurePanel& p : fig.panels) add_column_link_rects(cr, p.scene, p.scale, p.offset_x(), p.offset_y());
                });
            cairo_show_page(cr);
            check(cairo_status(cr), "drawing");
        });
    };
    std::string out = draw(true);
    if (!splice_hexagon_layers(out, layers)) out = draw(false);  // not cairo 1.16's layout
    return out;
}

}  // namespace eyemap

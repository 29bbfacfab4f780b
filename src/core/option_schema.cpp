// The table of rendering options and Style fields, and the parsing, checking and hashing made from it.
#include "core/option_schema.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "core/links.hpp"
#include "core/read_file.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "ingest/csv.hpp"  // detail::edit_distance, closest_name
#include "process/colormap.hpp"

namespace eyemap {
namespace {

constexpr std::string_view kScaleChoices[] = {"linear", "percentile", "stddev", "log", "fixed"};
constexpr std::string_view kScopeChoices[] = {"pooled", "region"};

FieldValue number_or_none(bool present, double v) { return present ? FieldValue(v) : FieldValue(); }

// GCC 12 warns about members a designated initializer leaves to their defaults, which is the point
// of the table below (each entry names only what it sets).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// Geometry: numbers that enter the settings hash, the coordinate cache's key, and (through the
// canvas and hexagon size) the metadata cache's key.
#define EYEMAP_GEOMETRY(NAME, FLAG, DEF, RANGE, LO, HI, HELP)                                                          \
    FieldSpec {                                                                                                        \
        .name = #NAME, .flag = FLAG, .type = FieldType::number, .default_text = DEF, .range_text = RANGE, .min = LO,     \
        .max = HI, .cache_keys = kCoordinatesKey | kMetadataKey, .help = HELP,                                                         \
        .get = [](const RenderOptions& o) { return FieldValue(o.geometry.NAME); },                                     \
        .set = [](OptionInput& in, FieldValue&& v) { in.options.geometry.NAME = std::get<double>(v); },                \
        .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(o.geometry.NAME); },                 \
    }

// A text option that is empty unless given (links and provenance), checked in check().
#define EYEMAP_TEXT(NAME, FLAG, RANGE, KEYS, HELP)                                                                      \
    FieldSpec {                                                                                                        \
        .name = #NAME, .flag = FLAG, .type = FieldType::string, .range_text = RANGE, .cache_keys = KEYS, .help = HELP,  \
        .get = [](const RenderOptions& o) { return FieldValue(o.NAME); },                                              \
        .set = [](OptionInput& in, FieldValue&& v) { in.options.NAME = std::get<std::string>(std::move(v)); },         \
        .settings_hash = [](const RenderOptions& o, std::uint64_t) {                                                   \
            return o.NAME.empty() ? SettingsHashPart() : SettingsHashPart(std::string_view(o.NAME));                   \
        },                                                                                                             \
    }

const FieldSpec kOptions[] = {
    EYEMAP_GEOMETRY(hex_size, "--hex-size", "6", "1..50", 1, 50, "Hexagon radius in pixels"),
    EYEMAP_GEOMETRY(spacing, "--spacing", "1.1", "1.0..3.0", 1, 3, "Centre spacing factor"),
    EYEMAP_GEOMETRY(margin, "--margin", "10", "0..500", 0, 500, "Margin around the drawing in pixels"),
    EYEMAP_GEOMETRY(min_width, "--min-width", "380", "0..20000", 0, 20000, "Minimum canvas width of a region in pixels"),
    EYEMAP_GEOMETRY(min_height, "--min-height", "410", "0..20000", 0, 20000, "Minimum canvas height of a region in pixels"),
    {.name = "color_scale", .flag = "--color-scale", .type = FieldType::choice, .default_text = "linear",
     .choices = kScaleChoices, .cache_keys = kColoursKey | kMetadataKey,  // the SVG's <desc> names the method
     .help = "Colour scale: linear (min..max), percentile, stddev (mean +-0.5/1.5 sd, clamped), log (geometric from the "
             "smallest value > 0), or fixed (with --color-min/--color-max)",
     .get = [](const RenderOptions& o) { return FieldValue(std::string(to_string(o.scale.method))); },
     .set = [](OptionInput& in, FieldValue&& v) { in.color_scale = std::get<std::string>(v); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(std::uint64_t(o.scale.method)); }},
    {.name = "color_scope", .flag = "--color-scope", .type = FieldType::choice, .default_text = "pooled",
     .choices = kScopeChoices, .cache_keys = kMetadataKey,  // the SVG's <desc> names the scope
     .help = "Values the colour scale is computed from: pooled (all regions and sides of the type) or region",
     .get = [](const RenderOptions& o) { return FieldValue(std::string(to_string(o.scale.scope))); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.scale.scope = *parse_scale_scope(std::get<std::string>(v)); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(std::uint64_t(o.scale.scope)); }},
    {.name = "color_min", .flag = "--color-min", .type = FieldType::number, .range_text = "a finite number",
     .min = -HUGE_VAL, .max = HUGE_VAL, .nullable = true, .cache_keys = kColoursKey | kMetadataKey,  // implies "fixed"
     .help = "Fixed colour scale minimum (implies --color-scale fixed; shares one scale across eyemaps)",
     .get = [](const RenderOptions& o) { return number_or_none(o.scale.method == ScaleMethod::fixed, o.scale.min); },
     .set = [](OptionInput& in, FieldValue&& v) {
         in.color_min = v.index() == 0 ? std::nullopt : std::optional<double>(std::get<double>(v));
     },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(o.scale.min); }},
    {.name = "color_max", .flag = "--color-max", .type = FieldType::number, .range_text = "a finite number",
     .min = -HUGE_VAL, .max = HUGE_VAL, .nullable = true, .cache_keys = kColoursKey | kMetadataKey,  // implies "fixed"
     .help = "Fixed colour scale maximum (implies --color-scale fixed)",
     .get = [](const RenderOptions& o) { return number_or_none(o.scale.method == ScaleMethod::fixed, o.scale.max); },
     .set = [](OptionInput& in, FieldValue&& v) {
         in.color_max = v.index() == 0 ? std::nullopt : std::optional<double>(std::get<double>(v));
     },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(o.scale.max); }},
    // colormap and bins came after the settings hash was fixed: they add to it only when they differ
    // from their defaults, so the default settings (and every run made before them) keep their hash.
    {.name = "colormap", .flag = "--colormap", .type = FieldType::string, .default_text = "reds",
     .range_text = "a colour map's name or colours '#rrggbb,#rrggbb,...'", .cache_keys = kMetadataKey,  // the script's colours
     .help = "Colour map of the bins: reds (the field's), viridis, cividis, magma, inferno, plasma, greys, rdbu, puor (any "
             "case), or colours '#rrggbb,#rrggbb,...' (2 or more, spread evenly from the lowest bin to the highest)",
     .get = [](const RenderOptions& o) { return FieldValue(o.colormap); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.colormap = std::get<std::string>(std::move(v)); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         return o.colormap == "reds" ? SettingsHashPart() : SettingsHashPart(std::string_view(o.colormap));
     }},
    {.name = "bins", .flag = "--bins", .type = FieldType::integer, .default_text = "5", .range_text = "2..12",
     .min = detail::kMinBins, .max = detail::kMaxBins, .cache_keys = kColoursKey | kMetadataKey,  // the legend, the script's colours
     .help = "Number of colour bins: the scale's edges split it into this many intervals, each drawn in one colour of the map",
     .get = [](const RenderOptions& o) { return FieldValue(std::int64_t{o.scale.bins}); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.scale.bins = static_cast<int>(std::get<std::int64_t>(v)); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         return o.scale.bins == 5 ? SettingsHashPart() : SettingsHashPart(std::int64_t{o.scale.bins});
     }},
    {.name = "clip_quantile", .flag = "--clip-quantile", .type = FieldType::number, .default_text = "1", .range_text = "0.5..1",
     .min = 0.5, .max = 1, .cache_keys = kColoursKey,  // the scale (the legend is drawn per eyemap, not in the frame)
     .help = "Robust maximum: the scale ends at this quantile of the values (e.g. 0.98); values above it are drawn in the last "
             "colour and the legend's top label reads \"≥ x\"; 1 = the largest value",
     .get = [](const RenderOptions& o) { return FieldValue(o.scale.clip_quantile); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.scale.clip_quantile = std::get<double>(v); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         return o.scale.clip_quantile == 1 ? SettingsHashPart() : SettingsHashPart(o.scale.clip_quantile);
     }},
    {.name = "continuous", .flag = "--continuous", .type = FieldType::boolean, .default_text = "false",
     .cache_keys = kColoursKey | kMetadataKey,  // the scale; the script's colours and the <desc>
     .help = "Continuous colours instead of bins: each value takes one of the map's 256 colours by where it lies between the "
             "scale's limits (log: in log space; percentile: by its percentile rank; stddev: mean -/+ 2 sd, clamped); the "
             "legend is a gradient bar with round-number ticks",
     .get = [](const RenderOptions& o) { return FieldValue(o.scale.continuous); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.scale.continuous = std::get<bool>(v); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         return o.scale.continuous ? SettingsHashPart(std::uint64_t{1}) : SettingsHashPart();
     }},
    {.name = "centre", .flag = "--centre", .type = FieldType::number, .range_text = "a finite number", .min = -HUGE_VAL,
     .max = HUGE_VAL, .nullable = true, .cache_keys = kColoursKey,
     .help = "The value at a diverging map's middle colour: linear limits are symmetric about it, and with a fixed scale one of "
             "--color-min/--color-max is mirrored about it (default: 0 with rdbu and puor, none with other maps; given, it "
             "centres any map). Linear and fixed scales only",
     .get = [](const RenderOptions& o) { return o.scale.centre ? FieldValue(*o.scale.centre) : FieldValue(); },
     .set = [](OptionInput& in, FieldValue&& v) {
         in.options.scale.centre = v.index() == 0 ? std::nullopt : std::optional<double>(std::get<double>(v));
     },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         return o.scale.centre ? SettingsHashPart(*o.scale.centre) : SettingsHashPart();
     }},
    // Added after the settings hash was fixed: only a run that sets looks adds them.
    {.name = "metric_looks", .flag = "--metric-look", .type = FieldType::metric_looks, .range_text = "items NAME:KEY=VALUE", .nullable = true,
     .cache_keys = kColoursKey | kMetadataKey,
     .help = "A metric's own colour map and scale, items NAME:KEY=VALUE (KEY: colormap, bins, continuous, centre, color_scale, "
             "color_min, color_max, color_scope, clip_quantile), e.g. diff:colormap=rdbu diff:color_min=-3 diff:color_max=3; the CLI's repeatable --metric-look",
     .get = [](const RenderOptions& o) { return o.metric_looks.empty() ? FieldValue() : FieldValue(o.metric_looks); },
     .set = [](OptionInput& in, FieldValue&& v) {
         in.options.metric_looks = v.index() == 0 ? std::vector<std::string>{} : std::get<std::vector<std::string>>(std::move(v));
     },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) {
         if (o.metric_looks.empty()) return SettingsHashPart();
         HashBuilder h;
         for (const auto& item : o.metric_looks) h.add(std::string_view(item));
         return SettingsHashPart(h.digest());
     }},
    {.name = "style", .type = FieldType::style, .nullable = true, .cache_keys = kMetadataKey,
     // Its settings-hash part: every Style field (hash_settings, hash_style).
     .help = "Style settings (the look): palette, colours, font, sizes; the CLI's --style KEY=VALUE and --style-file FILE"},
    {.name = "templates", .flag = "--templates", .type = FieldType::path, .nullable = true, .cache_keys = kMetadataKey,
     .help = "Folder with SVG template overrides (see templates/README.md)",
     .get = [](const RenderOptions& o) { return o.templates.empty() ? FieldValue() : FieldValue(o.templates.string()); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.templates = v.index() == 0 ? std::string() : std::get<std::string>(v); },
     // The content, not the folder's name: a changed template changes the hash, a moved folder does not.
     .settings_hash = [](const RenderOptions&, std::uint64_t templates) { return SettingsHashPart(templates); }},
    {.name = "static", .flag = "--static", .type = FieldType::boolean, .default_text = "false", .cache_keys = kMetadataKey,
     .help = "SVG without script, tooltip and buttons' behaviour (a plain picture)",
     .get = [](const RenderOptions& o) { return FieldValue(!o.interactive); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.interactive = !std::get<bool>(v); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(std::uint64_t{o.interactive}); }},
    {.name = "layer", .flag = "--layer", .type = FieldType::integer, .default_text = "0", .range_text = "0..1000",
     .min = 0, .max = kMaxLayer, .help = "PNG/PDF: layer to show, 0 = all layers, N = the region's layer N",
     .get = [](const RenderOptions& o) { return FieldValue(std::int64_t{o.layer}); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.layer = static_cast<int>(std::get<std::int64_t>(v)); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(std::int64_t{o.layer}); }},
    {.name = "png_scale", .flag = "--scale", .type = FieldType::number, .default_text = "1", .range_text = "> 0, up to 64",
     .min = 0, .max = 64, .min_excluded = true, .help = "PNG pixels per canvas pixel (2 for high-DPI screens)",
     .get = [](const RenderOptions& o) { return FieldValue(o.png_scale); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.png_scale = std::get<double>(v); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(o.png_scale); }},
    {.name = "svg_id", .flag = "--id", .type = FieldType::string, .range_text = "[A-Za-z][A-Za-z0-9_-]*",
     .help = "SVG id prefix (default: derived from type/region/side/metric)",
     .get = [](const RenderOptions& o) { return FieldValue(o.svg_id); },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.svg_id = std::get<std::string>(std::move(v)); },
     .settings_hash = [](const RenderOptions& o, std::uint64_t) { return SettingsHashPart(std::string_view(o.svg_id)); }},
    // Links and provenance, added after the settings hash was fixed: each adds to it only when given.
    EYEMAP_TEXT(column_link, "--column-link", "an http(s) URL with {type} {region} {side} {hex1} {hex2} {roi}", kMetadataKey,
                "Makes every hexagon a link (SVG, pages, PDF): an http or https URL template with {type}, {region}, {side}, "
                "{hex1}, {hex2} ({hex1:02}: zero-padded to 2 digits) and {roi} (neuPrint's column ROI, e.g. ME_R_col_12_07); "
                "values are URL-escaped, e.g. 'https://neuprint.janelia.org/?dataset=optic-lobe&roi={roi}'"),
    EYEMAP_TEXT(type_link, "--type-link", "an http(s) URL with {type}", kNoCacheKey,
                "A link on each type's page and index row: an http or https URL template with {type} (URL-escaped)"),
    EYEMAP_TEXT(dataset_label, "--dataset-label", "one line of text", kMetadataKey,
                "The dataset's name, shown with its version and the input's digest in page footers, the run report, the "
                "SVG's <metadata> and the PDF's document info"),
    EYEMAP_TEXT(dataset_version, "--dataset-version", "one line of text", kMetadataKey, "The dataset's version (see --dataset-label)"),
    // No flag: the CLI sets it to the data file's digest when a dataset label or version is given.
    EYEMAP_TEXT(input_digest, "", "letters, digits and . _ : - +", kMetadataKey,
                "The input's identity shown with the dataset label (the CLI: the data file's digest, as the run manifest "
                "records it)"),
    // Caches change speed, never bytes: not in the settings hash.
    {.name = "caches", .flag = "--no-cache", .type = FieldType::caches, .default_text = "true",
     .help = "Switch the coordinate, colour and metadata caches off (same output, slower; for measuring them)",
     .get = [](const RenderOptions& o) {
         const auto& c = o.caches;
         return FieldValue(c.coordinates.enabled && c.colours.enabled && c.metadata.enabled);
     },
     .set = [](OptionInput& in, FieldValue&& v) { in.options.caches.set_enabled(std::get<bool>(v)); }},
};
#undef EYEMAP_GEOMETRY
#undef EYEMAP_TEXT

#define EYEMAP_COLOUR(NAME, DEF, HELP) \
    FieldSpec { .name = #NAME, .type = FieldType::colour, .default_text = DEF, .range_text = "#rrggbb", .cache_keys = kMetadataKey, .help = HELP, .member = &Style::NAME }
#define EYEMAP_SIZE(NAME, DEF, RANGE, LO, HI, HELP)                                                                    \
    FieldSpec {                                                                                                        \
        .name = #NAME, .type = FieldType::number, .default_text = DEF, .range_text = RANGE, .min = LO, .max = HI,      \
        .cache_keys = kMetadataKey, .help = HELP, .member = &Style::NAME                                                \
    }

const FieldSpec kStyle[] = {
    {.name = "palette", .type = FieldType::palette,
     .default_text = "#ffffff,#fee5d9,#fcbba1,#fc9272,#ef6548,#a50f15,#999999", .range_text = "7 colours #rrggbb",
     .cache_keys = kMetadataKey, .help = "Fills: no data, the bins 1..5 light to dark, not in region",
     .member = &Style::palette},
    EYEMAP_COLOUR(background, "#f4f4f4", "Canvas background"),
    EYEMAP_COLOUR(text, "#222222", "Titles, ticks and labels"),
    EYEMAP_COLOUR(badge_left, "#2ca02c", "The \"(L)\" after the titles"),
    EYEMAP_COLOUR(badge_right, "#d62728", "The \"(R)\" after the titles"),
    EYEMAP_COLOUR(hex_stroke, "#c8c8c8", "Hexagon outline"),
    EYEMAP_COLOUR(button_fill, "#eeeeee", "Layer button"),
    EYEMAP_COLOUR(button_on_fill, "#cccc00", "The layer button shown"),
    EYEMAP_COLOUR(button_stroke, "#888888", "Layer button outline"),
    EYEMAP_COLOUR(tooltip_fill, "#ffffff", "Tooltip background"),
    EYEMAP_COLOUR(tooltip_stroke, "#444444", "Tooltip outline"),
    {.name = "font_family", .type = FieldType::string, .default_text = "DejaVu Sans",
     .range_text = "1..64 letters, digits, spaces, '-' and '_'", .cache_keys = kMetadataKey,
     .help = "Font of every text (CSS and fontconfig)", .member = &Style::font_family},
    EYEMAP_SIZE(hex_stroke_width, "0.5", "0..10", 0, 10, "Hexagon outline width in pixels"),
    EYEMAP_SIZE(hex_opacity, "0.8", "0..1", 0, 1, "Hexagon opacity (fill and outline) over the background; not the legend"),
    EYEMAP_SIZE(button_stroke_width, "0.6", "0..10", 0, 10, "Layer button outline width in pixels"),
    EYEMAP_SIZE(title_size, "12", "1..100", 1, 100, "Title font size in pixels"),
    EYEMAP_SIZE(tick_size, "10", "1..100", 1, 100, "Legend tick font size in pixels"),
    EYEMAP_SIZE(legend_title_size, "9", "1..100", 1, 100, "Legend title font size in pixels"),
    EYEMAP_SIZE(button_size, "9", "1..100", 1, 100, "Layer button font size in pixels"),
    EYEMAP_SIZE(tooltip_size, "11", "1..100", 1, 100, "Tooltip font size in pixels"),
};
#undef EYEMAP_COLOUR
#undef EYEMAP_SIZE
#pragma GCC diagnostic pop

const FieldSpec* find(std::span<const FieldSpec> fields, std::string_view name) noexcept {
    for (const auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}


[[noreturn]] void bad(std::string what, std::string_view label, std::string value) {
    throw_input(std::move(what), ErrorLocation{{}, 0, std::string(label), std::move(value)});
}

// Type and range checks; numbers given as integers become doubles.
void check(const FieldSpec& f, FieldValue& v, std::string_view label) {
    if (v.index() == 0) {
        if (!f.nullable) bad("must not be None", label, "None");
        return;
    }
    const auto expect = [&](std::size_t index, const char* what) {
        if (v.index() != index) bad(fmt::format("expected {}", what), label, field_text(v));
    };
    switch (f.type) {
        case FieldType::number: {
            if (auto* i = std::get_if<std::int64_t>(&v)) v = static_cast<double>(*i);
            expect(3, "a number");
            const double d = std::get<double>(v);
            if (!std::isfinite(d)) bad(f.range_text.empty() ? "expected a finite number" : fmt::format("out of range ({})", f.range_text), label, field_text(v));
            if (!(f.min_excluded ? d > f.min : d >= f.min) || !(d <= f.max)) bad(fmt::format("out of range ({})", f.range_text), label, field_text(v));
            return;
        }
        case FieldType::integer: {
            expect(2, "an integer");
            const auto i = std::get<std::int64_t>(v);
            if (static_cast<double>(i) < f.min || static_cast<double>(i) > f.max) bad(fmt::format("out of range ({})", f.range_text), label, field_text(v));
            return;
        }
        case FieldType::boolean:
        case FieldType::caches: expect(1, "true or false"); return;
        case FieldType::palette: {
            expect(5, "7 colours: no data, bins 1..5, not in region");
            const auto& p = std::get<std::vector<std::string>>(v);
            if (p.size() != 7) bad("expected 7 colours: no data, bins 1..5, not in region", label, field_text(v));
            for (const auto& c : p)
                if (!is_colour(c)) bad("expected a colour as #rrggbb", label, c);
            return;
        }
        case FieldType::style: bad("expected the Style settings", label, field_text(v));
        case FieldType::metric_looks: {
            expect(5, "items NAME:KEY=VALUE");
            RenderOptions o;
            o.metric_looks = std::get<std::vector<std::string>>(v);
            resolve_metric_looks(o);  // each item's name, key and value (errors name the item)
            return;
        }
        default: break;
    }
    expect(4, "a string");
    const auto& s = std::get<std::string>(v);
    if (f.type == FieldType::colour && !is_colour(s)) bad("expected a colour as #rrggbb", label, s);
    if (f.type == FieldType::choice) {
        for (auto c : f.choices)
            if (c == s) return;
        std::string known, best;
        std::size_t best_d = 3;
        for (auto c : f.choices) {
            known += fmt::format("{}'{}'", known.empty() ? "" : ", ", c);
            if (const auto d = detail::edit_distance(s, c); d < best_d) best_d = d, best = c;
        }
        bad(fmt::format("expected one of {}{}", known, best.empty() ? "" : fmt::format("; did you mean '{}'?", best)), label, s);
    }
    if (f.name == "svg_id" && !s.empty() && !valid_svg_id(s)) bad("SVG id must match [A-Za-z][A-Za-z0-9_-]*", label, s);
    if (!s.empty() && (f.name == "column_link" || f.name == "type_link"))  // compiled to check it (core/links.hpp)
        LinkTemplate(s, f.name == "column_link" ? LinkTemplate::Kind::column : LinkTemplate::Kind::type, label);
    if (!s.empty() && (f.name == "dataset_label" || f.name == "dataset_version" || f.name == "input_digest"))
        check_provenance_text(s, label, f.name == "input_digest");
    // A map's name (did you mean, the known names) or a strict list of #rrggbb colours: nothing
    // else reaches the SVG's script and attributes (they get the bins' colours, written as #rrggbb).
    if (f.name == "colormap") detail::colormap_from_spec(s, label);
    if (f.name == "font_family") {
        // The family goes into CSS between quotes and to fontconfig: letters, digits, spaces, '-' and '_'.
        if (s.empty() || s.size() > 64) bad("expected a font family name of 1..64 characters", label, s);
        for (char c : s)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_'))
                bad("a font family may hold letters, digits, spaces, '-' and '_'", label, s);
    }
}

FieldValue style_value(const FieldSpec& f, const Style& s) {
    return std::visit(
        [&](auto m) -> FieldValue {
            if constexpr (std::is_same_v<decltype(m), std::monostate>) return {};
            else if constexpr (std::is_same_v<decltype(m), std::array<std::string, 7> Style::*>)
                return std::vector<std::string>((s.*m).begin(), (s.*m).end());
            else return s.*m;
        },
        f.member);
}

}  // namespace

bool is_colour(std::string_view c) noexcept {
    if (c.size() != 7 || c[0] != '#') return false;
    for (char ch : c.substr(1))
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return false;
    return true;
}

std::string_view to_string(FieldType t) noexcept {
    switch (t) {
        case FieldType::number: return "number";
        case FieldType::integer: return "int";
        case FieldType::boolean: return "bool";
        case FieldType::string: return "string";
        case FieldType::colour: return "colour";
        case FieldType::palette: return "palette";
        case FieldType::metric_looks: return "metric_looks";
        case FieldType::choice: return "choice";
        case FieldType::path: return "path";
        case FieldType::style: return "style";
        case FieldType::caches: return "caches";
    }
    return "?";
}

std::span<const FieldSpec> option_fields() noexcept { return kOptions; }
std::span<const FieldSpec> style_fields() noexcept { return kStyle; }
const FieldSpec* find_option(std::string_view name) noexcept { return find(kOptions, name); }
const FieldSpec* find_style_field(std::string_view name) noexcept { return find(kStyle, name); }

void unknown_field(std::span<const FieldSpec> fields, std::string_view what, std::string_view name, std::string_view label,
                   std::string_view value) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (const auto& f : fields)
        if (const auto d = detail::edit_distance(name, f.name); d < best_d) best_d = d, best = f.name;
    std::string known;
    if (best.empty())
        for (const auto& f : fields) known += fmt::format("{}{}", known.empty() ? "" : ", ", f.name);
    throw_input(best.empty() ? fmt::format("unknown {} '{}' (known: {})", what, name, known)
                             : fmt::format("unknown {} '{}'; did you mean '{}'?", what, name, best),
                ErrorLocation{{}, 0, std::string(label), std::string(value)});
}

FieldValue field_value(const FieldSpec& f, const RenderOptions& o) {
    if (f.member.index() != 0) return style_value(f, o.style);
    return f.get ? f.get(o) : FieldValue();
}

std::string field_text(const FieldValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return "None";
            else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::string>) return x;
            else if constexpr (std::is_same_v<T, std::vector<std::string>>) return fmt::format("{}", fmt::join(x, ","));
            else return fmt::format("{}", x);
        },
        v);
}

FieldValue parse_field_text(const FieldSpec& f, std::string_view text, std::string_view label) {
    if (label.empty()) label = f.name;
    if (text.empty() && f.nullable) return {};  // None
    // from_chars takes no '+'; the command line always has ("--color-min +5").
    const std::string_view digits = text.size() > 1 && text[0] == '+' && text[1] != '-' ? text.substr(1) : text;
    switch (f.type) {
        case FieldType::number: {
            double d = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
            if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) bad("expected a number", label, std::string(text));
            return d;
        }
        case FieldType::integer: {
            std::int64_t i = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
            if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) bad("expected an integer", label, std::string(text));
            return i;
        }
        case FieldType::boolean:
        case FieldType::caches:
            if (text == "true") return true;
            if (text == "false") return false;
            bad("expected true or false", label, std::string(text));
        case FieldType::palette: {
            std::vector<std::string> out;
            for (std::size_t pos = 0;;) {
                const auto comma = text.find(',', pos);
                out.emplace_back(text.substr(pos, comma - pos));
                if (comma == std::string_view::npos) break;
                pos = comma + 1;
            }
            return out;
        }
        case FieldType::style: bad("the Style settings are given one by one", label, std::string(text));
        case FieldType::metric_looks: return std::vector<std::string>{std::string(text)};  // one item
        default: return std::string(text);
    }
}

void set_field(const FieldSpec& f, OptionInput& in, FieldValue v, std::string_view label) {
    if (f.member.index() != 0) return set_style_field(f, in.options.style, std::move(v), label);
    check(f, v, label.empty() ? f.name : label);
    if (!f.set) bad("cannot be set here", label.empty() ? f.name : label, field_text(v));
    f.set(in, std::move(v));
}

void set_style_field(const FieldSpec& f, Style& s, FieldValue v, std::string_view label) {
    check(f, v, label.empty() ? f.name : label);
    std::visit(
        [&](auto m) {
            using M = decltype(m);
            if constexpr (std::is_same_v<M, std::string Style::*>) s.*m = std::get<std::string>(std::move(v));
            else if constexpr (std::is_same_v<M, double Style::*>) s.*m = std::get<double>(v);
            else if constexpr (std::is_same_v<M, std::array<std::string, 7> Style::*>) {
                auto& p = std::get<std::vector<std::string>>(v);
                std::move(p.begin(), p.end(), (s.*m).begin());
            }
        },
        f.member);
}

void apply_style_json(Style& s, std::string_view json_text, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        throw_input(fmt::format("not valid JSON: {}", e.what()), ErrorLocation{source, 0, {}, {}});
    }
    if (!j.is_object()) throw_input("expected a JSON object of style settings {\"key\": value}", ErrorLocation{source, 0, {}, {}});
    for (const auto& [key, value] : j.items()) {
        const FieldSpec* f = find_style_field(key);
        try {
            if (!f) unknown_field(kStyle, "style setting", key, key, value.dump());
            FieldValue v;
            if (value.is_boolean()) v = value.get<bool>();
            else if (value.is_number_integer()) v = value.get<std::int64_t>();
            else if (value.is_number()) v = value.get<double>();
            else if (value.is_string()) v = value.get<std::string>();
            else if (value.is_array()) {
                std::vector<std::string> list;
                for (const auto& x : value) list.push_back(x.is_string() ? x.get<std::string>() : x.dump());
                v = std::move(list);
            } else if (!value.is_null()) {
                bad("expected a number, a string or a list of colours", key, value.dump());
            }
            set_style_field(*f, s, std::move(v), key);
        } catch (const Error& e) {
            throw_input(e.reason(), ErrorLocation{source, 0, e.where().field, e.where().value});
        }
    }
}

RenderOptions finish_options(OptionInput in) {
    RenderOptions o = std::move(in.options);
    if (in.color_min || in.color_max || in.color_scale == "fixed") {
        const detail::Colormap* map = detail::find_colormap(o.colormap);
        const bool centred = o.scale.centre || (map && map->kind == detail::ColormapKind::diverging);
        if (centred && (in.color_min.has_value() != in.color_max.has_value())) {  // the other limit mirrored about the centre
            const detail::Limits l = detail::centred_limits(in.color_min, in.color_max, 0, 0, o.scale.centre.value_or(0));
            in.color_min = l.lo;
            in.color_max = l.hi;
        }
        if (!in.color_min || !in.color_max) {
            const char* given = in.color_min ? "color_min" : in.color_max ? "color_max" : "color_scale";
            const std::string value = in.color_min ? fmt::format("{}", *in.color_min) : in.color_max ? fmt::format("{}", *in.color_max) : "fixed";
            bad("a fixed colour scale needs both color_min and color_max (--color-min and --color-max)", given, value);
        }
        o.scale.method = ScaleMethod::fixed;
        o.scale.min = *in.color_min;
        o.scale.max = *in.color_max;
    } else {
        o.scale.method = parse_scale_method(in.color_scale).value_or(ScaleMethod::linear);
    }
    validate(o.scale);
    return o;
}

namespace {
constexpr std::string_view kLookKeys[] = {"colormap",  "bins",          "continuous", "centre",      "color_scale",
                                          "color_min", "color_max", "color_scope", "clip_quantile"};
}

std::vector<MetricLook> resolve_metric_looks(const RenderOptions& o) {
    struct Pending {
        std::string metric;
        OptionInput in;
    };
    std::vector<Pending> looks;
    for (const auto& item : o.metric_looks) {
        const auto colon = item.find(':'), eq = item.find('=', colon == std::string::npos ? 0 : colon);
        if (colon == std::string::npos || eq == std::string::npos)
            bad("expected NAME:KEY=VALUE, e.g. diff:colormap=rdbu", "metric_looks", item);
        const std::string typed = item.substr(0, colon), key = item.substr(colon + 1, eq - colon - 1), value = item.substr(eq + 1);
        std::string name;  // the metric's identifier: an old alias names its count
        try {
            name = metric_from_name(typed, "metric_looks").metric.name();
        } catch (const Error& e) {
            bad(fmt::format("'{}': {}", typed, e.reason()), "metric_looks", item);
        }
        if (std::find(std::begin(kLookKeys), std::end(kLookKeys), key) == std::end(kLookKeys)) {
            const std::string best = detail::closest_name(key, kLookKeys);
            bad(fmt::format("unknown key '{}' (keys: {}){}", key, fmt::join(kLookKeys, ", "),
                            best.empty() ? std::string() : fmt::format("; did you mean '{}'?", best)),
                "metric_looks", item);
        }
        auto it = std::find_if(looks.begin(), looks.end(), [&](const Pending& p) { return p.metric == name; });
        if (it == looks.end()) {
            Pending p{name, {}};
            p.in.options.colormap = o.colormap;
            p.in.options.scale = o.scale;
            p.in.color_scale = std::string(to_string(o.scale.method));
            if (o.scale.method == ScaleMethod::fixed) p.in.color_min = o.scale.min, p.in.color_max = o.scale.max;
            looks.push_back(std::move(p));
            it = looks.end() - 1;
        }
        const FieldSpec& f = *find_option(key);
        const std::string label = fmt::format("metric_looks {}:{}", name, key);
        set_field(f, it->in, parse_field_text(f, value, label), label);
        // A method other than fixed drops limits the run's fixed scale would pass on.
        if (key == "color_scale" && value != "fixed") it->in.color_min = it->in.color_max = std::nullopt;
    }
    std::vector<MetricLook> out;
    for (auto& p : looks) {
        RenderOptions r;
        try {
            r = finish_options(std::move(p.in));
        } catch (const Error& e) {
            bad(fmt::format("{}: {}", p.metric, e.reason()), "metric_looks", e.where().value);
        }
        out.push_back(MetricLook{p.metric, r.colormap, r.scale});
    }
    return out;
}

MetricLook look_of(const RenderOptions& o, std::span<const MetricLook> looks, std::string_view metric_name) {
    for (const auto& l : looks)
        if (l.metric == metric_name) return l;
    return MetricLook{std::string(metric_name), o.colormap, o.scale};
}

bool valid_svg_id(std::string_view id) noexcept {
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (id.empty() || !alpha(id[0])) return false;
    for (char c : id)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') return false;
    return true;
}

void validate(const RenderOptions& o) {
    for (const auto& f : kOptions) {
        if (f.type == FieldType::style || !f.get) continue;
        FieldValue v = field_value(f, o);
        check(f, v, f.name);
    }
    validate(o.scale);
    validate(o.style);
    validate(o.marks);
}

void validate(const Geometry& g) {
    RenderOptions o;
    o.geometry = g;
    for (const auto& f : kOptions)
        if (f.cache_keys & kCoordinatesKey) {
            FieldValue v = field_value(f, o);
            check(f, v, f.name);
        }
}

void validate(const ScaleOptions& s) {
    RenderOptions o;
    o.scale = s;
    for (const auto* f : {find_option("bins"), find_option("clip_quantile")}) {
        FieldValue v = field_value(*f, o);
        check(*f, v, f->name);
    }
    if (s.centre) {
        FieldValue c(*s.centre);
        check(*find_option("centre"), c, "centre");
        if (s.method != ScaleMethod::linear && s.method != ScaleMethod::fixed)
            bad(fmt::format("a centre applies to linear and fixed colour scales, not {} (which places its own limits)", to_string(s.method)),
                "centre", fmt::format("{}", *s.centre));
    }
    if (s.method != ScaleMethod::fixed) return;
    for (const auto* f : {find_option("color_min"), find_option("color_max")}) {
        FieldValue v = field_value(*f, o);
        check(*f, v, f->name);
    }
    if (!(s.min <= s.max))
        bad(fmt::format("a fixed colour scale needs min <= max, got {} and {}", s.min, s.max), "color_min", fmt::format("{}", s.min));
    // The middle colour on a value the scale does not reach would be used by the per-layer scale only.
    if (s.centre && (*s.centre < s.min || *s.centre > s.max))
        bad(fmt::format("the centre must lie within the fixed limits {} .. {}", s.min, s.max), "centre", fmt::format("{}", *s.centre));
}

void validate(const Style& s) {
    for (const auto& f : kStyle) {
        FieldValue v = style_value(f, s);
        check(f, v, f.name);
    }
}

void hash_style(HashBuilder& h, const Style& s) {
    for (const auto& f : kStyle)
        std::visit(
            [&](auto m) {
                using M = decltype(m);
                if constexpr (std::is_same_v<M, std::string Style::*>) h.add(std::string_view(s.*m));
                else if constexpr (std::is_same_v<M, double Style::*>) h.add(s.*m);
                else if constexpr (std::is_same_v<M, std::array<std::string, 7> Style::*>)
                    for (const auto& c : s.*m) h.add(std::string_view(c));
            },
            f.member);
}

void hash_settings(HashBuilder& h, const RenderOptions& o, std::uint64_t templates_content_hash) {
    for (const auto& f : kOptions) {
        if (f.type == FieldType::style) hash_style(h, o.style);
        else if (f.settings_hash)
            std::visit(
                [&](auto part) {
                    if constexpr (!std::is_same_v<decltype(part), std::monostate>) h.add(part);
                },
                f.settings_hash(o, templates_content_hash));
    }
    // Marks came after the settings hash was fixed: only a run that marks columns adds them, by
    // content (sets with their looks, rows without their lines), not by the file's name.
    if (!o.marks.empty()) {
        HashBuilder m(0x6d61726b);  // "mark"
        for (const MarkSet& s : o.marks.sets) m.add(std::string_view(s.name)).add(s.style).add(std::string_view(s.colour));
        for (const MarkRow& r : o.marks.rows) m.add(std::string_view(r.region)).add(r.side).add(r.hex1).add(r.hex2).add(r.set);
        h.add(m.digest());
    }
}

}  // namespace eyemap

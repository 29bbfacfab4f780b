// The one declaration of every rendering option and Style field (name, type, default, range, help, hashing),
// from which validation, hashing, the CLI's options and the Python keywords are made.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "eyemap/options.hpp"

namespace eyemap {

enum class FieldType : std::uint8_t {
    number,   // a finite double
    integer,  // a whole number
    boolean,
    string,
    colour,   // "#rrggbb"
    palette,  // 7 colours: no data, bins 1..5, not in region
    choice,   // one of FieldSpec::choices
    path,     // a folder; None/empty: the built-in one
    style,    // the Style fields (style_fields())
    caches,   // the renderer's caches: on/off, or limits per cache (Python)
    metric_looks,  // "NAME:KEY=VALUE" items (RenderOptions::metric_looks; Python: {NAME: {KEY: VALUE}})
};
std::string_view to_string(FieldType t) noexcept;

// Which renderer cache keys a field enters (renderer/caches.hpp says what each cache keys on).
enum CacheKey : std::uint8_t { kNoCacheKey = 0, kCoordinatesKey = 1, kColoursKey = 2, kMetadataKey = 4 };

// A value as a user gives it: None, a bool, an integer, a number, a text, or a list of texts (palette).
using FieldValue = std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<std::string>>;

// Option values as the CLI, a style file or Python keywords give them, before the rule that joins
// color_scale, color_min and color_max (finish_options).
struct OptionInput {
    RenderOptions options;
    std::string color_scale = "linear";
    std::optional<double> color_min, color_max;
};

using StyleMember = std::variant<std::monostate, std::string Style::*, double Style::*, std::array<std::string, 7> Style::*>;
// What a rendering option adds to Renderer::settings_hash: a whole number (enums, booleans, a
// content hash), a number or a text; nothing (monostate) for an option added after the hash was
// fixed when it has its default, so that settings hashes of earlier runs stay valid.
using SettingsHashPart = std::variant<std::monostate, std::int64_t, std::uint64_t, double, std::string_view>;

struct FieldSpec {
    std::string_view name;          // Python keyword or style key (`--style NAME=VALUE`, style={"NAME": ...})
    std::string_view flag;          // CLI flag of a rendering option; empty: none (Style fields go through --style)
    FieldType type = FieldType::number;
    std::string_view default_text;  // the default as typed on the command line; "" for None or an empty string
    std::string_view range_text;    // for help and errors ("1..50")
    double min = 0, max = 0;        // number, integer: the allowed range, inclusive unless min_excluded
    bool min_excluded = false;
    bool nullable = false;          // None (Python) means the default
    std::span<const std::string_view> choices;
    std::uint8_t cache_keys = kNoCacheKey;  // CacheKey bits
    std::string_view help;
    // Rendering options: read, write (the value already checked) and, when it enters
    // Renderer::settings_hash, what it adds (`templates` is the template set's content hash). The
    // "style" option adds every Style field instead.
    FieldValue (*get)(const RenderOptions&) = nullptr;
    void (*set)(OptionInput&, FieldValue&&) = nullptr;
    SettingsHashPart (*settings_hash)(const RenderOptions&, std::uint64_t templates) = nullptr;
    // Style fields: the member (every Style field enters the settings hash and the metadata key).
    StyleMember member;

    bool in_settings_hash() const noexcept { return settings_hash != nullptr || member.index() != 0 || type == FieldType::style; }
};

// The rendering options in the order they enter the settings hash (the order of the hand-written
// hash before the schema, so runs resume across versions), including "style" and "caches".
std::span<const FieldSpec> option_fields() noexcept;
// The Style fields, in hash order: the palette, then the colours and font, then the sizes.
std::span<const FieldSpec> style_fields() noexcept;
const FieldSpec* find_option(std::string_view name) noexcept;
const FieldSpec* find_style_field(std::string_view name) noexcept;
// Throws an input error "unknown WHAT (did you mean 'x'?)" naming `label` and `value`.
[[noreturn]] void unknown_field(std::span<const FieldSpec> fields, std::string_view what, std::string_view name,
                                std::string_view label, std::string_view value);

// The value a field has in `o` (None for color_min/max unless the scale is fixed, and for no templates).
FieldValue field_value(const FieldSpec& f, const RenderOptions& o);
// A field's value from command-line text (numbers strictly, booleans true/false, a palette as 7
// comma-separated colours). Throws input naming `label` (default: the field's name) and the text.
FieldValue parse_field_text(const FieldSpec& f, std::string_view text, std::string_view label = {});
// Checks type and range, then stores; integers are accepted for numbers. Errors name `label` and the value.
void set_field(const FieldSpec& f, OptionInput& in, FieldValue v, std::string_view label = {});
void set_style_field(const FieldSpec& f, Style& s, FieldValue v, std::string_view label = {});
// Sets the Style fields a JSON object names (a style file); input errors name `source` and the key.
void apply_style_json(Style& s, std::string_view json_text, const std::string& source);
// The fixed-scale rule: a min or max implies the fixed scale, which needs both.
RenderOptions finish_options(OptionInput in);

// The value of one field as text (errors, help): "6", "#ffffff", "a,b,c".
std::string field_text(const FieldValue& v);
bool valid_svg_id(std::string_view id) noexcept;  // [A-Za-z][A-Za-z0-9_-]*
constexpr int kMaxLayer = 1000;                   // the largest `layer` option (0 = all layers)

}  // namespace eyemap

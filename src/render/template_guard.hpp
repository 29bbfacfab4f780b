// Internal: limits on user templates (issue 15): what a template may contain, how much its
// expansion may produce, and a well-formedness check of an expanded SVG frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "render/svg.hpp"

namespace eyemap::detail {

inline constexpr std::uint64_t kMaxTemplateBytes = 4u << 20;         // one template file
inline constexpr std::size_t kMaxTemplateDepth = 6;                  // nested sections
inline constexpr std::size_t kMaxTemplateOutputBytes = 64u << 20;    // one expansion

// Refuses (input error naming `name`) what eyemap's templates never need and what makes an
// expansion explode: partials ({{> x}}), delimiter changes ({{= =}}), sections nested deeper than
// kMaxTemplateDepth, a section inside a section of the same name, unbalanced sections.
void check_template_text(std::string_view text, std::string_view name);

// m.render(d) with an output budget: more than kMaxTemplateOutputBytes is an input error naming
// the template. `text` is m's template text. kainjow builds each line of output in a buffer before
// handing it out, so the budget is also held while a line is built: before rendering, a bound on
// every line's length is computed from the template and the data (line_bytes_bound); a template
// whose bound exceeds the budget is refused before anything is built. Also turns a kainjow error
// into an input error.
std::string render_bounded(kainjow::mustache::mustache& m, std::string_view text, const kainjow::mustache::data& d, std::string_view name);

// An upper bound on the bytes of any one line of output (text between the template's line breaks,
// which is what kainjow buffers) when `text` is rendered with `d`: a section repeats at most as
// often as the longest list of that name anywhere in the data, a variable is at most the longest
// string of that name, escaped (`escape_factor` bytes per byte; 1 for {{{x}}} and {{&x}}). Computed
// without rendering, in time linear in the template and the data. Saturates at UINT64_MAX.
// `text` must pass check_template_text.
std::uint64_t line_bytes_bound(std::string_view text, const kainjow::mustache::data& d, std::uint64_t escape_factor);

// Renders template `name` of `set` with `d`: {{x}} XML/HTML-escaped (xml_escape), the output
// budget of render_bounded. The parsed template is kept per thread and template text (parsing was
// ~80 % of expanding a frame: each SVG frame renders four templates, each page one), so a
// template's text is parsed once per thread. Input error for a template kainjow cannot parse;
// internal error for a name the set lacks.
std::string render_template(const TemplateSet& set, std::string_view name, const kainjow::mustache::data& d);

// A small XML well-formedness check (elements balanced, attributes quoted, entities, comments,
// CDATA, processing instructions, one root element). Returns an empty string when well-formed,
// else what is wrong and where (byte offset).
std::string xml_well_formed(std::string_view xml);

}  // namespace eyemap::detail

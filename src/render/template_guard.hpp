// Internal: limits on user templates (issue 15): what a template may contain, how much its
// expansion may produce, and a well-formedness check of an expanded SVG frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

namespace eyemap::detail {

inline constexpr std::uint64_t kMaxTemplateBytes = 4u << 20;         // one template file
inline constexpr std::size_t kMaxTemplateDepth = 6;                  // nested sections
inline constexpr std::size_t kMaxTemplateOutputBytes = 64u << 20;    // one expansion

// Refuses (input error naming `name`) what eyemap's templates never need and what makes an
// expansion explode: partials ({{> x}}), delimiter changes ({{= =}}), sections nested deeper than
// kMaxTemplateDepth, a section inside a section of the same name, unbalanced sections.
void check_template_text(std::string_view text, std::string_view name);

// m.render(d) with an output budget: more than kMaxTemplateOutputBytes is an input error naming
// the template. Also turns a kainjow error into an input error.
std::string render_bounded(kainjow::mustache::mustache& m, const kainjow::mustache::data& d, std::string_view name);

// A small XML well-formedness check (elements balanced, attributes quoted, entities, comments,
// CDATA, processing instructions, one root element). Returns an empty string when well-formed,
// else what is wrong and where (byte offset).
std::string xml_well_formed(std::string_view xml);

}  // namespace eyemap::detail

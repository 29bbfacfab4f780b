// Internal: text made safe for where it goes: drawable by every renderer (issue 15), a shell word.
#pragma once

#include <string>
#include <string_view>

namespace eyemap {

// True when `text` is valid UTF-8 without a character that an SVG (XML 1.0) cannot carry or
// cairo refuses to draw: C0 controls other than tab/LF/CR, DEL, C1 controls, surrogates,
// noncharacters (U+FDD0..U+FDEF and U+xFFFE/U+xFFFF in every plane).
bool is_drawable_text(std::string_view text) noexcept;
// `text` with each such character, and each byte of malformed UTF-8, replaced by U+FFFD. The one
// place names are made drawable: the renderer applies it to every text of a Scene, so SVG, PNG
// and PDF show the same characters (and PNG/PDF never fail on a name).
std::string drawable_text(std::string_view text);
// In place; no allocation when the text is drawable already.
void make_drawable(std::string& text);

// `s` as one POSIX shell word: unchanged when it has only safe characters, else in single quotes
// (a ' inside written '\''). For the commands eyemap prints (resume, redo, the run's command line).
std::string shell_quote(const std::string& s);

}  // namespace eyemap

// Internal: text made safe for where it goes: the one UTF-8 decoder, drawable by every renderer (issue 15), a shell word.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap {

// The one UTF-8 decoder: the length (1..4) of the well-formed sequence at text[pos] and its code
// point in `cp`, or 0 when the bytes there are not one (a stray continuation byte, a truncated or
// overlong sequence, a surrogate, above U+10FFFF). Which well-formed characters a caller keeps is
// its own rule (drawable text, XML, error messages). pos < text.size().
inline std::size_t utf8_decode(std::string_view text, std::size_t pos, char32_t& cp) noexcept {
    const auto c = static_cast<unsigned char>(text[pos]);
    const std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || text.size() - pos < len) return 0;
    char32_t v = len == 1 ? c : (c & (0x7Fu >> len));
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(text[pos + k]);
        if ((b & 0xC0) != 0x80) return 0;
        v = (v << 6) | (b & 0x3Fu);
    }
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) return 0;
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    cp = v;
    return len;
}

// `text` for a terminal line, escaped as error messages are (core/error.cpp): control bytes and
// malformed UTF-8 as \xNN, invisible or direction-changing characters as \u{...}; for whatever is
// printed from data or manifests (type names, paths, dates), so it cannot move the cursor or hide text.
std::string terminal_text(std::string_view text);

// Code points that reorder or hide text (bidirectional controls, zero-width characters, line and
// paragraph separators, C1 controls, the soft hyphen, byte-order marks): error messages show them
// escaped, one-line labels refuse them.
constexpr bool invisible_code_point(char32_t cp) noexcept {
    return (cp >= 0x80 && cp < 0xA0) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x061C;
}

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

// "a, b,c" -> {"a", "b", "c"}: a comma-separated list as the CLI takes it (--format, --metric), blanks
// around items dropped; views into `text`.
inline std::vector<std::string_view> split_list(std::string_view text) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        const auto comma = text.find(',', start);
        auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        out.push_back(item);
        if (comma == std::string_view::npos) return out;
        start = comma + 1;
    }
}

}  // namespace eyemap

// Text every renderer can draw: one replacement rule for SVG, PNG and PDF; shell words.
#include "core/text.hpp"

namespace eyemap {
namespace {

// Length of the drawable character at text[pos]; 0: replace its first byte with U+FFFD.
std::size_t drawable_at(std::string_view text, std::size_t pos) noexcept {
    char32_t cp = 0;
    const std::size_t len = utf8_decode(text, pos, cp);
    if (len == 0) return 0;
    if (cp < 0x80) return (cp >= 0x20 && cp != 0x7f) || cp == '\t' || cp == '\n' || cp == '\r' ? 1 : 0;
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
        return 0;  // each byte replaced, as the SVG writer's xml_escape does
    }
    return len;
}

}  // namespace

bool is_drawable_text(std::string_view text) noexcept {
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = drawable_at(text, pos);
        if (n == 0) return false;
        pos += n;
    }
    return true;
}

std::string drawable_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = drawable_at(text, pos);
        if (n == 0) {
            out.append("\xEF\xBF\xBD");
            ++pos;
        } else {
            out.append(text, pos, n);
            pos += n;
        }
    }
    return out;
}

void make_drawable(std::string& text) {
    if (!is_drawable_text(text)) text = drawable_text(text);
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=,:+@%") == std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace eyemap

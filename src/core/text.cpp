// Text every renderer can draw: one replacement rule for SVG, PNG and PDF.
#include "core/text.hpp"

#include <cstdint>

namespace eyemap {
namespace {

// Length of the drawable character at p; 0: replace its first byte (`skip`: 1) with U+FFFD.
std::size_t drawable_at(const unsigned char* p, const unsigned char* end, std::size_t* skip = nullptr) noexcept {
    if (skip) *skip = 1;
    const unsigned char c = *p;
    if (c < 0x80) return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    const std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || static_cast<std::size_t>(end - p) < len) return 0;
    std::uint32_t cp = c & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
        return 0;  // each byte replaced, as the SVG writer's xml_escape does
    }
    return len;
}

}  // namespace

bool is_drawable_text(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const std::size_t n = drawable_at(p, end);
        if (n == 0) return false;
        p += n;
    }
    return true;
}

std::string drawable_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        std::size_t skip = 1;
        const std::size_t n = drawable_at(p, end, &skip);
        if (n == 0) {
            out.append("\xEF\xBF\xBD");
            p += skip;
        } else {
            out.append(reinterpret_cast<const char*>(p), n);
            p += n;
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

// Link templates: checked and split once, expanded per column or type with every value percent-encoded.
#include "core/links.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/text.hpp"
#include "eyemap/options.hpp"
#include "core/throw.hpp"
#include "ingest/csv.hpp"  // detail::closest_name

namespace eyemap {
namespace {

constexpr std::size_t kMaxTemplateBytes = 2048;

struct Name {
    std::string_view name;
    bool column_only;  // not in a type's link
    bool number;       // takes a zero-padding spec
};
constexpr Name kNames[] = {{"type", false, false}, {"region", true, false}, {"side", true, false},
                           {"hex1", true, true},   {"hex2", true, true},    {"roi", true, false}};

[[noreturn]] void bad(std::string what, std::string_view option, std::string_view text) {
    throw_input(std::move(what), ErrorLocation{{}, 0, std::string(option), std::string(text)});
}

// What a URL may hold literally (RFC 3986's unreserved, reserved and '%'); the rest must be percent-encoded.
bool url_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (static_cast<char>(s[i] | 0x20) != prefix[i]) return false;
    return true;
}

void append_padded(std::string& out, std::int64_t v, int width) {
    char digits[24];
    const bool negative = v < 0;
    const auto magnitude = negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    const auto end = std::to_chars(digits, digits + sizeof digits, magnitude).ptr;
    const int n = static_cast<int>(end - digits);
    if (negative) out.push_back('-');  // "-" is unreserved: no escaping needed
    for (int i = n + (negative ? 1 : 0); i < width; ++i) out.push_back('0');
    out.append(digits, end);
}

}  // namespace

void append_url_escaped(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
}

// A placeholder's value, percent-encoded. "." and ".." would be dot segments, which a browser resolves
// (as it does %2E and %2E%2E) and so would move the link up the path: refused, naming the value.
void append_value(std::string& out, std::string_view value, std::string_view field) {
    if (value == "." || value == "..")
        throw_input(fmt::format("a link cannot hold the {} \"{}\": a browser would read it as a step in the path", field, value),
                    ErrorLocation{{}, 0, std::string(field), std::string(value)});
    append_url_escaped(out, value);
}

LinkTemplate::LinkTemplate(std::string_view text, Kind kind, std::string_view option) : text_(text) {
    if (text.size() > kMaxTemplateBytes) bad(fmt::format("a link template has at most {} bytes", kMaxTemplateBytes), option, text);
    // Only http and https: no javascript:, data:, relative or protocol-relative URLs.
    const std::size_t scheme = starts_with_nocase(text, "https://") ? 8 : starts_with_nocase(text, "http://") ? 7 : 0;
    if (!scheme) {
        const std::size_t colon = text.find(':');
        const bool named = colon != std::string_view::npos && colon < 32 && text.substr(0, colon).find_first_of("/?#{") == std::string_view::npos;
        bad(fmt::format("only http and https links: the template must start with http:// or https://{}",
                        named ? fmt::format(" (not {})", terminal_text(text.substr(0, colon + 1)))
                              : std::string(" (not a relative or scheme-less URL)")),
            option, text);
    }
    std::string literal;
    const auto flush = [&] {
        if (!literal.empty()) pieces_.push_back(Piece{Field::literal, 0, std::move(literal)});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '}') bad(fmt::format("unbalanced braces: '}}' at offset {} closes no placeholder (a literal brace is %7D)", i), option, text);
        if (c != '{') {
            if (!url_char(c))
                bad(fmt::format("'{}' at offset {} is not allowed in a URL: percent-encode it", terminal_text(text.substr(i, 1)), i), option, text);
            literal.push_back(c);
            ++i;
            continue;
        }
        const std::size_t close = text.find_first_of("{}", i + 1);
        if (close == std::string_view::npos || text[close] != '}')
            bad(fmt::format("unbalanced braces: '{{' at offset {} has no '}}' (a literal brace is %7B)", i), option, text);
        const std::string_view inner = text.substr(i + 1, close - i - 1), whole = text.substr(i, close - i + 1);
        const std::size_t colon = inner.find(':');
        const std::string_view name = inner.substr(0, colon);
        const Name* known = nullptr;
        for (const auto& n : kNames)
            if (n.name == name) known = &n;
        std::vector<std::string_view> allowed;
        for (const auto& n : kNames)
            if (kind == Kind::column || !n.column_only) allowed.push_back(n.name);
        if (!known || (kind == Kind::type && known->column_only)) {
            const std::string best = detail::closest_name(name, allowed);
            bad(fmt::format("{} placeholder {} (a {} link knows {{{}}}){}", known ? "a type's link has no" : "unknown",
                            terminal_text(whole), kind == Kind::column ? "column's" : "type's", fmt::join(allowed, "}, {"),
                            best.empty() || known ? std::string() : fmt::format("; did you mean {{{}}}?", best)),
                option, text);
        }
        Piece p{static_cast<Field>(known - kNames + 1), 0, {}};
        if (colon != std::string_view::npos) {
            const std::string_view spec = inner.substr(colon + 1);
            if (!known->number) bad(fmt::format("{}: zero-padding applies to {{hex1}} and {{hex2}} only", terminal_text(whole)), option, text);
            if (spec.size() != 2 || spec[0] != '0' || spec[1] < '1' || spec[1] > '9')
                bad(fmt::format("bad padding spec '{}' in {}: zero-padding is :0N with N from 1 to 9, e.g. {{hex1:02}}", terminal_text(spec),
                                terminal_text(whole)),
                    option, text);
            p.width = static_cast<std::uint8_t>(spec[1] - '0');
        }
        flush();
        pieces_.push_back(std::move(p));
        i = close + 1;
    }
    flush();
    // The host is written out: no value can become it (nor the scheme, checked first).
    const std::string_view head = pieces_.empty() || pieces_[0].field != Field::literal ? std::string_view() : pieces_[0].literal;
    const std::size_t host_end = head.find_first_of("/?#", scheme);
    host_ = std::string(head.substr(scheme, host_end == std::string_view::npos ? std::string_view::npos : host_end - scheme));
    if (host_.empty() || (host_end == std::string_view::npos && pieces_.size() > 1))
        bad("the host of a link is written out, not left to a placeholder or missing (e.g. https://neuprint.janelia.org/...)", option, text);
}

void LinkTemplate::expand(std::string& out, const LinkValues& v) const {
    for (const Piece& p : pieces_) {
        switch (p.field) {
            case Field::literal: out.append(p.literal); break;
            case Field::type: append_value(out, v.type, "type"); break;
            case Field::region: append_value(out, v.region, "region"); break;
            case Field::side: append_value(out, v.side, "side"); break;
            case Field::hex1: append_padded(out, v.hex1, p.width); break;
            case Field::hex2: append_padded(out, v.hex2, p.width); break;
            case Field::roi:  // neuPrint's column ROI: ME_R_col_12_07
                append_url_escaped(out, v.region);
                out.push_back('_');
                append_url_escaped(out, v.side);
                out.append("_col_");
                append_padded(out, v.hex1, 2);
                out.push_back('_');
                append_padded(out, v.hex2, 2);
                break;
        }
    }
}

std::string LinkTemplate::expand(const LinkValues& values) const {
    std::string out;
    expand(out, values);
    return out;
}

std::string Provenance::sentence() const {
    std::string out = "Dataset";
    if (!label.empty()) out += fmt::format(": {}", label);
    if (!version.empty()) out += fmt::format("{}version {}", label.empty() ? ": " : ", ", version);
    if (!input.empty()) out += fmt::format("{}input {}", label.empty() && version.empty() ? ": " : ", ", input);
    return out;
}

Provenance provenance_of(const RenderOptions& o) { return Provenance{o.dataset_label, o.dataset_version, o.input_digest}; }

void check_provenance_text(std::string_view text, std::string_view option, bool identity) {
    if (identity) {
        if (text.empty() || text.size() > 128) bad("an input identity has 1..128 characters", option, text);
        for (char c : text)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
                  c == '-' || c == '+'))
                bad("an input identity holds letters, digits and . _ : - + (e.g. the data file's digest)", option, text);
        return;
    }
    if (text.empty() || text.size() > 200) bad("expected 1..200 bytes of text", option, text);
    if (!is_drawable_text(text) || text.find_first_of("\t\n\r") != std::string_view::npos)
        bad("expected one line of printable UTF-8 text", option, text);
    // Direction controls and invisible characters would reorder or hide the sentence around the text
    // (the footer's version and input digest): refused (valid UTF-8 by now).
    for (std::size_t pos = 0; pos < text.size();) {
        char32_t cp = 0;
        pos += std::max<std::size_t>(1, utf8_decode(text, pos, cp));
        if (invisible_code_point(cp)) bad("expected text without direction-control or invisible characters", option, text);
    }
}

}  // namespace eyemap

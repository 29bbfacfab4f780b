// Limits on user templates: contents, expansion budget, well-formed output (issue 15).
#include "render/template_guard.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "eyemap/error.hpp"

namespace eyemap::detail {

void check_template_text(std::string_view text, std::string_view name) {
    auto bad = [&](const std::string& what, std::size_t at) {
        const std::uint64_t line = 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(at, text.size())), '\n'));
        throw_input(fmt::format("template: {}", what), ErrorLocation{std::string(name), line, {}, {}});
    };
    std::vector<std::string_view> open;
    std::size_t i = 0;
    while ((i = text.find("{{", i)) != std::string_view::npos) {
        const bool triple = text.substr(i, 3) == "{{{";
        const auto close = text.find(triple ? "}}}" : "}}", i + (triple ? 3 : 2));
        if (close == std::string_view::npos) bad("a tag is not closed", i);
        std::string_view tag = text.substr(i + (triple ? 3 : 2), close - i - (triple ? 3 : 2));
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (!triple && !tag.empty()) {
            const char kind = tag.front();
            std::string_view key = tag.substr(1);
            while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
            if (kind == '>') bad("partials ({{> name}}) are not supported", i);
            if (kind == '=') bad("delimiter changes ({{= =}}) are not supported", i);
            if (kind == '#' || kind == '^') {
                for (auto o : open)
                    if (o == key) bad(fmt::format("section '{}' inside a section of the same name", key), i);
                open.push_back(key);
                if (open.size() > kMaxTemplateDepth) bad(fmt::format("sections nested deeper than {}", kMaxTemplateDepth), i);
            } else if (kind == '/') {
                if (open.empty() || open.back() != key) bad(fmt::format("'{{{{/{}}}}}' closes no open section", key), i);
                open.pop_back();
            }
        }
        i = close + (triple ? 3 : 2);
    }
    if (!open.empty()) bad(fmt::format("section '{}' is not closed", open.back()), text.size());
}

std::string render_bounded(kainjow::mustache::mustache& m, const kainjow::mustache::data& d, std::string_view name) {
    struct Over {};
    std::string out;
    try {
        m.render(d, [&](const std::string& s) {
            if (out.size() + s.size() > kMaxTemplateOutputBytes) throw Over{};
            out += s;
        });
    } catch (const Over&) {
        throw_input(fmt::format("template expands to more than {} bytes", kMaxTemplateOutputBytes), ErrorLocation{std::string(name), 0, {}, {}});
    }
    if (!m.is_valid()) throw_input(fmt::format("template error: {}", m.error_message()), ErrorLocation{std::string(name), 0, {}, {}});
    return out;
}

namespace {

bool name_start(unsigned char c) { return std::isalpha(c) || c == '_' || c == ':' || c >= 0x80; }
bool name_char(unsigned char c) { return name_start(c) || std::isdigit(c) || c == '-' || c == '.'; }

}  // namespace

std::string xml_well_formed(std::string_view x) {
    std::vector<std::string_view> stack;
    bool root_seen = false;
    std::size_t i = 0;
    const std::size_t n = x.size();
    auto err = [&](std::string_view what) { return fmt::format("{} at byte {}", what, i); };
    auto entity = [&]() -> bool {  // at '&'
        const auto semi = x.find(';', i);
        if (semi == std::string_view::npos || semi - i > 12 || semi == i + 1) return false;
        const auto e = x.substr(i + 1, semi - i - 1);
        if (e[0] == '#') {
            if (e.size() < 2) return false;
            const bool hex = e[1] == 'x';
            if (hex && e.size() < 3) return false;
            for (std::size_t k = hex ? 2 : 1; k < e.size(); ++k)
                if (!(hex ? std::isxdigit(static_cast<unsigned char>(e[k])) : std::isdigit(static_cast<unsigned char>(e[k])))) return false;
        } else if (e != "amp" && e != "lt" && e != "gt" && e != "quot" && e != "apos") {
            return false;
        }
        i = semi + 1;
        return true;
    };
    while (i < n) {
        const char c = x[i];
        if (c == '&') {
            if (!entity()) return err("a bad entity reference");
            continue;
        }
        if (c != '<') {
            if (stack.empty() && !(c == ' ' || c == '\n' || c == '\r' || c == '\t')) return err("text outside the root element");
            ++i;
            continue;
        }
        if (x.substr(i, 4) == "<!--") {
            const auto e = x.find("-->", i + 4);
            if (e == std::string_view::npos) return err("an unclosed comment");
            i = e + 3;
        } else if (x.substr(i, 9) == "<![CDATA[") {
            if (stack.empty()) return err("CDATA outside the root element");
            const auto e = x.find("]]>", i + 9);
            if (e == std::string_view::npos) return err("an unclosed CDATA section");
            i = e + 3;
        } else if (x.substr(i, 2) == "<?") {
            const auto e = x.find("?>", i + 2);
            if (e == std::string_view::npos) return err("an unclosed processing instruction");
            i = e + 2;
        } else if (x.substr(i, 2) == "<!") {
            if (root_seen) return err("a declaration inside the document");
            const auto e = x.find('>', i + 2);
            if (e == std::string_view::npos) return err("an unclosed declaration");
            i = e + 1;
        } else if (x.substr(i, 2) == "</") {
            std::size_t k = i + 2;
            while (k < n && name_char(static_cast<unsigned char>(x[k]))) ++k;
            const auto nm = x.substr(i + 2, k - i - 2);
            while (k < n && (x[k] == ' ' || x[k] == '\n' || x[k] == '\t' || x[k] == '\r')) ++k;
            if (k >= n || x[k] != '>') return err("a bad end tag");
            if (stack.empty() || stack.back() != nm) return err(fmt::format("end tag </{}> does not match", nm));
            stack.pop_back();
            i = k + 1;
        } else {
            std::size_t k = i + 1;
            if (k >= n || !name_start(static_cast<unsigned char>(x[k]))) return err("a '<' that starts no tag");
            while (k < n && name_char(static_cast<unsigned char>(x[k]))) ++k;
            const auto nm = x.substr(i + 1, k - i - 1);
            if (stack.empty() && root_seen) return err("a second root element");
            std::vector<std::string_view> attrs;
            for (;;) {
                const std::size_t ws = k;
                while (k < n && (x[k] == ' ' || x[k] == '\n' || x[k] == '\t' || x[k] == '\r')) ++k;
                if (k >= n) return err("an unclosed start tag");
                if (x[k] == '>' || x.substr(k, 2) == "/>") break;
                if (k == ws || !name_start(static_cast<unsigned char>(x[k]))) return err("a bad attribute");
                const std::size_t a0 = k;
                while (k < n && name_char(static_cast<unsigned char>(x[k]))) ++k;
                const auto an = x.substr(a0, k - a0);
                for (auto a : attrs)
                    if (a == an) return err(fmt::format("attribute {} twice", an));
                attrs.push_back(an);
                while (k < n && (x[k] == ' ' || x[k] == '\n' || x[k] == '\t' || x[k] == '\r')) ++k;
                if (k >= n || x[k] != '=') return err("an attribute without a value");
                ++k;
                while (k < n && (x[k] == ' ' || x[k] == '\n' || x[k] == '\t' || x[k] == '\r')) ++k;
                if (k >= n || (x[k] != '"' && x[k] != '\'')) return err("an unquoted attribute value");
                const char q = x[k++];
                while (k < n && x[k] != q) {
                    if (x[k] == '<') return err("'<' in an attribute value");
                    if (x[k] == '&') {
                        i = k;
                        if (!entity()) return err("a bad entity reference");
                        k = i;
                        continue;
                    }
                    ++k;
                }
                if (k >= n) return err("an unclosed attribute value");
                ++k;
            }
            if (x[k] == '>') {
                stack.push_back(nm);
                i = k + 1;
            } else {
                i = k + 2;
            }
            root_seen = true;
        }
    }
    if (!stack.empty()) return fmt::format("element <{}> is not closed", stack.back());
    if (!root_seen) return "no root element";
    return {};
}

}  // namespace eyemap::detail

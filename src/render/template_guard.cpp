// Limits on user templates: contents, expansion budget, well-formed output (issue 15).
#include "render/template_guard.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"

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

namespace {

// Saturating arithmetic: a bound beyond 2^64 is "too much" all the same.
std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

// What a piece of template can render as, for the line bound: `flat` bounds its length when the
// output has no line break of the template's (present if such an output is possible); `pre`, `suf`
// and `inner` bound the text before its first line break, after its last one, and every whole
// line between (present if an output with a line break is possible).
struct Shape {
    bool has_flat = true, has_nl = false;
    std::uint64_t flat = 0, pre = 0, suf = 0, inner = 0;

    static Shape text(std::uint64_t n) { return Shape{true, false, n, 0, 0, 0}; }
    static Shape newline() { return Shape{false, true, 0, 0, 0, 0}; }
    std::uint64_t max_line() const {
        std::uint64_t m = has_flat ? flat : 0;
        if (has_nl) m = std::max({m, pre, suf, inner});
        return m;
    }
};

// A then B.
Shape concat(const Shape& a, const Shape& b) {
    Shape r;
    r.has_flat = a.has_flat && b.has_flat;
    r.flat = r.has_flat ? sat_add(a.flat, b.flat) : 0;
    r.has_nl = false;
    auto take = [&](std::uint64_t pre, std::uint64_t suf, std::uint64_t inner) {
        r.pre = r.has_nl ? std::max(r.pre, pre) : pre;
        r.suf = r.has_nl ? std::max(r.suf, suf) : suf;
        r.inner = r.has_nl ? std::max(r.inner, inner) : inner;
        r.has_nl = true;
    };
    if (a.has_flat && b.has_nl) take(sat_add(a.flat, b.pre), b.suf, b.inner);
    if (a.has_nl && b.has_flat) take(a.pre, sat_add(a.suf, b.flat), a.inner);
    if (a.has_nl && b.has_nl) take(a.pre, b.suf, std::max({a.inner, b.inner, sat_add(a.suf, b.pre)}));
    return r;
}

// A or B.
Shape either(const Shape& a, const Shape& b) {
    Shape r;
    r.has_flat = a.has_flat || b.has_flat;
    r.flat = std::max(a.has_flat ? a.flat : 0, b.has_flat ? b.flat : 0);
    r.has_nl = a.has_nl || b.has_nl;
    r.pre = std::max(a.has_nl ? a.pre : 0, b.has_nl ? b.pre : 0);
    r.suf = std::max(a.has_nl ? a.suf : 0, b.has_nl ? b.suf : 0);
    r.inner = std::max(a.has_nl ? a.inner : 0, b.has_nl ? b.inner : 0);
    return r;
}

// S repeated 0..k times (k >= 1).
Shape repeat(const Shape& s, std::uint64_t k) {
    const std::uint64_t run = s.has_flat ? sat_mul(s.flat, k) : 0;  // flat repetitions next to each other
    Shape r;
    r.has_flat = true;  // zero repetitions
    r.flat = run;
    r.has_nl = s.has_nl;
    if (s.has_nl) {
        r.pre = sat_add(run, s.pre);
        r.suf = sat_add(s.suf, run);
        r.inner = std::max(s.inner, k > 1 ? sat_add(sat_add(s.suf, run), s.pre) : 0);
    }
    return r;
}

// The longest string and list reachable in the data under each name the template uses.
struct DataSizes {
    std::map<std::string, std::uint64_t, std::less<>> str, list;
    std::uint64_t any_str = 0;  // {{.}}
};

void walk(const kainjow::mustache::data& d, const std::vector<std::string>& names, DataSizes& z, int depth) {
    if (depth > 256) return;  // data made by eyemap is shallow; a bound for deeper data is not needed
    if (d.is_string()) {
        z.any_str = std::max<std::uint64_t>(z.any_str, d.string_value().size());
    } else if (d.is_list()) {
        for (const auto& item : d.list_value()) walk(item, names, z, depth + 1);
    } else if (d.is_object()) {
        for (const auto& n : names)
            if (const auto* v = d.get(n)) {
                if (v->is_string()) {
                    auto& m = z.str[n];
                    m = std::max<std::uint64_t>(m, v->string_value().size());
                } else if (v->is_list()) {
                    auto& m = z.list[n];
                    m = std::max<std::uint64_t>(m, v->list_value().size());
                } else if (v->is_lambda() || v->is_lambda2() || v->is_partial()) {
                    z.str[n] = UINT64_MAX;  // eyemap's data has none: no bound
                    z.list[n] = UINT64_MAX;
                }
                walk(*v, names, z, depth + 1);
            }
    }
}

std::string_view trim_tag(std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    return t;
}

// The last part of a dotted name (what the value is stored under).
std::string_view last_part(std::string_view key) {
    if (key == ".") return key;
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::uint64_t line_bytes_bound(std::string_view text, const kainjow::mustache::data& d, std::uint64_t escape_factor) {
    // The tags, once: names used (every dotted part), then the shape with the data's sizes.
    struct Tag {
        std::size_t begin, end;  // the tag's bytes in text
        char kind;               // '#', '^', '/', '!', '&' (unescaped), 'v' (variable)
        std::string_view key;
    };
    std::vector<Tag> tags;
    std::vector<std::string> names;
    std::size_t i = 0;
    while ((i = text.find("{{", i)) != std::string_view::npos) {
        const bool triple = text.substr(i, 3) == "{{{";
        const auto close = text.find(triple ? "}}}" : "}}", i + (triple ? 3 : 2));
        if (close == std::string_view::npos) break;  // refused by check_template_text
        std::string_view tag = trim_tag(text.substr(i + (triple ? 3 : 2), close - i - (triple ? 3 : 2)));
        const std::size_t end = close + (triple ? 3 : 2);
        char kind = triple ? '&' : 'v';
        if (!triple && !tag.empty() && std::strchr("#^/!&", tag.front())) {
            kind = tag.front();
            tag = trim_tag(tag.substr(1));
        }
        tags.push_back(Tag{i, end, kind, tag});
        if (kind != '!' && kind != '/' && tag != ".") {
            std::size_t p = 0;
            while (p <= tag.size()) {
                const auto q = std::min(tag.find('.', p), tag.size());
                names.emplace_back(tag.substr(p, q - p));
                p = q + 1;
            }
        }
        i = end;
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    DataSizes z;
    walk(d, names, z, 0);
    auto str_max = [&](std::string_view key) -> std::uint64_t {
        if (key == ".") return z.any_str;
        auto it = z.str.find(last_part(key));
        return it == z.str.end() ? 0 : it->second;
    };
    auto list_max = [&](std::string_view key) -> std::uint64_t {
        auto it = z.list.find(last_part(key));
        return std::max<std::uint64_t>(1, it == z.list.end() ? 0 : it->second);
    };

    // Text between tags: its line breaks.
    auto text_shape = [](std::string_view t) {
        Shape s = Shape::text(0);
        std::size_t p = 0;
        for (;;) {
            const auto nl = t.find('\n', p);
            if (nl == std::string_view::npos) return concat(s, Shape::text(t.size() - p));
            s = concat(concat(s, Shape::text(nl - p)), Shape::newline());
            p = nl + 1;
        }
    };
    // Open sections: the shape so far of each, with its tag.
    struct Open {
        Shape shape;
        const Tag* tag;
    };
    std::vector<Open> stack{Open{Shape::text(0), nullptr}};
    std::size_t pos = 0;
    for (const auto& t : tags) {
        stack.back().shape = concat(stack.back().shape, text_shape(text.substr(pos, t.begin - pos)));
        pos = t.end;
        switch (t.kind) {
            case '#':
            case '^': stack.push_back(Open{Shape::text(0), &t}); break;
            case '/': {
                if (stack.size() < 2) break;  // refused by check_template_text
                const Open body = stack.back();
                stack.pop_back();
                const Shape sec = body.tag->kind == '^' ? either(Shape::text(0), body.shape) : repeat(body.shape, list_max(body.tag->key));
                stack.back().shape = concat(stack.back().shape, sec);
                break;
            }
            case '!': break;
            case '&': stack.back().shape = concat(stack.back().shape, Shape::text(str_max(t.key))); break;
            default: stack.back().shape = concat(stack.back().shape, Shape::text(sat_mul(str_max(t.key), escape_factor))); break;
        }
    }
    stack.back().shape = concat(stack.back().shape, text_shape(text.substr(std::min(pos, text.size()))));
    std::uint64_t m = 0;
    for (const auto& o : stack) m = std::max(m, o.shape.max_line());  // unclosed sections: refused elsewhere
    return m;
}

std::string render_template(const TemplateSet& set, std::string_view name, const kainjow::mustache::data& d) {
    auto it = set.files.find(name);
    if (it == set.files.end()) throw_internal(fmt::format("template {} missing", name));
    const std::string& text = it->second;
    struct Parsed {
        std::string text;  // compared in full: the key's hash alone could collide
        std::unique_ptr<kainjow::mustache::mustache> m;
    };
    thread_local std::map<std::pair<std::uint64_t, std::string>, Parsed, std::less<>> parsed;
    const std::pair<std::uint64_t, std::string> key{set.content_hash, it->first};
    auto found = parsed.find(key);
    if (found == parsed.end() || found->second.text != text) {
        auto fresh = std::make_unique<kainjow::mustache::mustache>(text);
        if (!fresh->is_valid())
            throw_input(fmt::format("template error: {}", fresh->error_message()), ErrorLocation{std::string(name), 0, {}, {}});
        fresh->set_custom_escape([](const std::string& s) { return xml_escape(s); });
        if (parsed.size() >= 64) parsed.clear();  // a process uses a handful of template sets
        found = parsed.insert_or_assign(key, Parsed{text, std::move(fresh)}).first;
    }
    return render_bounded(*found->second.m, text, d, name);
}

std::string render_bounded(kainjow::mustache::mustache& m, std::string_view text, const kainjow::mustache::data& d, std::string_view name) {
    struct Over {};
    auto over = [&] {
        throw_input(fmt::format("template expands to more than {} bytes", kMaxTemplateOutputBytes), ErrorLocation{std::string(name), 0, {}, {}});
    };
    // kainjow hands out whole lines only: a line that could outgrow the budget is refused before
    // it is built (the escape turns one byte into at most 6: &quot; &apos;).
    const std::uint64_t line_bound = line_bytes_bound(text, d, 6);
    if (line_bound > kMaxTemplateOutputBytes)
        throw_input(fmt::format("template expands to more than {} bytes: one of its lines can reach {} bytes (sections repeated "
                                "over the data's lists on one line)",
                                kMaxTemplateOutputBytes, line_bound == UINT64_MAX ? std::string("2^64") : std::to_string(line_bound)),
                    ErrorLocation{std::string(name), 0, {}, {}});
    std::string out;
    try {
        m.render(d, [&](const std::string& s) {
            if (out.size() + s.size() > kMaxTemplateOutputBytes) throw Over{};
            out += s;
        });
    } catch (const Over&) {
        over();
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

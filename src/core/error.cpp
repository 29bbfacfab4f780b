// Formatting of eyemap::Error messages: "file:line: field 'x': value 'v': reason".
#include "eyemap/error.hpp"
#include "core/throw.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "core/text.hpp"

namespace eyemap {
namespace {

constexpr std::size_t kMaxShown = 200;  // bytes of a file name, field or value shown in a message

// Keeps a message on one terminal line and readable: control bytes, invalid UTF-8 and invisible
// or direction-changing characters are written as escapes; long text is cut (at a character).
// `whole`: the reason (composed by eyemap, with user text in it): no length cut, and a backslash
// kept as it is (paths and commands in reasons), but control bytes, invalid UTF-8 and invisible
// characters escaped all the same, so no message can move the cursor or hide text on a terminal.
std::string printable(const std::string& s, bool whole = false) {
    std::string out;
    std::size_t i = 0;
    const std::size_t limit = whole ? s.size() : kMaxShown;
    while (i < s.size() && i < limit) {
        char32_t cp = 0;
        const std::size_t len = utf8_decode(s, i, cp);
        if (len == 0) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
            ++i;
        } else if (cp < 0x20 || cp == 0x7f) {
            out += fmt::format("\\x{:02x}", static_cast<std::uint32_t>(cp));
            ++i;
        } else if (cp == '\\' && !whole) {
            out += "\\\\";
            ++i;
        } else if (invisible_code_point(cp)) {  // shown as \u{...} so a message reads as it is
            out += fmt::format("\\u{{{:04x}}}", static_cast<std::uint32_t>(cp));
            i += len;
        } else {
            out.append(s, i, len);
            i += len;
        }
    }
    if (i < s.size()) out += fmt::format("... ({} bytes)", s.size());
    return out;
}

std::string compose(const std::string& what, const ErrorLocation& w) {
    std::string msg;
    if (!w.file.empty()) {
        msg += printable(w.file);
        if (w.line) msg += fmt::format(":{}", w.line);
        msg += ": ";
    } else if (w.line) {
        msg += fmt::format("line {}: ", w.line);
    }
    if (!w.field.empty()) msg += fmt::format("field '{}': ", printable(w.field));
    if (!w.value.empty()) msg += fmt::format("value '{}': ", printable(w.value));
    msg += printable(what, true);
    return msg;
}

}  // namespace

Error::Error(ErrorKind kind, std::string what, ErrorLocation where)
    : std::runtime_error(compose(what, where)), kind_(kind), where_(std::move(where)), reason_(std::move(what)) {}

int Error::exit_code() const noexcept {
    switch (kind_) {
        case ErrorKind::input: return 2;
        case ErrorKind::io: return 3;
        case ErrorKind::internal: return 4;
    }
    return 4;
}

std::string terminal_text(std::string_view text) { return printable(std::string(text), true); }

void throw_input(std::string what, ErrorLocation where) { throw Error(ErrorKind::input, std::move(what), std::move(where)); }
void throw_io(std::string what, std::string path) { throw Error(ErrorKind::io, std::move(what), ErrorLocation{std::move(path), 0, {}, {}}); }
void throw_internal(std::string what) { throw Error(ErrorKind::internal, std::move(what)); }

void rethrow_in_file(const Error& e, std::string_view file) {
    if (e.where().file.empty() && e.kind() == ErrorKind::input && !file.empty()) {
        ErrorLocation w = e.where();
        w.file = file;
        throw Error(e.kind(), e.reason(), std::move(w));
    }
    throw e;
}

}  // namespace eyemap

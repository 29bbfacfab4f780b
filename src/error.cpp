// Formatting of eyemap::Error messages: "file:line: field 'x': value 'v': reason".
#include "eyemap/error.hpp"

#include <fmt/format.h>

namespace eyemap {
namespace {

std::string printable(const std::string& s) {
    // Keep messages on one terminal line and show control bytes instead of emitting them.
    std::string out;
    for (unsigned char c : s.substr(0, 200)) {
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (s.size() > 200) out += "...";
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
    if (!w.value.empty() || !w.field.empty()) {
        if (!w.value.empty()) msg += fmt::format("value '{}': ", printable(w.value));
    }
    msg += what;
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

void throw_input(std::string what, ErrorLocation where) { throw Error(ErrorKind::input, std::move(what), std::move(where)); }
void throw_io(std::string what, std::string path) { throw Error(ErrorKind::io, std::move(what), ErrorLocation{std::move(path), 0, {}, {}}); }
void throw_internal(std::string what) { throw Error(ErrorKind::internal, std::move(what)); }

}  // namespace eyemap

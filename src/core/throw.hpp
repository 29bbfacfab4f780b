// Internal: the shorthands the library throws eyemap::Error with (not part of the public API).
#pragma once

#include <string>
#include <string_view>

#include "eyemap/error.hpp"

namespace eyemap {

[[noreturn]] void throw_input(std::string what, ErrorLocation where = {});
[[noreturn]] void throw_io(std::string what, std::string path);
[[noreturn]] void throw_internal(std::string what);
// Rethrows `e`, naming `file` when an input error knows its line but not its file (processing
// sees rows, not the file they came from).
[[noreturn]] void rethrow_in_file(const Error& e, std::string_view file);

}  // namespace eyemap

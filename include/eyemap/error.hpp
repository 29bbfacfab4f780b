// eyemap::Error: the one exception type of the project, carrying what failed and where.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace eyemap {

enum class ErrorKind : std::uint8_t {
    input,     // the user's data, options or config are wrong (CLI exit code 2)
    io,        // a file could not be read or written (exit code 3)
    internal,  // a bug or an unexpected library failure (exit code 4)
};

// Where an input error was found; empty/zero members are unknown and left out of the message.
struct ErrorLocation {
    std::string file;
    std::uint64_t line = 0;  // 1-based; 0 = not line-specific
    std::string field;
    std::string value;
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string what, ErrorLocation where = {});

    ErrorKind kind() const noexcept { return kind_; }
    const ErrorLocation& where() const noexcept { return where_; }
    // The message without the location prefix.
    const std::string& reason() const noexcept { return reason_; }
    // Exit code a command-line tool should use for this error.
    int exit_code() const noexcept;

private:
    ErrorKind kind_;
    ErrorLocation where_;
    std::string reason_;
};

// Shorthands used throughout the library.
[[noreturn]] void throw_input(std::string what, ErrorLocation where = {});
[[noreturn]] void throw_io(std::string what, std::string path);
[[noreturn]] void throw_internal(std::string what);
// Rethrows `e`, naming `file` when an input error knows its line but not its file (processing
// sees rows, not the file they came from).
[[noreturn]] void rethrow_in_file(const Error& e, std::string_view file);

}  // namespace eyemap

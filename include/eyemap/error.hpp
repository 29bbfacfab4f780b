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

}  // namespace eyemap

// Internal CSV record reader: RFC 4180 quoting, UTF-8 BOM, CRLF; reports the line of each record.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap::detail {

class CsvReader {
public:
    CsvReader(std::istream& in, std::string source);

    // Reads the next non-blank record; false at end of input. Views stay valid until the next call.
    bool read_record(std::vector<std::string_view>& fields);
    // Line on which the last record started (1-based).
    std::uint64_t record_line() const noexcept { return record_line_; }
    const std::string& source() const noexcept { return source_; }

private:
    bool next_line();

    std::istream& in_;
    std::string source_;
    std::string line_;
    std::vector<std::string> owned_;  // unquoted copies of quoted fields
    std::uint64_t line_no_ = 0;
    std::uint64_t record_line_ = 0;
};

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace eyemap::detail

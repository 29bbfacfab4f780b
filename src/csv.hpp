// Internal CSV record reader: RFC 4180 quoting, UTF-8 BOM, CRLF; reports the line of each record.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap::detail {

// Accepted dialect: comma separator; LF or CRLF line ends; an optional UTF-8 byte-order mark at the
// start; fields may be quoted with '"' ("" inside quotes is one quote; quoted fields may contain
// commas and line breaks); blank lines are skipped. A record (with its quoted line breaks) is at
// most kMaxRecordBytes long.
class CsvReader {
public:
    static constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

    CsvReader(std::istream& in, std::string source);

    // Reads the next non-blank record; false at end of input. Views stay valid until the next call.
    // Throws eyemap::Error (input) for malformed quoting or an over-long record, (io) for a read error.
    bool read_record(std::vector<std::string_view>& fields);
    // Line on which the last record started (1-based).
    std::uint64_t record_line() const noexcept { return record_line_; }
    const std::string& source() const noexcept { return source_; }
    // Names of the columns (from the header), used in the messages of quoting errors.
    void set_field_names(std::vector<std::string> names) { names_ = std::move(names); }
    // The header name of field i, or "#<i+1>" when there is none.
    std::string field_name(std::size_t i) const;

private:
    bool next_line();

    std::istream& in_;
    std::string source_;
    std::string line_;
    std::string record_;              // a quoted record spanning lines
    std::vector<std::string> owned_;  // unquoted copies of quoted fields
    std::vector<std::string> names_;
    std::uint64_t line_no_ = 0;
    std::uint64_t record_line_ = 0;
};

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace eyemap::detail

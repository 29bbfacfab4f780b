// Internal CSV record reader: RFC 4180 quoting, UTF-8 BOM, CRLF; reports the lines of each record.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap::detail {

// Accepted dialect: comma separator; LF or CRLF line ends; an optional UTF-8 byte-order mark at the
// start; fields may be quoted with '"' ("" inside quotes is one quote; quoted fields may contain
// commas and line breaks); blank lines are skipped. A record (with its quoted line breaks) is at
// most kMaxRecordBytes long.
//
// Records are found in one buffer, without a copy per line: a stream is read in chunks into it; a
// block already in memory (a batch worker's share of a file) is read in place.
class CsvReader {
public:
    static constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

    // Reads up to n bytes into p; returns 0 at the end of the input. Throws on a read error.
    using ReadFn = std::function<std::size_t(char* p, std::size_t n)>;

    CsvReader(std::istream& in, std::string source);
    CsvReader(ReadFn read, std::string source);
    // Records in memory, not copied (the block must outlive the reader); its first line is `first_line`.
    CsvReader(std::string_view block, std::string source, std::uint64_t first_line = 1);

    // Block mode: reads `block` next, from `first_line` (field names and source are kept).
    void reset(std::string_view block, std::uint64_t first_line);

    // Reads the next non-blank record; false at end of input. Views stay valid until the next call.
    // Throws eyemap::Error (input) for malformed quoting or an over-long record, (io) for a read error.
    bool read_record(std::vector<std::string_view>& fields);
    // The next non-blank record without splitting more of it than needed: `raw` is its text as in the
    // input (its physical lines, up to the last '\n'; raw + "\n" reads back as the same record from
    // the same line, except a BOM on line 1), `field` is its field `index` (unquoted;
    // empty when the record has fewer fields). A quoted record is checked as read_record() does.
    bool read_record_raw(std::size_t index, std::string_view& field, std::string_view& raw);

    // Lines on which the last record started and ended (1-based; they differ for quoted line breaks).
    std::uint64_t record_line() const noexcept { return record_line_; }
    std::uint64_t record_end_line() const noexcept { return line_no_; }
    const std::string& source() const noexcept { return source_; }
    // Names of the columns (from the header), used in the messages of quoting errors.
    void set_field_names(std::vector<std::string> names) { names_ = std::move(names); }
    const std::vector<std::string>& field_names() const noexcept { return names_; }
    // The header name of field i, or "#<i+1>" when there is none.
    std::string field_name(std::size_t i) const;

private:
    // Locates the next non-blank record in data_: [start, end) without its line end (a '\r' before
    // the final '\n' is not data), [start, raw_end) with all but the '\n'. Sets record_line_ and
    // advances line_no_ and pos_. False at the end.
    bool next_record(std::size_t& start, std::size_t& end, std::size_t& raw_end, bool& quoted);
    bool fill();  // compacts and reads more input; false at the end (or in block mode)
    void parse_quoted(std::size_t start, std::size_t end);  // fields into owned_

    ReadFn read_;          // empty in block mode
    std::vector<char> buf_;
    const char* data_ = nullptr;  // buf_.data() or the block
    std::size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    std::string source_;
    std::vector<std::string> owned_;  // unquoted copies of quoted fields
    std::vector<std::string> names_;
    std::uint64_t line_no_ = 0;
    std::uint64_t record_line_ = 0;
};

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The name of `names` a user most likely meant by `value` (for "did you mean"): one equal ignoring
// ASCII case, else the closest within two edits; "" when none is that close.
template <class Names>
std::string closest_name(std::string_view value, const Names& names) {
    const auto fold = [](std::string_view v) {
        std::string o(v);
        for (char& c : o) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        return o;
    };
    const std::string folded = fold(value);
    std::string best;
    std::size_t best_d = 3;
    for (const auto& n : names) {
        const std::string_view name(n);
        const std::size_t d = fold(name) == folded ? 0 : edit_distance(value, name);
        if (d < best_d) best_d = d, best = std::string(name);
    }
    return best;
}

}  // namespace eyemap::detail

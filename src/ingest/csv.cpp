// CSV record splitting: records are located in one buffer (a memchr per line); a line without a
// quote is split on commas in place, quoted records take the careful path.
#include "ingest/csv.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap::detail {

namespace {
constexpr std::size_t kChunk = std::size_t{64} << 10;  // grows when a record needs more
}

CsvReader::CsvReader(std::istream& in, std::string source) : buf_(kChunk), source_(std::move(source)) {
    data_ = buf_.data();
    read_ = [&in, name = source_](char* p, std::size_t n) -> std::size_t {
        in.read(p, static_cast<std::streamsize>(n));
        if (in.bad()) throw_io("read error", name);
        return static_cast<std::size_t>(in.gcount());
    };
}

CsvReader::CsvReader(ReadFn read, std::string source) : read_(std::move(read)), buf_(kChunk), source_(std::move(source)) {
    data_ = buf_.data();
}

CsvReader::CsvReader(std::string_view block, std::string source, std::uint64_t first_line) : source_(std::move(source)) {
    reset(block, first_line);
}

void CsvReader::reset(std::string_view block, std::uint64_t first_line) {
    read_ = nullptr;
    data_ = block.data();
    pos_ = 0;
    end_ = block.size();
    eof_ = true;
    line_no_ = first_line ? first_line - 1 : 0;
    record_line_ = 0;
}

std::string CsvReader::field_name(std::size_t i) const {
    return i < names_.size() ? names_[i] : fmt::format("#{}", i + 1);
}

bool CsvReader::fill() {
    if (!read_ || eof_) return false;
    if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    data_ = buf_.data();
    const std::size_t n = read_(buf_.data() + end_, buf_.size() - end_);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ += n;
    return true;
}

bool CsvReader::next_record(std::size_t& start, std::size_t& end, std::size_t& raw_end, bool& quoted) {
    for (;;) {
        // One physical line: [pos_, line_end); line_end == end_ for a last line without '\n'.
        std::size_t scanned = 0;  // bytes after pos_ known to hold no '\n'
        const char* nl = nullptr;
        for (;;) {
            if (end_ > pos_ + scanned)
                nl = static_cast<const char*>(std::memchr(data_ + pos_ + scanned, '\n', end_ - pos_ - scanned));
            if (nl) break;
            scanned = end_ - pos_;
            if (scanned > kMaxRecordBytes)
                throw_input(fmt::format("line longer than {} MiB", kMaxRecordBytes >> 20), ErrorLocation{source_, line_no_ + 1, {}, {}});
            if (!fill()) break;
        }
        if (!nl && pos_ == end_) return false;
        const std::size_t line_end = nl ? static_cast<std::size_t>(nl - data_) : end_;
        const std::size_t next = nl ? line_end + 1 : end_;
        ++line_no_;
        std::size_t s = pos_;
        // Byte-order marks at the start (some tools add one more to a file that has one): skipped.
        while (line_no_ == 1 && line_end - s >= 3 && std::memcmp(data_ + s, "\xEF\xBB\xBF", 3) == 0) s += 3;
        std::size_t e = line_end;
        if (e > s && data_[e - 1] == '\r') --e;
        if (e - s > kMaxRecordBytes)
            throw_input(fmt::format("line longer than {} MiB", kMaxRecordBytes >> 20), ErrorLocation{source_, line_no_, {}, {}});
        if (e == s) {  // blank line
            pos_ = next;
            continue;
        }
        record_line_ = line_no_;
        if (!std::memchr(data_ + s, '"', e - s)) {
            start = s;
            end = e;
            raw_end = line_end;
            quoted = false;
            pos_ = next;
            return true;
        }

        // A quote: the record ends at the first line end outside a quoted field, maybe lines later.
        // The states are parse_quoted's: a quote opens a field only at its start, "" inside one is
        // a quote, and a quote inside an unquoted field is data.
        quoted = true;
        enum class St : std::uint8_t { field_start, unquoted, in_quotes, after_quote };
        St st = St::field_start;
        const std::size_t rel_s = s - pos_;  // offsets from pos_: fill() moves the data
        std::size_t i = rel_s;
        bool found = false;
        std::size_t fields = 0;  // commas outside quotes so far, to name the field of an error
        std::uint64_t breaks = 0;
        for (;;) {
            const char* p = data_ + pos_ + i;
            const char* const pe = data_ + end_;
            for (; p < pe; ++p) {
                const char c = *p;
                if (st == St::in_quotes) {
                    if (c == '"') st = St::after_quote;
                    else if (c == '\n') ++breaks;
                } else if (c == '\n') {
                    found = true;
                    break;
                } else if (c == ',') {
                    st = St::field_start;
                    ++fields;
                } else if (c == '"') {
                    if (st == St::field_start || st == St::after_quote) st = St::in_quotes;
                } else if (st == St::field_start || st == St::after_quote) {
                    st = St::unquoted;  // after a closing quote: parse_quoted reports it
                }
            }
            i = static_cast<std::size_t>(p - (data_ + pos_));
            if (found) break;
            if (i - rel_s > kMaxRecordBytes)
                throw_input(fmt::format("quoted field longer than {} MiB (a quote never closed?)", kMaxRecordBytes >> 20),
                            ErrorLocation{source_, record_line_, field_name(fields), {}});
            if (!fill()) break;  // the end: parse_quoted reports a quote left open
        }
        line_no_ += breaks;
        start = pos_ + rel_s;
        end = raw_end = pos_ + i;
        if (end > start && data_[end - 1] == '\r') --end;
        pos_ = found ? pos_ + i + 1 : end_;
        return true;
    }
}

void CsvReader::parse_quoted(std::size_t start, std::size_t end) {
    owned_.clear();
    std::string field;
    std::size_t i = start;
    for (;;) {
        field.clear();
        if (i < end && data_[i] == '"') {
            ++i;
            for (;;) {
                if (i >= end)
                    throw_input(fmt::format("unterminated quoted field (the quote opened on line {} is never closed)", record_line_),
                                ErrorLocation{source_, record_line_, field_name(owned_.size()), {}});
                const char c = data_[i++];
                if (c == '"') {
                    if (i < end && data_[i] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        break;
                    }
                } else if (c == '\r' && i < end && data_[i] == '\n') {
                    // A CRLF line break inside quotes reads as '\n', as the record's own line ends do.
                } else {
                    field += c;
                }
            }
            if (i < end && data_[i] != ',')
                throw_input("unexpected character after a closing quote (a quote inside a quoted field is written \"\")",
                            ErrorLocation{source_, record_line_, field_name(owned_.size()),
                                          std::string(data_ + i, std::min<std::size_t>(20, end - i))});
        } else {
            const std::size_t f = i;
            while (i < end && data_[i] != ',') ++i;
            field.assign(data_ + f, i - f);
        }
        owned_.push_back(field);
        if (i >= end) break;
        ++i;  // the comma
        if (i == end) {
            owned_.emplace_back();
            break;
        }
    }
}

bool CsvReader::read_record(std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t s = 0, e = 0, r = 0;
    bool quoted = false;
    if (!next_record(s, e, r, quoted)) return false;
    if (!quoted) {
        const char* f = data_ + s;
        const char* const pe = data_ + e;
        for (const char* p = f; p != pe; ++p) {
            if (*p == ',') {
                fields.emplace_back(f, static_cast<std::size_t>(p - f));
                f = p + 1;
            }
        }
        fields.emplace_back(f, static_cast<std::size_t>(pe - f));
        return true;
    }
    parse_quoted(s, e);
    for (const auto& f : owned_) fields.emplace_back(f);
    return true;
}

bool CsvReader::read_record_raw(std::size_t index, std::string_view& field, std::string_view& raw) {
    std::size_t s = 0, e = 0, r = 0;
    bool quoted = false;
    if (!next_record(s, e, r, quoted)) return false;
    raw = std::string_view(data_ + s, r - s);
    if (!quoted) {
        // Field `index` of the fields read_record would give ([s, e): a last '\r' is not data).
        std::string_view rest(data_ + s, e - s);
        for (std::size_t k = 0;; ++k) {
            const auto comma = rest.find(',');
            if (k == index) {
                field = rest.substr(0, comma);
                break;
            }
            if (comma == std::string_view::npos) {
                field = {};
                break;
            }
            rest.remove_prefix(comma + 1);
        }
        return true;
    }
    parse_quoted(s, e);
    field = index < owned_.size() ? std::string_view(owned_[index]) : std::string_view();
    return true;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace eyemap::detail

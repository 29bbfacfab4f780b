// CSV record splitting: the fast path splits on commas; quoted records take the careful path.
#include "csv.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "eyemap/error.hpp"

namespace eyemap::detail {

CsvReader::CsvReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

std::string CsvReader::field_name(std::size_t i) const {
    return i < names_.size() ? names_[i] : fmt::format("#{}", i + 1);
}

bool CsvReader::next_line() {
    if (!std::getline(in_, line_)) {
        if (in_.bad()) throw_io("read error", source_);
        return false;
    }
    ++line_no_;
    if (line_no_ == 1 && line_.size() >= 3 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.size() > kMaxRecordBytes)
        throw_input(fmt::format("line longer than {} MiB", kMaxRecordBytes >> 20), ErrorLocation{source_, line_no_, {}, {}});
    return true;
}

bool CsvReader::read_record(std::vector<std::string_view>& fields) {
    fields.clear();
    do {
        if (!next_line()) return false;
    } while (line_.empty());
    record_line_ = line_no_;

    if (line_.find('"') == std::string::npos) {
        std::string_view rest(line_);
        for (;;) {
            auto comma = rest.find(',');
            fields.push_back(rest.substr(0, comma));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        return true;
    }

    // Quoted fields may contain commas, doubled quotes and line breaks.
    owned_.clear();
    record_.swap(line_);
    std::string field;
    std::size_t i = 0;
    for (;;) {
        field.clear();
        if (i < record_.size() && record_[i] == '"') {
            ++i;
            for (;;) {
                if (i >= record_.size()) {
                    if (!next_line())
                        throw_input(fmt::format("unterminated quoted field (the quote opened on line {} is never closed)", record_line_),
                                    ErrorLocation{source_, record_line_, field_name(owned_.size()), {}});
                    if (record_.size() + line_.size() + 1 > kMaxRecordBytes)
                        throw_input(fmt::format("quoted field longer than {} MiB (a quote never closed?)", kMaxRecordBytes >> 20),
                                    ErrorLocation{source_, record_line_, field_name(owned_.size()), {}});
                    record_ += '\n';
                    record_ += line_;
                    continue;
                }
                const char c = record_[i++];
                if (c == '"') {
                    if (i < record_.size() && record_[i] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        break;
                    }
                } else {
                    field += c;
                }
            }
            if (i < record_.size() && record_[i] != ',')
                throw_input("unexpected character after a closing quote (a quote inside a quoted field is written \"\")",
                            ErrorLocation{source_, record_line_, field_name(owned_.size()), record_.substr(i, 20)});
        } else {
            while (i < record_.size() && record_[i] != ',') field += record_[i++];
        }
        owned_.push_back(field);
        if (i >= record_.size()) break;
        ++i;  // the comma
        if (i == record_.size()) {
            owned_.emplace_back();
            break;
        }
    }
    for (const auto& f : owned_) fields.emplace_back(f);
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

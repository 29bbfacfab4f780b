// CSV record splitting: the fast path splits on commas; quoted records take the careful path.
#include "csv.hpp"

#include <algorithm>

#include "eyemap/error.hpp"

namespace eyemap::detail {

CsvReader::CsvReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

bool CsvReader::next_line() {
    if (!std::getline(in_, line_)) {
        if (in_.bad()) throw_io("read error", source_);
        return false;
    }
    ++line_no_;
    if (line_no_ == 1 && line_.size() >= 3 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
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
    std::vector<std::pair<bool, std::size_t>> kinds;  // (owned?, index or offset)
    std::string record = line_;
    std::string field;
    std::size_t i = 0;
    for (;;) {
        field.clear();
        if (i < record.size() && record[i] == '"') {
            ++i;
            for (;;) {
                if (i >= record.size()) {
                    if (!next_line())
                        throw_input("unterminated quoted field", ErrorLocation{source_, record_line_, {}, {}});
                    record += '\n';
                    record += line_;
                    continue;
                }
                char c = record[i++];
                if (c == '"') {
                    if (i < record.size() && record[i] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        break;
                    }
                } else {
                    field += c;
                }
            }
            if (i < record.size() && record[i] != ',')
                throw_input("unexpected character after a closing quote",
                            ErrorLocation{source_, record_line_, {}, record.substr(i, 20)});
        } else {
            while (i < record.size() && record[i] != ',') field += record[i++];
        }
        owned_.push_back(field);
        if (i >= record.size()) break;
        ++i;  // the comma
        if (i == record.size()) {
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

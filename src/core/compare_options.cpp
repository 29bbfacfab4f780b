// Names, parsing and validation of a comparison's options (eyemap/compare.hpp): checked once, where they enter.
#include "eyemap/compare.hpp"

#include <fmt/format.h>

#include "core/links.hpp"
#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "process/colormap.hpp"

namespace eyemap {

std::string_view to_string(CompareMode m) noexcept { return m == CompareMode::log2_ratio ? "log2" : "difference"; }

std::optional<CompareMode> parse_compare_mode(std::string_view text) noexcept {
    if (text == "difference") return CompareMode::difference;
    if (text == "log2") return CompareMode::log2_ratio;
    return std::nullopt;
}

std::string_view to_string(ComparePart p) noexcept {
    switch (p) {
        case ComparePart::none: return "";
        case ComparePart::a: return "a";
        case ComparePart::b: return "b";
        case ComparePart::difference: return "difference";
    }
    return "";
}

void validate(const CompareOptions& o) {
    for (const auto& [field, text] : {std::pair{"label_a", &o.label_a}, std::pair{"label_b", &o.label_b}}) {
        // Labels go into titles, legends, tooltips and pages: one drawable line, short enough for a legend.
        if (text->empty() || text->size() > 40)
            throw_input("a dataset's label is 1..40 bytes", ErrorLocation{{}, 0, field, *text});
        check_provenance_text(*text, field, false);
        if (text->front() == ' ' || text->back() == ' ')
            throw_input("a dataset's label has no leading or trailing spaces", ErrorLocation{{}, 0, field, *text});
    }
    if (o.label_a == o.label_b)
        throw_input(fmt::format("A and B need different labels (both are '{}')", o.label_a), ErrorLocation{{}, 0, "label_b", o.label_b});
    if (o.type_b.size() > 1000) throw_input("a type name of at most 1000 bytes", ErrorLocation{{}, 0, "type_b", o.type_b.substr(0, 64)});
    detail::colormap_from_spec(o.colormap, "compare_colormap");
}

Metric difference_metric(const Metric& m, const CompareOptions& o) {
    const bool log2 = o.mode == CompareMode::log2_ratio;
    const std::string name = fmt::format("{}_{}", m.name(), log2 ? "log2" : "diff");
    check_value_column_name(name, "metric");
    // Short enough for a legend's rotated title: the datasets first, then the metric's identifier (a
    // count's) or its label (a value column's, shortened at a character boundary to fit 100 bytes).
    const std::string head = log2 ? fmt::format("log2 {}/{} ", o.label_a, o.label_b) : fmt::format("{} \u2212 {} ", o.label_a, o.label_b);
    std::string word(m.is_count() ? to_string(m) : m.label().empty() ? std::string_view(m.name()) : std::string_view(m.label()));
    std::string_view unit = m.is_count() ? std::string_view{} : std::string_view(m.unit());
    if (head.size() + unit.size() + 3 + 8 > 100) unit = {};  // a long unit gives way to the metric's word
    const std::size_t room = 100 - head.size() - (unit.empty() ? 0 : unit.size() + 3);
    if (word.size() > room) {
        std::size_t cut = room - 3;
        while (cut > 0 && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) --cut;
        word = word.substr(0, cut) + "\u2026";
    }
    return Metric(name).with_label(head + word, unit);
}

}  // namespace eyemap

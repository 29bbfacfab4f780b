// Fuzz target: the marks reader (column sets to draw), and what it accepts passing validate(Marks).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eyemap/marks.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const Marks m = parse_marks(text, "fuzz-marks.csv");
        fuzz::check(!m.rows.empty() && !m.sets.empty(), "marks without rows were accepted");
        fuzz::check(m.sets.size() <= kMaxMarkSets, "too many sets accepted");
        for (const auto& r : m.rows) {
            fuzz::check(r.set < m.sets.size(), "a row's set out of range");
            fuzz::check(builtin_regions().find(r.region) != nullptr, "unknown region accepted");
        }
        for (const auto& s : m.sets) fuzz::check(!s.name.empty() && s.name.size() <= kMaxMarkSetName, "set name length");
        try {
            validate(m);  // what a reader accepts is valid as marks made by hand are checked
        } catch (const Error&) {
            fuzz::check(false, "accepted marks fail validate(Marks)");
        }
    });
    return 0;
}

// Marks on columns: column sets (region, side, hex1, hex2, set) drawn as outlines, markers or dimming, with their readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/regions.hpp"
#include "eyemap/table.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap {

// How a set's columns are drawn, over the hexagons (SVG, PNG, PDF and figures alike):
//   outline: each member's hexagon outlined in the set's colour;
//   marker:  a dot in the set's colour, with a dark edge, at each member's centre;
//   dim:     every hexagon in no dim set faded (one translucent cover in the background's colour, so
//            two dim sets do not fade each other), the set's members outlined thinly in its colour.
enum class MarkStyle : std::uint8_t { outline, marker, dim };
std::string_view to_string(MarkStyle s) noexcept;  // "outline", "marker", "dim"
std::optional<MarkStyle> parse_mark_style(std::string_view text) noexcept;

// Limits: a legend entry per set must fit an eyemap, and marks are a hand-made selection.
inline constexpr std::size_t kMaxMarkSets = 64;
inline constexpr std::size_t kMaxMarkRows = 1u << 20;
inline constexpr std::size_t kMaxMarkSetName = 64;  // bytes of UTF-8

// The default colour of the k-th set (in order of first appearance): the Okabe-Ito colour-blind-safe
// qualitative list, blue first (the field's reds are its data), repeating after eight.
std::string_view default_mark_colour(std::size_t k) noexcept;

struct MarkSet {
    std::string name;  // non-empty, at most kMaxMarkSetName bytes, drawable text (core/text.hpp)
    MarkStyle style = MarkStyle::outline;
    std::string colour;  // "#rrggbb"
    bool operator==(const MarkSet&) const = default;
};

struct MarkRow {
    std::string region;
    Side side = Side::R;
    std::int32_t hex1 = 0, hex2 = 0;
    std::uint32_t set = 0;   // index into Marks::sets
    std::uint64_t line = 0;  // 1-based line (or row) in the source, for messages
    bool operator==(const MarkRow&) const = default;
};

// Column sets to mark, as data: a value of RenderOptions (RenderOptions::marks). Empty: no marks,
// and every output is as without them.
struct Marks {
    std::string source;         // the file or the caller's label, in messages
    std::vector<MarkSet> sets;  // in order of first appearance
    std::vector<MarkRow> rows;
    bool empty() const noexcept { return sets.empty(); }
    bool operator==(const Marks&) const = default;
};

// Marks from CSV: columns region, side, hex1, hex2, set (required) and style, colour (optional; an
// empty field: the set's default). The data table's dialect and row rules (region known, side L/R,
// hex bounds); a set's style and colour are given once (a row disagreeing with an earlier row of
// its set is an error); a column twice in one set is an error. Throws eyemap::Error (input) naming
// file, line, field and value; io when the file cannot be read.
Marks parse_marks(std::string_view csv_text, std::string_view source_name, const RegionSet& regions = builtin_regions());
Marks read_marks(const std::filesystem::path& path, const RegionSet& regions = builtin_regions());

// The same from typed columns (a data frame's): row i is line first_line + i in messages.
struct MarkColumns {
    std::string source = "marks";
    std::uint64_t first_line = 1;
    std::optional<TextColumn> region, side, set, style, colour;
    std::optional<NumberColumn> hex1, hex2;
    std::vector<std::string> ignored;  // the caller's other column names (near names of known ones are errors)
};
Marks marks_from_columns(const MarkColumns& columns, const RegionSet& regions = builtin_regions());

// A set's look changed after reading (the CLI's --mark-style SET=STYLE, --mark-colour SET=#rrggbb).
// Throws input naming `field` for an unknown set (with did-you-mean), style or colour.
void set_mark_style(Marks& marks, std::string_view set, std::string_view style, std::string_view field = "mark_style");
void set_mark_colour(Marks& marks, std::string_view set, std::string_view colour, std::string_view field = "mark_colour");

// Checks marks made by hand as the readers do (names, colours, limits, set indices, duplicates).
void validate(const Marks& marks);

}  // namespace eyemap

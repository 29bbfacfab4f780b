// Colour maps as data (internal): the named maps' published tables, maps from listed colours, sampling, bins and centred limits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace eyemap::detail {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    friend constexpr bool operator==(Rgb, Rgb) = default;
};

enum class ColormapKind : std::uint8_t {
    sequential,  // light to dark (or dark to light): values from a lower to an upper limit
    diverging,   // two hues meeting at a light centre: signed values about a centre (centred_limits)
};

inline constexpr std::size_t kColormapLutSize = 256;  // matplotlib's and the other reference libraries' N
inline constexpr int kMinBins = 2;
inline constexpr int kMaxBins = 12;
// A listed map with more stops than table entries would have stops no sample can reach.
inline constexpr std::size_t kMaxListedColours = kColormapLutSize;

// Published n-class sets of a map, by n (an empty span: no set for that n, the (i + 0.5)/n rule
// applies). Only reds has them (ColorBrewer's Reds, 3..9 classes).
using ClassSets = std::array<std::span<const Rgb>, kMaxBins + 1>;

// A colour map: its 256-entry table is all sampling reads. Named maps live in static storage
// (find_colormap); a map from listed colours is a value of its own (colour_list_colormap).
struct Colormap {
    std::string_view name;  // canonical, lower case ("reds", "rdbu"); "" for a map from listed colours
    ColormapKind kind = ColormapKind::sequential;
    std::array<Rgb, kColormapLutSize> lut{};
    const ClassSets* classes = nullptr;
};

// The named maps' canonical names, the field's default ("reds") first.
std::span<const std::string_view> colormap_names() noexcept;

// The named map whose name equals `name` ignoring ASCII case (matplotlib spells them "Reds",
// "RdBu", "PuOr", ...; users type either, and no two maps differ only by case), or nullptr.
// (A pointer rather than std::optional: the maps are static, and std::optional cannot hold a reference.)
const Colormap* find_colormap(std::string_view name) noexcept;

// find_colormap, or an input error naming `field` and the name, with "did you mean" and the list.
const Colormap& named_colormap(std::string_view name, std::string_view field = "colormap");

// A map from colours the user lists, "#rrggbb,#rrggbb,...": evenly spaced stops, linear
// interpolation in sRGB, as matplotlib's LinearSegmentedColormap.from_list(name, colours, 256).
// Blanks around a colour are ignored; hex digits in either case. 2..kMaxListedColours colours,
// else an input error naming `field` (and the bad colour, for one that is not #rrggbb).
// Its kind is sequential: a caller that wants it centred passes a centre (centred_limits).
Colormap colour_list_colormap(std::string_view list, std::string_view field = "colormap");

// What a user writes for a map: a list of colours when it starts with '#', else a map's name.
Colormap colormap_from_spec(std::string_view spec, std::string_view field = "colormap");

// The colour at t in [0, 1], as matplotlib's cmap(t): index floor(t * 256), t = 1 the last entry,
// below 0 the first and above 1 the last (matplotlib's default under/over colours). NaN gives the
// first entry (matplotlib: transparent "bad"; eyemap draws NaN as no data and never samples it).
// Bytes are the table's floats rounded to nearest. matplotlib's bytes=True truncates, which puts
// about half its channels one below: viridis's 2nd entry is 85.53 -> 85 (here 86), and Reds'
// stop #a50f15 has blue 0.08235294117647057 * 255 = 20.999999999999996 -> 20 (here 0x15 = 21).
inline Rgb sample(const Colormap& m, double t) noexcept {
    std::size_t i = 0;
    if (t >= 1.0) i = kColormapLutSize - 1;
    else if (t > 0.0) i = static_cast<std::size_t>(t * static_cast<double>(kColormapLutSize));
    return m.lut[i < kColormapLutSize ? i : kColormapLutSize - 1];
}

// The 256-entry continuous table, entry i the map's colour at i / 255 (matplotlib's _lut).
inline const std::array<Rgb, kColormapLutSize>& lut256(const Colormap& m) noexcept { return m.lut; }

// n colours for n bins, light (low) to dark (high) for the sequential maps.
struct BinColours {
    std::array<Rgb, kMaxBins> colour{};
    int n = 0;
    std::span<const Rgb> colours() const noexcept { return {colour.data(), static_cast<std::size_t>(n)}; }
};

// Bin i of n is sample(m, (i + 0.5) / n), except where the map has a published n-class set
// (reds, n = 3..9: ColorBrewer's Reds, n = 5 today's palette; see colormap.cpp). n outside
// kMinBins..kMaxBins is an input error naming `field`.
BinColours binned(const Colormap& m, int n, std::string_view field = "bins");

struct Limits {
    double lo = 0;
    double hi = 0;
    friend constexpr bool operator==(const Limits&, const Limits&) = default;
};

// A diverging map's scale limits about `centre`. `lo`/`hi` are the limits the user gave (nullopt:
// from the data); `data_lo`..`data_hi` is the extent of the values shown.
// - both given: returned as given (lo < hi, else an input error);
// - one given: kept, the other its mirror image about the centre (min -3 about 0 gives -3..3);
//   a given limit on the wrong side of the centre is an input error;
// - none: centre -/+ the larger distance from the centre to data_lo or data_hi, so the centre's
//   colour is the centre value's. Data all at the centre give (centre, centre): the scale's
//   min == max rule (spec: widen by 0.1) applies as for any scale.
// Non-finite limits or centre are input errors (fields "min", "max", "centre").
Limits centred_limits(std::optional<double> lo, std::optional<double> hi, double data_lo, double data_hi, double centre = 0.0);

}  // namespace eyemap::detail

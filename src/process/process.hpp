// Process stage: column statuses, values, per-layer values and colour scales for one type's eyemaps.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <functional>
#include <memory>

#include "eyemap/options.hpp"
#include "eyemap/regions.hpp"
#include "eyemap/summary.hpp"
#include "eyemap/table.hpp"

namespace eyemap {

enum class ColumnStatus : std::uint8_t { has_data, no_data, not_in_region };

// The most colour bins a scale has (ScaleOptions::bins, 2..12: detail::kMaxBins of process/colormap.hpp).
inline constexpr int kMaxScaleBins = 12;

// The colour scale of one eyemap view: up to N bins (ScaleOptions::bins, 2..12; the field's 5 by
// default), each drawn with one of the N bin colours of the map, and the thresholds the legend labels.
//
// Edges. make_scale first computes N + 1 candidate thresholds c0..cN with the method:
//   linear:     c_k = min + k (max - min) / N                                 (the field's default)
//   percentile: c_k = the (100 k / N)th percentile, linear interpolation between order statistics
//   fixed:      c_k = lo + k (hi - lo) / N with the caller's lo, hi
//   stddev:     c_0 = min, c_N = max, c_k = mean + (k - N/2) sd for 0 < k < N (N = 5: mean -1.5, -.5, +.5,
//               +1.5 sd), population sd, each clamped to [min, max]
//   log:        c_k = lo (max / lo)^(k / N), lo = the smallest value > 0 (no value > 0: linear)
// Then, when every value (and for fixed, lo and hi) is a whole number, the "integer" rules:
//   - max - min < N (at most N possible values): one bin per integer, min, min+1, ..., max
//     (`singles`); the legend labels each bin with its value; min == max is one bin in the middle
//     colour, where the field's +-0.1 widening puts it;
//   - otherwise each threshold snaps to a whole multiple of its unit u_k: e_0 = floor(c_0 / u_0) u_0,
//     e_N = ceil(c_N / u_N) u_N, e_k = floor(c_k / u_k) u_k inside, where u_k = 1 below 10,000 and
//     otherwise the power of ten that keeps three significant digits of |c_k| (12,345 -> 100, shown
//     "12.3k"); all u_k are capped by a common power of ten, lowered while it would merge
//     thresholds that the exact values keep apart. For whole v, "v <= c" and "v <= floor(c)"
//     agree, so thresholds below 10,000 bin exactly as the field's.
// Otherwise (fractional values) e_k = c_k; min == max is widened by +-0.1 as the field does.
// Equal thresholds are merged, so a scale has 1..N bins (0 without values): bin 0 is [e_0, e_1],
// bin b > 0 is (e_b, e_b+1] (upper edges inclusive, as the field bins); values outside the edges
// (fixed scales) fall into the first or last bin. Fewer than N bins use colours spread from light
// to dark: bin b of n gets colour round((N - 1) b / (n - 1)) (one bin: the middle colour, (N - 1) / 2
// rounded down), which for N = 5 and 2..5 single values are the field's colours.
// A palette index (layout's FillColours): 0 white (no data), 1..N the bins or continuous levels light to
// dark, N + 1 grey (not in region). 16 bits: a continuous scale has 256 levels, 258 fills with white and
// grey (measured: bench/README.md, "Palette indices of 16 bits").
using FillIndex = std::uint16_t;
// The levels of a continuous scale: the colour maps' table size (process/colormap.hpp's kColormapLutSize).
inline constexpr int kContinuousLevels = 256;

// A scale's edges e_0..e_bins, padded with e_bins to kMaxScaleBins + 1 entries.
using ScaleEdges = std::array<double, kMaxScaleBins + 1>;

struct ColorScale {
    ScaleMethod method = ScaleMethod::linear;
    // The distinct edges e_0..e_bins, then padded with e_bins, so edges[0] is the scale's minimum and
    // edges.back() (and edges[classes]) its maximum; with `singles`, edges[b] is bin b's one value.
    ScaleEdges edges{};
    int bins = 0;          // 0 (no values) .. classes
    int classes = 5;       // N: the colours the bins are drawn with (ScaleOptions::bins)
    bool singles = false;  // one whole number per bin (small integer ranges)
    bool clipped = false;  // the scale ends below the largest value (clip_quantile): the last bin is "≥ its edge"
    // Continuous (ScaleOptions::continuous): classes = kContinuousLevels, and a value's colour is one of the
    // map's 256 table entries, chosen by t in [0, 1] between the limits lo..hi (level()). `bins` is 1 when
    // there are values (0 without), edges[0] = lo and edges[1..] = hi.
    bool continuous = false;
    bool clipped_low = false;  // continuous: values lie below lo (stddev limits, a centred clip): the legend's bottom "≤ lo"
    double lo = 0, hi = 0;     // continuous: the limits
    ScaleMethod position = ScaleMethod::linear;  // continuous: how t is found (linear, log, percentile)
    std::shared_ptr<const std::vector<double>> sorted;  // continuous percentile: the scale's values, sorted
    int thumbnail_bins = 5;  // continuous: ScaleOptions::bins, the bins index thumbnails draw the levels in
    // Colour bin 0..classes-1 (light to dark) of a value.
    int bin(double value) const noexcept;
    // Continuous: where a value lies between the limits, 0..1 (linear: (v - lo) / (hi - lo); log: the
    // same in log space, values <= 0 at 0; percentile: its percentile rank among `sorted`, ties at their
    // middle rank, values between two interpolated; clamped; lo == hi: 0.5); level(): its table entry
    // 0..255, floor(t * 256) (t = 1: 255), as matplotlib's cmap(t) picks it.
    double position_of(double value) const noexcept;
    int level(double value) const noexcept;
    // The palette index of a value that has data: bin(v) + 1, or level(v) + 1 when continuous.
    FillIndex fill(double value) const noexcept { return static_cast<FillIndex>((continuous ? level(value) : bin(value)) + 1); }
    // The scale's own bin 0..bins-1 of a value, and the colour bin 0..classes-1 of the scale's bin b.
    int scale_bin(double value) const noexcept;
    int colour_of(int b) const noexcept;
};

// Inline: called once per hexagon and layer (process_type's fills).
inline int ColorScale::scale_bin(double v) const noexcept {
    if (bins <= 1) return 0;
    if (singles) {
        // Values are whole numbers; clamped: fixed scales. NaN (no data, which process_type bins
        // without a branch and then draws white) gives 0, not a cast of NaN.
        const double b = std::round(v - edges[0]);
        return !(b > 0) ? 0 : b >= bins - 1 ? bins - 1 : static_cast<int>(b);
    }
    // Upper edges inclusive, as the field's tool bins: the first b with v <= e_(b+1), which for the
    // ascending distinct edges is the count of inner edges v is not <= (NaN: bins - 1, as a search
    // would give). Counted without branches: on real data the bin of the next value is random, and a
    // compare-and-return ladder mispredicts (the process stage's step from 10^3 to 3·10^3 hexagons).
    int b = 0;
    for (int k = 1; k < bins; ++k) b += !(v <= edges[static_cast<std::size_t>(k)]);
    return b;
}

inline int ColorScale::colour_of(int b) const noexcept {
    if (bins <= 1) return bins == 1 ? (classes - 1) / 2 : 0;
    // round((N - 1) b / (bins - 1)), halves up; for N = 5, round(4 b / (bins - 1)), never a tie.
    return (2 * (classes - 1) * b + (bins - 1)) / (2 * (bins - 1));
}

inline int ColorScale::bin(double v) const noexcept { return colour_of(scale_bin(v)); }

// Builds a scale from the values (need not be sorted). Empty input gives six zeros. The options
// are valid (validate(ScaleOptions) ran where they entered).
ColorScale make_scale(std::span<const double> values, const ScaleOptions& options);
// The scale options process_type is given for `o`: o.scale, with the centre 0 when none is given and
// the colour map is diverging (rdbu, puor; see ScaleOptions::centre) and the scale linear or fixed.
ScaleOptions scale_options(const RenderOptions& o);
// Where process_type gets its scales: make_scale, or the renderer's colour cache in front of it.
using ScaleSource = std::function<ColorScale(std::span<const double> values, const ScaleOptions& options)>;

// Palette indices (FillIndex): with the field's 5 bins, Style::palette's 7 entries.
inline constexpr FillIndex kFillWhite = 0;
inline constexpr FillIndex kFillGrey = 6;  // with 5 bins; in general fill_grey(classes)
constexpr FillIndex fill_grey(int classes) noexcept { return static_cast<FillIndex>(classes + 1); }
// The colours a scale made with `o` is drawn with: o.bins, or kContinuousLevels when continuous.
constexpr int colour_classes(const ScaleOptions& o) noexcept { return o.continuous ? kContinuousLevels : o.bins; }

// Columns that exist, per region and side, indexed over a shared "universe" of columns.
struct ColumnIndex {
    struct Column {
        std::int32_t hex1, hex2;
    };
    // All columns of the dataset, both sides, sorted by (hex1, hex2): the grid every eyemap shows.
    std::vector<Column> universe;
    // in_region[region_index * 2 + side][universe index]
    std::vector<std::vector<bool>> in_region;
    std::vector<std::size_t> region_column_count;  // same indexing as in_region
    RegionSet regions;
    // Dense (hex1, hex2) -> universe index table over the bounding box, -1 where no column:
    // one lookup per row instead of a search (hex coordinates are bounded at ingest).
    std::int32_t min1 = 0, min2 = 0, span1 = 0, span2 = 0;
    std::vector<std::int32_t> index;

    // Universe index of a column, or -1.
    std::int64_t find(std::int32_t hex1, std::int32_t hex2) const noexcept;
    bool has_columns(int region_index, Side side) const noexcept;
};

ColumnIndex make_column_index(const ColumnLayout& layout, const RegionSet& regions);

// The processed data of one eyemap, in universe order. Plain data, handed to the layout stage.
struct EyemapData {
    std::string neuron_type;
    std::string region;
    Side side = Side::R;
    Metric metric = Metric::synapses;
    std::vector<std::string> layer_names;

    std::vector<ColumnStatus> status;   // per universe column
    // Per universe column: counts are whole numbers (0 when not has_data), values any float64 (NaN
    // when not has_data). Counts have data when > 0, values when not NaN (0 and signed values are data).
    std::vector<double> value;
    bool counts = true;       // the metric is a count (synapses, cells), not a value column
    ValueFormat format;       // how its values print (tooltips, legend, pages): chosen once per eyemap
    std::vector<FillIndex> fill;        // palette index: 0 white, 1..N bins, N + 1 grey (grey_fill)
    // Per-layer values and palette indices, row-major [column * layer_count + layer];
    // empty when the data has no per-layer values for this metric.
    std::vector<double> layer_value;  // counts: 0 = none in that layer; values: NaN = no data in that layer
    std::vector<FillIndex> layer_fill;
    ColorScale scale;        // the "all layers" scale
    ColorScale layer_scale;  // the region's per-layer scale
    FillIndex grey_fill = kFillGrey;  // the palette index of not_in_region: bins + 1 (6 for the field's 5 bins)
    std::size_t has_data_count = 0;
    std::size_t not_in_region_count = 0;

    std::size_t layer_count() const noexcept { return layer_names.size(); }
    bool has_layers() const noexcept { return !layer_value.empty(); }
};


// The per-column arrays of eyemaps already drawn, handed back for process_type to fill again: the
// batch draws type after type on the same threads, and arrays made afresh for every eyemap are, from
// ~10^5 hexagons on, fresh mmaps whose page faults were a third of the stage's growth per hexagon up to
// 10^6 (bench/README.md, "Issue 26, session 4"). Keeps at most kKeptBytes.
class EyemapArrays {
public:
    static constexpr std::size_t kKeptBytes = std::size_t{256} << 20;
    // Keeps d's arrays (the rest of d is dropped) while the total kept stays within kKeptBytes.
    void give(EyemapData&& d);
    // Into `d`: the arrays last given, emptied with their capacity (none: d unchanged).
    void take(EyemapData& d);

private:
    std::vector<EyemapData> spare_;
    std::size_t bytes_ = 0;
};

// Builds the requested eyemaps of one type from all of that type's rows (every region and side,
// so the pooled scale sees everything). Rows carry `neuron_type` or leave it empty; requests must be ones
// the layout and columns can draw (check_requests). Scales come from `scales` (null: make_scale); the
// eyemaps' arrays from `reuse` while it has any.
std::vector<EyemapData> process_type(std::string_view neuron_type, std::span<const ColumnRow> rows,
                                     const TableColumns& columns, const ColumnIndex& layout,
                                     std::span<const EyemapRequest> requests, const ScaleOptions& options = {},
                                     const ScaleSource& scales = {}, EyemapArrays* reuse = nullptr);

// Throws input naming the region, side or metric of the first request the layout or the columns
// cannot draw (unknown region, no columns on that side, no such metric column).
void check_requests(const ColumnIndex& layout, const TableColumns& columns, std::span<const EyemapRequest> requests);

}  // namespace eyemap

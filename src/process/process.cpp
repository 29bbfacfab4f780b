// Process stage: statuses, values, bins and scales for the eyemaps of one type.
#include "process/process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "process/colormap.hpp"
#include "process/metric_slot.hpp"

namespace eyemap {
using detail::has_data;
using detail::kNaN;
using detail::layer_value;
using detail::with_layer_values;
using detail::metric_slot;
using detail::metric_value;
using detail::MetricSlot;
using detail::find_value_column;


double ColorScale::position_of(double v) const noexcept {
    if (position == ScaleMethod::percentile && sorted && !sorted->empty()) {
        const std::vector<double>& s = *sorted;
        if (s.size() == 1) return 0.5;
        const auto first = std::lower_bound(s.begin(), s.end(), v), last = std::upper_bound(first, s.end(), v);
        double rank;
        if (first != last) rank = (static_cast<double>(first - s.begin()) + static_cast<double>(last - s.begin()) - 1) / 2;  // ties: middle rank
        else if (first == s.begin()) return 0;
        else if (first == s.end()) return 1;
        else {  // between two values: interpolated, as at_position reads a quantile
            const auto i = static_cast<std::size_t>(first - s.begin());
            rank = static_cast<double>(i - 1) + (v - s[i - 1]) / (s[i] - s[i - 1]);
        }
        return rank / static_cast<double>(s.size() - 1);
    }
    if (!(hi > lo)) return 0.5;  // one value (or all at a centre): the middle colour
    // Halves where hi - lo overflows (limits near +-1.8e308), as the binned edges do.
    const double t = position == ScaleMethod::log            ? (v > 0 ? std::log(v / lo) / std::log(hi / lo) : 0)
                     : std::isfinite(hi - lo) ? (v - lo) / (hi - lo)
                                              : (v / 2 - lo / 2) / (hi / 2 - lo / 2);
    return t <= 0 ? 0 : t >= 1 ? 1 : t;  // NaN -> 0 (never drawn: NaN is no data)
}

int ColorScale::level(double v) const noexcept {
    const double t = position_of(v);
    if (t >= 1) return kContinuousLevels - 1;
    if (t > 0) return std::min(kContinuousLevels - 1, static_cast<int>(t * kContinuousLevels));
    return 0;
}

namespace {

constexpr double kCompactFrom = 10000;  // the legend writes 12.3k from here on (layout.cpp, tick labels)

// A whole number the integer rules can snap: within int64's range (the compact labels' 12.3k .. 4.62E);
// past it every double is "whole", and snapping huge values (1e300) would move the edges off the data.
// Through int64 (exact below 2^63) rather than std::floor, a libm call per value at the baseline ISA.
bool whole(double v) noexcept { return std::fabs(v) < 9.2e18 && v == static_cast<double>(static_cast<std::int64_t>(v)); }

using Edges = ScaleEdges;

// The value at fractional position `pos` of sorted values, interpolated linearly between neighbours
// (percentile edges and the clip quantile).
double at_position(const std::vector<double>& sorted, double pos) {
    const auto i = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(i);
    return i + 1 < sorted.size() ? sorted[i] + (sorted[i + 1] - sorted[i]) * frac : sorted[i];
}

// The mean and population standard deviation of values (not empty): the stddev method's.
std::pair<double, double> mean_sd(std::span<const double> values) {
    const auto plain = [&](double scale) {
        double mean = 0;
        for (double v : values) mean += v / scale;
        mean /= static_cast<double>(values.size());
        double var = 0;
        for (double v : values) var += (v / scale - mean) * (v / scale - mean);
        return std::pair<double, double>{mean * scale, std::sqrt(var / static_cast<double>(values.size())) * scale};
    };
    auto r = plain(1);
    // Squares of tiny (< 1e-154) or huge (> 1e154) values underflow or overflow: again in units of the
    // largest magnitude (only then, so ordinary values keep their exact edges).
    const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    if (!std::isfinite(r.first) || !std::isfinite(r.second) || (r.second == 0 && *mn != *mx)) {
        const double m = std::max(std::fabs(*mn), std::fabs(*mx));
        if (m > 0 && std::isfinite(m)) r = plain(m);
    }
    return r;
}

// The n + 1 candidate thresholds of a method (see ColorScale), values not empty; padded with c_n.
// (n = 5 computes exactly what the field's five bins did: k / 5.0, k - 2.5.)
Edges candidates(std::span<const double> values, const ScaleOptions& o, double lo, double hi, int n) {
    Edges c{};
    const double nd = n;
    const auto N = static_cast<std::size_t>(n);
    auto linear = [&](double a, double b) {
        // min + k (max - min) / n; weighted only where max - min overflows (ranges like -1e308..1e308).
        const bool finite = std::isfinite(b - a);
        for (int k = 0; k <= n; ++k)
            c[static_cast<std::size_t>(k)] = finite ? a + (b - a) * k / nd : a * ((n - k) / nd) + b * (k / nd);
        c[N] = b;
    };
    switch (o.method) {
        case ScaleMethod::fixed: linear(o.min, o.max); break;
        case ScaleMethod::linear: linear(lo, hi); break;
        case ScaleMethod::percentile: {
            std::vector<double> v(values.begin(), values.end());
            std::sort(v.begin(), v.end());
            for (int k = 0; k <= n; ++k) c[static_cast<std::size_t>(k)] = at_position(v, (static_cast<double>(v.size()) - 1) * k / nd);
            break;
        }
        case ScaleMethod::stddev: {
            const auto [mean, sd] = mean_sd(values);
            c[0] = lo;
            c[N] = hi;
            for (int k = 1; k < n; ++k) c[static_cast<std::size_t>(k)] = std::clamp(mean + (k - nd / 2) * sd, lo, hi);
            break;
        }
        case ScaleMethod::log: {
            double pos = hi;
            for (double v : values)
                if (v > 0) pos = std::min(pos, v);
            if (!(pos > 0)) {  // nothing positive: a log scale has no meaning, linear instead
                linear(lo, hi);
                break;
            }
            for (int k = 0; k <= n; ++k) c[static_cast<std::size_t>(k)] = pos * std::pow(hi / pos, k / nd);
            c[0] = lo;  // values below the smallest positive one (zeros) are in the first bin
            c[N] = hi;
            break;
        }
    }
    for (std::size_t k = N + 1; k < c.size(); ++k) c[k] = c[N];
    return c;
}

// Sorted candidates e_0..e_classes -> distinct edges, padded to the end; returns the bin count.
int distinct(Edges& e, int classes) {
    const auto used = static_cast<std::size_t>(classes) + 1;
    std::sort(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(used));
    int n = 1;
    for (std::size_t k = 1; k < used; ++k)
        if (e[k] != e[static_cast<std::size_t>(n - 1)]) e[static_cast<std::size_t>(n++)] = e[k];
    for (std::size_t k = static_cast<std::size_t>(n); k < e.size(); ++k) e[k] = e[static_cast<std::size_t>(n - 1)];
    return std::max(1, n - 1);
}

// The spacing that keeps three significant digits of a magnitude from kCompactFrom on (12,345 ->
// 100, shown "12.3k"), 1 below it; powers of ten, exact as doubles.
double unit_of(double magnitude) {
    double u = 1;
    if (magnitude >= kCompactFrom && std::isfinite(magnitude))  // never infinity: u * 1000 <= inf forever
        while (u * 1000 <= magnitude && u < 1e300) u *= 10;
    return u;
}

// Whole-number thresholds, each a multiple of its own unit capped at u: the outer ones outwards, the
// inner ones down (see ColorScale).
Edges snap(const Edges& c, double u, int classes) {
    Edges e{};
    const auto last = static_cast<std::size_t>(classes);
    for (std::size_t k = 0; k <= last; ++k) {
        const double uk = std::min(u, unit_of(std::abs(c[k])));
        const double x = c[k] / uk;
        e[k] = (k == last ? std::ceil(x) : std::floor(x)) * uk;
        // Never inside the values' range at the ends, never above the candidate inside (rounding of
        // x at huge magnitudes): keep the exact value then.
        if (k == last ? e[k] < c[k] : e[k] > c[k]) e[k] = c[k];
    }
    return e;
}

}  // namespace

namespace {

// The continuous scale's limits and positions (see ColorScale and ScaleOptions::continuous), from the
// limits lo..hi found so far (the values' extent, clipped or centred; fixed: the given ones).
ColorScale continuous_scale(ColorScale s, std::span<const double> values, const ScaleOptions& o, double lo, double hi) {
    s.continuous = true;
    s.bins = 1;
    switch (o.method) {
        case ScaleMethod::fixed:
        case ScaleMethod::linear: break;
        case ScaleMethod::percentile: {
            auto sorted = std::make_shared<std::vector<double>>(values.begin(), values.end());
            std::sort(sorted->begin(), sorted->end());
            s.sorted = std::move(sorted);
            s.position = ScaleMethod::percentile;
            break;
        }
        case ScaleMethod::stddev: {  // mean -/+ 2 sd (population sd), clamped to the values' extent
            const auto [mean, sd] = mean_sd(values);
            const double a = std::max(lo, mean - 2 * sd), b = std::min(hi, mean + 2 * sd);
            s.clipped_low = s.clipped_low || a > lo;
            s.clipped = s.clipped || b < hi;
            lo = a;
            hi = b;
            break;
        }
        case ScaleMethod::log: {  // from the smallest value > 0 (none, or only one: linear)
            double pos = hi;
            for (double v : values)
                if (v > 0) pos = std::min(pos, v);
            if (pos > 0 && pos < hi) {
                lo = pos;
                s.position = ScaleMethod::log;
            }
            break;
        }
    }
    s.lo = lo;
    s.hi = hi;
    s.edges.fill(hi);
    s.edges[0] = lo;
    return s;
}

}  // namespace

ColorScale make_scale(std::span<const double> values, const ScaleOptions& options) {
    ColorScale s;
    s.method = options.method;
    const int n = options.bins;
    if (!options.continuous && (n < 2 || n > kMaxScaleBins)) throw_internal("make_scale: unvalidated bin count");
    s.classes = colour_classes(options);
    s.continuous = options.continuous;
    s.thumbnail_bins = n;
    const auto N = static_cast<std::size_t>(n);
    const bool fixed = options.method == ScaleMethod::fixed;
    if (fixed && !(options.min <= options.max)) throw_internal("make_scale: unvalidated fixed scale");
    if (!fixed && values.empty()) return s;  // six zeros, no bins: nothing to colour
    // A centre (ScaleOptions::centre) places linear limits symmetric about it; fixed ones are as given.
    const bool centred = options.centre && options.method == ScaleMethod::linear;
    const double centre = options.centre.value_or(0);
    double lo = options.min, hi = options.max;
    // Fixed limits: the integer rules when the limits and the values are whole (fractional values
    // of a value column keep exact edges: -6..6 in 7 bins is -6, -4.29, ... 6, symmetric).
    bool integer = fixed && whole(lo) && whole(hi) && std::all_of(values.begin(), values.end(), whole);  // else below
    std::vector<double> clipped;  // the values with those above a robust maximum lowered to it
    if (!fixed) {
        auto [mn, mx] = std::minmax_element(values.begin(), values.end());
        lo = *mn;
        hi = *mx;
        integer = std::all_of(values.begin(), values.end(), whole);
        if (options.clip_quantile < 1 && centred) {
            // Symmetric: the quantile of the distances from the centre bounds both ends.
            clipped.resize(values.size());
            std::transform(values.begin(), values.end(), clipped.begin(), [&](double v) { return std::abs(v - centre); });
            std::sort(clipped.begin(), clipped.end());
            double q = at_position(clipped, (static_cast<double>(clipped.size()) - 1) * options.clip_quantile);
            if (integer && whole(centre)) q = std::ceil(q);
            clipped.assign(values.begin(), values.end());
            if (centre - q > lo) {
                lo = centre - q;
                s.clipped_low = true;
            }
            if (centre + q < hi) {
                hi = centre + q;
                s.clipped = true;
            }
            if (s.clipped || s.clipped_low) {
                for (double& v : clipped) v = std::clamp(v, lo, hi);
                values = clipped;
            }
        } else if (options.clip_quantile < 1) {
            // The quantile as the percentile method interpolates it; whole values keep a whole limit.
            clipped.assign(values.begin(), values.end());
            std::sort(clipped.begin(), clipped.end());
            double q = at_position(clipped, (static_cast<double>(clipped.size()) - 1) * options.clip_quantile);
            if (integer) q = std::ceil(q);
            if (q < hi) {
                hi = q;
                s.clipped = true;
                for (double& v : clipped) v = std::min(v, hi);
                values = clipped;
            }
        }
        if (centred) {
            const detail::Limits l = detail::centred_limits(std::nullopt, std::nullopt, lo, hi, centre);
            lo = l.lo;
            hi = l.hi;
            integer = integer && whole(lo) && whole(hi);
        }
    }
    if (options.continuous) return continuous_scale(std::move(s), values, options, lo, hi);
    if (integer && hi - lo < n) {  // at most n possible values: one bin each
        s.singles = true;
        s.bins = static_cast<int>(hi - lo) + 1;
        for (std::size_t k = 0; k < s.edges.size(); ++k) s.edges[k] = std::min(lo + static_cast<double>(k), hi);
        return s;
    }
    if (lo == hi) {  // one fractional value: widen so it lands mid-scale, as the field's tool does
        lo -= 0.1;
        hi += 0.1;
        for (int k = 0; k <= n; ++k) s.edges[static_cast<std::size_t>(k)] = lo + (hi - lo) * k / static_cast<double>(n);
        for (std::size_t k = N + 1; k < s.edges.size(); ++k) s.edges[k] = s.edges[N];
        s.bins = n;
        return s;
    }
    Edges c = candidates(values, options, lo, hi, n);
    if (!integer) {
        s.edges = c;
        s.bins = distinct(s.edges, n);
        return s;
    }
    for (double& x : c) x = std::floor(x);  // for whole v, v <= x exactly when v <= floor(x)
    c[0] = lo;
    for (std::size_t k = N; k < c.size(); ++k) c[k] = hi;
    Edges exact = c;
    const int want = distinct(exact, n);
    const double mag = std::max(std::abs(lo), std::abs(hi));
    double u = unit_of(mag);
    for (; u > 1; u /= 10) {
        Edges e = snap(c, u, n);
        if (distinct(e, n) == want) {
            s.edges = e;
            s.bins = want;
            return s;
        }
    }
    s.edges = exact;
    s.bins = want;
    return s;
}

ScaleOptions scale_options(const RenderOptions& o) {
    ScaleOptions s = o.scale;
    if (!s.centre && (s.method == ScaleMethod::linear || s.method == ScaleMethod::fixed) &&
        detail::colormap_from_spec(o.colormap).kind == detail::ColormapKind::diverging)
        s.centre = 0.0;
    return s;
}

std::int64_t ColumnIndex::find(std::int32_t hex1, std::int32_t hex2) const noexcept {
    if (index.empty()) {  // a sparse layout too spread out for the dense table
        auto it = std::lower_bound(universe.begin(), universe.end(), Column{hex1, hex2}, [](const Column& a, const Column& b) {
            return a.hex1 != b.hex1 ? a.hex1 < b.hex1 : a.hex2 < b.hex2;
        });
        if (it == universe.end() || it->hex1 != hex1 || it->hex2 != hex2) return -1;
        return it - universe.begin();
    }
    const std::int64_t a = static_cast<std::int64_t>(hex1) - min1, b = static_cast<std::int64_t>(hex2) - min2;
    if (a < 0 || b < 0 || a >= span1 || b >= span2) return -1;
    return index[static_cast<std::size_t>(a * span2 + b)];
}

bool ColumnIndex::has_columns(int region_index, Side side) const noexcept {
    const auto k = static_cast<std::size_t>(region_index) * 2 + static_cast<std::size_t>(side);
    return region_index >= 0 && k < region_column_count.size() && region_column_count[k] > 0;
}

ColumnIndex make_column_index(const ColumnLayout& layout, const RegionSet& regions) {
    ColumnIndex p;
    p.regions = regions;
    for (const auto& e : layout.entries) p.universe.push_back({e.hex1, e.hex2});
    std::sort(p.universe.begin(), p.universe.end(), [](const auto& a, const auto& b) {
        return a.hex1 != b.hex1 ? a.hex1 < b.hex1 : a.hex2 < b.hex2;
    });
    p.universe.erase(std::unique(p.universe.begin(), p.universe.end(),
                                 [](const auto& a, const auto& b) { return a.hex1 == b.hex1 && a.hex2 == b.hex2; }),
                     p.universe.end());
    if (!p.universe.empty()) {
        auto [lo1, hi1] = std::minmax_element(p.universe.begin(), p.universe.end(),
                                              [](const auto& a, const auto& b) { return a.hex1 < b.hex1; });
        auto [lo2, hi2] = std::minmax_element(p.universe.begin(), p.universe.end(),
                                              [](const auto& a, const auto& b) { return a.hex2 < b.hex2; });
        p.min1 = lo1->hex1;
        p.min2 = lo2->hex2;
        p.span1 = hi1->hex1 - lo1->hex1 + 1;
        p.span2 = hi2->hex2 - lo2->hex2 + 1;
        const std::size_t cells = static_cast<std::size_t>(p.span1) * static_cast<std::size_t>(p.span2);
        if (cells <= std::max<std::size_t>(std::size_t{1} << 20, 16 * p.universe.size()))
            p.index.assign(cells, -1);
        for (std::size_t i = 0; i < p.universe.size() && !p.index.empty(); ++i)
            p.index[static_cast<std::size_t>(p.universe[i].hex1 - p.min1) * static_cast<std::size_t>(p.span2) +
                    static_cast<std::size_t>(p.universe[i].hex2 - p.min2)] = static_cast<std::int32_t>(i);
    }
    p.in_region.assign(regions.regions.size() * 2, std::vector<bool>(p.universe.size(), false));
    p.region_column_count.assign(regions.regions.size() * 2, 0);
    for (const auto& e : layout.entries) {
        const int ri = regions.index_of(e.region);
        if (ri < 0) throw_input("layout names a region that is not defined", ErrorLocation{layout.source, 0, "region", e.region});
        const auto k = static_cast<std::size_t>(ri) * 2 + static_cast<std::size_t>(e.side);
        auto idx = static_cast<std::size_t>(p.find(e.hex1, e.hex2));
        if (!p.in_region[k][idx]) {
            p.in_region[k][idx] = true;
            ++p.region_column_count[k];
        }
    }
    return p;
}

bool has_metric(const TableColumns& c, const Metric& m) noexcept {
    if (m == Metric::synapses) return c.synapses;
    if (m == Metric::cells) return c.cells;
    return find_value_column(c, m) != nullptr;
}

bool has_metric_layers(const TableColumns& c, const Metric& m) noexcept {
    if (m == Metric::synapses) return c.layer_synapses;
    if (m == Metric::cells) return c.layer_cells;
    const ValueColumn* v = find_value_column(c, m);
    return v && v->layers;
}

void check_requests(const ColumnIndex& layout, const TableColumns& columns, std::span<const EyemapRequest> requests) {
    for (const auto& req : requests) {
        const int ri = layout.regions.index_of(req.region);
        if (ri < 0) throw_input("unknown region", ErrorLocation{{}, 0, "region", req.region});
        if (!layout.has_columns(ri, req.side))
            throw_input(fmt::format("the layout has no columns for region {} side {}", req.region, to_string(req.side)),
                        ErrorLocation{{}, 0, "region", req.region});
        if (!has_metric(columns, req.metric))
            throw_input(fmt::format("the data has no '{}' column, needed for metric {}", metric_column(req.metric), to_string(req.metric)),
                        ErrorLocation{{}, 0, "metric", std::string(to_string(req.metric))});
    }
}

namespace {

// A row placed on its universe column.
struct Placed {
    const ColumnRow* row;
    std::size_t col;
};

// process_type's working arrays, kept per thread between calls: the batch processes type after type
// on the same worker threads, and arrays of 10^5+ rows made afresh at every call are fresh mmaps whose
// page faults were ~15 % of the stage at 10^6 hexagons (bench/README.md, "Issue 26, session 4").
struct ProcessScratch {
    std::vector<std::uint32_t> cell_of, col_of;
    std::vector<std::size_t> cell_begin, fill_at;
    std::vector<Placed> placed;
    std::vector<std::uint8_t> seen;  // a row was placed on this column (the error path finds its line)
    std::vector<double> pool, layer_pool;
};

ProcessScratch& process_scratch() {
    thread_local ProcessScratch s;
    return s;
}

// A scale's palette index of a value with data: ColorScale::fill with the bins' colours looked up
// once (colour_of divides), for the fills of every hexagon and layer.
class Filler {
public:
    explicit Filler(const ColorScale& s) : s_(s) {
        for (int b = 0; b < std::max(1, std::min(s.bins, kMaxScaleBins)); ++b) of_bin_[static_cast<std::size_t>(b)] = static_cast<FillIndex>(s.colour_of(b) + 1);
    }
    // The fill of v when `data`, else white (0). Binned: without a branch on `data` (whether the next
    // value has data is random on real data: a branch mispredicts, except on data small enough for the
    // predictor to learn, as a benchmark repeating one eyemap is); continuous positions cost more
    // (a percentile's search), so only values with data get one.
    FillIndex operator()(double v, bool data) const noexcept {
        if (s_.continuous) return data ? s_.fill(v) : kFillWhite;
        return static_cast<FillIndex>(data * of_bin_[static_cast<std::size_t>(s_.scale_bin(v))]);
    }

private:
    const ColorScale& s_;
    std::array<FillIndex, kMaxScaleBins> of_bin_{};
};

// A row's per-layer values of a metric, L of them (detail::layer_value: `none` past the row's own),
// written to `out` (null: not this eyemap's row) and those with data appended at `pool`, which returns
// past them. One call per row rather than a lookup per layer; the append is branch-free (every value
// is stored, the end moves on only past those with data), so `pool` has room for L per row.
template <class T>
double* copy_layers(const T* src, std::size_t have, std::size_t L, bool counts, double none, double* pool, double* out) noexcept {
    for (std::size_t l = 0; l < L; ++l) {
        const double lv = l < have ? static_cast<double>(src[l]) : none;
        *pool = lv;
        pool += has_data(lv, counts);
        if (out) out[l] = lv;
    }
    return pool;
}

double* copy_layers(const ColumnRow& r, const MetricSlot& m, std::size_t L, bool counts, double none, double* pool, double* out) noexcept {
    return with_layer_values(r, m, L, [&](const auto* src, std::size_t have) { return copy_layers(src, have, L, counts, none, pool, out); });
}

// Rows ahead whose output columns are prefetched: rows come in their file's order, columns are written
// in universe order, so the writes land at random places of arrays that outgrow the caches at 10^5+.
constexpr std::size_t kPrefetchAhead = 16;

}  // namespace

namespace {

std::size_t array_bytes(const EyemapData& d) noexcept {
    return d.status.capacity() * sizeof(ColumnStatus) + d.value.capacity() * sizeof(double) + d.fill.capacity() * sizeof(FillIndex) +
           d.layer_value.capacity() * sizeof(double) + d.layer_fill.capacity() * sizeof(FillIndex);
}

}  // namespace

void EyemapArrays::give(EyemapData&& d) {
    const std::size_t b = array_bytes(d);
    if (bytes_ + b > kKeptBytes) return;
    EyemapData& kept = spare_.emplace_back();
    kept.status = std::move(d.status);
    kept.value = std::move(d.value);
    kept.fill = std::move(d.fill);
    kept.layer_value = std::move(d.layer_value);
    kept.layer_fill = std::move(d.layer_fill);
    bytes_ += b;
}

void EyemapArrays::take(EyemapData& d) {
    if (spare_.empty()) return;
    EyemapData& s = spare_.back();
    bytes_ -= array_bytes(s);
    d.status = std::move(s.status);
    d.value = std::move(s.value);
    d.fill = std::move(s.fill);
    d.layer_value = std::move(s.layer_value);
    d.layer_fill = std::move(s.layer_fill);
    spare_.pop_back();
    d.status.clear();
    d.value.clear();
    d.fill.clear();
    d.layer_value.clear();
    d.layer_fill.clear();
}

std::vector<EyemapData> process_type(std::string_view neuron_type, std::span<const ColumnRow> rows,
                                     const TableColumns& columns, const ColumnIndex& layout,
                                     std::span<const EyemapRequest> requests, const ScaleOptions& options,
                                     const ScaleSource& scales, EyemapArrays* reuse) {
    auto scale_of = [&](std::span<const double> values, const ScaleOptions& o) {
        return scales ? scales(values, o) : make_scale(values, o);
    };
    const std::size_t n_regions = layout.regions.regions.size();
    const std::size_t U = layout.universe.size();
    ProcessScratch& scratch = process_scratch();

    // Bucket rows by (region, side) with their universe index, checking each against the layout:
    // one flat array in cell order (a counting sort), instead of a growing vector per cell.
    const std::size_t n_cells = n_regions * 2;
    auto& cell_of = scratch.cell_of;
    auto& col_of = scratch.col_of;
    auto& cell_begin = scratch.cell_begin;  // after the sort: [cell_begin[k], cell_begin[k + 1])
    auto& placed = scratch.placed;
    cell_of.resize(rows.size());
    col_of.resize(rows.size());
    cell_begin.assign(n_cells + 1, 0);
    placed.resize(rows.size());
    {
        int last_ri = -1;
        std::string_view last_region;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const ColumnRow& r = rows[i];
            if (!r.neuron_type.empty() && r.neuron_type != neuron_type)  // a Dataset's rows may leave it to TypeRows
                throw_internal(fmt::format("process_type({}) was given a row of type {}", neuron_type, r.neuron_type));
            // Rows come grouped by region: most rows name the previous row's.
            const int ri = last_ri >= 0 && r.region == last_region ? last_ri : layout.regions.index_of(r.region);
            if (ri < 0) throw_input("unknown region", ErrorLocation{{}, r.line, "region", r.region});
            last_ri = ri;
            last_region = r.region;
            const auto k = static_cast<std::size_t>(ri) * 2 + static_cast<std::size_t>(r.side);
            const std::int64_t idx = layout.find(r.hex1, r.hex2);
            if (idx < 0 || !layout.in_region[k][static_cast<std::size_t>(idx)])
                throw_input(fmt::format("column {}, {} of type {} is not in the layout of {} side {}", r.hex1, r.hex2,
                                        neuron_type, r.region, to_string(r.side)),
                            ErrorLocation{{}, r.line, "hex1,hex2", fmt::format("{},{}", r.hex1, r.hex2)});
            cell_of[i] = static_cast<std::uint32_t>(k);
            col_of[i] = static_cast<std::uint32_t>(idx);
            ++cell_begin[k + 1];
        }
        for (std::size_t k = 0; k < n_cells; ++k) cell_begin[k + 1] += cell_begin[k];
        auto& fill_at = scratch.fill_at;
        fill_at.assign(cell_begin.begin(), cell_begin.end() - 1);
        for (std::size_t i = 0; i < rows.size(); ++i) placed[fill_at[cell_of[i]]++] = Placed{&rows[i], col_of[i]};
    }
    auto cell = [&](std::size_t k) {
        return std::span<const Placed>(placed.data() + cell_begin[k], cell_begin[k + 1] - cell_begin[k]);
    };

    std::vector<EyemapData> out;
    out.reserve(requests.size());
    auto& seen = scratch.seen;
    auto& pool = scratch.pool;
    auto& layer_pool = scratch.layer_pool;
    for (const auto& req : requests) {
        const int ri = layout.regions.index_of(req.region);
        const RegionDef& region = layout.regions.regions[static_cast<std::size_t>(ri)];
        const MetricSlot slot = metric_slot(columns, req.metric);
        const bool counts = slot.kind != MetricSlot::value;
        const bool layered = slot.layers && !region.layers.empty();
        const std::size_t L = region.layers.size();
        const std::size_t own = static_cast<std::size_t>(ri) * 2 + static_cast<std::size_t>(req.side);

        EyemapData d;
        if (reuse) reuse->take(d);
        d.neuron_type = neuron_type;
        d.region = region.name;
        d.side = req.side;
        d.metric = req.metric;
        d.counts = counts;
        d.layer_names = region.layers;
        d.grey_fill = fill_grey(colour_classes(options));
        const double none = counts ? 0.0 : kNaN;
        d.value.assign(U, none);
        if (layered) d.layer_value.assign(U * L, none);

        // One pass over the rows for the scales' values and this eyemap's values. The "all layers"
        // scale: pooled over the type, or this region's values (both sides); the per-layer scale: the
        // region's (both sides). Pools keep the order of cells and rows (a scale's stddev sums them).
        const bool pooled = options.scope != ScaleScope::per_region;
        const std::size_t region_begin = cell_begin[static_cast<std::size_t>(ri) * 2], region_end = cell_begin[static_cast<std::size_t>(ri) * 2 + 2];
        // Sized for every row (only grown: they are kept), filled through pointers.
        if (const std::size_t n = pooled ? placed.size() : region_end - region_begin; pool.size() < n) pool.resize(n);
        if (const std::size_t n = layered ? (region_end - region_begin) * L : 0; layer_pool.size() < n) layer_pool.resize(n);
        double* pool_end = pool.data();
        double* layer_pool_end = layer_pool.data();
        seen.assign(U, 0);
        for (std::size_t k = 0; k < n_cells; ++k) {
            if (!pooled && k / 2 != static_cast<std::size_t>(ri)) continue;
            const bool in_layers = layered && k / 2 == static_cast<std::size_t>(ri), mine = k == own;
            const auto here = cell(k);
            for (std::size_t i = 0; i < here.size(); ++i) {
                const Placed& p = here[i];
                const double v = metric_value(*p.row, slot);
                const bool data = has_data(v, counts);
                *pool_end = v;
                pool_end += data;
                if (mine) {
                    if (i + kPrefetchAhead < here.size()) {
                        const std::size_t ahead = here[i + kPrefetchAhead].col;
                        __builtin_prefetch(d.value.data() + ahead, 1);
                        if (layered) {
                            __builtin_prefetch(d.layer_value.data() + ahead * L, 1);
                            __builtin_prefetch(d.layer_value.data() + ahead * L + L - 1, 1);
                        }
                    }
                    if (seen[p.col]) {
                        const Placed* first = &here.front();
                        while (first->col != p.col) ++first;
                        throw_input(fmt::format("duplicate row for type {}, {} {}, column {}, {} (first on line {})", neuron_type,
                                                region.name, to_string(req.side), p.row->hex1, p.row->hex2,
                                                first->row->line ? first->row->line : 1),
                                    ErrorLocation{{}, p.row->line, {}, {}});
                    }
                    seen[p.col] = 1;
                    if (data) d.value[p.col] = v;
                }
                if (in_layers)
                    layer_pool_end = copy_layers(*p.row, slot, L, counts, none, layer_pool_end, mine ? d.layer_value.data() + p.col * L : nullptr);
            }
        }
        const std::span<const double> values(pool.data(), pool_end), layer_values(layer_pool.data(), layer_pool_end);
        d.scale = scale_of(values, options);
        ScaleOptions layer_options = options;
        if (layer_options.method == ScaleMethod::fixed) layer_options.method = ScaleMethod::linear;
        d.layer_scale = scale_of(layer_values, layer_options);

        // Statuses and fills in universe order, from the values just placed: a column without a row
        // kept 0 or NaN, which is no data.
        const auto& member = layout.in_region[own];
        const Filler fill_of(d.scale), layer_fill_of(d.layer_scale);
        d.status.resize(U);
        d.fill.resize(U);
        // Without branches on the data (see Filler): has_data 0, no_data 1, not_in_region 2.
        static_assert(static_cast<int>(ColumnStatus::has_data) == 0 && static_cast<int>(ColumnStatus::no_data) == 1 &&
                      static_cast<int>(ColumnStatus::not_in_region) == 2 && kFillWhite == 0);
        std::size_t outside = 0, with_data = 0;
        for (std::size_t c = 0; c < U; ++c) {
            const bool in = member[c];  // a column outside the region has no row: its value is no data
            const double v = d.value[c];
            const bool data = has_data(v, counts);
            d.status[c] = static_cast<ColumnStatus>(2 - in - data);
            d.fill[c] = static_cast<FillIndex>(fill_of(v, data) + !in * d.grey_fill);
            outside += !in;
            with_data += data;
        }
        d.not_in_region_count = outside;
        d.has_data_count = with_data;
        if (layered) {
            d.layer_fill.resize(U * L);
            for (std::size_t i = 0; i < U * L; ++i) {
                const double lv = d.layer_value[i];
                d.layer_fill[i] = layer_fill_of(lv, has_data(lv, counts));
            }
        }
        // Counts are whole numbers: the integer format, without a look at the values.
        // A value column's: from the values its scales see, so eyemaps sharing a scale print alike.
        if (!counts) d.format = value_format(values, layer_values);
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace eyemap

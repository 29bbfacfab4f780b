// Process stage of a comparison: A's and B's rows of a type paired by column, their difference and change.
#include "process/compare.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "process/metric_slot.hpp"

namespace eyemap {
namespace {

using detail::has_data;
using detail::kNaN;

// A's and B's rows by column: cell (region index * 2 + side) x universe column -> row, or null.
struct Pairing {
    std::size_t columns = 0;  // universe size
    std::vector<const ColumnRow*> a, b;
    std::vector<std::uint32_t> used;  // slots with a row in A or B, in first-seen order (A's file order, then B's)
    const ColumnRow* at(const std::vector<const ColumnRow*>& side, std::size_t slot) const { return side[slot]; }
};

Pairing pair_rows(std::span<const ColumnRow> a, std::span<const ColumnRow> b, const ColumnIndex& index, std::string_view label_a,
                  std::string_view label_b, std::string_view file_a, std::string_view file_b, std::span<const std::string> regions) {
    Pairing p;
    p.columns = index.universe.size();
    const std::size_t slots = index.regions.regions.size() * 2 * p.columns;
    p.a.assign(slots, nullptr);
    p.b.assign(slots, nullptr);
    auto place = [&](std::span<const ColumnRow> rows, std::vector<const ColumnRow*>& into, std::string_view label, std::string_view file) {
        for (const ColumnRow& r : rows) {
            if (!regions.empty() && std::find(regions.begin(), regions.end(), r.region) == regions.end()) continue;
            const int ri = index.regions.index_of(r.region);
            if (ri < 0) throw_input(fmt::format("unknown region in {}", label), ErrorLocation{std::string(file), r.line, "region", r.region});
            const std::size_t k = static_cast<std::size_t>(ri) * 2 + static_cast<std::size_t>(r.side);
            const std::int64_t col = index.find(r.hex1, r.hex2);
            if (col < 0 || !index.in_region[k][static_cast<std::size_t>(col)])
                throw_input(fmt::format("column {}, {} of {} is not in the layout of {} side {}", r.hex1, r.hex2, label, r.region,
                                        to_string(r.side)),
                            ErrorLocation{std::string(file), r.line, "hex1,hex2", fmt::format("{},{}", r.hex1, r.hex2)});
            const std::size_t slot = k * p.columns + static_cast<std::size_t>(col);
            if (into[slot])
                throw_input(fmt::format("duplicate row in {} for {} {}, column {}, {} (first on line {})", label, r.region, to_string(r.side),
                                        r.hex1, r.hex2, into[slot]->line ? into[slot]->line : 1),
                            ErrorLocation{std::string(file), r.line, {}, {}});
            if (!p.a[slot] && !p.b[slot]) p.used.push_back(static_cast<std::uint32_t>(slot));
            into[slot] = &r;
        }
    };
    place(a, p.a, label_a, file_a);
    place(b, p.b, label_b, file_b);
    return p;
}

}  // namespace

DifferenceRows difference_rows(std::span<const ColumnRow> a, const TableColumns& columns_a, std::span<const ColumnRow> b,
                               const TableColumns& columns_b, const ColumnIndex& index, std::span<const Metric> metrics,
                               const CompareOptions& options, std::string_view file_a, std::string_view file_b,
                               std::span<const std::string> regions) {
    const Pairing p = pair_rows(a, b, index, options.label_a, options.label_b, file_a, file_b, regions);
    const std::size_t M = metrics.size();
    DifferenceRows out;
    std::vector<detail::MetricSlot> slot_a, slot_b;
    std::vector<bool> counts, layered;
    for (const Metric& m : metrics) {
        slot_a.push_back(detail::metric_slot(columns_a, m));
        slot_b.push_back(detail::metric_slot(columns_b, m));
        counts.push_back(m.is_count());
        layered.push_back(has_metric_layers(columns_a, m) && has_metric_layers(columns_b, m));
        out.metrics.push_back(difference_metric(m, options));
        out.columns.values.push_back(ValueColumn{out.metrics.back().name(), layered.back()});
    }
    const bool log2 = options.mode == CompareMode::log2_ratio;
    // One compared value: A - B or log2(A / B) by the rules of eyemap/compare.hpp; NaN: no value. An
    // error names the row (file and line) whose value is at fault, and the column it is in.
    auto compare = [&](double va, double vb, bool count, const ColumnRow* ra, const ColumnRow* rb, const Metric& m, int layer) {
        const bool in_a = has_data(va, count), in_b = has_data(vb, count);
        auto fail = [&](bool b_at_fault, const std::string& what) {
            const ColumnRow& r = b_at_fault ? *rb : *ra;
            const std::string field = layer ? metric_layer_column(m) : std::string(metric_column(m));
            throw_input(fmt::format("{}: {} {} column {}, {}{} has {} = {}, {} = {}", what, r.region, to_string(r.side), r.hex1, r.hex2,
                                    layer ? fmt::format(" layer {}", layer) : std::string(), options.label_a, va, options.label_b, vb),
                        ErrorLocation{std::string(b_at_fault ? file_b : file_a), r.line, field, fmt::format("{}", b_at_fault ? vb : va)});
        };
        double v = kNaN;
        if (!log2) {
            if (count ? (in_a || in_b) : (in_a && in_b)) v = va - vb;
        } else if (in_a && in_b) {
            if (!(va > 0) || !(vb > 0))
                fail(va > 0, fmt::format("log2({}/{}) needs values > 0 (use the difference instead)", options.label_a, options.label_b));
            v = std::log2(va) - std::log2(vb);  // finite for any two positive finite values, unlike log2(va / vb)
        }
        if (std::isinf(v)) fail(false, fmt::format("{} \u2212 {} is beyond the largest number", options.label_a, options.label_b));
        return v;
    };
    out.rows.reserve(p.used.size());
    out.presence.reserve(p.used.size() * M);
    for (const std::uint32_t slot : p.used) {
        const ColumnRow* ra = p.a[slot];
        const ColumnRow* rb = p.b[slot];
        const ColumnRow& any = ra ? *ra : *rb;
        const std::size_t L = index.regions.regions[slot / p.columns / 2].layers.size();
        ColumnRow r;
        r.region = any.region;
        r.side = any.side;
        r.hex1 = any.hex1;
        r.hex2 = any.hex2;
        r.line = any.line;
        r.values.reserve(M);
        for (std::size_t k = 0; k < M; ++k) {
            const bool count = counts[k];
            const double none = count ? 0.0 : kNaN;
            const double va = ra ? detail::metric_value(*ra, slot_a[k]) : none;
            const double vb = rb ? detail::metric_value(*rb, slot_b[k]) : none;
            r.values.push_back(compare(va, vb, count, ra, rb, metrics[k], 0));
            out.presence.push_back(static_cast<std::uint8_t>((has_data(va, count) ? kInA : 0) | (has_data(vb, count) ? kInB : 0)));
            if (layered[k])
                for (std::size_t l = 0; l < L; ++l) {
                    const double la = ra ? detail::layer_value(*ra, slot_a[k], l, L) : none;
                    const double lb = rb ? detail::layer_value(*rb, slot_b[k], l, L) : none;
                    r.layer_values.push_back(compare(la, lb, count, ra, rb, metrics[k], static_cast<int>(l + 1)));
                }
        }
        out.rows.push_back(std::move(r));
    }
    return out;
}

std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> only_in(const DifferenceRows& d, std::size_t k, const ColumnIndex& index,
                                                                          std::string_view region, Side side) {
    std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> out;
    const std::size_t M = d.metrics.size();
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        const ColumnRow& r = d.rows[i];
        if (r.side != side || r.region != region) continue;
        const std::uint8_t p = d.presence[i * M + k];
        if (p != kInA && p != kInB) continue;
        const std::int64_t c = index.find(r.hex1, r.hex2);
        if (c >= 0) (p == kInA ? out.first : out.second).push_back(static_cast<std::uint32_t>(c));
    }
    std::sort(out.first.begin(), out.first.end());
    std::sort(out.second.begin(), out.second.end());
    return out;
}

TypeChange type_change(std::string_view neuron_type, std::span<const ColumnRow> a, const TableColumns& columns_a,
                       std::span<const ColumnRow> b, const TableColumns& columns_b, const Metric& metric) {
    // Pairs by (region, side, hex) without a layout: the change of types a release lists apart, too.
    struct Key {
        std::string_view region;
        Side side;
        std::int32_t hex1, hex2;
        bool operator<(const Key& o) const {
            return std::tie(region, side, hex1, hex2) < std::tie(o.region, o.side, o.hex1, o.hex2);
        }
    };
    const detail::MetricSlot sa = detail::metric_slot(columns_a, metric), sb = detail::metric_slot(columns_b, metric);
    const bool count = metric.is_count();
    std::vector<std::pair<Key, double>> va, vb;
    for (const ColumnRow& r : a)
        if (const double v = detail::metric_value(r, sa); has_data(v, count)) va.push_back({{r.region, r.side, r.hex1, r.hex2}, v});
    for (const ColumnRow& r : b)
        if (const double v = detail::metric_value(r, sb); has_data(v, count)) vb.push_back({{r.region, r.side, r.hex1, r.hex2}, v});
    auto by_key = [](const auto& x, const auto& y) { return x.first < y.first; };
    std::sort(va.begin(), va.end(), by_key);
    std::sort(vb.begin(), vb.end(), by_key);
    TypeChange c;
    c.neuron_type = neuron_type;
    c.metric = metric;
    double diff = 0, sum = 0;
    auto add = [&](double x, double y) {
        diff += std::fabs(x - y);
        sum += std::fabs(x) + std::fabs(y);
        c.total_a += x;
        c.total_b += y;
        ++c.columns;
    };
    std::size_t i = 0, j = 0;
    while (i < va.size() || j < vb.size()) {
        if (j == vb.size() || (i < va.size() && va[i].first < vb[j].first)) {
            add(va[i++].second, 0), ++c.only_a;
        } else if (i == va.size() || vb[j].first < va[i].first) {
            add(0, vb[j++].second), ++c.only_b;
        } else {
            add(va[i++].second, vb[j++].second);
        }
    }
    c.score = sum > 0 ? diff / sum : (c.columns ? 0.0 : kNaN);
    return c;
}

}  // namespace eyemap

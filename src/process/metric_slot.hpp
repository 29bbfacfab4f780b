// Where a metric's values sit in a data row, read the same way by processing and comparing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "eyemap/table.hpp"
#include "eyemap/vocabulary.hpp"

namespace eyemap::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A count field, or value column k (its layer values at layer_slot * L of ColumnRow::layer_values
// when it has them).
struct MetricSlot {
    enum Kind : std::uint8_t { synapses, cells, value } kind = synapses;
    std::size_t k = 0;
    std::size_t layer_slot = 0;
    bool layers = false;
};

inline const ValueColumn* find_value_column(const TableColumns& c, const Metric& m, std::size_t* index = nullptr,
                                            std::size_t* layer_slot = nullptr) {
    std::size_t slot = 0;
    for (std::size_t k = 0; k < c.values.size(); ++k) {
        if (c.values[k].name == m.name()) {
            if (index) *index = k;
            if (layer_slot) *layer_slot = slot;
            return &c.values[k];
        }
        slot += c.values[k].layers;
    }
    return nullptr;
}

inline MetricSlot metric_slot(const TableColumns& c, const Metric& m) {
    if (m == Metric::synapses) return {MetricSlot::synapses, 0, 0, c.layer_synapses};
    if (m == Metric::cells) return {MetricSlot::cells, 0, 0, c.layer_cells};
    MetricSlot s{MetricSlot::value, 0, 0, false};
    if (const ValueColumn* v = find_value_column(c, m, &s.k, &s.layer_slot)) s.layers = v->layers;
    return s;
}

inline double metric_value(const ColumnRow& r, const MetricSlot& m) noexcept {
    switch (m.kind) {
        case MetricSlot::synapses: return static_cast<double>(r.synapses);
        case MetricSlot::cells: return static_cast<double>(r.cells);
        case MetricSlot::value: return m.k < r.values.size() ? r.values[m.k] : kNaN;
    }
    return kNaN;
}
// A row's own per-layer values of a metric, handed to f(pointer, count): its integer counts, or a
// value column's doubles from layer_slot * L on. Past `count` the row has none (no data): the one
// place that says where a row's layer values sit, for layer_value and process_type's per-row copy.
template <class F>
decltype(auto) with_layer_values(const ColumnRow& r, const MetricSlot& m, std::size_t L, F&& f) {
    switch (m.kind) {
        case MetricSlot::synapses: return f(r.layer_synapses.data(), r.layer_synapses.size());
        case MetricSlot::cells: return f(r.layer_cells.data(), r.layer_cells.size());
        case MetricSlot::value: break;
    }
    const std::size_t from = m.layer_slot * L, n = r.layer_values.size();
    return f(r.layer_values.data() + std::min(from, n), n > from ? n - from : 0);
}
// Layer l (of L) of a row's per-layer values; 0 (counts) or NaN (values) where the row has none.
inline double layer_value(const ColumnRow& r, const MetricSlot& m, std::size_t l, std::size_t L) noexcept {
    return with_layer_values(r, m, L, [&](const auto* p, std::size_t have) {
        return l < have ? static_cast<double>(p[l]) : m.kind == MetricSlot::value ? kNaN : 0.0;
    });
}
// Counts have data when > 0; values when they are numbers (NaN: no data).
inline bool has_data(double v, bool counts) noexcept { return counts ? v > 0 : !std::isnan(v); }

}  // namespace eyemap::detail

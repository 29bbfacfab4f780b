// Where a metric's values sit in a data row, read the same way by processing and comparing.
#pragma once

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
// Layer l (of L) of a row's per-layer values; 0 (counts) or NaN (values) where the row has none.
inline double layer_value(const ColumnRow& r, const MetricSlot& m, std::size_t l, std::size_t L) noexcept {
    switch (m.kind) {
        case MetricSlot::synapses: return l < r.layer_synapses.size() ? static_cast<double>(r.layer_synapses[l]) : 0.0;
        case MetricSlot::cells: return l < r.layer_cells.size() ? static_cast<double>(r.layer_cells[l]) : 0.0;
        case MetricSlot::value: {
            const std::size_t i = m.layer_slot * L + l;
            return i < r.layer_values.size() ? r.layer_values[i] : kNaN;
        }
    }
    return kNaN;
}
// Counts have data when > 0; values when they are numbers (NaN: no data).
inline bool has_data(double v, bool counts) noexcept { return counts ? v > 0 : !std::isnan(v); }

}  // namespace eyemap::detail

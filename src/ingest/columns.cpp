// Ingest: data and layout tables from typed columns (data frames, numpy arrays), by the CSV reader's rules (row_rules.hpp).
#include <array>
#include <limits>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "eyemap/table.hpp"
#include "ingest/row_rules.hpp"

namespace eyemap {

namespace {

using namespace detail;

// The checks before any row: required columns, near names of absent known ones, equal lengths.
// Returns the number of rows.
std::size_t check_shape(const DataColumns& d, bool data) {
    const FieldAt header{d.source, 0, {}};
    struct Col {
        std::string name;
        bool present;
        std::size_t size;
    };
    const auto text = [](const std::optional<TextColumn>& c) { return c ? c->codes.size() : 0; };
    const auto num = [](const std::optional<NumberColumn>& c) { return c ? size_of(*c) : 0; };
    const auto layers = [](const std::optional<LayerColumn>& c) {
        return !c ? 0 : c->width ? size_of(c->block) / c->width : c->texts.size();
    };
    std::vector<Col> cols{{"neuron_type", d.neuron_type.has_value(), text(d.neuron_type)},
                          {"region", d.region.has_value(), text(d.region)},
                          {"side", d.side.has_value(), text(d.side)},
                          {"hex1", d.hex1.has_value(), num(d.hex1)},
                          {"hex2", d.hex2.has_value(), num(d.hex2)},
                          {"synapses", d.synapses.has_value(), num(d.synapses)},
                          {"cells", d.cells.has_value(), num(d.cells)},
                          {"layer_synapses", d.layer_synapses.has_value(), layers(d.layer_synapses)},
                          {"layer_cells", d.layer_cells.has_value(), layers(d.layer_cells)}};
    if (data)
        for (const auto& v : d.values) {
            check_value_column_name(v.name, "metric");
            for (const auto& c : cols)
                if (c.name == v.name) throw_input("value column given twice", ErrorLocation{d.source, 0, v.name, {}});
            cols.push_back({v.name, true, size_of(v.values)});
            if (v.layers) {
                if (v.layers->width && size_of(v.layers->block) % v.layers->width)
                    throw_input("the layer block is not a whole number of rows", ErrorLocation{d.source, 0, "layer_" + v.name, {}});
                cols.push_back({"layer_" + v.name, true, layers(v.layers)});
            }
        }
    if (!data) cols = {cols[1], cols[2], cols[3], cols[4]};  // a layout: region, side, hex1, hex2
    std::vector<std::string_view> absent, required;
    for (const auto& c : cols)
        if (!c.present) absent.push_back(c.name);
    check_near_names(header, absent, d.ignored);
    for (std::size_t i = 0; i < (data ? 5u : 4u); ++i) required.push_back(cols[i].name);
    for (std::size_t i = 0; i < required.size(); ++i)
        if (!cols[i].present) missing_required(header, required, cols[i].name);
    const std::size_t n = cols[0].size;
    for (const auto& c : cols)
        if (c.present && c.size != n)
            throw_input(fmt::format("column has {} values, column {} has {}", c.size, cols[0].name, n),
                        ErrorLocation{d.source, 0, std::string(c.name), fmt::format("{} values", c.size)});
    for (const auto* l : {&d.layer_synapses, &d.layer_cells})
        if (data && *l && (*l)->width && size_of((*l)->block) % (*l)->width)
            throw_input("the layer block is not a whole number of rows", ErrorLocation{d.source, 0, l == &d.layer_synapses ? "layer_synapses" : "layer_cells", {}});
    if (n == 0) throw_input(data ? "no data rows" : "no layout rows", ErrorLocation{d.source, 0, {}, {}});
    if (n >= std::numeric_limits<std::uint32_t>::max())
        throw_input("more than 4294967295 rows: too many to hold in memory; use the batch, which streams", ErrorLocation{d.source, 0, {}, {}});
    return n;
}

// Row i's text: each distinct value is looked at once (on its first row, so errors name that row).
std::string_view text_at(const TextColumn& c, const FieldAt& at, std::size_t i) {
    const std::uint32_t code = c.codes[i];
    if (code >= c.values.size()) throw_internal(fmt::format("text column {}: code {} of {} values", at.column, code, c.values.size()));
    return c.values[code];
}

// Per distinct value of a text column: resolved once (RegionDef*, Side, type id), on first use.
template <class T>
struct Resolved {
    std::vector<T> value;
    std::vector<char> done;
    explicit Resolved(const std::optional<TextColumn>& c) : value(c ? c->values.size() : 0), done(value.size(), 0) {}
    template <class F>
    T get(std::uint32_t code, F resolve) {
        if (code < done.size() && done[code]) return value[code];
        T v = resolve();
        value[code] = v;
        done[code] = 1;
        return v;
    }
};

// Region, side and hex coordinates of a row (what both tables key on), in the CSV reader's order.
struct Places {
    const DataColumns& d;
    const RegionSet& regions;
    Resolved<const RegionDef*> defs{d.region};
    Resolved<Side> sides{d.side};

    const RegionDef& read(std::size_t i, std::uint64_t line, Side& side, std::int32_t& hex1, std::int32_t& hex2) {
        const FieldAt region_at{d.source, line, "region"}, side_at{d.source, line, "side"};
        const RegionDef* def = defs.get(d.region->codes[i], [&] { return &region_from_text(region_at, text_at(*d.region, region_at, i), regions); });
        side = sides.get(d.side->codes[i], [&] { return side_from_text(side_at, text_at(*d.side, side_at, i)); });
        hex1 = hex_at(FieldAt{d.source, line, "hex1"}, *d.hex1, i);
        hex2 = hex_at(FieldAt{d.source, line, "hex2"}, *d.hex2, i);
        return *def;
    }
};

void layer_values_at(const FieldAt& at, const LayerColumn& c, std::size_t i, const RegionDef& region, std::vector<double>& out) {
    if (!c.width) {
        layer_values_from_text(at, c.texts[i], region, out);
        return;
    }
    if (c.width != region.layers.size()) layer_count_mismatch(at, fmt::format("{} values", c.width), c.width, region);
    for (std::size_t k = 0; k < c.width; ++k) out.push_back(value_at(at, c.block, i * c.width + k));
}

void layers_at(const FieldAt& at, const LayerColumn& c, std::size_t i, const RegionDef& region, std::vector<std::int64_t>& out) {
    if (!c.width) {
        layers_from_text(at, c.texts[i], region, out);
        return;
    }
    if (c.width != region.layers.size()) layer_count_mismatch(at, fmt::format("{} values", c.width), c.width, region);
    out.resize(c.width);
    for (std::size_t k = 0; k < c.width; ++k) out[k] = count_at(at, c.block, i * c.width + k);
}

}  // namespace

namespace {

// The one loop behind both: every row checked in the CSV reader's order; `names` null: each row
// gets its type's name, else rows stay unnamed and names/type_of_row say whose they are.
ColumnTable rows_from_columns(const DataColumns& d, const RegionSet& regions, std::vector<std::string>* names,
                              std::vector<std::uint32_t>* type_of_row) {
    const std::size_t n = check_shape(d, true);
    ColumnTable t;
    t.source = d.source;
    t.columns.synapses = d.synapses.has_value();
    t.columns.cells = d.cells.has_value();
    t.columns.layer_synapses = d.layer_synapses.has_value();
    t.columns.layer_cells = d.layer_cells.has_value();
    t.columns.ignored = d.ignored;
    std::vector<std::string> layer_names;  // "layer_<name>", for messages
    for (const auto& v : d.values) {
        t.columns.values.push_back(ValueColumn{v.name, v.layers.has_value()});
        layer_names.push_back("layer_" + v.name);
    }
    t.rows.resize(n);
    std::vector<RowKey> keys(n);
    Resolved<std::uint32_t> type_ids(d.neuron_type);
    Places places{d, regions};
    std::unordered_map<std::string_view, std::uint32_t> types;  // trimmed name -> id
    const auto& type = *d.neuron_type;
    if (type_of_row) type_of_row->resize(n);
    // The CSV reader's order of checks within a row: type, region, side, hex1, hex2, counts, layers.
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t line = d.first_line + i;
        ColumnRow& r = t.rows[i];
        r.line = line;
        const FieldAt type_at{d.source, line, "neuron_type"};
        const std::uint32_t tid = type_ids.get(type.codes[i], [&] {
            const std::string_view name = trim_blanks(text_at(type, type_at, i));
            if (name.empty()) empty_type(type_at, text_at(type, type_at, i));
            const auto [it, fresh] = types.emplace(name, static_cast<std::uint32_t>(types.size()));
            if (fresh && names) names->emplace_back(name);
            return it->second;
        });
        if (names) (*type_of_row)[i] = tid;
        else r.neuron_type.assign(trim_blanks(type.values[type.codes[i]]));
        const RegionDef* def = &places.read(i, line, r.side, r.hex1, r.hex2);
        r.region = def->name;
        if (d.synapses) r.synapses = count_at(FieldAt{d.source, line, "synapses"}, *d.synapses, i);
        if (d.cells) r.cells = count_at(FieldAt{d.source, line, "cells"}, *d.cells, i);
        if (d.layer_synapses) layers_at(FieldAt{d.source, line, "layer_synapses"}, *d.layer_synapses, i, *def, r.layer_synapses);
        if (d.layer_cells) layers_at(FieldAt{d.source, line, "layer_cells"}, *d.layer_cells, i, *def, r.layer_cells);
        for (std::size_t k = 0; k < d.values.size(); ++k) {
            const NamedValues& v = d.values[k];
            r.values.push_back(value_at(FieldAt{d.source, line, v.name}, v.values, i));
            if (v.layers) layer_values_at(FieldAt{d.source, line, layer_names[k]}, *v.layers, i, *def, r.layer_values);
        }
        keys[i] = RowKey{cell_key(regions.index_of(def->name), r.side, r.hex1, r.hex2), tid, static_cast<std::uint32_t>(i)};
    }
    check_duplicate_rows(keys, t, names ? std::span<const std::string>(*names) : std::span<const std::string>());
    return t;
}

}  // namespace

ColumnTable table_from_columns(const DataColumns& d, const RegionSet& regions) { return rows_from_columns(d, regions, nullptr, nullptr); }

namespace detail {
ColumnTable unnamed_table_from_columns(const DataColumns& d, const RegionSet& regions, std::vector<std::string>& type_names,
                                       std::vector<std::uint32_t>& type_of_row) {
    type_names.clear();
    return rows_from_columns(d, regions, &type_names, &type_of_row);
}
}  // namespace detail

ColumnLayout layout_from_columns(const DataColumns& d, const RegionSet& regions) {
    const std::size_t n = check_shape(d, false);
    ColumnLayout layout;
    layout.source = d.source;
    layout.entries.resize(n);
    std::vector<std::uint64_t> keys(n), lines(n);
    Places places{d, regions};
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t line = d.first_line + i;
        LayoutEntry& e = layout.entries[i];
        const RegionDef* def = &places.read(i, line, e.side, e.hex1, e.hex2);
        e.region = def->name;
        keys[i] = cell_key(regions.index_of(def->name), e.side, e.hex1, e.hex2);
        lines[i] = line;
    }
    check_duplicate_entries(keys, lines, layout);
    return layout;
}

}  // namespace eyemap

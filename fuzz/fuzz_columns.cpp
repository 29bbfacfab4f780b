// Fuzz target: the binding's frame reader path, table_from_columns / layout_from_columns on fuzzer-chosen typed columns.
// The input builds a DataColumns as python/src/frame.cpp does (text columns as distinct values plus
// in-range codes; numbers as int64, uint64, double or decimal text; layers as per-row text or a
// row-major block). A finding: any non-input error, or an accepted table whose rows break the
// reader's rules (row count, region, side, hex and count ranges, layer list lengths, trimmed type, value
// columns finite or NaN with their layer values).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "eyemap/table.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

namespace {

// Short strings with a bias towards the values the rules know (regions, sides, numbers).
std::string pick_text(FuzzedDataProvider& in) {
    static const char* const known[] = {"ME", "LO", "LOP", "AME", "R", "L", "Mi1", " Tm1 ", "", "0", "-1", "12;0;7",
                                        "1;2;3;4;5;6;7;8;9;10", "9007199254740993", "nan", "1e3", "\t"};
    if (in.ConsumeBool()) return known[in.ConsumeIntegralInRange<std::size_t>(0, std::size(known) - 1)];
    return in.ConsumeRandomLengthString(24);
}

std::optional<TextColumn> text_column(FuzzedDataProvider& in, std::size_t n) {
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0) return std::nullopt;
    TextColumn c;
    const std::size_t k = in.ConsumeIntegralInRange<std::size_t>(1, 6);
    for (std::size_t i = 0; i < k; ++i) c.values.push_back(pick_text(in));
    // Usually one value per row; sometimes a short or long column (the shape check's case).
    const std::size_t rows = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegralInRange<std::size_t>(0, 40) : n;
    for (std::size_t i = 0; i < rows; ++i) c.codes.push_back(in.ConsumeIntegralInRange<std::uint32_t>(0, static_cast<std::uint32_t>(k - 1)));
    return c;
}

NumberColumn numbers(FuzzedDataProvider& in, std::size_t rows) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: {
            std::vector<std::int64_t> v;
            for (std::size_t i = 0; i < rows; ++i) v.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-3, 40) : in.ConsumeIntegral<std::int64_t>());
            return v;
        }
        case 1: {
            std::vector<std::uint64_t> v;
            for (std::size_t i = 0; i < rows; ++i) v.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 40) : in.ConsumeIntegral<std::uint64_t>());
            return v;
        }
        case 2: {
            std::vector<double> v;
            for (std::size_t i = 0; i < rows; ++i) v.push_back(in.ConsumeBool() ? static_cast<double>(in.ConsumeIntegralInRange<int>(-3, 40)) : in.ConsumeFloatingPoint<double>());
            return v;
        }
        default: {
            std::vector<std::string> v;
            for (std::size_t i = 0; i < rows; ++i) v.push_back(pick_text(in));
            return v;
        }
    }
}

std::optional<NumberColumn> number_column(FuzzedDataProvider& in, std::size_t n) {
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) return std::nullopt;
    const std::size_t rows = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegralInRange<std::size_t>(0, 40) : n;
    return numbers(in, rows);
}

std::optional<LayerColumn> layer_column(FuzzedDataProvider& in, std::size_t n) {
    if (in.ConsumeBool()) return std::nullopt;
    LayerColumn c;
    if (in.ConsumeBool()) {
        for (std::size_t i = 0; i < n; ++i) c.texts.push_back(pick_text(in));
        return c;
    }
    c.width = in.ConsumeIntegralInRange<std::size_t>(0, 12);  // 0 with an empty texts: a column of no rows
    c.block = numbers(in, c.width * n + (in.ConsumeIntegralInRange<int>(0, 15) == 0 ? 1 : 0));
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const bool as_layout = in.ConsumeIntegralInRange<int>(0, 4) == 0;
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 48);
    DataColumns d;
    d.source = "frame";
    d.first_line = in.ConsumeBool() ? 2 : in.ConsumeIntegral<std::uint64_t>();
    d.neuron_type = text_column(in, n);
    d.region = text_column(in, n);
    d.side = text_column(in, n);
    d.hex1 = number_column(in, n);
    d.hex2 = number_column(in, n);
    d.synapses = number_column(in, n);
    d.cells = number_column(in, n);
    d.layer_synapses = layer_column(in, n);
    d.layer_cells = layer_column(in, n);
    // Value columns (issue 27): names from a few good and bad ones, numbers or text, with or without layers.
    static const char* const kValueNames[] = {"v", "w", "coverage", "a.b", "x-y", "hex1", "layer_v", "9x", "", "cells"};
    const int value_columns = in.ConsumeIntegralInRange<int>(0, 3);
    for (int k = 0; k < value_columns; ++k) {
        NamedValues v;
        v.name = kValueNames[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kValueNames) - 1)];
        const std::size_t rows = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegralInRange<std::size_t>(0, 40) : n;
        v.values = numbers(in, rows);
        v.layers = layer_column(in, n);
        d.values.push_back(std::move(v));
    }
    if (in.ConsumeBool()) d.ignored.push_back(in.ConsumeRandomLengthString(16));
    fuzz::run([&] {
        const RegionSet& regions = builtin_regions();
        if (as_layout) {
            const ColumnLayout l = layout_from_columns(d, regions);
            fuzz::check(l.entries.size() == n && n > 0, "layout row count");
            std::set<std::tuple<std::string, int, int, int>> seen;
            for (const auto& e : l.entries) {
                fuzz::check(regions.find(e.region) != nullptr, "unknown region accepted");
                fuzz::check(e.hex1 >= -kMaxHexCoordinate && e.hex1 <= kMaxHexCoordinate, "hex1 range");
                fuzz::check(e.hex2 >= -kMaxHexCoordinate && e.hex2 <= kMaxHexCoordinate, "hex2 range");
                fuzz::check(seen.emplace(e.region, static_cast<int>(e.side), e.hex1, e.hex2).second, "duplicate accepted");
            }
            return;
        }
        const ColumnTable t = table_from_columns(d, regions);
        fuzz::check(t.rows.size() == n && n > 0, "table row count");
        fuzz::check(t.columns.synapses == d.synapses.has_value() && t.columns.cells == d.cells.has_value(), "columns flags");
        std::set<std::tuple<std::string, std::string, int, int, int>> seen;
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const ColumnRow& r = t.rows[i];
            const RegionDef* def = regions.find(r.region);
            fuzz::check(def != nullptr, "unknown region accepted");
            fuzz::check(r.line == d.first_line + i, "row line");
            fuzz::check(!r.neuron_type.empty() && r.neuron_type.front() != ' ' && r.neuron_type.back() != ' ', "type name not trimmed");
            fuzz::check(r.hex1 >= -kMaxHexCoordinate && r.hex1 <= kMaxHexCoordinate, "hex1 range");
            fuzz::check(r.hex2 >= -kMaxHexCoordinate && r.hex2 <= kMaxHexCoordinate, "hex2 range");
            fuzz::check(r.synapses >= 0 && r.synapses <= kMaxCount && r.cells >= 0 && r.cells <= kMaxCount, "count range");
            fuzz::check(!d.layer_synapses || r.layer_synapses.size() == def->layers.size(), "layer_synapses length");
            fuzz::check(!d.layer_cells || r.layer_cells.size() == def->layers.size(), "layer_cells length");
            for (const auto* v : {&r.layer_synapses, &r.layer_cells})
                for (std::int64_t x : *v) fuzz::check(x >= 0 && x <= kMaxCount, "layer count range");
            fuzz::check(seen.emplace(r.neuron_type, r.region, static_cast<int>(r.side), r.hex1, r.hex2).second, "duplicate accepted");
            // Values: one per value column, finite or NaN; layer values: the region's layers per layered column.
            fuzz::check(r.values.size() == d.values.size(), "one value per value column");
            std::size_t layered = 0;
            for (const auto& v : d.values) layered += v.layers.has_value();
            fuzz::check(r.layer_values.size() == layered * def->layers.size(), "layer values per layered value column");
            for (const auto* v : {&r.values, &r.layer_values})
                for (const double x : *v) fuzz::check(!std::isinf(x), "an infinite value was accepted");
        }
    });
    return 0;
}

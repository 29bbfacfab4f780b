// Fuzz target: the data table reader (CSV dialect, header mapping, every field's validation).
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>
#include <string_view>

#include "ingest/csv.hpp"
#include "eyemap/error.hpp"
#include "eyemap/table.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

namespace {
const RegionSet& regions() {
    // The built-ins plus a region without layers and one with a hostile name.
    static const RegionSet r = parse_region_config(
        R"({"regions":[{"name":"X0","layers":[]},{"name":"A<&\"","layers":["1","2"]}]})", "fuzz-regions.json");
    return r;
}

// Every record of a reader: fields, first and last line; or the error it stopped with.
struct Trace {
    std::vector<std::string> items;
    std::string error;
};

Trace trace(detail::CsvReader& csv) {
    Trace t;
    try {
        std::vector<std::string_view> f;
        while (csv.read_record(f) && t.items.size() < 100000) {
            std::string item = std::to_string(csv.record_line()) + "-" + std::to_string(csv.record_end_line());
            for (auto v : f) item.append("|").append(v);
            t.items.push_back(std::move(item));
        }
    } catch (const Error& e) {
        t.error = e.what();
    }
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const ColumnTable t = parse_column_table(text, "fuzz.csv", regions());
        fuzz::check(!t.rows.empty(), "a table without rows was accepted");
        for (const auto& r : t.rows) {
            fuzz::check(!r.neuron_type.empty(), "empty type");
            fuzz::check(r.line >= 2, "row line before the header");
            fuzz::check(r.hex1 >= -kMaxHexCoordinate && r.hex1 <= kMaxHexCoordinate, "hex1 range");
            fuzz::check(r.hex2 >= -kMaxHexCoordinate && r.hex2 <= kMaxHexCoordinate, "hex2 range");
            fuzz::check(r.synapses >= 0 && r.cells >= 0, "negative count");
            fuzz::check(r.synapses <= kMaxCount && r.cells <= kMaxCount, "count past 2^53");
            const RegionDef* def = regions().find(r.region);
            fuzz::check(def != nullptr, "unknown region accepted");
            if (t.columns.layer_synapses) fuzz::check(r.layer_synapses.size() == def->layers.size(), "layer count");
            if (t.columns.layer_cells) fuzz::check(r.layer_cells.size() == def->layers.size(), "layer count");
        }
        fuzz::check(!layout_from_table(t).entries.empty(), "empty layout from a table");
        // The same rows as typed columns (a data frame's) give the same table: one set of rules.
        DataColumns d;
        d.source = t.source;
        d.first_line = 0;
        d.neuron_type.emplace(), d.region.emplace(), d.side.emplace();
        std::vector<std::int64_t> h1, h2, syn, cells;
        std::vector<std::string> lsyn, lcells;
        std::vector<std::uint64_t> lines;
        for (const auto& r : t.rows) {
            for (auto [col, v] : {std::pair{&*d.neuron_type, std::string_view(r.neuron_type)}, std::pair{&*d.region, std::string_view(r.region)},
                                  std::pair{&*d.side, to_string(r.side)}}) {
                col->codes.push_back(static_cast<std::uint32_t>(col->values.size()));
                col->values.emplace_back(v);
            }
            h1.push_back(r.hex1), h2.push_back(r.hex2), syn.push_back(r.synapses), cells.push_back(r.cells);
            const auto join = [](const std::vector<std::int64_t>& v) {
                std::string s;
                for (std::size_t k = 0; k < v.size(); ++k) s += (k ? ";" : "") + std::to_string(v[k]);
                return s;
            };
            lsyn.push_back(join(r.layer_synapses)), lcells.push_back(join(r.layer_cells));
        }
        d.hex1 = h1, d.hex2 = h2;
        if (t.columns.synapses) d.synapses = syn;
        if (t.columns.cells) d.cells = cells;
        if (t.columns.layer_synapses) d.layer_synapses = LayerColumn{lsyn, {}, 0};
        if (t.columns.layer_cells) d.layer_cells = LayerColumn{lcells, {}, 0};
        ColumnTable u;
        try {
            u = table_from_columns(d, regions());
        } catch (const Error& e) {
            std::fprintf(stderr, "fuzz: %s\n", e.what());
            fuzz::check(false, "typed columns: refused a table the CSV reader accepted");
        }
        fuzz::check(u.rows.size() == t.rows.size(), "typed columns: row count differs");
        for (std::size_t i = 0; i < u.rows.size(); ++i) {
            const auto& a = t.rows[i];
            const auto& b = u.rows[i];
            fuzz::check(a.neuron_type == b.neuron_type && a.region == b.region && a.side == b.side && a.hex1 == b.hex1 &&
                            a.hex2 == b.hex2 && a.synapses == b.synapses && a.cells == b.cells &&
                            a.layer_synapses == b.layer_synapses && a.layer_cells == b.layer_cells,
                        "typed columns: a row differs from the CSV's");
        }
    });
    // Value columns (issue 27): any header column may be named; accepted values are finite or NaN,
    // one per named column present, and a layered one has one value per layer of the row's region.
    fuzz::run([&] {
        static const std::vector<std::string> kValues{"v", "w", "cells_f"};
        const ColumnTable t = parse_column_table(text, "fuzz.csv", regions(), kValues);
        for (const auto& r : t.rows) {
            fuzz::check(r.values.size() == t.columns.values.size(), "one value per value column");
            for (const double v : r.values) fuzz::check(!std::isinf(v), "an infinite value was accepted");
            std::size_t layered = 0;
            for (const auto& c : t.columns.values) layered += c.layers;
            const RegionDef* def = regions().find(r.region);
            fuzz::check(def && r.layer_values.size() == layered * def->layers.size(), "layer values per layered value column");
            for (const double v : r.layer_values) fuzz::check(!std::isinf(v), "an infinite layer value was accepted");
        }
    });
    // The streaming reader must agree with the whole-table reader on the rows it accepts.
    fuzz::run([&] {
        std::istringstream in{std::string(text)};
        ColumnRowReader reader(in, "fuzz.csv", regions());
        ColumnRow row;
        std::size_t n = 0;
        while (reader.next(row) && n < 100000) ++n;
    });
    // The CSV reader: chunked reads (any chunk size) and one block give the same records; a record's
    // raw text, re-read as a block from its own line (as a batch worker does), gives the same fields.
    {
        detail::CsvReader block(text, "fuzz.csv");
        const Trace want = trace(block);
        const std::size_t chunk = size ? data[0] % 13 + 1 : 1;
        std::size_t at = 0;
        detail::CsvReader chunked(
            [&](char* p, std::size_t n) {
                const std::size_t k = std::min({n, chunk, size - at});
                std::memcpy(p, text.data() + at, k);
                at += k;
                return k;
            },
            "fuzz.csv");
        const Trace got = trace(chunked);
        fuzz::check(got.items == want.items && got.error == want.error, "chunked and block reads differ");

        detail::CsvReader raw_reader(text, "fuzz.csv");
        std::string_view field, raw;
        std::vector<std::string_view> f0, f1;
        std::size_t n = 0;
        try {
            while (raw_reader.read_record_raw(0, field, raw) && n++ < 100000) {
                const std::string copy = std::string(raw) + "\n";
                const std::string first_field(field);
                const auto line = raw_reader.record_line(), end_line = raw_reader.record_end_line();
                if (line == 1) continue;  // a block never starts a file: no byte-order mark to strip
                detail::CsvReader again(copy, "fuzz.csv", line);
                fuzz::check(again.read_record(f1), "a raw record re-read as nothing");
                fuzz::check(again.record_line() == line && again.record_end_line() == end_line, "raw record lines");
                fuzz::check(!f1.empty() && f1[0] == first_field, "raw record's first field");
                fuzz::check(!again.read_record(f0), "a raw record re-read as two");
            }
        } catch (const Error&) {
        }
    }
    return 0;
}

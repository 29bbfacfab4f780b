// Ingest: neuPrint's frames (fetch_neurons' ROI counts, neuView's per-layer query) summed per column, then checked by table_from_columns.
#include "eyemap/neuprint.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/throw.hpp"
#include "eyemap/error.hpp"
#include "ingest/csv.hpp"
#include "ingest/row_rules.hpp"

namespace eyemap {

std::optional<SomaSide> parse_soma_side(std::string_view t) noexcept {
    if (t == "L" || t == "left") return SomaSide::L;
    if (t == "R" || t == "right") return SomaSide::R;
    if (t == "combined") return SomaSide::combined;
    return std::nullopt;
}

std::optional<SynapseCount> parse_synapse_count(std::string_view t) noexcept {
    if (t == "total") return SynapseCount::total;
    if (t == "pre") return SynapseCount::pre;
    if (t == "post") return SynapseCount::post;
    return std::nullopt;
}

namespace {

using namespace detail;

// Python's int(text) for [0-9]+, else int(text, 16) (which takes an optional 0x) for [A-Za-z0-9]+;
// saturates far beyond kMaxHexCoordinate so the caller can refuse it.
std::optional<std::int64_t> coordinate(std::string_view s) noexcept {
    constexpr std::int64_t kCap = std::int64_t{1} << 40;
    const auto digits = [&](std::string_view t, int base) -> std::optional<std::int64_t> {
        if (t.empty()) return std::nullopt;
        std::int64_t v = 0;
        for (const char c : t) {
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return std::nullopt;
            v = std::min(kCap, v * base + d);
        }
        return v;
    };
    if (auto v = digits(s, 10)) return v;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    return digits(s, 16);
}

bool alnum(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

// NaN in a float column, an empty field (or pandas' "nan") in text: a missing value.
bool missing_at(const NumberColumn& c, std::size_t i) {
    if (const auto* d = std::get_if<std::vector<double>>(&c)) return std::isnan((*d)[i]);
    if (const auto* s = std::get_if<std::vector<std::string>>(&c)) {
        const std::string_view t = trim_blanks((*s)[i]);
        return t.empty() || t == "nan" || t == "NaN";
    }
    return false;
}

std::string_view text_at(const TextColumn& c, std::size_t i) {
    const std::uint32_t code = c.codes[i];
    if (code >= c.values.size()) throw_internal(fmt::format("text column: code {} of {} values", code, c.values.size()));
    return c.values[code];
}

// A frame's needed columns: every absent one named in one input error; all of one length.
struct Needed {
    std::string_view name;
    bool present;
    std::size_t size;
};
std::size_t check_frame(const std::string& source, std::string_view what, const std::vector<Needed>& cols) {
    std::vector<std::string> absent, all;
    for (const auto& c : cols) {
        all.emplace_back(c.name);
        if (!c.present) absent.emplace_back(c.name);
    }
    if (!absent.empty())
        throw_input(fmt::format("{} needs the columns {}; missing: {}", what, fmt::join(all, ", "), fmt::join(absent, ", ")),
                    ErrorLocation{source, 0, fmt::format("{}", fmt::join(absent, ", ")), {}});
    const std::size_t n = cols.front().size;
    for (const auto& c : cols)
        if (c.size != n)
            throw_input(fmt::format("column has {} values, column {} has {}", c.size, cols.front().name, n),
                        ErrorLocation{source, 0, std::string(c.name), fmt::format("{} values", c.size)});
    return n;
}
template <class C>
Needed need(std::string_view name, const std::optional<C>& c) {
    if (!c) return {name, false, 0};
    if constexpr (std::is_same_v<C, TextColumn>) return {name, true, c->codes.size()};
    else return {name, true, size_of(*c)};
}

void add_checked(std::int64_t& sum, std::int64_t v, const std::string& source, std::string_view what) {
    if (__builtin_add_overflow(sum, v, &sum))
        throw_input(fmt::format("{} summed past 2^63", what), ErrorLocation{source, 0, std::string(what), {}});
}

std::int64_t distinct(std::vector<std::int64_t>& v) {
    std::sort(v.begin(), v.end());
    return std::unique(v.begin(), v.end()) - v.begin();
}

void note_ignored(NeuprintReport& r, std::string_view name) {
    ++r.not_column_roi;
    if (r.examples.size() < 5) r.examples.emplace_back(name);
}

// (region index, side, hex1, hex2): one column of one type.
using Place = std::tuple<int, int, std::int32_t, std::int32_t>;

// One text column of distinct values (each stored once).
struct TextBuilder {
    TextColumn col;
    std::unordered_map<std::string, std::uint32_t> ids;
    void add(const std::string& v) {
        auto [it, fresh] = ids.emplace(v, static_cast<std::uint32_t>(col.values.size()));
        if (fresh) col.values.push_back(v);
        col.codes.push_back(it->second);
    }
};

// The summed rows as typed columns, for table_from_columns (the one row validator).
struct RowsOut {
    explicit RowsOut(const RegionSet& r) : regions(r) {}
    const RegionSet& regions;
    TextBuilder type, region, side;
    std::vector<std::int64_t> h1, h2, syn, cells;
    void add(const std::string& t, const Place& p, std::int64_t synapses, std::int64_t n_cells) {
        type.add(t);
        region.add(regions.regions[static_cast<std::size_t>(std::get<0>(p))].name);
        side.add(std::string(to_string(static_cast<Side>(std::get<1>(p)))));
        h1.push_back(std::get<2>(p));
        h2.push_back(std::get<3>(p));
        syn.push_back(synapses);
        cells.push_back(n_cells);
    }
    DataColumns columns(const std::string& source) {
        DataColumns d;
        d.source = fmt::format("{} (per column)", source);
        d.neuron_type = std::move(type.col);
        d.region = std::move(region.col);
        d.side = std::move(side.col);
        d.hex1 = std::move(h1);
        d.hex2 = std::move(h2);
        d.synapses = std::move(syn);
        d.cells = std::move(cells);
        return d;
    }
};

std::optional<ColumnLayout> layout_of(const std::vector<std::string>& all_rois, const RegionSet& regions) {
    if (all_rois.empty()) return std::nullopt;
    const std::string source = "all column ROIs";
    std::map<std::tuple<std::string_view, int, std::int64_t, std::int64_t>, int> seen;  // sorted, without repeats
    for (std::size_t i = 0; i < all_rois.size(); ++i) {
        const auto roi = parse_column_roi(all_rois[i]);
        if (!roi) continue;
        if (roi->hex1 > kMaxHexCoordinate || roi->hex2 > kMaxHexCoordinate)
            bad_value(FieldAt{source, i + 1, "roi"}, all_rois[i], fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
        seen.emplace(std::tuple{roi->region, static_cast<int>(roi->side), roi->hex1, roi->hex2}, 0);
    }
    if (seen.empty())
        throw_input(fmt::format("none of the {} ROI names is a column ROI ((ME|LO|LOP)_[LR]_col_<hex1>_<hex2>)", all_rois.size()),
                    ErrorLocation{source, 0, "roi", {}});
    DataColumns d;
    d.source = source;
    TextBuilder region, side;
    std::vector<std::int64_t> h1, h2;
    for (const auto& [k, unused] : seen) {
        region.add(std::string(std::get<0>(k)));
        side.add(std::string(to_string(static_cast<Side>(std::get<1>(k)))));
        h1.push_back(std::get<2>(k));
        h2.push_back(std::get<3>(k));
    }
    d.region = std::move(region.col);
    d.side = std::move(side.col);
    d.hex1 = std::move(h1);
    d.hex2 = std::move(h2);
    return layout_from_columns(d, regions);
}

}  // namespace

std::optional<ColumnRoi> parse_column_roi(std::string_view s) noexcept {
    ColumnRoi out;
    for (std::string_view r : {"LOP", "LO", "ME"}) {
        if (s.size() > r.size() && s.substr(0, r.size()) == r && s[r.size()] == '_') {
            out.region = s.substr(0, r.size());
            s.remove_prefix(r.size() + 1);
            break;
        }
    }
    if (out.region.empty() || s.size() < 6 || (s[0] != 'L' && s[0] != 'R') || s.substr(1, 5) != "_col_") return std::nullopt;
    out.side = s[0] == 'L' ? Side::L : Side::R;
    s.remove_prefix(6);
    const std::size_t cut = s.find('_');
    if (cut == std::string_view::npos) return std::nullopt;
    const std::string_view a = s.substr(0, cut), b = s.substr(cut + 1);
    if (!alnum(a) || !alnum(b)) return std::nullopt;  // exactly two [A-Za-z0-9]+ parts, as neuView's pattern
    const auto h1 = coordinate(a), h2 = coordinate(b);
    if (!h1 || !h2) return std::nullopt;  // neither decimal nor hexadecimal: neuView skips the row
    out.hex1 = *h1;
    out.hex2 = *h2;
    return out;
}

NeuprintTable table_from_neuprint(const NeuronsFrame& neurons, const RoiCountsFrame& rc, const NeuprintOptions& opt, const RegionSet& regions) {
    const bool by_side = opt.soma_side != SomaSide::combined;
    std::vector<Needed> ncols{need("bodyId", neurons.body_id), need("type", neurons.type)};
    // rootSide alone will do; the message names somaSide, the column fetch_neurons always has.
    if (by_side) ncols.push_back(neurons.root_side && !neurons.soma_side ? need("rootSide", neurons.root_side) : need("somaSide", neurons.soma_side));
    const std::size_t nn = check_frame(neurons.source, "the neurons frame", ncols);
    std::vector<Needed> rcols{need("bodyId", rc.body_id), need("roi", rc.roi)};
    if (opt.synapses != SynapseCount::post) rcols.push_back(need("pre", rc.pre));
    if (opt.synapses != SynapseCount::pre) rcols.push_back(need("post", rc.post));
    const std::size_t nr = check_frame(rc.source, "the ROI counts frame", rcols);

    // The selected neurons: body -> type id (neuView keeps the ROI rows of these bodies only).
    std::vector<std::string> types;
    std::unordered_map<std::string_view, std::uint32_t> type_ids;
    std::vector<std::uint32_t> code_type(neurons.type->values.size(), UINT32_MAX);
    std::unordered_map<std::int64_t, std::uint32_t> body_type;
    std::unordered_map<std::int64_t, std::uint64_t> body_row;
    types.reserve(neurons.type->values.size());
    for (std::size_t i = 0; i < nn; ++i) {
        const std::uint64_t line = neurons.first_line + i;
        const std::int64_t body = count_at(FieldAt{neurons.source, line, "bodyId"}, *neurons.body_id, i);
        if (auto [it, fresh] = body_row.emplace(body, line); !fresh)
            bad_value(FieldAt{neurons.source, line, "bodyId"}, std::to_string(body), fmt::format("bodyId appears twice (first on row {})", it->second));
        if (by_side) {
            std::string_view side = neurons.root_side ? trim_blanks(text_at(*neurons.root_side, i)) : std::string_view{};
            if (side.empty() && neurons.soma_side) side = trim_blanks(text_at(*neurons.soma_side, i));
            if (side != (opt.soma_side == SomaSide::L ? "L" : "R")) continue;
        }
        const std::uint32_t code = neurons.type->codes[i];
        const std::string_view name = trim_blanks(text_at(*neurons.type, i));
        if (name.empty()) continue;  // an untyped neuron has no eyemap
        if (code_type[code] == UINT32_MAX) {
            auto it = type_ids.find(name);
            if (it == type_ids.end()) {
                types.emplace_back(name);  // reserved: the views into `types` stay valid
                it = type_ids.emplace(types.back(), static_cast<std::uint32_t>(types.size() - 1)).first;
            }
            code_type[code] = it->second;
        }
        body_type.emplace(body, code_type[code]);
    }

    struct Acc {
        std::int64_t pre = 0, post = 0;
        std::vector<std::int64_t> bodies;
    };
    std::map<std::pair<std::uint32_t, Place>, Acc> acc;
    NeuprintTable out;
    out.report.rows = nr;
    for (std::size_t i = 0; i < nr; ++i) {
        const std::uint64_t line = rc.first_line + i;
        const std::int64_t body = count_at(FieldAt{rc.source, line, "bodyId"}, *rc.body_id, i);
        const auto bt = body_type.find(body);
        if (bt == body_type.end()) {
            ++out.report.not_selected;
            continue;
        }
        const std::string_view name = text_at(*rc.roi, i);
        const auto roi = parse_column_roi(name);
        if (!roi) {
            note_ignored(out.report, name);
            continue;
        }
        if (roi->hex1 > kMaxHexCoordinate || roi->hex2 > kMaxHexCoordinate)
            bad_value(FieldAt{rc.source, line, "roi"}, name, fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
        const int region = regions.index_of(roi->region);
        if (region < 0) region_from_text(FieldAt{rc.source, line, "roi"}, roi->region, regions);  // throws, naming the regions known
        Acc& a = acc[{bt->second, Place{region, static_cast<int>(roi->side), static_cast<std::int32_t>(roi->hex1), static_cast<std::int32_t>(roi->hex2)}}];
        if (rc.pre) add_checked(a.pre, count_at(FieldAt{rc.source, line, "pre"}, *rc.pre, i), rc.source, "pre");
        if (rc.post) add_checked(a.post, count_at(FieldAt{rc.source, line, "post"}, *rc.post, i), rc.source, "post");
        a.bodies.push_back(body);
    }

    // Rows ordered by type name, then region, side and column.
    std::vector<std::pair<const std::pair<std::uint32_t, Place>, Acc>*> order;
    for (auto& e : acc) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [&](auto* a, auto* b) { return types[a->first.first] < types[b->first.first]; });
    RowsOut rows(regions);
    for (auto* e : order) {
        const auto& [tid, place] = e->first;
        Acc& a = e->second;
        std::int64_t s = opt.synapses == SynapseCount::pre ? a.pre : a.post;
        if (opt.synapses == SynapseCount::total) {
            s = a.pre;
            add_checked(s, a.post, rc.source, "pre + post");
        }
        rows.add(types[tid], place, s, distinct(a.bodies));
    }
    if (order.empty())
        throw_input(fmt::format("no column ROI rows of the selected neurons ({} rows: {} of other neurons, {} not column ROIs)", nr,
                                out.report.not_selected, out.report.not_column_roi),
                    ErrorLocation{rc.source, 0, "roi", {}});
    out.table = table_from_columns(rows.columns(rc.source), regions);
    out.layout = layout_of(opt.all_rois, regions);
    return out;
}

NeuprintTable table_from_neuview_layers(const ColumnLayerFrame& f, std::string_view neuron_type, const NeuprintOptions& opt,
                                        const RegionSet& regions) {
    const std::size_t n = check_frame(f.source, "the per-layer frame",
                                      {need("hex1", f.hex1), need("hex2", f.hex2), need("layer", f.layer), need("region", f.region),
                                       need("side", f.side), need("total_synapses", f.total_synapses), need("bodyId", f.body_id)});
    const std::string type(trim_blanks(neuron_type));
    if (type.empty()) throw_input("the neuron type must not be empty", ErrorLocation{f.source, 0, "neuron_type", std::string(neuron_type)});
    struct Acc {
        std::vector<std::int64_t> synapses;                 // per layer
        std::vector<std::vector<std::int64_t>> bodies;      // per layer
    };
    std::map<Place, Acc> acc;
    NeuprintTable out;
    out.report.rows = n;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t line = f.first_line + i;
        const std::string_view region_text = text_at(*f.region, i), side_text = text_at(*f.side, i);
        // neuView drops rows without a layer (dropna) and groups without NaN keys (region, side).
        if (missing_at(*f.layer, i) || trim_blanks(region_text).empty() || trim_blanks(side_text).empty()) {
            ++out.report.no_layer;
            continue;
        }
        const RegionDef& def = region_from_text(FieldAt{f.source, line, "region"}, region_text, regions);
        const Side side = side_from_text(FieldAt{f.source, line, "side"}, side_text);
        const FieldAt layer_at{f.source, line, "layer"};
        const std::int64_t layer = count_at(layer_at, *f.layer, i);
        if (layer < 1 || static_cast<std::size_t>(layer) > def.layers.size())
            bad_value(layer_at, std::to_string(layer), fmt::format("{} has layers 1 to {}", def.name, def.layers.size()));
        const std::int32_t h1 = hex_at(FieldAt{f.source, line, "hex1"}, *f.hex1, i);
        const std::int32_t h2 = hex_at(FieldAt{f.source, line, "hex2"}, *f.hex2, i);
        const std::int64_t syn = count_at(FieldAt{f.source, line, "total_synapses"}, *f.total_synapses, i);
        const std::int64_t body = count_at(FieldAt{f.source, line, "bodyId"}, *f.body_id, i);
        Acc& a = acc[Place{regions.index_of(def.name), static_cast<int>(side), h1, h2}];
        if (a.synapses.empty()) {
            a.synapses.assign(def.layers.size(), 0);
            a.bodies.resize(def.layers.size());
        }
        const auto k = static_cast<std::size_t>(layer - 1);
        add_checked(a.synapses[k], syn, f.source, "total_synapses");
        a.bodies[k].push_back(body);
    }
    if (acc.empty())
        throw_input(fmt::format("no rows with a layer, region and side ({} rows)", n), ErrorLocation{f.source, 0, "layer", {}});
    RowsOut rows(regions);
    LayerColumn lsyn, lcells;
    for (auto& [place, a] : acc) {
        std::int64_t total = 0;
        std::vector<std::int64_t> all;
        std::string ls, lc;
        for (std::size_t k = 0; k < a.synapses.size(); ++k) {
            add_checked(total, a.synapses[k], f.source, "total_synapses");
            all.insert(all.end(), a.bodies[k].begin(), a.bodies[k].end());
            fmt::format_to(std::back_inserter(ls), "{}{}", k ? ";" : "", a.synapses[k]);
            fmt::format_to(std::back_inserter(lc), "{}{}", k ? ";" : "", distinct(a.bodies[k]));
        }
        rows.add(type, place, total, distinct(all));
        lsyn.texts.push_back(std::move(ls));
        lcells.texts.push_back(std::move(lc));
    }
    DataColumns d = rows.columns(f.source);
    d.layer_synapses = std::move(lsyn);
    d.layer_cells = std::move(lcells);
    out.table = table_from_columns(d, regions);
    out.layout = layout_of(opt.all_rois, regions);
    return out;
}

// --- the same frames from CSV files ------------------------------------------------------------

namespace {

// The named columns of a CSV file (others skipped), as text; absent ones stay nullopt.
struct CsvColumns {
    std::string source;
    std::vector<std::optional<std::vector<std::string>>> cols;
};

CsvColumns read_csv_columns(const std::filesystem::path& path, std::initializer_list<std::string_view> wanted) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io("cannot open", path.string());
    CsvColumns out;
    out.source = path.string();
    CsvReader r(in, out.source);
    std::vector<std::string_view> fields;
    if (!r.read_record(fields)) throw_input("empty file: expected a header line", ErrorLocation{out.source, 1, {}, {}});
    std::vector<std::string> names(fields.begin(), fields.end());
    r.set_field_names(names);
    std::vector<std::size_t> index;
    for (const auto w : wanted) {
        const auto it = std::find(names.begin(), names.end(), w);
        index.push_back(it == names.end() ? SIZE_MAX : static_cast<std::size_t>(it - names.begin()));
        out.cols.emplace_back();
        if (index.back() != SIZE_MAX) out.cols.back().emplace();
    }
    while (r.read_record(fields))
        for (std::size_t k = 0; k < index.size(); ++k)
            if (index[k] != SIZE_MAX) out.cols[k]->emplace_back(index[k] < fields.size() ? fields[index[k]] : std::string_view{});
    return out;
}

std::optional<TextColumn> text_column(std::optional<std::vector<std::string>>& c) {
    if (!c) return std::nullopt;
    TextBuilder b;
    for (auto& v : *c) b.add(std::string(trim_blanks(v)));
    return std::move(b.col);
}

std::optional<NumberColumn> number_column(std::optional<std::vector<std::string>>& c) {
    if (!c) return std::nullopt;
    return NumberColumn{std::move(*c)};
}

}  // namespace

NeuprintTable read_neuprint_csv(const std::filesystem::path& neurons_path, const std::filesystem::path& roi_path, const NeuprintOptions& opt,
                                const RegionSet& regions) {
    auto n = read_csv_columns(neurons_path, {"bodyId", "type", "somaSide", "rootSide"});
    NeuronsFrame neurons{n.source, 2, number_column(n.cols[0]), text_column(n.cols[1]), text_column(n.cols[2]), text_column(n.cols[3])};
    auto r = read_csv_columns(roi_path, {"bodyId", "roi", "pre", "post"});
    RoiCountsFrame rc{r.source, 2, number_column(r.cols[0]), text_column(r.cols[1]), number_column(r.cols[2]), number_column(r.cols[3])};
    return table_from_neuprint(neurons, rc, opt, regions);
}

NeuprintTable read_neuview_layers_csv(const std::filesystem::path& path, std::string_view neuron_type, const NeuprintOptions& opt,
                                      const RegionSet& regions) {
    auto c = read_csv_columns(path, {"hex1", "hex2", "layer", "total_synapses", "bodyId", "region", "side"});
    ColumnLayerFrame f{c.source,
                       2,
                       number_column(c.cols[0]),
                       number_column(c.cols[1]),
                       number_column(c.cols[2]),
                       number_column(c.cols[3]),
                       number_column(c.cols[4]),
                       text_column(c.cols[5]),
                       text_column(c.cols[6])};
    return table_from_neuview_layers(f, neuron_type, opt, regions);
}

std::vector<std::string> read_roi_list(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io("cannot open", path.string());
    CsvReader r(in, path.string());
    std::vector<std::string_view> fields;
    std::vector<std::string> out;
    if (!r.read_record(fields)) throw_input("empty file: expected ROI names", ErrorLocation{path.string(), 1, {}, {}});
    std::size_t col = 0;
    if (const auto it = std::find(fields.begin(), fields.end(), "roi"); it != fields.end()) {
        col = static_cast<std::size_t>(it - fields.begin());  // a header: the names follow
    } else if (fields.size() == 1) {
        out.emplace_back(fields[0]);  // one name a line, from the first
    } else {
        throw_input("expected one ROI name a line, or a CSV with a column 'roi'", ErrorLocation{path.string(), 1, "roi", {}});
    }
    while (r.read_record(fields))
        if (col < fields.size()) out.emplace_back(trim_blanks(fields[col]));
    return out;
}

void write_column_table_csv(std::ostream& out, const ColumnTable& t) {
    // Quoted when the CSV reader would otherwise split or trim it.
    const auto field = [](std::string_view v) {
        if (v.find_first_of(",\"\r\n") == std::string_view::npos && trim_blanks(v).size() == v.size()) return std::string(v);
        std::string q = "\"";
        for (const char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + '"';
    };
    const auto& c = t.columns;
    out << "neuron_type,region,side,hex1,hex2" << (c.synapses ? ",synapses" : "") << (c.cells ? ",cells" : "")
        << (c.layer_synapses ? ",layer_synapses" : "") << (c.layer_cells ? ",layer_cells" : "") << '\n';
    for (const auto& r : t.rows) {
        out << field(r.neuron_type) << ',' << field(r.region) << ',' << to_string(r.side) << ',' << r.hex1 << ',' << r.hex2;
        if (c.synapses) out << ',' << r.synapses;
        if (c.cells) out << ',' << r.cells;
        if (c.layer_synapses) out << ',' << fmt::format("{}", fmt::join(r.layer_synapses, ";"));
        if (c.layer_cells) out << ',' << fmt::format("{}", fmt::join(r.layer_cells, ";"));
        out << '\n';
    }
}

}  // namespace eyemap

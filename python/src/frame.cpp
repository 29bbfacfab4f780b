// Datasets from numpy columns (a pandas DataFrame's, or a dict of arrays) and from CSV files.
//
// Integer columns are read from the numpy buffer (any integer dtype; float only when every value is
// a whole number; object arrays element by element). String columns are object arrays of str (one
// PyUnicode_AsUTF8AndSize per element, repeated objects recognised) or pandas categoricals passed
// as (codes, categories), which cost one conversion per category. Every value is checked as the CSV
// reader checks it, and an error names the column, the row (line = position + 1) and the value.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "binding.hpp"

namespace eyemap::py {
namespace {

using Row = std::uint64_t;  // 0-based position in the frame

struct Ctx {
    std::string source;
    std::string column;
    [[noreturn]] void fail(Row i, std::string value, std::string what) const {
        throw_input(std::move(what), ErrorLocation{source, i + 1, column, std::move(value)});
    }
};

std::string repr(const pyb::handle& h) {
    PyObject* r = PyObject_Repr(h.ptr());
    if (!r) {
        PyErr_Clear();
        return "?";
    }
    auto o = pyb::reinterpret_steal<pyb::str>(r);
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o.ptr(), &n);
    if (!s) {
        PyErr_Clear();
        return "?";
    }
    return std::string(s, static_cast<std::size_t>(n));
}

std::string type_name(const pyb::handle& h) { return Py_TYPE(h.ptr())->tp_name; }

pyb::array as_array(const pyb::handle& h, const Ctx& c) {
    if (!pyb::isinstance<pyb::array>(h)) c.fail(0, type_name(h), "expected a numpy array (the Python layer converts lists)");
    auto a = pyb::reinterpret_borrow<pyb::array>(h);
    if (a.ndim() != 1) c.fail(0, fmt::format("{} dimensions", a.ndim()), "expected a 1-D column");
    return a;
}

// --- string columns ---------------------------------------------------------------------------

// One string column: values as UTF-8 views valid while the Python objects live (the call's lifetime).
class StrColumn {
public:
    StrColumn(const pyb::handle& h, Row n, Ctx ctx) : ctx_(std::move(ctx)) {
        if (pyb::isinstance<pyb::tuple>(h)) {  // pandas categorical: (codes, categories)
            auto t = pyb::reinterpret_borrow<pyb::tuple>(h);
            if (pyb::len(t) != 2) ctx_.fail(0, "tuple", "expected (codes, categories)");
            codes_ = pyb::array_t<std::int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(t[0]);
            if (!codes_ || codes_.ndim() != 1) ctx_.fail(0, "codes", "categorical codes must be a 1-D integer array");
            cats_ = as_array(t[1], ctx_);
            if (cats_.dtype().kind() != 'O') ctx_.fail(0, "categories", "categories must be strings");
            for (Py_ssize_t k = 0; k < cats_.shape(0); ++k) cat_views_.push_back(view(obj(cats_, static_cast<Row>(k)), 0, true));
            categorical_ = true;
            size_ = static_cast<Row>(codes_.shape(0));
        } else {
            arr_ = as_array(h, ctx_);
            if (arr_.dtype().kind() != 'O') ctx_.fail(0, std::string(pyb::str(arr_.dtype())), "expected strings (an object column of str)");
            size_ = static_cast<Row>(arr_.shape(0));
        }
        if (size_ != n) ctx_.fail(0, fmt::format("{} values", size_), fmt::format("column has {} values, the frame has {} rows", size_, n));
    }

    std::string_view at(Row i) {
        if (categorical_) {
            const std::int64_t code = codes_.data()[i];
            if (code < 0 || static_cast<std::size_t>(code) >= cat_views_.size()) ctx_.fail(i, "NaN", "missing value");
            return cat_views_[static_cast<std::size_t>(code)];
        }
        PyObject* o = obj(arr_, i);
        if (o == last_) return last_view_;
        last_view_ = view(o, i, false);
        last_ = o;
        return last_view_;
    }
    // The same object (or category) as the previous call's: lookups can be skipped.
    bool same_as_last(Row i) const {
        return categorical_ ? i > 0 && codes_.data()[i] == codes_.data()[i - 1] : false;
    }
    const Ctx& ctx() const { return ctx_; }

private:
    static PyObject* obj(const pyb::array& a, Row i) {
        return *reinterpret_cast<PyObject* const*>(static_cast<const char*>(a.data()) + static_cast<std::ptrdiff_t>(i) * a.strides(0));
    }
    std::string_view view(PyObject* o, Row i, bool category) const {
        if (!PyUnicode_Check(o)) {
            const bool missing = o == Py_None || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) || type_name(o) == std::string("NAType");
            if (missing) ctx_.fail(i, repr(o), category ? "missing category" : "missing value");
            ctx_.fail(i, repr(o), fmt::format("expected a string, got {}", type_name(o)));
        }
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) {
            PyErr_Clear();
            ctx_.fail(i, repr(o), "string cannot be encoded as UTF-8");
        }
        return {s, static_cast<std::size_t>(n)};
    }

    Ctx ctx_;
    Row size_ = 0;
    bool categorical_ = false;
    pyb::array arr_, cats_;
    pyb::array_t<std::int64_t, pyb::array::c_style | pyb::array::forcecast> codes_;
    std::vector<std::string_view> cat_views_;
    PyObject* last_ = nullptr;
    std::string_view last_view_;
};

// --- integer columns --------------------------------------------------------------------------

enum class IntRule { count, hex };

constexpr double kMaxExactDouble = 9007199254740992.0;

void check_int(const Ctx& c, Row i, std::int64_t v, IntRule rule) {
    if (rule == IntRule::count) {
        if (v < 0) c.fail(i, std::to_string(v), "negative count");
    } else if (v > kMaxHexCoordinate || v < -kMaxHexCoordinate) {
        c.fail(i, std::to_string(v), fmt::format("hex coordinate out of range (|value| <= {})", kMaxHexCoordinate));
    }
}

std::int64_t from_double(const Ctx& c, Row i, double d, IntRule rule) {
    if (std::isnan(d)) c.fail(i, "NaN", "missing value (NaN); expected an integer");
    if (!std::isfinite(d)) c.fail(i, fmt::format("{}", d), "not a finite number; expected an integer");
    if (d != std::floor(d)) c.fail(i, fmt::format("{}", d), "not an integer; counts and coordinates must be whole numbers");
    if (std::fabs(d) > kMaxExactDouble) c.fail(i, fmt::format("{}", d), "integer too large to be held exactly by a float column");
    const auto v = static_cast<std::int64_t>(d);
    check_int(c, i, v, rule);
    return v;
}

std::int64_t from_object(const Ctx& c, Row i, PyObject* o, IntRule rule) {
    if (PyFloat_Check(o)) return from_double(c, i, PyFloat_AS_DOUBLE(o), rule);
    if (!PyBool_Check(o) && PyIndex_Check(o)) {
        PyObject* idx = PyNumber_Index(o);
        if (!idx) {
            PyErr_Clear();
            c.fail(i, repr(o), "expected an integer");
        }
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
        if (overflow) c.fail(i, repr(o), overflow < 0 ? "negative count" : "integer too large (at most 9223372036854775807)");
        check_int(c, i, v, rule);
        return v;
    }
    const bool missing = o == Py_None || type_name(o) == std::string("NAType");
    c.fail(i, repr(o), missing ? std::string("missing value; expected an integer") : fmt::format("expected an integer, got {}", type_name(o)));
}

// Reads a whole integer column (validated) into `out`.
void read_ints(const pyb::handle& h, Row n, const Ctx& c, IntRule rule, std::vector<std::int64_t>& out) {
    pyb::array a = as_array(h, c);
    if (static_cast<Row>(a.shape(0)) != n) c.fail(0, fmt::format("{} values", a.shape(0)), fmt::format("column has {} values, the frame has {} rows", a.shape(0), n));
    out.resize(n);
    const char kind = a.dtype().kind();
    if (kind == 'u' && a.itemsize() == 8) {
        auto u = pyb::array_t<std::uint64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        const std::uint64_t* p = u.data();
        for (Row i = 0; i < n; ++i) {
            if (p[i] > static_cast<std::uint64_t>(INT64_MAX)) c.fail(i, std::to_string(p[i]), "integer too large (at most 9223372036854775807)");
            out[i] = static_cast<std::int64_t>(p[i]);
            check_int(c, i, out[i], rule);
        }
    } else if (kind == 'i' || kind == 'u') {
        auto v = pyb::array_t<std::int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        const std::int64_t* p = v.data();
        for (Row i = 0; i < n; ++i) {
            check_int(c, i, p[i], rule);
            out[i] = p[i];
        }
    } else if (kind == 'f') {
        auto v = pyb::array_t<double, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        const double* p = v.data();
        for (Row i = 0; i < n; ++i) out[i] = from_double(c, i, p[i], rule);
    } else if (kind == 'O') {
        const char* base = static_cast<const char*>(a.data());
        for (Row i = 0; i < n; ++i)
            out[i] = from_object(c, i, *reinterpret_cast<PyObject* const*>(base + static_cast<std::ptrdiff_t>(i) * a.strides(0)), rule);
    } else {
        c.fail(0, std::string(pyb::str(a.dtype())), fmt::format("wrong dtype {}; expected integers", std::string(pyb::str(a.dtype()))));
    }
}

// --- per-layer columns ------------------------------------------------------------------------

// "12;0;7" (blanks around values allowed, as in the CSV) into `out`.
void parse_layer_text(const Ctx& c, Row i, std::string_view s, std::vector<std::int64_t>& out) {
    out.clear();
    const auto trim = [](std::string_view t) {
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        return t;
    };
    if (trim(s).empty()) return;
    for (;;) {
        const auto semi = s.find(';');
        const std::string_view f = trim(s.substr(0, semi));
        std::int64_t v = 0;
        std::size_t k = 0;
        if (!f.empty() && f.front() == '+') ++k;
        if (k == f.size()) c.fail(i, std::string(s), "empty layer value; expected ';'-separated non-negative integers");
        for (; k < f.size(); ++k) {
            const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(f[k])) - '0';
            if (f[k] == '-') c.fail(i, std::string(f), "negative count");
            if (d > 9) c.fail(i, std::string(f), "not a number; expected ';'-separated non-negative integers");
            if (v > (INT64_MAX - static_cast<std::int64_t>(d)) / 10) c.fail(i, std::string(f), "integer too large (at most 9223372036854775807)");
            v = v * 10 + d;
        }
        out.push_back(v);
        if (semi == std::string_view::npos) break;
        s.remove_prefix(semi + 1);
    }
}

class LayerColumn {
public:
    LayerColumn(const pyb::handle& h, Row n, Ctx ctx) : ctx_(std::move(ctx)) {
        arr_ = pyb::reinterpret_borrow<pyb::array>(h);
        if (!pyb::isinstance<pyb::array>(h)) ctx_.fail(0, type_name(h), "expected a numpy array");
        if (arr_.ndim() == 2) {  // n x L integers: every region must have L layers
            flat_.reserve(static_cast<std::size_t>(arr_.shape(0) * arr_.shape(1)));
            width_ = static_cast<std::size_t>(arr_.shape(1));
            pyb::array a = arr_.attr("reshape")(-1);
            Ctx flat_ctx = ctx_;
            read_ints(a, static_cast<Row>(a.shape(0)), flat_ctx, IntRule::count, flat_);
            two_d_ = true;
            if (static_cast<Row>(arr_.shape(0)) != n) ctx_.fail(0, fmt::format("{} rows", arr_.shape(0)), fmt::format("the frame has {} rows", n));
            return;
        }
        if (arr_.ndim() != 1) ctx_.fail(0, fmt::format("{} dimensions", arr_.ndim()), "expected a 1-D column of lists or ';' strings, or an n x layers array");
        if (arr_.dtype().kind() != 'O') ctx_.fail(0, std::string(pyb::str(arr_.dtype())), "expected lists, arrays or ';'-separated strings per row");
        if (static_cast<Row>(arr_.shape(0)) != n) ctx_.fail(0, fmt::format("{} values", arr_.shape(0)), fmt::format("the frame has {} rows", n));
    }

    void at(Row i, const RegionDef& region, std::vector<std::int64_t>& out) {
        if (two_d_) {
            const auto* p = flat_.data() + i * width_;
            if (width_ != region.layers.size())
                ctx_.fail(i, fmt::format("{} columns", width_), fmt::format("{} layer values given, region {} has {} layers", width_, region.name, region.layers.size()));
            out.assign(p, p + width_);
            return;
        }
        PyObject* o = *reinterpret_cast<PyObject* const*>(static_cast<const char*>(arr_.data()) + static_cast<std::ptrdiff_t>(i) * arr_.strides(0));
        if (PyUnicode_Check(o)) {
            Py_ssize_t len = 0;
            const char* s = PyUnicode_AsUTF8AndSize(o, &len);
            if (!s) {
                PyErr_Clear();
                ctx_.fail(i, repr(o), "string cannot be encoded as UTF-8");
            }
            parse_layer_text(ctx_, i, std::string_view(s, static_cast<std::size_t>(len)), out);
        } else if (PyList_Check(o) || PyTuple_Check(o) || pyb::isinstance<pyb::array>(o)) {
            pyb::object seq = pyb::reinterpret_borrow<pyb::object>(o);
            pyb::array a = pyb::module_::import("numpy").attr("asarray")(seq);
            if (a.ndim() != 1) ctx_.fail(i, repr(o), "expected a flat list of layer values");
            if (a.shape(0) == 0) {
                out.clear();
            } else {
                if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u' && a.dtype().kind() != 'f' && a.dtype().kind() != 'O')
                    ctx_.fail(i, repr(o), "expected integer layer values");
                // Errors inside the list name this row; the value is the list.
                std::vector<std::int64_t> tmp;
                try {
                    read_ints(a, static_cast<Row>(a.shape(0)), Ctx{ctx_.source, ctx_.column}, IntRule::count, tmp);
                } catch (const Error& e) {
                    ctx_.fail(i, repr(o), e.reason());
                }
                out.swap(tmp);
            }
        } else {
            const bool missing = o == Py_None || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) || type_name(o) == std::string("NAType");
            ctx_.fail(i, repr(o), missing ? std::string("missing value; expected one value per layer")
                                          : fmt::format("expected a list or a ';'-separated string, got {}", type_name(o)));
        }
        if (out.size() != region.layers.size())
            ctx_.fail(i, repr(o), fmt::format("{} layer values given, region {} has {} layers", out.size(), region.name, region.layers.size()));
    }

private:
    Ctx ctx_;
    pyb::array arr_;
    bool two_d_ = false;
    std::size_t width_ = 0;
    std::vector<std::int64_t> flat_;
};

// --- region, side -----------------------------------------------------------------------------

const RegionDef& region_of(const StrColumn& col, Row i, std::string_view s, const RegionSet& regions) {
    if (const RegionDef* d = regions.find(s)) return *d;
    std::string known;
    for (std::size_t k = 0; k < regions.regions.size() && k < 20; ++k) known += (k ? ", " : "") + regions.regions[k].name;
    for (const auto& d : regions.regions)
        if (d.name.size() == s.size() && std::equal(s.begin(), s.end(), d.name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            col.ctx().fail(i, std::string(s), fmt::format("unknown region; did you mean '{}'? (known: {})", d.name, known));
    col.ctx().fail(i, std::string(s), fmt::format("unknown region (known: {}; define more with regions=...)", known));
}

Side side_of(const StrColumn& col, Row i, std::string_view s) {
    if (s == "L") return Side::L;
    if (s == "R") return Side::R;
    std::string l(s);
    for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (l == "l" || l == "r" || l == "left" || l == "right")
        col.ctx().fail(i, std::string(s), fmt::format("side must be L or R; did you mean '{}'?", l[0] == 'l' ? "L" : "R"));
    col.ctx().fail(i, std::string(s), "side must be L or R");
}

pyb::handle get(const pyb::dict& cols, const char* name) {
    PyObject* v = PyDict_GetItemString(cols.ptr(), name);
    return v && v != Py_None ? pyb::handle(v) : pyb::handle();
}

Row frame_size(const pyb::dict& cols, const std::string& source, std::initializer_list<const char*> required) {
    for (const char* name : required)
        if (!get(cols, name))
            throw_input(fmt::format("missing required column (needed: {})", fmt::join(required, ", ")), ErrorLocation{source, 0, name, {}});
    const pyb::handle first = get(cols, *required.begin() == std::string("neuron_type") ? "hex1" : "hex1");
    return static_cast<Row>(pyb::len(first));
}

// Duplicate (key, hex) rows: sorted keys, the first repeat named with both rows (as the CSV reader).
template <class KeyOf>
void check_duplicates(std::size_t n, const std::string& source, KeyOf key_of, const char* what) {
    struct K {
        std::uint64_t a, b;
        std::uint32_t row;
    };
    std::vector<K> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto [a, b] = key_of(i);
        keys[i] = K{a, b, static_cast<std::uint32_t>(i)};
    }
    std::sort(keys.begin(), keys.end(), [](const K& x, const K& y) { return std::tie(x.a, x.b, x.row) < std::tie(y.a, y.b, y.row); });
    std::uint32_t worst = UINT32_MAX, first = 0;
    for (std::size_t k = 1; k < n; ++k)
        if (keys[k].a == keys[k - 1].a && keys[k].b == keys[k - 1].b && keys[k].row < worst) {
            std::size_t j = k - 1;
            while (j > 0 && keys[j - 1].a == keys[k].a && keys[j - 1].b == keys[k].b) --j;
            worst = keys[k].row, first = keys[j].row;
        }
    if (worst != UINT32_MAX)
        throw_input(fmt::format("duplicate row: the same {} as the row at position {}", what, first),
                    ErrorLocation{source, static_cast<std::uint64_t>(worst) + 1, {}, {}});
}

std::uint64_t cell_key(int region, Side side, std::int32_t h1, std::int32_t h2) {
    return (static_cast<std::uint64_t>(region) << 40) ^ (static_cast<std::uint64_t>(side) << 36) ^
           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(h1 + 8192)) << 18) ^ static_cast<std::uint64_t>(static_cast<std::uint32_t>(h2 + 8192));
}

ColumnLayout layout_from_columns(const pyb::dict& cols, const std::string& source, const RegionSet& regions) {
    const Row n = frame_size(cols, source, {"region", "side", "hex1", "hex2"});
    if (n == 0) throw_input("no layout rows", ErrorLocation{source, 0, {}, {}});
    StrColumn region(get(cols, "region"), n, Ctx{source, "region"});
    StrColumn side(get(cols, "side"), n, Ctx{source, "side"});
    std::vector<std::int64_t> h1, h2;
    read_ints(get(cols, "hex1"), n, Ctx{source, "hex1"}, IntRule::hex, h1);
    read_ints(get(cols, "hex2"), n, Ctx{source, "hex2"}, IntRule::hex, h2);
    ColumnLayout layout;
    layout.source = source;
    layout.entries.resize(n);
    std::vector<int> ri(n);
    for (Row i = 0; i < n; ++i) {
        auto& e = layout.entries[i];
        const RegionDef& def = region_of(region, i, region.at(i), regions);
        e.region = def.name;
        ri[i] = regions.index_of(def.name);
        e.side = side_of(side, i, side.at(i));
        e.hex1 = static_cast<std::int32_t>(h1[i]);
        e.hex2 = static_cast<std::int32_t>(h2[i]);
    }
    check_duplicates(n, source, [&](std::size_t i) {
        const auto& e = layout.entries[i];
        return std::pair<std::uint64_t, std::uint64_t>{cell_key(ri[i], e.side, e.hex1, e.hex2), 0};
    }, "region, side and column");
    return layout;
}

ColumnTable table_from_columns(const pyb::dict& cols, const std::string& source, const RegionSet& regions) {
    const Row n = frame_size(cols, source, {"neuron_type", "region", "side", "hex1", "hex2"});
    if (n == 0) throw_input("no data rows", ErrorLocation{source, 0, {}, {}});
    if (n > UINT32_MAX) throw_input("more than 4294967295 rows: use the batch, which streams", ErrorLocation{source, 0, {}, {}});
    ColumnTable t;
    t.source = source;
    t.columns.synapses = static_cast<bool>(get(cols, "synapses"));
    t.columns.cells = static_cast<bool>(get(cols, "cells"));
    t.columns.layer_synapses = static_cast<bool>(get(cols, "layer_synapses"));
    t.columns.layer_cells = static_cast<bool>(get(cols, "layer_cells"));
    StrColumn type(get(cols, "neuron_type"), n, Ctx{source, "neuron_type"});
    StrColumn region(get(cols, "region"), n, Ctx{source, "region"});
    StrColumn side(get(cols, "side"), n, Ctx{source, "side"});
    std::vector<std::int64_t> h1, h2, syn, cells;
    read_ints(get(cols, "hex1"), n, Ctx{source, "hex1"}, IntRule::hex, h1);
    read_ints(get(cols, "hex2"), n, Ctx{source, "hex2"}, IntRule::hex, h2);
    if (t.columns.synapses) read_ints(get(cols, "synapses"), n, Ctx{source, "synapses"}, IntRule::count, syn);
    if (t.columns.cells) read_ints(get(cols, "cells"), n, Ctx{source, "cells"}, IntRule::count, cells);
    std::optional<LayerColumn> lsyn, lcells;
    if (t.columns.layer_synapses) lsyn.emplace(get(cols, "layer_synapses"), n, Ctx{source, "layer_synapses"});
    if (t.columns.layer_cells) lcells.emplace(get(cols, "layer_cells"), n, Ctx{source, "layer_cells"});

    t.rows.resize(n);
    std::vector<std::uint32_t> type_id(n);
    std::vector<int> region_id(n);
    std::unordered_map<std::string_view, std::uint32_t> types;
    const RegionDef* def = nullptr;
    std::string_view last_region, last_type;
    std::uint32_t last_type_id = 0;
    for (Row i = 0; i < n; ++i) {
        ColumnRow& r = t.rows[i];
        r.line = i + 1;
        const std::string_view ty = type.at(i);
        if (ty.empty()) type.ctx().fail(i, "", "empty neuron type");
        if (i == 0 || ty.data() != last_type.data() || ty.size() != last_type.size()) {
            last_type_id = types.emplace(ty, static_cast<std::uint32_t>(types.size())).first->second;
            last_type = ty;
        }
        type_id[i] = last_type_id;
        r.neuron_type.assign(ty);
        const std::string_view rg = region.at(i);
        if (!def || rg.data() != last_region.data() || rg.size() != last_region.size()) {
            def = &region_of(region, i, rg, regions);
            last_region = rg;
        }
        r.region = def->name;
        region_id[i] = regions.index_of(def->name);
        r.side = side_of(side, i, side.at(i));
        r.hex1 = static_cast<std::int32_t>(h1[i]);
        r.hex2 = static_cast<std::int32_t>(h2[i]);
        if (t.columns.synapses) r.synapses = syn[i];
        if (t.columns.cells) r.cells = cells[i];
        if (lsyn) lsyn->at(i, *def, r.layer_synapses);
        if (lcells) lcells->at(i, *def, r.layer_cells);
    }
    check_duplicates(n, source, [&](std::size_t i) {
        const auto& r = t.rows[i];
        return std::pair<std::uint64_t, std::uint64_t>{cell_key(region_id[i], r.side, r.hex1, r.hex2), type_id[i]};
    }, "type, region, side and column");
    return t;
}

PyDataset finish(ColumnTable table, std::optional<ColumnLayout> layout, RegionSet regions) {
    PyDataset out;
    out.rows = table.rows.size();
    out.regions = regions;
    pyb::gil_scoped_release nogil;
    out.data = std::make_shared<const Dataset>(make_dataset(std::move(table), std::move(layout), regions));
    return out;
}

pyb::dict columns_dict(const TableColumns& c) {
    pyb::dict d;
    d["synapses"] = c.synapses;
    d["cells"] = c.cells;
    d["layer_synapses"] = c.layer_synapses;
    d["layer_cells"] = c.layer_cells;
    return d;
}

}  // namespace

void register_dataset(pyb::module_& m) {
    pyb::class_<PyDataset>(m, "_Dataset")
        .def_property_readonly("source", [](const PyDataset& d) { return d.data->source; })
        .def_property_readonly("rows", [](const PyDataset& d) { return d.rows; })
        .def_property_readonly("column_count", [](const PyDataset& d) { return column_count(*d.data->index); })
        .def_property_readonly("columns", [](const PyDataset& d) { return columns_dict(d.data->columns); })
        .def_property_readonly("regions", [](const PyDataset& d) {
            pyb::list out;
            for (const auto& r : d.regions.regions) out.append(pyb::make_tuple(r.name, r.layers));
            return out;
        })
        .def("types", [](const PyDataset& d) {
            pyb::list out;
            for (const auto& t : d.data->types) out.append(text(t.neuron_type));
            return out;
        })
        .def("type_rows", [](const PyDataset& d, const std::string& name) { return d.data->type(name).rows.size(); })
        .def("has_type", [](const PyDataset& d, const std::string& name) { return d.data->find_type(name) != nullptr; })
        .def("closest_type", [](const PyDataset& d, const std::string& name) { return d.data->closest_type(name); })
        .def("all_requests", [](const PyDataset& d) {
            pyb::list out;
            for (const auto& r : all_requests(*d.data->index, d.data->columns)) out.append(request_to_tuple(r));
            return out;
        })
        .def("has_columns", [](const PyDataset& d, const std::string& region, const std::string& side) {
            return has_columns(*d.data->index, region, side == "L" ? Side::L : Side::R);
        })
        // -> ([(region, side, metric)], [skipped note]); "" / None = any
        .def("select", [](const PyDataset& d, const std::string& region, const pyb::object& side, const pyb::object& metric) {
            RequestFilter f;
            f.region = region;
            if (!side.is_none()) {
                const auto s = side.cast<std::string>();
                if (s != "L" && s != "R") throw_input("side must be 'L', 'R' or None (both)", ErrorLocation{{}, 0, "side", s});
                f.side = s == "L" ? Side::L : Side::R;
            }
            if (!metric.is_none()) {
                const auto s = metric.cast<std::string>();
                f.metric = parse_metric(s);
                if (!f.metric) throw_input("metric must be 'synapse_density', 'cell_count' or None (both)", ErrorLocation{{}, 0, "metric", s});
            }
            const auto sel = select_requests(*d.data->index, d.data->columns, f);
            pyb::list reqs;
            for (const auto& r : sel.requests) reqs.append(request_to_tuple(r));
            return pyb::make_tuple(reqs, sel.skipped);
        });

    m.def("_dataset_from_columns",
          [](const pyb::dict& cols, const pyb::object& layout, const pyb::object& regions_json, const std::string& source,
             const std::string& layout_source) {
              RegionSet regions = regions_from(regions_json);
              ColumnTable table = table_from_columns(cols, source, regions);
              std::optional<ColumnLayout> lay;
              if (!layout.is_none()) lay = layout_from_columns(layout.cast<pyb::dict>(), layout_source, regions);
              return finish(std::move(table), std::move(lay), std::move(regions));
          },
          pyb::arg("columns"), pyb::arg("layout"), pyb::arg("regions_json"), pyb::arg("source"), pyb::arg("layout_source"));

    m.def("_dataset_from_csv",
          [](const std::string& data, const pyb::object& layout, const pyb::object& regions_json) {
              RegionSet regions = regions_from(regions_json);
              std::optional<std::filesystem::path> lay;
              if (!layout.is_none()) lay = layout.cast<std::string>();
              PyDataset out;
              out.regions = regions;
              {
                  pyb::gil_scoped_release nogil;
                  out.data = std::make_shared<const Dataset>(load_dataset(data, lay, regions));
              }
              for (const auto& t : out.data->types) out.rows += t.rows.size();
              return out;
          },
          pyb::arg("data"), pyb::arg("layout") = pyb::none(), pyb::arg("regions_json") = pyb::none());

    m.def("_dataset_from_csv_text",
          [](const std::string& data, const std::string& source, const pyb::object& layout_text, const pyb::object& regions_json) {
              RegionSet regions = regions_from(regions_json);
              PyDataset out;
              out.regions = regions;
              std::optional<std::string> lt;
              if (!layout_text.is_none()) lt = layout_text.cast<std::string>();
              pyb::gil_scoped_release nogil;
              ColumnTable table = parse_column_table(data, source, regions);
              out.rows = table.rows.size();
              std::optional<ColumnLayout> lay;
              if (lt) lay = parse_column_layout(*lt, "layout", regions);
              out.data = std::make_shared<const Dataset>(make_dataset(std::move(table), std::move(lay), regions));
              return out;
          },
          pyb::arg("data"), pyb::arg("source"), pyb::arg("layout") = pyb::none(), pyb::arg("regions_json") = pyb::none());
}

}  // namespace eyemap::py

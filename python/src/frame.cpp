// Datasets from numpy columns (a pandas DataFrame's, or a dict of arrays), from CSV files and from neuPrint's frames.
//
// The binding only converts: each Python column becomes a typed column of eyemap::DataColumns
// (strings copied out of the Python objects, each distinct value once; integer, unsigned and float
// buffers as they are; Python objects holding numbers as decimal text), and the library's
// table_from_columns applies the CSV reader's rules and messages. Errors of the conversion itself
// (a wrong dtype, a missing value, a non-string) name the column, the row (line = position + 1)
// and the value.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "binding.hpp"
#include "eyemap/marks.hpp"
#include "core/throw.hpp"

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

std::string show(const pyb::handle& h) {
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

bool is_missing(PyObject* o) {
    return o == Py_None || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) || type_name(o) == std::string("NAType");
}

pyb::array as_array(const pyb::handle& h, const Ctx& c) {
    if (!pyb::isinstance<pyb::array>(h)) c.fail(0, type_name(h), "expected a numpy array (the Python layer converts lists)");
    auto a = pyb::reinterpret_borrow<pyb::array>(h);
    if (a.ndim() != 1) c.fail(0, fmt::format("{} dimensions", a.ndim()), "expected a 1-D column");
    return a;
}

PyObject* item(const pyb::array& a, Row i) {
    return *reinterpret_cast<PyObject* const*>(static_cast<const char*>(a.data()) + static_cast<std::ptrdiff_t>(i) * a.strides(0));
}

// UTF-8 of a str object, valid while it lives: copy it before anything can call back into Python.
std::string_view utf8(PyObject* o, const Ctx& c, Row i, bool category) {
    if (!PyUnicode_Check(o)) {
        if (is_missing(o)) c.fail(i, show(o), category ? "missing category" : "missing value");
        c.fail(i, show(o), fmt::format("expected a string, got {}", type_name(o)));
    }
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s) {
        PyErr_Clear();
        c.fail(i, show(o), "string cannot be encoded as UTF-8");
    }
    return {s, static_cast<std::size_t>(n)};
}

// --- string columns: object arrays of str, or pandas categoricals as (codes, categories) ------

// missing_empty: a missing value (None, NaN, pd.NA) is "" (neuPrint's frames have them; the library
// decides what "" means there); otherwise it is an error.
TextColumn text_column(const pyb::handle& h, const Ctx& c, bool missing_empty = false) {
    TextColumn out;
    if (pyb::isinstance<pyb::tuple>(h)) {  // one conversion per category
        auto t = pyb::reinterpret_borrow<pyb::tuple>(h);
        if (pyb::len(t) != 2) c.fail(0, "tuple", "expected (codes, categories)");
        auto codes = pyb::array_t<std::int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(t[0]);
        if (!codes || codes.ndim() != 1) c.fail(0, "codes", "categorical codes must be a 1-D integer array");
        pyb::array cats = as_array(t[1], c);
        if (cats.dtype().kind() != 'O') c.fail(0, "categories", "categories must be strings");
        for (Py_ssize_t k = 0; k < cats.shape(0); ++k) out.values.emplace_back(utf8(item(cats, static_cast<Row>(k)), c, 0, true));
        const std::int64_t* p = codes.data();
        out.codes.resize(static_cast<std::size_t>(codes.shape(0)));
        for (std::size_t i = 0; i < out.codes.size(); ++i) {
            if (p[i] < 0 && missing_empty) {
                out.codes[i] = static_cast<std::uint32_t>(out.values.size());
                continue;
            }
            if (p[i] < 0 || static_cast<std::size_t>(p[i]) >= out.values.size()) c.fail(i, "NaN", "missing value");
            out.codes[i] = static_cast<std::uint32_t>(p[i]);
        }
        if (missing_empty && std::any_of(p, p + out.codes.size(), [](std::int64_t v) { return v < 0; })) out.values.emplace_back();
        return out;
    }
    pyb::array a = as_array(h, c);
    if (a.dtype().kind() != 'O') c.fail(0, std::string(pyb::str(a.dtype())), "expected strings (an object column of str)");
    const Row n = static_cast<Row>(a.shape(0));
    out.codes.resize(n);
    // Each distinct value stored once. The views index this call's Python strings, which nothing
    // can free before the loop ends (no Python code runs in it).
    std::unordered_map<std::string_view, std::uint32_t> seen;
    PyObject* last = nullptr;
    std::uint32_t last_code = 0;
    for (Row i = 0; i < n; ++i) {
        PyObject* o = item(a, i);
        if (o != last) {
            const std::string_view v = missing_empty && is_missing(o) ? std::string_view{} : utf8(o, c, i, false);
            const auto [it, fresh] = seen.emplace(v, static_cast<std::uint32_t>(out.values.size()));
            if (fresh) out.values.emplace_back(v);
            last = o;
            last_code = it->second;
        }
        out.codes[i] = last_code;
    }
    return out;
}

// --- number columns ---------------------------------------------------------------------------

// A Python number as decimal text for the library's reader: integers exactly (any size), floats
// as Python writes them ("3.0", "nan", "1e+20"). `o` must be kept alive by the caller.
std::string number_text(PyObject* o, const Ctx& c, Row i, std::string_view value_for_errors = {}) {
    const auto fail = [&](std::string what) { c.fail(i, value_for_errors.empty() ? show(o) : std::string(value_for_errors), std::move(what)); };
    if (PyFloat_Check(o)) {
        if (std::isnan(PyFloat_AS_DOUBLE(o))) fail("missing value (NaN); expected an integer");
        return show(o);
    }
    if (!PyBool_Check(o) && PyIndex_Check(o)) {
        PyObject* idx = PyNumber_Index(o);  // may run Python code (__index__)
        if (!idx) {
            PyErr_Clear();
            fail("expected an integer");
        }
        auto owned = pyb::reinterpret_steal<pyb::object>(idx);
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(idx, &overflow);
        if (!overflow) return std::to_string(v);
        return std::string(pyb::str(owned));
    }
    fail(is_missing(o) ? std::string("missing value; expected an integer") : fmt::format("expected an integer, got {}", type_name(o)));
    return {};  // not reached: fail throws
}

NumberColumn number_column(const pyb::array& a, const Ctx& c) {
    const char kind = a.dtype().kind();
    if (kind == 'u' && a.itemsize() == 8) {
        auto u = pyb::array_t<std::uint64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        return std::vector<std::uint64_t>(u.data(), u.data() + u.size());
    }
    if (kind == 'i' || kind == 'u') {
        auto v = pyb::array_t<std::int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        return std::vector<std::int64_t>(v.data(), v.data() + v.size());
    }
    if (kind == 'f') {
        auto v = pyb::array_t<double, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
        return std::vector<double>(v.data(), v.data() + v.size());
    }
    if (kind == 'O') {
        std::vector<std::string> out(static_cast<std::size_t>(a.shape(0)));
        for (Row i = 0; i < out.size(); ++i) {
            // Held: Python code run by the conversion could drop the array's reference to it.
            auto o = pyb::reinterpret_borrow<pyb::object>(item(a, i));
            out[i] = number_text(o.ptr(), c, i);
        }
        return out;
    }
    c.fail(0, std::string(pyb::str(a.dtype())), fmt::format("wrong dtype {}; expected integers", std::string(pyb::str(a.dtype()))));
}

// --- value columns ----------------------------------------------------------------------------

// A value as text for the library's value reader: floats and integers as Python writes them, a
// missing value (None, NaN, pd.NA) as "" (no data), a str as given (the reader names what is wrong).
std::string value_text(PyObject* o, const Ctx& c, Row i, std::string_view value_for_errors = {}) {
    if (is_missing(o)) return {};
    if (PyUnicode_Check(o)) return std::string(utf8(o, c, i, false));
    if (PyBool_Check(o)) c.fail(i, value_for_errors.empty() ? show(o) : std::string(value_for_errors), "expected a number, got bool");
    if (PyFloat_Check(o) || PyLong_Check(o)) return show(o);
    PyObject* f = PyNumber_Float(o);  // numpy scalars, Decimal, Fraction, __index__/__float__: may run Python code
    if (!f) {
        PyErr_Clear();
        c.fail(i, value_for_errors.empty() ? show(o) : std::string(value_for_errors), fmt::format("expected a number, got {}", type_name(o)));
    }
    auto owned = pyb::reinterpret_steal<pyb::object>(f);
    return show(f);
}

// A value column: float/int arrays as they are, objects per element (value_text); booleans refused.
NumberColumn value_column(const pyb::array& a, const Ctx& c) {
    const char kind = a.dtype().kind();
    if (kind == 'f' || kind == 'i' || kind == 'u') return number_column(a, c);
    if (kind == 'O') {
        std::vector<std::string> out(static_cast<std::size_t>(a.shape(0)));
        for (Row i = 0; i < out.size(); ++i) {
            auto o = pyb::reinterpret_borrow<pyb::object>(item(a, i));
            out[i] = value_text(o.ptr(), c, i);
        }
        return out;
    }
    c.fail(0, std::string(pyb::str(a.dtype())), fmt::format("wrong dtype {}; expected numbers", std::string(pyb::str(a.dtype()))));
}

// --- per-layer columns ------------------------------------------------------------------------

// A 1-D object column (per row a list / tuple / array of numbers, or "12;0;7"), or an n x L array.
// `values`: a value column's layers (floats, missing = no data) rather than counts.
LayerColumn layer_column(const pyb::handle& h, const Ctx& c, bool as_values = false) {
    if (!pyb::isinstance<pyb::array>(h)) c.fail(0, type_name(h), "expected a numpy array");
    auto arr = pyb::reinterpret_borrow<pyb::array>(h);
    LayerColumn out;
    if (arr.ndim() == 2) {  // n x L numbers: every region must have L layers
        out.width = static_cast<std::size_t>(arr.shape(1));
        pyb::array flat = arr.attr("reshape")(-1);
        out.block = as_values ? value_column(flat, c) : number_column(flat, c);
        return out;
    }
    if (arr.ndim() != 1) c.fail(0, fmt::format("{} dimensions", arr.ndim()), "expected a 1-D column of lists or ';' strings, or an n x layers array");
    if (arr.dtype().kind() != 'O') c.fail(0, std::string(pyb::str(arr.dtype())), "expected lists, arrays or ';'-separated strings per row");
    const Row n = static_cast<Row>(arr.shape(0));
    out.texts.resize(n);
    for (Row i = 0; i < n; ++i) {
        auto o = pyb::reinterpret_borrow<pyb::object>(item(arr, i));  // held while Python code may run
        if (PyUnicode_Check(o.ptr())) {
            out.texts[i] = std::string(utf8(o.ptr(), c, i, false));
        } else if (PyList_Check(o.ptr()) || PyTuple_Check(o.ptr()) || pyb::isinstance<pyb::array>(o)) {
            pyb::list values = pyb::isinstance<pyb::array>(o) ? pyb::list(o.attr("tolist")()) : pyb::list(o);
            const std::string shown = show(o);
            std::string& t = out.texts[i];
            for (std::size_t k = 0; k < values.size(); ++k) {
                pyb::object v = values[k];
                if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) c.fail(i, shown, "expected a flat list of layer values");
                if (k) t += ';';
                t += as_values ? value_text(v.ptr(), c, i, shown) : number_text(v.ptr(), c, i, shown);
            }
        } else if (as_values && is_missing(o.ptr())) {
            out.texts[i].clear();  // no data in any layer
        } else {
            c.fail(i, show(o), is_missing(o.ptr()) ? std::string("missing value; expected one value per layer")
                                                   : fmt::format("expected a list or a ';'-separated string, got {}", type_name(o)));
        }
    }
    return out;
}

pyb::handle get(const pyb::dict& cols, const char* name) {
    PyObject* v = PyDict_GetItemString(cols.ptr(), name);
    return v && v != Py_None ? pyb::handle(v) : pyb::handle();
}

// The frame's columns as typed columns: strings first (copied), then numbers, whose conversion may
// run Python code. Absent columns stay absent: the library decides what is required.
DataColumns data_columns(const pyb::dict& cols, const std::string& source, std::vector<std::string> ignored) {
    DataColumns d;
    d.source = source;
    d.ignored = std::move(ignored);
    const auto text = [&](const char* name, std::optional<TextColumn>& out) {
        if (const auto h = get(cols, name)) out = text_column(h, Ctx{source, name});
    };
    const auto number = [&](const char* name, std::optional<NumberColumn>& out) {
        if (const auto h = get(cols, name)) {
            const Ctx c{source, name};
            out = number_column(as_array(h, c), c);
        }
    };
    const auto layers = [&](const char* name, std::optional<LayerColumn>& out) {
        if (const auto h = get(cols, name)) out = layer_column(h, Ctx{source, name});
    };
    text("neuron_type", d.neuron_type);
    text("region", d.region);
    text("side", d.side);
    number("hex1", d.hex1);
    number("hex2", d.hex2);
    number("synapses", d.synapses);
    number("cells", d.cells);
    layers("layer_synapses", d.layer_synapses);
    layers("layer_cells", d.layer_cells);
    // Value columns: the Python layer lists which (every numeric column unless the caller named them).
    if (const auto h = get(cols, "__values__"))
        for (const auto& name_obj : pyb::reinterpret_borrow<pyb::list>(h)) {
            const std::string name = name_obj.cast<std::string>();
            NamedValues v;
            v.name = name;
            const Ctx c{source, name};
            const auto col = get(cols, name.c_str());
            if (!col) c.fail(0, name, "value column not found");
            v.values = value_column(as_array(col, c), c);
            const std::string layer_name = "layer_" + name;
            if (const auto lh = get(cols, layer_name.c_str())) v.layers = layer_column(lh, Ctx{source, layer_name}, true);
            d.values.push_back(std::move(v));
        }
    return d;
}

Side side_arg(const std::string& s) {
    if (s != "L" && s != "R") throw_input("side must be 'L' or 'R'", ErrorLocation{{}, 0, "side", s});
    return s == "L" ? Side::L : Side::R;
}

pyb::dict columns_dict(const TableColumns& c) {
    pyb::dict d;
    d["synapses"] = c.synapses;
    d["cells"] = c.cells;
    d["layer_synapses"] = c.layer_synapses;
    d["layer_cells"] = c.layer_cells;
    return d;
}

// --- neuPrint's frames: their columns as typed columns; the library's ingest does the rest ---------

std::optional<TextColumn> frame_text(const pyb::dict& cols, const char* name, const std::string& source) {
    if (const auto h = get(cols, name)) return text_column(h, Ctx{source, name}, true);
    return std::nullopt;
}

std::optional<NumberColumn> frame_number(const pyb::dict& cols, const char* name, const std::string& source) {
    const auto h = get(cols, name);
    if (!h) return std::nullopt;
    const Ctx c{source, name};
    return number_column(as_array(h, c), c);
}

NeuprintOptions neuprint_options(const std::string& soma_side, const std::string& synapses, std::vector<std::string> all_rois) {
    NeuprintOptions o;
    const auto side = parse_soma_side(soma_side);
    if (!side) throw_input("soma_side must be 'L', 'R' or 'combined'", ErrorLocation{{}, 0, "soma_side", soma_side});
    const auto count = parse_synapse_count(synapses);
    if (!count) throw_input("synapses must be 'total', 'pre' or 'post'", ErrorLocation{{}, 0, "synapses", synapses});
    o.soma_side = *side;
    o.synapses = *count;
    o.all_rois = std::move(all_rois);
    return o;
}

// (dataset, report): the report says which rows were left out.
pyb::tuple neuprint_result(NeuprintTable t, const RegionSet& regions) {
    PyDataset out;
    out.regions = regions;
    out.rows = t.table.rows.size();
    out.data = std::make_shared<const Dataset>(make_dataset(std::move(t.table), std::move(t.layout), regions));
    pyb::dict r;
    r["rows"] = t.report.rows;
    r["not_column_roi"] = t.report.not_column_roi;
    r["not_selected"] = t.report.not_selected;
    r["no_layer"] = t.report.no_layer;
    r["examples"] = t.report.examples;
    return pyb::make_tuple(std::move(out), r);
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
        .def_property_readonly("values", [](const PyDataset& d) {
            std::vector<std::string> out;
            for (const auto& v : d.data->columns.values) out.push_back(v.name);
            return out;
        })
        .def_property_readonly("default_metrics", [](const PyDataset& d) {
            std::vector<std::string> out;
            for (const auto& m : default_metrics(d.data->columns)) out.push_back(m.name());
            return out;
        })
        .def("closest_type", [](const PyDataset& d, const std::string& name) { return d.data->closest_type(name); })
        .def("all_requests", [](const PyDataset& d) {
            pyb::list out;
            for (const auto& r : all_requests(*d.data->index, d.data->columns)) out.append(request_to_tuple(r));
            return out;
        })
        .def("has_columns", [](const PyDataset& d, const std::string& region, const std::string& side) {
            return has_columns(*d.data->index, region, side_arg(side));
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
            if (!metric.is_none()) {  // a name or a list of names
                std::vector<std::string> names;
                if (pyb::isinstance<pyb::str>(metric)) names.push_back(metric.cast<std::string>());
                else for (const auto& item : metric) names.push_back(pyb::str(item).cast<std::string>());
                for (const auto& s : names) {
                    const Metric m = metric_from_name(s, "metric").metric;
                    if (std::find(f.metrics.begin(), f.metrics.end(), m) == f.metrics.end()) f.metrics.push_back(m);
                }
            }
            const auto sel = select_requests(*d.data->index, d.data->columns, f);
            pyb::list reqs;
            for (const auto& r : sel.requests) reqs.append(request_to_tuple(r));
            return pyb::make_tuple(reqs, sel.skipped);
        });

    // Marks (RenderOptions::marks): a frame's columns or a CSV, checked by the library's marks readers.
    pyb::class_<Marks>(m, "_Marks")
        .def_property_readonly("sets", [](const Marks& mk) {
            pyb::list out;
            for (const auto& s : mk.sets) out.append(pyb::make_tuple(s.name, std::string(to_string(s.style)), s.colour));
            return out;
        })
        .def_property_readonly("rows", [](const Marks& mk) { return mk.rows.size(); });
    m.def("_marks_from_columns",
          [](const pyb::dict& cols, const pyb::object& regions_json, const std::string& source, const std::vector<std::string>& ignored) {
              const RegionSet regions = regions_from(regions_json);
              MarkColumns c;
              c.source = source;
              c.ignored = ignored;
              for (auto [name, out, empty_missing] : {std::tuple{"region", &c.region, false}, {"side", &c.side, false},
                                                      {"set", &c.set, false}, {"style", &c.style, true}, {"colour", &c.colour, true}})
                  if (const auto h = get(cols, name)) *out = text_column(h, Ctx{source, name}, empty_missing);  // None/NaN style: not given
              for (auto [name, out] : {std::pair{"hex1", &c.hex1}, {"hex2", &c.hex2}})
                  if (const auto h = get(cols, name)) {
                      const Ctx ctx{source, name};
                      *out = number_column(as_array(h, ctx), ctx);
                  }
              pyb::gil_scoped_release nogil;
              return marks_from_columns(c, regions);
          },
          pyb::arg("columns"), pyb::arg("regions_json"), pyb::arg("source"), pyb::arg("ignored") = std::vector<std::string>{});
    m.def("_read_marks", [](const std::string& path, const pyb::object& regions_json) {
        const RegionSet regions = regions_from(regions_json);
        pyb::gil_scoped_release nogil;
        return read_marks(path, regions);
    });

    m.def("_dataset_from_columns",
          [](const pyb::dict& cols, const pyb::object& layout, const pyb::object& regions_json, const std::string& source,
             const std::string& layout_source, const std::vector<std::string>& ignored, const std::vector<std::string>& layout_ignored) {
              RegionSet regions = regions_from(regions_json);
              DataColumns data = data_columns(cols, source, ignored);
              std::optional<DataColumns> lay;
              if (!layout.is_none()) lay = data_columns(layout.cast<pyb::dict>(), layout_source, layout_ignored);
              PyDataset out;
              out.regions = regions;
              pyb::gil_scoped_release nogil;  // the columns are the binding's own copies now
              std::optional<ColumnLayout> layout_table;
              if (lay) layout_table = layout_from_columns(*lay, regions);
              // Each type's name held once, however many rows (a 1 MB name over 886 rows is 1 MB).
              out.data = std::make_shared<const Dataset>(make_dataset(data, std::move(layout_table), regions));
              for (const auto& t : out.data->types) out.rows += t.rows.size();
              return out;
          },
          pyb::arg("columns"), pyb::arg("layout"), pyb::arg("regions_json"), pyb::arg("source"), pyb::arg("layout_source"),
          pyb::arg("ignored") = std::vector<std::string>{}, pyb::arg("layout_ignored") = std::vector<std::string>{});

    m.def("_dataset_from_neuprint",
          [](const pyb::dict& neurons, const pyb::dict& roi_counts, const std::string& soma_side, const std::string& synapses,
             std::vector<std::string> all_rois, const pyb::object& regions_json, const std::string& neurons_source,
             const std::string& roi_source) {
              RegionSet regions = regions_from(regions_json);
              NeuprintOptions opt = neuprint_options(soma_side, synapses, std::move(all_rois));
              NeuronsFrame n;
              n.source = neurons_source;
              n.body_id = frame_number(neurons, "bodyId", neurons_source);
              n.type = frame_text(neurons, "type", neurons_source);
              n.soma_side = frame_text(neurons, "somaSide", neurons_source);
              n.root_side = frame_text(neurons, "rootSide", neurons_source);
              RoiCountsFrame r;
              r.source = roi_source;
              r.body_id = frame_number(roi_counts, "bodyId", roi_source);
              r.roi = frame_text(roi_counts, "roi", roi_source);
              r.pre = frame_number(roi_counts, "pre", roi_source);
              r.post = frame_number(roi_counts, "post", roi_source);
              std::optional<NeuprintTable> t;
              {
                  pyb::gil_scoped_release nogil;  // the columns are the binding's own copies now
                  t = table_from_neuprint(n, r, opt, regions);
              }
              return neuprint_result(std::move(*t), regions);
          });

    m.def("_dataset_from_neuview_layers",
          [](const pyb::dict& layers, const std::string& neuron_type, std::vector<std::string> all_rois, const pyb::object& regions_json,
             const std::string& source) {
              RegionSet regions = regions_from(regions_json);
              NeuprintOptions opt = neuprint_options("combined", "total", std::move(all_rois));
              ColumnLayerFrame f;
              f.source = source;
              f.hex1 = frame_number(layers, "hex1", source);
              f.hex2 = frame_number(layers, "hex2", source);
              f.layer = frame_number(layers, "layer", source);
              f.total_synapses = frame_number(layers, "total_synapses", source);
              f.body_id = frame_number(layers, "bodyId", source);
              f.region = frame_text(layers, "region", source);
              f.side = frame_text(layers, "side", source);
              std::optional<NeuprintTable> t;
              {
                  pyb::gil_scoped_release nogil;
                  t = table_from_neuview_layers(f, neuron_type, opt, regions);
              }
              return neuprint_result(std::move(*t), regions);
          });

    m.def("_dataset_from_csv",
          [](const std::string& data, const pyb::object& layout, const pyb::object& regions_json, const std::vector<std::string>& values,
             const std::vector<std::string>& types) {
              RegionSet regions = regions_from(regions_json);
              std::optional<std::filesystem::path> lay;
              if (!layout.is_none()) lay = layout.cast<std::string>();
              PyDataset out;
              out.regions = regions;
              {
                  pyb::gil_scoped_release nogil;
                  out.data = std::make_shared<const Dataset>(load_dataset(data, lay, regions, nullptr, values, types));
              }
              for (const auto& t : out.data->types) out.rows += t.rows.size();
              return out;
          },
          pyb::arg("data"), pyb::arg("layout") = pyb::none(), pyb::arg("regions_json") = pyb::none(),
          pyb::arg("values") = std::vector<std::string>{}, pyb::arg("types") = std::vector<std::string>{});

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

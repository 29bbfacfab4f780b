// Renderer options from Python keywords (through the schema, core/option_schema.cpp), and the Renderer class of the binding.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "binding.hpp"
#include "core/throw.hpp"
#include "eyemap/marks.hpp"
#include "eyemap/option_schema.hpp"

namespace eyemap::py {
namespace {

// A value as messages show it: a string as it is (the message quotes it: value 'viridis', as the
// CLI's), anything else as its repr.
std::string shown(const pyb::handle& v) {
    if (PyUnicode_Check(v.ptr())) return pyb::str(v).cast<std::string>();
    return pyb::str(pyb::repr(v)).cast<std::string>();
}

[[noreturn]] void bad_option(const std::string& name, const pyb::handle& v, const std::string& what) {
    throw_input(what, ErrorLocation{{}, 0, name, shown(v)});
}

double number(const std::string& name, const pyb::handle& v) {
    if (PyBool_Check(v.ptr()) || !(PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr()) || PyNumber_Check(v.ptr())))
        bad_option(name, v, "expected a number");
    const double d = pyb::float_(pyb::reinterpret_borrow<pyb::object>(v)).cast<double>();
    if (!std::isfinite(d)) bad_option(name, v, "expected a finite number");
    return d;
}

std::string string(const std::string& name, const pyb::handle& v) {
    if (!PyUnicode_Check(v.ptr())) bad_option(name, v, "expected a string");
    return v.cast<std::string>();
}

bool boolean(const std::string& name, const pyb::handle& v) {
    if (!PyBool_Check(v.ptr())) bad_option(name, v, "expected True or False");
    return v.cast<bool>();
}

std::int64_t integer(const std::string& name, const pyb::handle& v) {
    if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) bad_option(name, v, "expected an integer");
    int overflow = 0;
    const long long x = PyLong_AsLongLongAndOverflow(pyb::reinterpret_steal<pyb::object>(PyNumber_Index(v.ptr())).ptr(), &overflow);
    if (overflow) bad_option(name, v, "integer out of range");
    return x;
}

CacheLimits cache_limits(const std::string& name, const pyb::handle& v, CacheLimits base) {
    if (PyBool_Check(v.ptr())) {
        base.enabled = v.cast<bool>();
        return base;
    }
    if (!PyDict_Check(v.ptr())) bad_option(name, v, "expected True/False or a dict with enabled, max_entries, max_bytes");
    for (auto [k, x] : pyb::reinterpret_borrow<pyb::dict>(v)) {
        const std::string key = pyb::str(k).cast<std::string>();
        const std::string full = name + "." + key;
        if (key == "enabled") base.enabled = boolean(full, x);
        else if (key == "max_entries" || key == "max_bytes") {
            const auto n = integer(full, x);
            if (n < 1) bad_option(full, x, "must be at least 1");
            (key == "max_entries" ? base.max_entries : base.max_bytes) = static_cast<std::size_t>(n);
        } else bad_option(full, x, "unknown cache setting (known: enabled, max_entries, max_bytes)");
    }
    return base;
}

// A Python value as a schema field's value; None stays None (set_field refuses it unless nullable).
FieldValue from_python(const FieldSpec& f, const std::string& label, const pyb::handle& v) {
    if (v.is_none()) return {};
    switch (f.type) {
        case FieldType::number: return number(label, v);
        case FieldType::integer: return integer(label, v);
        case FieldType::boolean:
        case FieldType::caches: return boolean(label, v);
        case FieldType::palette: {
            if (!pyb::isinstance<pyb::sequence>(v) || PyUnicode_Check(v.ptr()))
                bad_option(label, v, "expected 7 colours: no data, bins 1..5, not in region");
            std::vector<std::string> out;
            for (auto x : pyb::reinterpret_borrow<pyb::sequence>(v)) out.push_back(string(label, x));
            return out;
        }
        case FieldType::path: return pyb::str(pyb::module_::import("os").attr("fspath")(v)).cast<std::string>();
        case FieldType::metric_looks: {
            // {"diff": {"colormap": "rdbu", "color_min": -3}} or items ["diff:colormap=rdbu", ...]: the CLI's items.
            std::vector<std::string> out;
            const auto text = [&](const pyb::handle& x) -> std::string {
                if (PyBool_Check(x.ptr())) return x.ptr() == Py_True ? "true" : "false";
                if (PyUnicode_Check(x.ptr())) return x.cast<std::string>();
                if (PyFloat_Check(x.ptr()) || PyLong_Check(x.ptr())) return pyb::str(pyb::repr(x)).cast<std::string>();
                bad_option(label, x, "expected a text, a number or a bool as a look's value");
            };
            if (pyb::isinstance<pyb::dict>(v)) {
                for (auto [metric, keys] : pyb::reinterpret_borrow<pyb::dict>(v)) {
                    if (!pyb::isinstance<pyb::dict>(keys)) bad_option(label, keys, "expected {metric: {key: value}}");
                    for (auto [key, value] : pyb::reinterpret_borrow<pyb::dict>(keys))
                        out.push_back(fmt::format("{}:{}={}", string(label, metric), string(label, key), text(value)));
                }
                return out;
            }
            if (!pyb::isinstance<pyb::sequence>(v) || PyUnicode_Check(v.ptr()))
                bad_option(label, v, "expected {metric: {key: value}} or a list of 'NAME:KEY=VALUE' items");
            for (auto x : pyb::reinterpret_borrow<pyb::sequence>(v)) out.push_back(string(label, x));
            return out;
        }
        default: return string(label, v);
    }
}

pyb::object to_python(const FieldValue& v) {
    return std::visit(
        [](const auto& x) -> pyb::object {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return pyb::none();
            else if constexpr (std::is_same_v<T, std::vector<std::string>>) return pyb::list(pyb::cast(x));
            else return pyb::cast(x);
        },
        v);
}

void style_from(const pyb::dict& d, Style& s) {
    for (auto [k, v] : d) {
        const std::string key = pyb::str(k).cast<std::string>();
        const std::string label = "style." + key;
        const FieldSpec* f = find_style_field(key);
        if (!f) unknown_field(style_fields(), "style setting", key, label, shown(v));
        set_style_field(*f, s, from_python(*f, label, v), label);
    }
}

void caches_from(const pyb::handle& v, CacheOptions& caches) {
    if (PyBool_Check(v.ptr())) caches.set_enabled(v.cast<bool>());
    else if (PyDict_Check(v.ptr())) {
        for (auto [ck, cv] : pyb::reinterpret_borrow<pyb::dict>(v)) {
            const std::string c = pyb::str(ck).cast<std::string>();
            CacheLimits* l = c == "coordinates" ? &caches.coordinates : c == "colours" || c == "colors" ? &caches.colours
                           : c == "metadata" ? &caches.metadata : nullptr;
            if (!l) bad_option("caches." + c, cv, "unknown cache (known: coordinates, colours, metadata)");
            *l = cache_limits("caches." + c, cv, *l);
        }
    } else bad_option("caches", v, "expected True/False or a dict per cache");
}

pyb::dict caches_to_python(const CacheOptions& o) {
    pyb::dict caches;
    for (auto [name, l] : {std::pair<const char*, const CacheLimits*>{"coordinates", &o.coordinates},
                           {"colours", &o.colours}, {"metadata", &o.metadata}}) {
        pyb::dict c;
        c["enabled"] = l->enabled;
        c["max_entries"] = l->max_entries;
        c["max_bytes"] = l->max_bytes;
        caches[name] = c;
    }
    return caches;
}

// The schema (core/option_schema.cpp) as Python sees it: eyemap's docstrings and the tests read it.
pyb::list schema_to_python() {
    pyb::list out;
    const auto add = [&](const FieldSpec& f, const char* group) {
        pyb::dict d;
        d["name"] = std::string(f.name);
        d["group"] = group;
        d["flag"] = std::string(f.flag);
        d["type"] = std::string(to_string(f.type));
        d["default"] = f.type == FieldType::style ? pyb::object(pyb::none()) : to_python(parse_field_text(f, f.default_text));
        d["range"] = std::string(f.range_text);
        d["choices"] = pyb::list(pyb::cast(std::vector<std::string>(f.choices.begin(), f.choices.end())));
        d["nullable"] = f.nullable;
        d["help"] = std::string(f.help);
        pyb::list keys;
        for (auto [bit, name] : {std::pair<CacheKey, const char*>{kCoordinatesKey, "coordinates"}, {kColoursKey, "colours"}, {kMetadataKey, "metadata"}})
            if (f.cache_keys & bit) keys.append(name);
        d["cache_keys"] = keys;
        d["settings_hash"] = f.in_settings_hash();
        out.append(d);
    };
    for (const auto& f : option_fields()) add(f, "option");
    for (const auto& f : style_fields()) add(f, "style");
    return out;
}

}  // namespace

RenderOptions options_from_dict(const pyb::dict& d) {
    OptionInput in;
    for (auto [k, v] : d) {
        const std::string key = pyb::str(k).cast<std::string>();
        const FieldSpec* f = find_option(key);
        if (!f) unknown_field(option_fields(), "option", key, key, shown(v));
        if (f->type == FieldType::style) {
            if (v.is_none()) continue;
            if (!PyDict_Check(v.ptr())) bad_option(key, v, "expected a dict of Style settings");
            style_from(pyb::reinterpret_borrow<pyb::dict>(v), in.options.style);
        } else if (f->type == FieldType::caches) {
            caches_from(v, in.options.caches);
        } else {
            set_field(*f, in, from_python(*f, key, v), key);
        }
    }
    return finish_options(std::move(in));  // the fixed-scale rule, as the CLI
}

pyb::dict options_to_dict(const RenderOptions& o) {
    pyb::dict d;
    for (const auto& f : option_fields()) {
        if (f.type == FieldType::style) {
            pyb::dict st;
            for (const auto& sf : style_fields()) st[pyb::str(std::string(sf.name))] = to_python(field_value(sf, o));
            d["style"] = st;
        } else if (f.type == FieldType::caches) {
            d["caches"] = caches_to_python(o.caches);
        } else {
            d[pyb::str(std::string(f.name))] = to_python(field_value(f, o));
        }
    }
    return d;
}

RegionSet regions_from(const pyb::object& config_json) {
    if (config_json.is_none()) return builtin_regions();
    // A path (os.PathLike, from eyemap._regions_arg): read by the library's bounded reader, as the
    // CLI's --regions is, so a FIFO, a device or a folder gets the same error.
    if (!pyb::isinstance<pyb::str>(config_json))
        return load_region_config(pyb::module_::import("os").attr("fspath")(config_json).cast<std::string>());
    const std::string text = config_json.cast<std::string>();
    return parse_region_config(text, "regions");
}

EyemapRequest request_from(const pyb::handle& t) {
    // (region, side, metric), or with a value metric's label and unit: (region, side, metric, label, unit).
    if (!pyb::isinstance<pyb::tuple>(t) || (pyb::len(t) != 3 && pyb::len(t) != 5))
        throw_input("expected (region, side, metric)", ErrorLocation{{}, 0, "request", pyb::str(pyb::repr(t)).cast<std::string>()});
    auto tup = pyb::reinterpret_borrow<pyb::tuple>(t);
    EyemapRequest r;
    r.region = string("region", tup[0]);
    const std::string side = string("side", tup[1]);
    const auto parsed_side = parse_side(side);
    if (!parsed_side) bad_option("side", tup[1], "side must be 'L' or 'R'");
    r.side = *parsed_side;
    r.metric = metric_from_name(string("metric", tup[2]), "metric").metric;  // a count (or its old name) or a value column
    if (pyb::len(tup) == 5) {
        const std::string label = string("labels", tup[3]), unit = string("units", tup[4]);
        if ((!label.empty() || !unit.empty()) && r.metric.is_count())
            bad_option("labels", tup[2], "the counts keep the field's words: label value metrics");
        r.metric = r.metric.with_label(label, unit);
    }
    return r;
}

pyb::tuple request_to_tuple(const EyemapRequest& r) {
    return pyb::make_tuple(r.region, std::string(to_string(r.side)), std::string(to_string(r.metric)));
}

// A comparison's options from keywords (compare, label_a, label_b, baseline_type, compare_colormap),
// checked by the library (validate(CompareOptions)) where it draws.
CompareOptions compare_options_from(const pyb::dict& d) {
    CompareOptions o;
    auto get = [&](const char* key) -> pyb::object { return d.contains(key) ? pyb::object(d[key]) : pyb::object(pyb::none()); };
    if (auto v = get("compare"); !v.is_none()) {
        const auto m = parse_compare_mode(string("compare", v));
        if (!m) bad_option("compare", v, "expected 'difference' or 'log2'");
        o.mode = *m;
    }
    if (auto v = get("label_a"); !v.is_none()) o.label_a = string("label_a", v);
    if (auto v = get("label_b"); !v.is_none()) o.label_b = string("label_b", v);
    if (auto v = get("baseline_type"); !v.is_none()) o.type_b = string("baseline_type", v);
    if (auto v = get("compare_colormap"); !v.is_none()) o.colormap = string("compare_colormap", v);
    return o;
}

namespace {

std::vector<EyemapRequest> requests_from(const pyb::object& list) {
    std::vector<EyemapRequest> out;
    if (list.is_none()) return out;
    for (auto t : list) out.push_back(request_from(t));
    return out;
}

std::vector<OutputFormat> formats_from(const pyb::object& list) {
    std::vector<OutputFormat> out;
    for (auto f : list) {
        const auto fmt = parse_format(string("format", f));
        if (!fmt) bad_option("format", f, "expected 'svg', 'png' or 'pdf'");
        out.push_back(*fmt);
    }
    return out;
}

pyb::dict cache_dict(const CacheStats& c) {
    pyb::dict d;
    d["hits"] = c.hits;
    d["misses"] = c.misses;
    d["hit_rate"] = c.hit_rate();
    d["insertions"] = c.insertions;
    d["updates"] = c.updates;
    d["evictions_entries"] = c.evictions_entries;
    d["evictions_bytes"] = c.evictions_bytes;
    d["invalidations"] = c.invalidations;
    d["rejections"] = c.rejections;
    d["entries"] = c.entries;
    d["bytes"] = c.bytes;
    return d;
}

// A figure's panels and options from the keywords of Renderer.figure (eyemap/figure.hpp); None: the default.
FigureRequest figure_request_from(const pyb::dict& d) {
    FigureRequest r;
    auto get = [&](const char* key) -> pyb::object { return d.contains(key) ? pyb::object(d[key]) : pyb::object(pyb::none()); };
    auto strings = [&](const char* key) {
        std::vector<std::string> out;
        const pyb::object v = get(key);
        if (v.is_none()) return out;
        if (PyUnicode_Check(v.ptr())) return std::vector<std::string>{string(key, v)};
        for (auto x : v) out.push_back(string(key, x));
        return out;
    };
    auto axis = [&](const char* key, FigureAxis fallback) {
        const pyb::object v = get(key);
        if (v.is_none()) return fallback;
        const auto a = parse_figure_axis(string(key, v));
        if (!a) bad_option(key, v, "expected one of 'types', 'regions', 'sides', 'metrics', 'layers'");
        return *a;
    };
    r.panels.rows = axis("rows", FigureAxis::types);
    r.panels.columns = axis("columns", FigureAxis::regions);
    r.panels.types = strings("types");
    r.panels.regions = strings("regions");
    for (const auto& s : strings("sides")) {
        const auto side = parse_side(s);
        if (!side) bad_option("sides", pyb::str(s), "expected 'L' or 'R'");
        r.panels.sides.push_back(*side);
    }
    for (const auto& m : strings("metrics")) r.panels.metrics.push_back(metric_from_name(m, "metrics").metric);
    // A value metric's words ({name: (label, unit)}, from labels= and units=), as render() takes them.
    if (const pyb::object v = get("metric_words"); !v.is_none()) {
        for (const auto& [name, words] : pyb::reinterpret_borrow<pyb::dict>(v)) {
            const std::string n = string("labels", name);
            const auto tup = pyb::reinterpret_borrow<pyb::tuple>(words);
            auto it = std::find_if(r.panels.metrics.begin(), r.panels.metrics.end(), [&](const Metric& m) { return m.name() == n; });
            if (it == r.panels.metrics.end()) bad_option("labels", name, "not a metric drawn here");
            if (it->is_count()) bad_option("labels", name, "the counts keep the field's words: label value metrics");
            *it = it->with_label(string("labels", tup[0]), string("units", tup[1]));
        }
    }
    if (const pyb::object v = get("layers"); !v.is_none()) {
        if (PyUnicode_Check(v.ptr()) || PyIndex_Check(v.ptr())) bad_option("layers", v, "expected a list of layers (0 = all layers)");
        for (auto x : v) r.panels.layers.push_back(static_cast<int>(std::clamp<std::int64_t>(integer("layers", x), -1, 1 << 20)));
    }
    FigureOptions& o = r.options;
    if (auto v = get("width_mm"); !v.is_none()) o.width_mm = number("width_mm", v);
    if (auto v = get("font_pt"); !v.is_none()) o.font_pt = number("font_pt", v);
    if (auto v = get("font_family"); !v.is_none()) o.font_family = string("font_family", v);
    if (auto v = get("line_pt"); !v.is_none()) o.line_pt = number("line_pt", v);
    if (auto v = get("background"); !v.is_none()) o.background = string("background", v) == "none" ? std::string() : string("background", v);
    if (auto v = get("dpi"); !v.is_none()) o.dpi = number("dpi", v);
    if (auto v = get("svg_id"); !v.is_none()) o.svg_id = string("svg_id", v);
    if (auto v = get("legend"); !v.is_none()) {
        const auto l = parse_figure_legend(string("legend", v));
        if (!l) bad_option("legend", v, "expected 'figure', 'row' or 'column'");
        o.legend = *l;
    }
    if (auto v = get("labels"); !v.is_none()) {
        const auto l = parse_figure_labels(string("labels", v));
        if (!l) bad_option("labels", v, "expected 'axes', 'panels' or 'none'");
        o.labels = *l;
    }
    for (const auto& d : strings("datasets")) {
        const auto part = parse_figure_dataset(d);
        if (!part) bad_option("datasets", pyb::str(d), "expected 'a', 'b' or 'difference'");
        r.panels.datasets.push_back(*part);
    }
    r.compare = compare_options_from(d);
    return r;
}

}  // namespace

std::shared_ptr<const Renderer> PyRenderer::with(const pyb::object& overrides) const {
    if (overrides.is_none() || pyb::len(overrides) == 0) return r;
    OptionInput in;  // set_field leaves the scale as it is: no finish_options here
    in.options = r->options();
    for (auto [k, v] : pyb::reinterpret_borrow<pyb::dict>(overrides)) {
        const std::string key = pyb::str(k).cast<std::string>();
        if (key != "png_scale" && key != "layer" && key != "svg_id") bad_option(key, v, "not an option that can change per call");
        const FieldSpec& f = *find_option(key);
        set_field(f, in, from_python(f, key, v), key);
    }
    pyb::gil_scoped_release nogil;
    return std::make_shared<const Renderer>(std::move(in.options), *r);
}

void register_renderer(pyb::module_& m) {
    m.def("option_schema", &schema_to_python,
          "Every rendering option and Style field: name, group (option/style), flag, type, default, range, choices, "
          "nullable, help, cache_keys, settings_hash");
    pyb::class_<PyRenderer>(m, "_Renderer")
        .def(pyb::init([](const pyb::dict& options, const Marks* marks) {
                 RenderOptions o = options_from_dict(options);
                 if (marks) o.marks = *marks;  // the marks= keyword, read by eyemap._marks (not a schema option)
                 pyb::gil_scoped_release nogil;
                 return PyRenderer{std::make_shared<const Renderer>(std::move(o))};
             }),
             pyb::arg("options"), pyb::arg("marks") = nullptr)
        .def("options", [](const PyRenderer& p) { return options_to_dict(p.r->options()); })
        // -> [(region, side, metric, format, str (svg) or bytes, has_data, no_data, not_in_region)]
        .def("render",
             [](const PyRenderer& p, const PyDataset& ds, const std::string& type, const pyb::object& requests, const pyb::object& formats,
                const pyb::object& overrides) {
                 const auto reqs = requests_from(requests);
                 const auto fmts = formats_from(formats);
                 const auto renderer = p.with(overrides);
                 const auto data = ds.data;
                 std::vector<Eyemap> out;
                 {
                     pyb::gil_scoped_release nogil;
                     out = renderer->render(*data, type, reqs, fmts);
                 }
                 pyb::list result;
                 // SVG as str (one copy, no bytes -> str decode later), PNG and PDF as bytes.
                 for (auto& e : out)
                     result.append(pyb::make_tuple(e.request.region, std::string(to_string(e.request.side)),
                                                   std::string(to_string(e.request.metric)), std::string(to_string(e.format)),
                                                   e.format == OutputFormat::svg ? pyb::object(text(e.bytes)) : pyb::object(pyb::bytes(e.bytes)),
                                                   e.counts.has_data, e.counts.no_data, e.counts.not_in_region));
                 return result;
             },
             pyb::arg("dataset"), pyb::arg("neuron_type"), pyb::arg("requests") = pyb::none(), pyb::arg("formats") = pyb::make_tuple("svg"),
             pyb::arg("overrides") = pyb::none())
        .def("render_pdf_pages",
             [](const PyRenderer& p, const PyDataset& ds, const std::string& type, const pyb::object& requests, const pyb::object& overrides) {
                 const auto reqs = requests_from(requests);
                 const auto renderer = p.with(overrides);
                 const auto data = ds.data;
                 std::string out;
                 {
                     pyb::gil_scoped_release nogil;
                     out = renderer->render_pdf_pages(*data, type, reqs);
                 }
                 return pyb::bytes(out);
             },
             pyb::arg("dataset"), pyb::arg("neuron_type"), pyb::arg("requests") = pyb::none(), pyb::arg("overrides") = pyb::none())
        // -> [(format, str (svg) or bytes, width_mm, height_mm, rows, columns, note)]
        .def("render_figure",
             [](const PyRenderer& p, const PyDataset& ds, const pyb::dict& request, const pyb::object& formats, const PyDataset* baseline) {
                 const FigureRequest req = figure_request_from(request);
                 const auto fmts = formats_from(formats);
                 const auto data = ds.data;
                 const auto base = baseline ? baseline->data : nullptr;
                 std::vector<FigureOutput> out;
                 {
                     pyb::gil_scoped_release nogil;
                     out = base ? p.r->render_figure(*data, *base, req, fmts) : p.r->render_figure(*data, req, fmts);
                 }
                 pyb::list result;
                 for (auto& f : out)
                     result.append(pyb::make_tuple(std::string(to_string(f.format)),
                                                   f.format == OutputFormat::svg ? pyb::object(text(f.bytes)) : pyb::object(pyb::bytes(f.bytes)),
                                                   f.width_mm, f.height_mm, f.rows, f.columns, f.note));
                 return result;
             },
             pyb::arg("dataset"), pyb::arg("request"), pyb::arg("formats") = pyb::make_tuple("svg"), pyb::arg("baseline") = nullptr)
        // -> [(part, region, side, metric, format, str (svg) or bytes, has_data, no_data, not_in_region)]
        .def("render_compare",
             [](const PyRenderer& p, const PyDataset& ds, const PyDataset& baseline, const std::string& type, const pyb::dict& options,
                const pyb::object& requests, const pyb::object& formats) {
                 const CompareOptions co = compare_options_from(options);
                 const auto reqs = requests_from(requests);
                 const auto fmts = formats_from(formats);
                 const auto a = ds.data, b = baseline.data;
                 std::vector<Eyemap> out;
                 {
                     pyb::gil_scoped_release nogil;
                     out = p.r->render_compare(*a, *b, type, co, reqs, fmts);
                 }
                 pyb::list result;
                 for (auto& e : out)
                     result.append(pyb::make_tuple(std::string(to_string(e.part)), e.request.region, std::string(to_string(e.request.side)),
                                                   std::string(to_string(e.request.metric)), std::string(to_string(e.format)),
                                                   e.format == OutputFormat::svg ? pyb::object(text(e.bytes)) : pyb::object(pyb::bytes(e.bytes)),
                                                   e.counts.has_data, e.counts.no_data, e.counts.not_in_region, e.file_name()));
                 return result;
             },
             pyb::arg("dataset"), pyb::arg("baseline"), pyb::arg("neuron_type"), pyb::arg("options"), pyb::arg("requests") = pyb::none(),
             pyb::arg("formats") = pyb::make_tuple("svg"))
        .def("stats_json", [](const PyRenderer& p) { return stats_to_json(p.r->stats().snapshot()); })
        .def("stats_table", [](const PyRenderer& p) {
            return stats_to_table(p.r->stats().snapshot()) + "\n" + cache_stats_table(p.r->cache_statistics());
        })
        .def("cache_stats", [](const PyRenderer& p) {
            pyb::dict d;
            for (const auto& c : p.r->cache_statistics()) d[pyb::str(c.name)] = cache_dict(c.stats);
            return d;
        })
        .def("reset_statistics", [](const PyRenderer& p) { p.r->reset_statistics(); })
        .def("clear_caches", [](const PyRenderer& p) { p.r->clear_caches(); })
        .def("settings_hash", [](const PyRenderer& p) { return p.r->settings_hash(); });
}

}  // namespace eyemap::py

// Renderer options from Python keywords, and the Renderer class of the binding.
#include <cmath>

#include <pybind11/stl.h>

#include "binding.hpp"

namespace eyemap::py {
namespace {

[[noreturn]] void bad_option(const std::string& name, const pyb::handle& v, const std::string& what) {
    throw_input(what, ErrorLocation{{}, 0, name, pyb::str(pyb::repr(v)).cast<std::string>()});
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

void style_from(const pyb::dict& d, Style& s) {
    for (auto [k, v] : d) {
        const std::string key = pyb::str(k).cast<std::string>();
        const std::string name = "style." + key;
        std::string* str = key == "background" ? &s.background : key == "text" ? &s.text : key == "badge_left" ? &s.badge_left
                         : key == "badge_right" ? &s.badge_right : key == "hex_stroke" ? &s.hex_stroke : key == "button_fill" ? &s.button_fill
                         : key == "button_on_fill" ? &s.button_on_fill : key == "button_stroke" ? &s.button_stroke
                         : key == "tooltip_fill" ? &s.tooltip_fill : key == "tooltip_stroke" ? &s.tooltip_stroke
                         : key == "font_family" ? &s.font_family : nullptr;
        double* num = key == "hex_stroke_width" ? &s.hex_stroke_width : key == "button_stroke_width" ? &s.button_stroke_width
                    : key == "title_size" ? &s.title_size : key == "tick_size" ? &s.tick_size : key == "legend_title_size" ? &s.legend_title_size
                    : key == "button_size" ? &s.button_size : key == "tooltip_size" ? &s.tooltip_size : nullptr;
        if (str) *str = string(name, v);
        else if (num) *num = number(name, v);
        else if (key == "palette") {
            if (!pyb::isinstance<pyb::sequence>(v) || PyUnicode_Check(v.ptr()) || pyb::len(v) != 7)
                bad_option(name, v, "expected 7 colours: no data, bins 1..5, not in region");
            auto seq = pyb::reinterpret_borrow<pyb::sequence>(v);
            for (std::size_t i = 0; i < 7; ++i) s.palette[i] = string(name, seq[i]);
        } else bad_option(name, v, "unknown style setting");
    }
}

}  // namespace

RenderOptions options_from_dict(const pyb::dict& d) {
    RenderOptions o;
    std::optional<double> cmin, cmax;
    std::string method = "linear";
    for (auto [k, v] : d) {
        const std::string key = pyb::str(k).cast<std::string>();
        if (v.is_none() && key != "color_min" && key != "color_max" && key != "templates" && key != "style") bad_option(key, v, "must not be None");
        if (key == "hex_size") o.geometry.hex_size = number(key, v);
        else if (key == "spacing") o.geometry.spacing = number(key, v);
        else if (key == "margin") o.geometry.margin = number(key, v);
        else if (key == "min_width") o.geometry.min_width = number(key, v);
        else if (key == "min_height") o.geometry.min_height = number(key, v);
        else if (key == "color_scale") {
            method = string(key, v);
            if (method != "fixed" && !parse_scale_method(method))
                bad_option(key, v, "expected 'linear', 'percentile', 'stddev', 'log' or 'fixed'");
        } else if (key == "color_min") {
            if (!v.is_none()) cmin = number(key, v);
        } else if (key == "color_max") {
            if (!v.is_none()) cmax = number(key, v);
        } else if (key == "color_scope") {
            const auto s = string(key, v);
            if (s != "pooled" && s != "region") bad_option(key, v, "expected 'pooled' or 'region'");
            o.scale.scope = s == "region" ? ScaleScope::per_region : ScaleScope::pooled;
        } else if (key == "static") o.interactive = !boolean(key, v);
        else if (key == "templates") {
            if (!v.is_none()) o.templates = pyb::str(pyb::module_::import("os").attr("fspath")(v)).cast<std::string>();
        } else if (key == "svg_id") o.svg_id = string(key, v);
        else if (key == "layer") {
            const auto n = integer(key, v);
            if (n < 0 || n > 1000) bad_option(key, v, "must be 0 (all layers) or a layer number");
            o.layer = static_cast<int>(n);
        } else if (key == "png_scale") o.png_scale = number(key, v);
        else if (key == "style") {
            if (v.is_none()) continue;
            if (!PyDict_Check(v.ptr())) bad_option(key, v, "expected a dict of Style settings");
            style_from(pyb::reinterpret_borrow<pyb::dict>(v), o.style);
        } else if (key == "caches") {
            if (PyBool_Check(v.ptr())) o.caches.set_enabled(v.cast<bool>());
            else if (PyDict_Check(v.ptr())) {
                for (auto [ck, cv] : pyb::reinterpret_borrow<pyb::dict>(v)) {
                    const std::string c = pyb::str(ck).cast<std::string>();
                    CacheLimits* l = c == "coordinates" ? &o.caches.coordinates : c == "colours" || c == "colors" ? &o.caches.colours
                                   : c == "metadata" ? &o.caches.metadata : nullptr;
                    if (!l) bad_option("caches." + c, cv, "unknown cache (known: coordinates, colours, metadata)");
                    *l = cache_limits("caches." + c, cv, *l);
                }
            } else bad_option(key, v, "expected True/False or a dict per cache");
        } else bad_option(key, v, "unknown option");
    }
    // As the CLI: a min or max implies the fixed scale, which needs both.
    if (cmin || cmax || method == "fixed") {
        if (!cmin || !cmax) throw_input("a fixed colour scale needs both color_min and color_max", ErrorLocation{{}, 0, "color_scale", method});
        o.scale.method = ScaleMethod::fixed;
        o.scale.min = *cmin;
        o.scale.max = *cmax;
    } else {
        o.scale.method = parse_scale_method(method).value_or(ScaleMethod::linear);
    }
    return o;
}

pyb::dict options_to_dict(const RenderOptions& o) {
    pyb::dict d;
    d["hex_size"] = o.geometry.hex_size;
    d["spacing"] = o.geometry.spacing;
    d["margin"] = o.geometry.margin;
    d["min_width"] = o.geometry.min_width;
    d["min_height"] = o.geometry.min_height;
    d["color_scale"] = std::string(to_string(o.scale.method));
    d["color_min"] = o.scale.method == ScaleMethod::fixed ? pyb::object(pyb::float_(o.scale.min)) : pyb::object(pyb::none());
    d["color_max"] = o.scale.method == ScaleMethod::fixed ? pyb::object(pyb::float_(o.scale.max)) : pyb::object(pyb::none());
    d["color_scope"] = std::string(to_string(o.scale.scope));
    d["static"] = !o.interactive;
    d["templates"] = o.templates.empty() ? pyb::object(pyb::none()) : pyb::object(pyb::str(o.templates.string()));
    d["svg_id"] = o.svg_id;
    d["layer"] = o.layer;
    d["png_scale"] = o.png_scale;
    pyb::dict st;
    const Style& s = o.style;
    st["palette"] = pyb::list(pyb::cast(std::vector<std::string>(s.palette.begin(), s.palette.end())));
    st["background"] = s.background;
    st["text"] = s.text;
    st["badge_left"] = s.badge_left;
    st["badge_right"] = s.badge_right;
    st["hex_stroke"] = s.hex_stroke;
    st["hex_stroke_width"] = s.hex_stroke_width;
    st["button_fill"] = s.button_fill;
    st["button_on_fill"] = s.button_on_fill;
    st["button_stroke"] = s.button_stroke;
    st["button_stroke_width"] = s.button_stroke_width;
    st["tooltip_fill"] = s.tooltip_fill;
    st["tooltip_stroke"] = s.tooltip_stroke;
    st["font_family"] = s.font_family;
    st["title_size"] = s.title_size;
    st["tick_size"] = s.tick_size;
    st["legend_title_size"] = s.legend_title_size;
    st["button_size"] = s.button_size;
    st["tooltip_size"] = s.tooltip_size;
    d["style"] = st;
    pyb::dict caches;
    for (auto [name, l] : {std::pair<const char*, const CacheLimits*>{"coordinates", &o.caches.coordinates},
                           {"colours", &o.caches.colours}, {"metadata", &o.caches.metadata}}) {
        pyb::dict c;
        c["enabled"] = l->enabled;
        c["max_entries"] = l->max_entries;
        c["max_bytes"] = l->max_bytes;
        caches[name] = c;
    }
    d["caches"] = caches;
    return d;
}

RegionSet regions_from(const pyb::object& config_json) {
    if (config_json.is_none()) return builtin_regions();
    const std::string text = config_json.cast<std::string>();
    return parse_region_config(text, "regions");
}

EyemapRequest request_from(const pyb::handle& t) {
    if (!pyb::isinstance<pyb::tuple>(t) || pyb::len(t) != 3) throw_input("expected (region, side, metric)", ErrorLocation{{}, 0, "request", pyb::str(pyb::repr(t)).cast<std::string>()});
    auto tup = pyb::reinterpret_borrow<pyb::tuple>(t);
    EyemapRequest r;
    r.region = string("region", tup[0]);
    const std::string side = string("side", tup[1]);
    if (side != "L" && side != "R") bad_option("side", tup[1], "side must be 'L' or 'R'");
    r.side = side == "L" ? Side::L : Side::R;
    const auto m = parse_metric(string("metric", tup[2]));
    if (!m) bad_option("metric", tup[2], "metric must be 'synapse_density' or 'cell_count'");
    r.metric = *m;
    return r;
}

pyb::tuple request_to_tuple(const EyemapRequest& r) {
    return pyb::make_tuple(r.region, std::string(to_string(r.side)), std::string(to_string(r.metric)));
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

}  // namespace

std::shared_ptr<const Renderer> PyRenderer::with(const pyb::object& overrides) const {
    if (overrides.is_none() || pyb::len(overrides) == 0) return r;
    RenderOptions o = r->options();
    for (auto [k, v] : pyb::reinterpret_borrow<pyb::dict>(overrides)) {
        const std::string key = pyb::str(k).cast<std::string>();
        if (key == "png_scale") o.png_scale = number(key, v);
        else if (key == "layer") {
            const auto n = integer(key, v);
            if (n < 0 || n > 1000) bad_option(key, v, "must be 0 (all layers) or a layer number");
            o.layer = static_cast<int>(n);
        } else if (key == "svg_id") o.svg_id = string(key, v);
        else bad_option(key, v, "not an option that can change per call");
    }
    pyb::gil_scoped_release nogil;
    return std::make_shared<const Renderer>(std::move(o), *r);
}

void register_renderer(pyb::module_& m) {
    pyb::class_<PyRenderer>(m, "_Renderer")
        .def(pyb::init([](const pyb::dict& options) {
                 RenderOptions o = options_from_dict(options);
                 pyb::gil_scoped_release nogil;
                 return PyRenderer{std::make_shared<const Renderer>(std::move(o))};
             }),
             pyb::arg("options"))
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

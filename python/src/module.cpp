// The compiled part of `import eyemap` (eyemap._eyemap): see binding.hpp. The public, documented
// API is python/eyemap/__init__.py (and its .pyi stub); names here start with '_'.
#include "binding.hpp"
#include "core/throw.hpp"
#include "output/sink.hpp"

PYBIND11_MODULE(_eyemap, m) {
    using namespace eyemap::py;
    m.doc() = "eyemap's C++ library, bound with pybind11 (internal: use the eyemap package)";
    m.attr("__version__") = std::string(eyemap::kVersion);
    m.attr("MAX_HEX_COORDINATE") = eyemap::kMaxHexCoordinate;
    register_errors(m);
    register_renderer(m);
    register_dataset(m);
    register_batch(m);
    m.def("_builtin_regions", [] {
        pyb::list out;
        for (const auto& r : eyemap::builtin_regions().regions) out.append(pyb::make_tuple(r.name, r.layers));
        return out;
    });
    m.def("_metrics", [] {
        pyb::list out;
        for (const auto& w : eyemap::kMetricWords) out.append(std::string(w.id));
        return out;
    });
    m.def("_compare_defaults", [] {  // CompareOptions' defaults: the keywords' defaults in Python
        const eyemap::CompareOptions o;
        pyb::dict out;
        out["compare"] = std::string(eyemap::to_string(o.mode));
        out["compare_colormap"] = o.colormap;
        out["label_a"] = o.label_a;
        out["label_b"] = o.label_b;
        return out;
    });
    m.def("_metric_labels", [] {  // identifier -> the words pages and captions show ("Synapse count")
        pyb::dict out;
        for (const auto& w : eyemap::kMetricWords) out[pyb::str(std::string(w.id))] = std::string(w.label);
        return out;
    });
    m.def("_formats", [] {
        pyb::list out;
        for (const auto& w : eyemap::kEyemapFormats)
            out.append(pyb::make_tuple(std::string(w.name), std::string(w.extension), std::string(w.media_type)));
        return out;
    });
    // Eyemap.save and EyemapGrid.save: the library's one output function (atomic replace of a file,
    // the target of a link, `cat >` into a FIFO or device), without the GIL; a signal while it
    // waits for a FIFO's reader runs Python's handlers, so Ctrl-C raises KeyboardInterrupt.
    m.def("_write_output", [](const std::string& path, const pyb::bytes& data) {
        const std::string_view bytes = data;  // `data` stays referenced by the caller
        const auto interrupted = [] {
            const pyb::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) throw pyb::error_already_set();
            return false;
        };
        const pyb::gil_scoped_release nogil;
        eyemap::write_output_file(path, bytes, interrupted);
    });
    // (identifier, note): the note is empty unless an old name was used. Unknown: InputError.
    // A count's identifier or old name, or a value column's name (InputError when it cannot be one).
    m.def("_parse_metric", [](const std::string& text) {
        const auto p = eyemap::metric_from_name(text, "metric");
        return pyb::make_tuple(std::string(eyemap::to_string(p.metric)), p.alias ? eyemap::metric_alias_note(text, p.metric) : std::string());
    });
    // Whether a column name can be a value column (eyemap::check_value_column_name): the frame
    // readers take every numeric column that can.
    m.def("_value_column_name_ok", [](const std::string& name) { return !eyemap::parse_metric(name) && eyemap::valid_value_column_name(name); });
    // The library decides the words: an unknown side or metric is an input error naming it.
    m.def("_file_stem", [](const std::string& type, const std::string& region, const std::string& side, const std::string& metric) {
        const auto s = eyemap::parse_side(side);
        if (!s) eyemap::throw_input("side must be L or R", eyemap::ErrorLocation{{}, 0, "side", side});
        return eyemap::eyemap_file_stem(type, region, *s, eyemap::metric_from_name(metric, "metric").metric);
    });
}

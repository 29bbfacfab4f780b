// Internal to the Python module: what the binding's translation units share.
// The binding is thin: it converts Python/numpy objects to the library's structs and back, releases
// the GIL around the library's work, and maps eyemap::Error to the Python exceptions; all the logic
// (parsing, validation rules, rendering, batching) is the C++ library's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // in every TU: the casters of std::vector etc. must agree (ODR)

#include "eyemap/eyemap.hpp"

namespace eyemap::py {

namespace pyb = pybind11;

// A dataset shared between Python objects and the C++ calls running without the GIL.
struct PyDataset {
    std::shared_ptr<const Dataset> data;
    RegionSet regions;
    std::uint64_t rows = 0;
};

// Text for Python: invalid UTF-8 (a raw value from a file) is replaced, never an exception.
inline pyb::str text(const std::string& s) {
    return pyb::reinterpret_steal<pyb::str>(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
}

// The binding's renderer: the library's Renderer, shared with the calls running without the GIL.
struct PyRenderer {
    std::shared_ptr<const Renderer> r;
    // A renderer with some options changed (png_scale, layer, svg_id: a dict; None = this one)
    // that shares this one's caches.
    std::shared_ptr<const Renderer> with(const pyb::object& overrides) const;
};

// errors.cpp: eyemap::Error -> eyemap.InputError / FileError / InternalError (classes of eyemap._errors).
void register_errors(pyb::module_& m);

// options.cpp: the keyword options of eyemap.Renderer (a dict) -> RenderOptions, and back.
RenderOptions options_from_dict(const pyb::dict& d);
pyb::dict options_to_dict(const RenderOptions& o);
RegionSet regions_from(const pyb::object& config_json);  // None: built-in; a str: JSON text (region config); else a path
EyemapRequest request_from(const pyb::handle& t);        // (region, side, metric)
// A comparison's options from keywords (compare, label_a, label_b, baseline_type, compare_colormap).
CompareOptions compare_options_from(const pyb::dict& d);
pyb::tuple request_to_tuple(const EyemapRequest& r);
void register_renderer(pyb::module_& m);

// frame.cpp: datasets from numpy columns, CSV files, neuPrint's frames; the dataset class.
void register_dataset(pyb::module_& m);

// batch.cpp: run_batch / run_batch_to_directory with cancellation and progress.
void register_batch(pyb::module_& m);

}  // namespace eyemap::py

// The compiled part of `import eyemap` (eyemap._eyemap): see binding.hpp. The public, documented
// API is python/eyemap/__init__.py (and its .pyi stub); names here start with '_'.
#include "binding.hpp"

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
    m.def("_file_stem", [](const std::string& type, const std::string& region, const std::string& side, const std::string& metric) {
        return eyemap::eyemap_file_stem(type, region, side == "L" ? eyemap::Side::L : eyemap::Side::R,
                                        eyemap::parse_metric(metric).value_or(eyemap::Metric::synapse_density));
    });
}

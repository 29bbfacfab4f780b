// Shared benchmark fixture: the real 892-column optic-lobe layout with deterministic synthetic values.
#pragma once

#include <sstream>

#include <eyemap/eyemap.hpp>
#include <eyemap/sample.hpp>

namespace eyemap::bench {

// The real layout (../shared/data/optic-lobe/columns.csv, side R) with `types` synthetic types
// (per-layer synapses and cells from eyemap's seeded sample generator).
inline Dataset real_layout_dataset(std::size_t types = 1, std::uint64_t seed = 7) {
    const auto layout = read_column_layout(EYEMAP_SHARED_DIR "/data/optic-lobe/columns.csv");
    std::stringstream csv;
    write_sample_data(csv, layout, SampleOptions{types, seed, true});
    return make_dataset(parse_column_table(csv.str(), "synthetic"), layout);
}

inline Scene me_scene(const Dataset& ds) {
    const EyemapRequest req{"ME", Side::R, Metric::synapse_density};
    return std::move(build_scenes(ds.layout, ds.columns, ds.types.at(0), std::span(&req, 1)).at(0));
}

}  // namespace eyemap::bench

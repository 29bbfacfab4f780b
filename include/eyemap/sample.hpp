// Deterministic synthetic optic-lobe-like datasets, so demos, tests and benchmarks need no downloads.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "eyemap/table.hpp"

namespace eyemap {

struct SampleOptions {
    std::size_t types = 6;       // number of neuron types
    std::uint64_t seed = 1;
    bool per_layer = true;       // write layer_synapses and layer_cells
};

// ~900 columns on both sides: ME all of them, LO and LOP fewer (as in the real optic lobe),
// the left eye slightly different from the right. Same options -> same bytes, on any platform.
ColumnLayout sample_layout(std::uint64_t seed = 1);

// The names of the first `n` sample types (a few real-looking ones, then Type0007, ...).
std::vector<std::string> sample_type_names(std::size_t n);

// Streams the data CSV (header + rows, grouped by type) so huge samples need no memory.
// Returns the number of data rows written.
std::uint64_t write_sample_data(std::ostream& out, const ColumnLayout& layout, const SampleOptions& options);
void write_layout_csv(std::ostream& out, const ColumnLayout& layout);

}  // namespace eyemap

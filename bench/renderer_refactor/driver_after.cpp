// The 12 SVG eyemaps of each of 6 sample types, N times, through eyemap::Renderer.
#include <cstdlib>
#include <sstream>
#include "eyemap/eyemap.hpp"
int main(int argc, char** argv) {
    const int n = std::atoi(argv[1]);
    const auto layout = eyemap::sample_layout(1);
    std::stringstream csv;
    eyemap::write_sample_data(csv, layout, eyemap::SampleOptions{6, 1, true});
    const auto ds = eyemap::make_dataset(eyemap::parse_column_table(csv.str(), "s"), layout);
    const eyemap::Renderer renderer;
    std::size_t bytes = 0;
    for (int i = 0; i < n; ++i)
        for (const auto& t : ds.types)
            for (const auto& e : renderer.render(ds, t.neuron_type)) bytes += e.bytes.size();
    return bytes == 42;
}

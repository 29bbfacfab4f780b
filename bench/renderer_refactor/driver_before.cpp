// The 12 SVG eyemaps of each of 6 sample types, N times, through the pre-Renderer API (render_type_svg at 0cef3fb).
// Compiled only against that commit (run.sh builds it in a temporary worktree): render_type_svg is gone from this tree.
#include <cstdlib>
#include <sstream>
#include "eyemap/eyemap.hpp"
#include "eyemap/sample.hpp"
int main(int argc, char** argv) {
    const int n = std::atoi(argv[1]);
    const auto layout = eyemap::sample_layout(1);
    std::stringstream csv;
    eyemap::write_sample_data(csv, layout, eyemap::SampleOptions{6, 1, true});
    const auto ds = eyemap::make_dataset(eyemap::parse_column_table(csv.str(), "s"), layout);
    std::size_t bytes = 0;
    for (int i = 0; i < n; ++i)
        for (const auto& t : ds.types)
            for (const auto& e : eyemap::render_type_svg(ds, t.neuron_type)) bytes += e.svg.size();
    return bytes == 42;
}

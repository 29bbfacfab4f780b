// Fuzz target: user SVG templates (head.svg.mustache "\n%%\n" tail.svg.mustache): the template
// checks (partials, delimiters, depth, same-name nesting), the bounded expansion and the
// well-formedness check of the expanded frame. A finding: any non-input error, or an SVG
// accepted by the frame check that is not well-formed as a whole.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/hash.hpp"
#include "eyemap/eyemap.hpp"
#include "fuzz_common.hpp"
#include "layout/layout.hpp"
#include "process/process.hpp"
#include "render/svg.hpp"
#include "render/template_guard.hpp"

using namespace eyemap;

namespace {

const Scene& scene() {
    static const Scene s = [] {
        static const Dataset ds = make_dataset(
            parse_column_table("neuron_type,region,side,hex1,hex2,synapses,cells,layer_synapses,layer_cells\n"
                               "T<&>,ME,R,0,0,5,1,1;1;1;1;1;0;0;0;0;1,1;0;0;0;0;0;0;0;0;0\n"
                               "T<&>,ME,R,1,0,7,2,1;1;1;1;1;1;1;0;0;0,1;1;0;0;0;0;0;0;0;0\n",
                               "fuzz.csv"));
        const std::vector<EyemapRequest> req{EyemapRequest{"ME", Side::R, Metric::synapses}};
        auto data = process_type(ds.types[0].neuron_type, ds.types[0].rows, ds.columns, *ds.index, req, ScaleOptions{});
        auto grid = std::make_shared<const GridCoordinates>(compute_grid(*ds.index, Geometry{}, Side::R));
        return layout_eyemap(std::move(data[0]), grid, Geometry{});
    }();
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const auto sep = text.find("\n%%\n");
        const std::string_view head = text.substr(0, sep);
        const std::string_view tail = sep == std::string_view::npos ? std::string_view() : text.substr(sep + 4);
        detail::check_template_text(head, "head.svg.mustache");
        auto set = std::make_shared<TemplateSet>(*builtin_templates());
        set->files["head.svg.mustache"] = std::string(head);
        if (sep != std::string_view::npos) {
            detail::check_template_text(tail, "tail.svg.mustache");
            set->files["tail.svg.mustache"] = std::string(tail);
        }
        HashBuilder h;
        for (const auto& [n, t] : set->files) h.add(n).add(t);
        set->content_hash = h.digest();
        fmt::memory_buffer out;
        detail::write_svg(scene(), detail::expand_frame(scene(), *set, size % 2 == 0), out, default_svg_id(scene().data));
        const std::string svg(out.data(), out.size());
        const std::string why = detail::xml_well_formed(svg);
        fuzz::check(why.empty(), "an SVG from an accepted frame is not well-formed");
        fuzz::check(svg.size() <= 2 * detail::kMaxTemplateOutputBytes + (1u << 20), "expansion beyond the budget");
    });
    return 0;
}

// `eyemap render`: the eyemaps of one type to SVG, PNG and PDF files or standard output.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "render/raster.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {
namespace {

struct RenderArgs {
    CommonOptions common;
    std::string type;
    std::string region = "all";
    std::string side = "both";
    std::string metric = "both";
    std::string format = "svg";
    std::string output;
    std::string out_dir;
    std::string id;
    double scale_factor = 1;  // PNG pixels per canvas pixel
    int layer = 0;            // PNG/PDF: 0 = all layers
    bool pdf_pages = false;   // PDF: all selected eyemaps as pages of one file
};

std::string suggest_type(const Dataset& ds, std::string_view name) {
    std::string best;
    std::size_t best_d = 3;
    for (const auto& t : ds.types) {
        std::size_t d = 0;
        // Cheap closeness: case-insensitive equality first, then small length difference + shared prefix.
        if (t.neuron_type.size() == name.size()) {
            for (std::size_t i = 0; i < name.size(); ++i)
                d += std::tolower(static_cast<unsigned char>(t.neuron_type[i])) != std::tolower(static_cast<unsigned char>(name[i]));
            if (d < best_d) best_d = d, best = t.neuron_type;
        }
    }
    return best;
}

void run_render(const RenderArgs& a) {
    if (a.output.empty() == a.out_dir.empty()) throw_input("give exactly one of -o FILE and --out-dir DIR", ErrorLocation{{}, 0, "-o", a.output});
    const auto formats = split_list(a.format, {"svg", "png", "pdf"}, "--format");
    const auto has = [&](std::string_view f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
    if (!(a.scale_factor > 0) || !std::isfinite(a.scale_factor))
        throw_input("must be a positive number", ErrorLocation{{}, 0, "--scale", fmt::format("{}", a.scale_factor)});
    if (a.scale_factor != 1 && !has("png"))
        throw_input("--scale applies to png output; add png to --format", ErrorLocation{{}, 0, "--scale", fmt::format("{}", a.scale_factor)});
    if (a.layer < 0) throw_input("must be 0 (all layers) or a layer number", ErrorLocation{{}, 0, "--layer", std::to_string(a.layer)});
    if (a.layer != 0 && !has("png") && !has("pdf"))
        throw_input("--layer applies to png and pdf output (the SVG has layer buttons)", ErrorLocation{{}, 0, "--layer", std::to_string(a.layer)});
    if (a.pdf_pages && !has("pdf")) throw_input("--pdf-pages needs pdf in --format", ErrorLocation{{}, 0, "--format", a.format});
    RasterOptions raster;
    raster.scale = a.scale_factor;
    raster.layer = a.layer;
    a.common.begin_run();
    const RegionSet regions = a.common.region_set();
    RenderOptions options = a.common.render_options();
    options.svg.id = a.id;

    Dataset ds = load_dataset(a.common.data, a.common.columns.empty() ? std::nullopt : std::optional<std::filesystem::path>(a.common.columns),
                              regions);
    const TypeRows* type = ds.find_type(a.type);
    if (!type) {
        const auto hint = suggest_type(ds, a.type);
        throw_input(fmt::format("neuron type not found in {} ({} types){}", a.common.data, ds.types.size(),
                                hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)),
                    ErrorLocation{{}, 0, "--type", a.type});
    }

    // The requested combinations; with 'all'/'both', those the layout and the data have.
    std::vector<EyemapRequest> requests;
    std::vector<std::string> skipped;
    for (std::size_t ri = 0; ri < ds.layout.regions.regions.size(); ++ri) {
        const auto& rname = ds.layout.regions.regions[ri].name;
        if (a.region != "all" && a.region != rname) continue;
        for (Side side : {Side::L, Side::R}) {
            if (a.side != "both" && a.side != to_string(side)) continue;
            for (Metric m : {Metric::synapse_density, Metric::cell_count}) {
                if (a.metric != "both" && a.metric != to_string(m)) continue;
                const bool have_metric = m == Metric::synapse_density ? ds.columns.synapses : ds.columns.cells;
                const bool have_cols = ds.layout.has_columns(static_cast<int>(ri), side);
                const bool explicit_req = a.region != "all" && a.side != "both" && a.metric != "both";
                if ((!have_metric || !have_cols) && !explicit_req) {
                    skipped.push_back(fmt::format("{} {} {} ({})", rname, to_string(side), to_string(m),
                                                  !have_cols ? "no columns in the layout" : "metric not in the data"));
                    continue;
                }
                requests.push_back({rname, side, m});
            }
        }
    }
    if (a.region != "all" && ds.layout.regions.index_of(a.region) < 0)
        throw_input("unknown region", ErrorLocation{{}, 0, "--region", a.region});
    if (requests.empty())
        throw_input(fmt::format("nothing to render for type {}: {}", a.type, skipped.empty() ? "no match" : fmt::format("{}", fmt::join(skipped, "; "))),
                    ErrorLocation{{}, 0, "--region/--side/--metric", fmt::format("{}/{}/{}", a.region, a.side, a.metric)});
    // Files per format: one per eyemap, except --pdf-pages (one PDF for all).
    std::size_t outputs = 0;
    for (const auto& f : formats) outputs += f == "pdf" && a.pdf_pages ? 1 : requests.size();
    if (!a.output.empty() && outputs > 1)
        throw_input(fmt::format("{} output files selected ({} eyemaps x {}); -o takes exactly one: use --out-dir DIR, or narrow with "
                                "--region/--side/--metric/--format",
                                outputs, requests.size(), a.format),
                    ErrorLocation{{}, 0, "-o", a.output});
    for (const auto& s : skipped) fmt::print(stderr, "eyemap: skipped {}\n", s);

    std::vector<Scene> scenes;
    try {
        scenes = build_scenes(ds.layout, ds.columns, *type, requests, options);
    } catch (const Error& e) {
        rethrow_in_file(e, ds.source);
    }
    if (a.layer != 0)  // every selected eyemap must have that layer, checked before any file is written
        for (const auto& s : scenes) {
            if (!s.data.has_layers())
                throw_input(fmt::format("{} {} {} {} has no per-layer values; narrow with --region/--side/--metric", s.data.neuron_type,
                                        s.data.region, to_string(s.data.side), to_string(s.data.metric)),
                            ErrorLocation{{}, 0, "--layer", std::to_string(a.layer)});
            try {
                fills_for_layer(s.data, a.layer);
            } catch (const Error& e) {
                throw_input(fmt::format("{} {} {} {}: {}", s.data.neuron_type, s.data.region, to_string(s.data.side),
                                        to_string(s.data.metric), e.reason()),
                            ErrorLocation{{}, 0, "--layer", std::to_string(a.layer)});
            }
        }
    if (!a.out_dir.empty()) ensure_directory(a.out_dir);
    const auto emit = [&](std::string_view bytes, const std::string& file_name, const std::string& what) {
        if (a.output == "-") {
            std::fwrite(bytes.data(), 1, bytes.size(), stdout);
            std::fflush(stdout);
            return;
        }
        const std::filesystem::path path =
            !a.output.empty() ? std::filesystem::path(a.output) : std::filesystem::path(a.out_dir) / file_name;
        write_file_atomic(path, bytes);
        fmt::print(stderr, "wrote {} ({}, {} bytes)\n", path.string(), what, bytes.size());
    };
    const auto describe = [](const Scene& s) {
        return fmt::format("{} hexagons, {} with data", s.data.status.size(), s.data.has_data_count);
    };
    const std::string layer_note = a.layer == 0 ? std::string() : fmt::format(", layer {}", a.layer);
    fmt::memory_buffer buf;
    for (const auto& s : scenes) {
        const std::string stem = eyemap_file_stem(s.data.neuron_type, s.data.region, s.data.side, s.data.metric);
        for (const auto& f : formats) {
            if (f == "svg") {
                buf.clear();
                write_svg(s, buf, options.svg);
                emit(std::string_view(buf.data(), buf.size()), stem + ".svg", describe(s));
            } else if (f == "png") {
                const auto [w, h] = raster_size(s, raster.scale);
                emit(render_png(s, raster), stem + ".png", fmt::format("{}, {}x{} px{}", describe(s), w, h, layer_note));
            } else if (f == "pdf" && !a.pdf_pages) {
                emit(render_pdf(s, raster), stem + ".pdf", fmt::format("{}{}", describe(s), layer_note));
            }
        }
    }
    if (a.pdf_pages)
        emit(render_pdf_pages(scenes, raster), safe_file_name(type->neuron_type) + ".pdf",
             fmt::format("{} pages{}", scenes.size(), layer_note));
    a.common.end_run();
}

}  // namespace

void add_render_command(CLI::App& app) {
    auto args = std::make_shared<RenderArgs>();
    auto* sub = app.add_subcommand("render", "Render the eyemaps of one neuron type");
    sub->footer(
        "Examples:\n"
        "  eyemap render --data ../shared/data/optic-lobe/me_cells.csv --columns ../shared/data/optic-lobe/columns.csv \\\n"
        "      --type Mi1 --region ME --side R --metric cell_count -o Mi1_ME_R.svg\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --out-dir out/   # all of its eyemaps\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --format svg,png,pdf --scale 2 --out-dir out/\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --region ME --side R --metric synapse_density \\\n"
        "      --format png --layer 3 -o Tm3_ME_R_layer3.png   # a static picture of layer M3\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --format pdf --pdf-pages -o Tm3.pdf   # one page per eyemap\n"
        "Files in --out-dir are named <type>_<region>_<side>_<metric>.svg/.png/.pdf (--pdf-pages: <type>.pdf).\n"
        "PNG and PDF show one layer (--layer, default all) with that layer's button highlighted; the PDF\n"
        "page is the canvas in points (1 px = 1 pt), --scale only sizes the PNG.");
    args->common.add_to(*sub);
    sub->add_option("--type", args->type, "Neuron type to render")->required();
    sub->add_option("--region", args->region, "Region name (ME, LO, LOP or one from --regions) or 'all'")->capture_default_str();
    sub->add_option("--side", args->side, "L, R or both")->check(CLI::IsMember({"L", "R", "both"}))->capture_default_str();
    sub->add_option("--metric", args->metric, "synapse_density, cell_count or both")
        ->check(CLI::IsMember({"synapse_density", "cell_count", "both"}))
        ->capture_default_str();
    sub->add_option("--format", args->format, "Output format(s), comma-separated: svg, png, pdf (e.g. svg,png,pdf)")->capture_default_str();
    sub->add_option("--scale,--scale-factor", args->scale_factor, "PNG pixels per canvas pixel (> 0; 2 for high-DPI screens)")->capture_default_str();
    sub->add_option("--layer", args->layer, "PNG/PDF: layer to show, 0 = all layers, N = the region's layer N")->capture_default_str();
    sub->add_flag("--pdf-pages", args->pdf_pages, "PDF: all selected eyemaps as the pages of one file (<type>.pdf)");
    sub->add_option("-o,--output", args->output, "Output file for a single eyemap ('-' = standard output)");
    sub->add_option("--out-dir", args->out_dir, "Output folder for one or many eyemaps");
    sub->add_option("--id", args->id, "SVG id prefix (default: derived from type/region/side/metric)");
    sub->callback([args] { run_render(*args); });
}

}  // namespace eyemap::cli

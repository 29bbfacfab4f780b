// `eyemap import`: neuPrint's frames saved as CSV (fetch_neurons' two frames, or neuView's per-layer query) -> eyemap's data.csv and columns.csv.
#include <filesystem>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "cli.hpp"
#include "eyemap/neuprint.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {

void add_import_command(CLI::App& app) {
    struct Args {
        std::string neurons, roi_counts, layers, type, all_rois, regions, out_dir;
        std::string soma_side = "combined";
        std::string synapses = "total";
    };
    auto args = std::make_shared<Args>();
    auto* sub = app.add_subcommand("import", "Turn neuPrint's query results (saved as CSV) into eyemap's data.csv and columns.csv");
    sub->footer(
        "Two inputs, as neuView reads them (docs/neuprint.md):\n"
        "  --neurons N.csv --roi-counts R.csv   the two frames of neuprint-python's fetch_neurons (DataFrame.to_csv):\n"
        "      the column ROIs (ME|LO|LOP)_[LR]_col_<hex1>_<hex2> give per type, region, side and column\n"
        "      synapses (pre+post, or --synapses pre|post) and cells (distinct bodies)\n"
        "  --layers L.csv --type T              neuView's per-layer query of type T (hex1, hex2, layer, region,\n"
        "      side, total_synapses, bodyId): synapses, cells and per-layer values as neuView sums them\n"
        "Other ROIs are ignored and counted. --all-rois gives every ROI name of the dataset, so the layout\n"
        "(columns.csv) holds every column; without it, the columns seen. Then:\n"
        "  eyemap render --data DIR/data.csv --columns DIR/columns.csv --type T --out-dir OUT");
    sub->add_option("--neurons", args->neurons, "fetch_neurons' neurons frame as CSV (bodyId, type, somaSide, rootSide)")->type_name("FILE");
    sub->add_option("--roi-counts", args->roi_counts, "fetch_neurons' ROI counts frame as CSV (bodyId, roi, pre, post)")->type_name("FILE");
    sub->add_option("--layers", args->layers, "neuView's per-layer query result as CSV")->type_name("FILE");
    sub->add_option("--type", args->type, "The neuron type of --layers")->type_name("TYPE");
    sub->add_option("--all-rois", args->all_rois, "Every ROI name of the dataset (one a line, or a CSV column 'roi'): the layout")->type_name("FILE");
    sub->add_option("--soma-side", args->soma_side, "Neurons counted with --neurons: L, R or combined (all)")->type_name("L|R|combined")->capture_default_str();
    sub->add_option("--synapses", args->synapses, "The ROI count that becomes `synapses`: total (pre+post), pre or post")->type_name("total|pre|post")->capture_default_str();
    sub->add_option("--regions", args->regions, "Region config (JSON) adding or replacing regions")->type_name("FILE");
    sub->add_option("--out-dir", args->out_dir, "Folder to write data.csv and columns.csv into")->type_name("DIR")->required();
    sub->callback([args] {
        const Args& a = *args;
        const bool frames = !a.neurons.empty() || !a.roi_counts.empty();
        if (frames == !a.layers.empty()) usage_error("", "", "give either --neurons and --roi-counts, or --layers and --type");
        if (frames && (a.neurons.empty() || a.roi_counts.empty())) usage_error(a.neurons.empty() ? "--neurons" : "--roi-counts", "", "is needed too");
        if (!frames && a.type.empty()) usage_error("--type", "", "is needed with --layers (the query is of one type)");
        if (frames && !a.type.empty()) usage_error("--type", a.type, "applies to --layers (the neurons frame names the types)");
        NeuprintOptions opt;
        const auto side = parse_soma_side(a.soma_side);
        if (!side) usage_error("--soma-side", a.soma_side, "expected L, R or combined");
        const auto syn = parse_synapse_count(a.synapses);
        if (!syn) usage_error("--synapses", a.synapses, "expected total, pre or post");
        if (!frames && (a.soma_side != "combined" || a.synapses != "total"))
            usage_error(a.soma_side != "combined" ? "--soma-side" : "--synapses", "", "applies to --neurons/--roi-counts (neuView's layer query counts every neuron of the type)");
        opt.soma_side = *side;
        opt.synapses = *syn;
        const RegionSet regions = a.regions.empty() ? builtin_regions() : load_region_config(a.regions);
        if (!a.all_rois.empty()) opt.all_rois = read_roi_list(a.all_rois);
        const NeuprintTable t = frames ? read_neuprint_csv(a.neurons, a.roi_counts, opt, regions)
                                       : read_neuview_layers_csv(a.layers, a.type, opt, regions);
        ensure_directory(a.out_dir);
        const std::filesystem::path dir(a.out_dir);
        std::ostringstream data, cols;
        write_column_table_csv(data, t.table);
        write_layout_csv(cols, t.layout ? *t.layout : layout_from_table(t.table));
        write_file_atomic(dir / "data.csv", data.str());
        write_file_atomic(dir / "columns.csv", cols.str());
        const auto& r = t.report;
        fmt::print(stderr, "read {} rows: {} data rows written to {}, {} layout rows ({}) to {}\n", r.rows, t.table.rows.size(),
                   (dir / "data.csv").string(), t.layout ? t.layout->entries.size() : layout_from_table(t.table).entries.size(),
                   t.layout ? "every column ROI of --all-rois" : "the columns seen", (dir / "columns.csv").string());
        if (r.not_column_roi)
            fmt::print(stderr, "ignored {} rows whose ROI is not a column ROI (e.g. {})\n", r.not_column_roi, fmt::join(r.examples, ", "));
        if (r.not_selected) fmt::print(stderr, "ignored {} rows of neurons not selected (other soma side, untyped or not in --neurons)\n", r.not_selected);
        if (r.no_layer) fmt::print(stderr, "ignored {} rows without layer, region or side (as neuView drops them)\n", r.no_layer);
    });
}

}  // namespace eyemap::cli

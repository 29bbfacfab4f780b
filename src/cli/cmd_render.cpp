// `eyemap render`: the eyemaps of one type to SVG, PNG and PDF files or standard output.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/text.hpp"
#include "core/throw.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {
namespace {

struct RenderArgs {
    CommonOptions common;
    std::string type;
    std::string region = "all";
    std::string side = "both";
    std::string format;  // empty: from -o FILE's extension, else svg
    std::string output;
    std::string out_dir;
    bool pdf_pages = false;   // PDF: all selected eyemaps as pages of one file
};

void run_render(const RenderArgs& a) {
    // The command line first (usage errors, exit 1), before any input is read.
    if (a.output.empty() == a.out_dir.empty()) usage_error("", "", "give exactly one of -o FILE and --out-dir DIR");
    a.common.check_inputs();
    const std::vector<Metric> metrics = a.common.metrics();  // --metric, --label, --unit: usage errors first
    std::vector<OutputFormat> formats;
    if (a.format.empty() && !a.output.empty() && a.output != "-") {
        // -o FILE: the format is the file's extension.
        const auto f = format_for_path(a.output);
        if (!f) usage_error("-o", a.output, "cannot tell the format from the file name: use .svg, .png or .pdf, or give --format");
        formats = {*f};
    } else {
        formats = check_options([&] { return parse_formats(a.format.empty() ? "svg" : a.format, "--format"); });
    }
    if (!a.output.empty() && a.output != "-")
        if (const auto f = format_for_path(a.output); f && (formats.size() != 1 || formats[0] != *f))
            usage_error("-o", a.output, fmt::format("the file name says {} but --format says {}", to_string(*f), a.format));
    const RenderOptions options = check_options([&] { return a.common.render_options(); });
    const auto has = [&](OutputFormat f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
    if (options.png_scale != 1 && !has(OutputFormat::png))
        usage_error("--scale", fmt::format("{}", options.png_scale), "applies to png output; add png to --format");
    if (a.pdf_pages && !has(OutputFormat::pdf)) usage_error("--pdf-pages", "", "needs pdf in --format");
    std::optional<CompareOptions> compare;
    if (!a.common.comparing()) a.common.check_compare_flags();
    if (a.common.comparing()) {
        compare = a.common.compare_options(a.type);
        if (a.pdf_pages) usage_error("--pdf-pages", "", "not with a comparison: its eyemaps are files of their own (--out-dir)");
        if (!a.output.empty()) usage_error("-o", a.output, "a comparison makes three eyemaps each (A, B, difference): use --out-dir DIR");
    }
    if (options.layer != 0 && !has(OutputFormat::png) && !has(OutputFormat::pdf))
        usage_error("--layer", std::to_string(options.layer), "a layer applies to PNG and PDF output (the SVG has layer buttons)");

    const RegionSet regions = a.common.region_set();
    // Validates every option before any input is read.
    const Renderer renderer = check_options([&] { return Renderer(options); });

    // Only the drawn types' rows are kept: one type of a large release's file is read, not held.
    const std::string type_b = compare ? (compare->type_b.empty() ? a.type : compare->type_b) : std::string();
    if (compare && a.common.baseline.empty() && type_b == a.type)
        usage_error("--baseline-type", a.type, "is --type itself: compare with another type, or give --baseline FILE");
    // A type the file lacks (load_dataset's message, with the closest name) is named by its option.
    const char* b_flag = compare && !compare->type_b.empty() ? "--baseline-type" : "--type";
    auto of_types = [&](const char* flag, auto&& load) -> decltype(load()) {
        try {
            return load();
        } catch (const Error& e) {
            if (e.where().field != "neuron_type" || e.where().line != 0) throw;
            throw_input(e.reason(), ErrorLocation{{}, 0, e.where().value == a.type ? flag : b_flag, e.where().value});
        }
    };
    std::vector<std::string> keep{a.type};
    if (compare && a.common.baseline.empty()) keep.push_back(type_b);
    Dataset ds = of_types("--type", [&] { return a.common.dataset(regions, renderer.stats(), keep); });
    std::optional<Dataset> baseline;
    if (compare && !a.common.baseline.empty()) {
        const std::string b[] = {type_b};
        baseline = of_types(b_flag, [&] { return *a.common.baseline_dataset(regions, renderer.stats(), b); });
    }
    const Dataset& ds_b = baseline ? *baseline : ds;
    // With the layout on standard input (--columns -) every type is kept: the names are checked here.
    of_types("--type", [&]() -> const TypeRows& { return ds.type(a.type); });
    if (compare) of_types(b_flag, [&]() -> const TypeRows& { return ds_b.type(type_b); });
    RequestFilter filter;
    if (a.region != "all") filter.region = a.region;
    if (a.side != "both") filter.side = a.side == "L" ? Side::L : Side::R;
    filter.metrics = metrics;
    RequestSelection sel;
    try {
        // A comparison draws on the two layouts together: a region or side only the baseline has is drawn too.
        sel = select_requests(compare ? *joint_index(ds.index, ds_b.index) : *ds.index, ds.columns, filter);
        if (compare && filter.metrics.empty()) {  // the default metrics: those both datasets have
            std::erase_if(sel.requests, [&](const EyemapRequest& r) { return !has_metric(ds_b.columns, r.metric); });
            if (sel.requests.empty()) throw_input("the two datasets have no metric in common", ErrorLocation{{}, 0, "metric", "both"});
        }
    } catch (const Error& e) {
        throw_input(fmt::format("type {}: {}", a.type, e.reason()), ErrorLocation{{}, 0, "--region/--side/--metric", e.where().value});
    }
    // Files per format: one per eyemap, except --pdf-pages (one PDF for all).
    std::size_t outputs = 0;
    for (const auto f : formats) outputs += f == OutputFormat::pdf && a.pdf_pages ? 1 : sel.requests.size();
    if (!a.output.empty() && outputs > 1)  // an option combination, found once the data says how many: usage
        usage_error("-o", a.output,
                    fmt::format("{} output files selected ({} eyemaps x {}); -o takes exactly one: use --out-dir DIR, or narrow with "
                                "--region/--side/--metric/--format",
                                outputs, sel.requests.size(), formats.size()));

    // Everything is rendered (and so checked) before the first file is written.
    std::vector<OutputFormat> per_eyemap;
    for (const auto f : formats)
        if (!(f == OutputFormat::pdf && a.pdf_pages)) per_eyemap.push_back(f);
    const std::vector<Eyemap> eyemaps = per_eyemap.empty() ? std::vector<Eyemap>{}
                                        : compare        ? renderer.render_compare(ds, ds_b, a.type, *compare, sel.requests, per_eyemap)
                                                         : renderer.render(ds, a.type, sel.requests, per_eyemap);
    const std::string pdf_pages = a.pdf_pages ? renderer.render_pdf_pages(ds, a.type, sel.requests) : std::string();
    for (const auto& s : sel.skipped) fmt::print(stderr, "eyemap: skipped {}\n", s);

    if (!a.out_dir.empty()) ensure_directory(a.out_dir);
    const OpId write_op = renderer.stats().op("write");
    const auto emit = [&](std::string_view bytes, const std::string& file_name, const std::string& what) {
        if (a.output == "-") {
            write_stdout(bytes, true);
            return;
        }
        const std::filesystem::path path =
            !a.output.empty() ? std::filesystem::path(a.output) : std::filesystem::path(a.out_dir) / file_name;
        ScopedTimer t(&renderer.stats(), write_op);
        write_output_file(path, bytes);
        t.add_bytes(bytes.size());
        fmt::print(stderr, "wrote {} ({}, {} bytes)\n", path.string(), what, bytes.size());
    };
    const std::string layer_note = options.layer == 0 ? std::string() : fmt::format(", layer {}", options.layer);
    for (const auto& e : eyemaps)
        emit(e.bytes, e.file_name(),
             fmt::format("{} hexagons, {} with data{}", e.counts.has_data + e.counts.no_data + e.counts.not_in_region, e.counts.has_data,
                         e.format == OutputFormat::svg ? std::string() : layer_note));
    if (a.pdf_pages)
        emit(pdf_pages, safe_file_name(a.type) + ".pdf", fmt::format("{} pages{}", sel.requests.size(), layer_note));
    a.common.report(renderer);
}

}  // namespace

void add_render_command(CLI::App& app) {
    auto args = std::make_shared<RenderArgs>();
    auto* sub = app.add_subcommand("render", "Render the eyemaps of one neuron type");
    sub->footer(
        "Examples:\n"
        "  eyemap render --data ../shared/data/optic-lobe/me_cells.csv --columns ../shared/data/optic-lobe/columns.csv \\\n"
        "      --type Mi1 --region ME --side R --metric cells -o Mi1_ME_R.svg\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --out-dir out/   # all of its eyemaps\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --format svg,png,pdf --scale 2 --out-dir out/\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --region ME --side R --metric synapses \\\n"
        "      --format png --layer 3 -o Tm3_ME_R_layer3.png   # a static picture of layer M3\n"
        "  eyemap render --data data.csv --columns columns.csv --type Tm3 --format pdf --pdf-pages -o Tm3.pdf   # one page per eyemap\n"
        "Files in --out-dir are named <type>_<region>_<side>_<metric>.svg/.png/.pdf (--pdf-pages: <type>.pdf), where\n"
        "<metric> is synapse_density or cell_count (the names files had before the metrics were renamed), or a value\n"
        "column's name: --metric coverage draws the data's numeric column 'coverage' (any sign; empty or NaN = no data),\n"
        "e.g. --metric coverage --colormap viridis, or a signed one on a diverging map: --metric diff --colormap rdbu.\n"
        "PNG and PDF show one layer (--layer, default all) with that layer's button highlighted; the PDF\n"
        "page is the canvas in points (1 px = 1 pt), --scale only sizes the PNG.\n"
        "The look: --style KEY=VALUE (repeatable), e.g. --style hex_opacity=0.6 --style font_family='DejaVu Serif',\n"
        "or --style-file FILE with a JSON object of the same keys; --style wins over the file.\n"
        "Compare: --baseline B.csv (and/or --baseline-type NAME) writes per eyemap A and B on one locked scale\n"
        "(<name>_a.svg, <name>_b.svg) and their difference (<type>_<region>_<side>_<metric>_diff.svg, or _log2 with\n"
        "--compare log2), e.g. eyemap render --data male.csv --baseline female.csv --type Mi1 --out-dir cmp/");
    args->common.add_to(*sub, true, {"png_scale", "layer", "svg_id"});
    sub->add_option("--type", args->type, "Neuron type to render (only its rows are kept in memory; every row is still read and checked, duplicate rows among its own)")->required()->type_name("NAME");
    sub->add_option("--region", args->region, "Region name (ME, LO, LOP or one from --regions) or 'all'")->type_name("NAME")->capture_default_str();
    sub->add_option("--side", args->side, "L, R or both")->check(one_of({"L", "R", "both"}))->capture_default_str();
    sub->add_option("--format", args->format, "Output format(s), comma-separated: svg, png, pdf (default: the extension of -o FILE, else svg)")
        ->type_name("LIST");
    add_hidden_alias(*sub, "--formats", "--format", args->format);
    add_hidden_alias(*sub, "--scale-factor", "--scale", args->common.given["png_scale"]);
    sub->add_flag("--pdf-pages", args->pdf_pages, "PDF: all selected eyemaps as the pages of one file (<type>.pdf)");
    args->common.add_compare_to(*sub);
    sub->add_option("-o,--output", args->output,
                    "Output file for a single eyemap ('-' = standard output); its extension (.svg, .png, .pdf) is the format")
        ->type_name("FILE");
    sub->add_option("--out-dir", args->out_dir, "Output folder for one or many eyemaps")->type_name("DIR");
    sub->callback([args] { run_render(*args); });
}

}  // namespace eyemap::cli

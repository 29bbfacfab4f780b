// `eyemap figure`: many eyemaps in one picture (rows x columns of panels) to SVG, PDF and PNG files.
#include <algorithm>
#include <charconv>
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

struct FigureArgs {
    CommonOptions common;
    std::string rows = "types", columns = "regions";
    std::string types, region, side, layers, datasets;
    FigureOptions options;
    std::string background = "none";
    std::string legend = "figure", labels = "axes";
    std::string format;                // with -o -: the one format
    std::vector<std::string> outputs;  // -o FILE (repeatable): the format is each file's extension
};

std::vector<std::string> list_of(std::string_view text) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    for (const auto item : split_list(text)) out.emplace_back(item);
    return out;
}

void run_figure(FigureArgs& a) {
    // The command line first (usage errors, exit 1), before any input is read.
    if (a.outputs.empty()) usage_error("-o", "", "give at least one output file (.svg, .pdf, .png), or '-' with --format");
    std::vector<OutputFormat> formats;
    for (const auto& o : a.outputs) {
        if (o == "-") {
            if (a.outputs.size() != 1) usage_error("-o", o, "standard output takes the only output");
            if (a.format.empty()) usage_error("-o", o, "give --format svg, png or pdf for standard output");
            formats = check_options([&] { return parse_formats(a.format, "--format"); });
            if (formats.size() != 1) usage_error("--format", a.format, "standard output takes one format");
            continue;
        }
        const auto f = format_for_path(o);
        if (!f) usage_error("-o", o, "cannot tell the format from the file name: use .svg, .png or .pdf");
        if (!a.format.empty()) usage_error("--format", a.format, "applies to '-o -' only: the file names give the formats");
        if (std::find(formats.begin(), formats.end(), *f) != formats.end()) usage_error("-o", o, "one file per format");
        formats.push_back(*f);
    }
    a.common.check_inputs();
    FigureRequest req;
    FigurePanels& p = req.panels;
    const auto axis = [](const std::string& option, const std::string& text) {
        if (const auto v = parse_figure_axis(text)) return *v;
        usage_error(option, text, "expected one of types, regions, sides, metrics, layers, datasets");
    };
    p.rows = axis("--rows", a.rows);
    p.columns = axis("--cols", a.columns);
    if (p.rows == p.columns) usage_error("--cols", a.columns, "rows and columns must differ");
    p.types = list_of(a.types);
    p.regions = list_of(a.region);
    for (const auto& s : list_of(a.side)) {
        const auto side = parse_side(s);
        if (!side) usage_error("--side", s, "expected L or R");
        p.sides.push_back(*side);
    }
    for (const auto& l : list_of(a.layers)) {
        int v = -1;
        if (l == "all") v = 0;
        else if (auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), v); ec != std::errc() || end != l.data() + l.size() || v < 1 || v > 1000)
            usage_error("--layers", l, "expected 'all' or a layer number 1..1000");
        p.layers.push_back(v);
    }
    p.metrics = a.common.metrics();
    for (const auto& d : list_of(a.datasets)) {
        const auto part = parse_figure_dataset(d);
        if (!part) usage_error("--datasets", d, "expected a, b or difference");
        p.datasets.push_back(*part);
    }
    const bool comparing = a.common.comparing();
    if (comparing) {
        req.compare = a.common.compare_options(p.types.size() == 1 ? std::string_view(p.types[0]) : std::string_view());
    } else {
        a.common.check_compare_flags();
        if (p.rows == FigureAxis::datasets || p.columns == FigureAxis::datasets || !p.datasets.empty())
            usage_error(p.rows == FigureAxis::datasets ? "--rows" : p.columns == FigureAxis::datasets ? "--cols" : "--datasets", "datasets",
                        "the datasets axis needs a comparison: give --baseline FILE or --baseline-type NAME");
    }
    req.options = a.options;
    req.options.background = a.background == "none" ? std::string() : a.background;
    req.options.legend = *parse_figure_legend(a.legend);  // checked by one_of
    req.options.labels = *parse_figure_labels(a.labels);
    // The library names its fields; the user typed these flags.
    const auto as_usage = [](const Error& e) {
        static const std::pair<std::string_view, std::string_view> kFlags[] = {
            {"width_mm", "--width-mm"}, {"font_pt", "--font-pt"}, {"font_family", "--font-family"}, {"line_pt", "--line-pt"},
            {"dpi", "--dpi"},           {"background", "--background"}, {"svg_id", "--id"},         {"columns", "--cols"},
            {"types", "--type"},        {"regions", "--region"},        {"sides", "--side"},        {"metrics", "--metric"},
            {"layers", "--layers"},     {"legend", "--legend"},         {"datasets", "--datasets"}, {"type_b", "--baseline-type"},
            {"label_a", "--label-a"},   {"label_b", "--label-b"},       {"compare_colormap", "--compare-colormap"}};
        if (e.where().file.empty())
            for (const auto& [field, flag] : kFlags)
                if (e.where().field == field) usage_error(flag, e.where().value, e.reason());
    };
    try {
        validate(req.options);
        validate(req.panels);
    } catch (const Error& e) {
        as_usage(e);
        throw;
    }
    const RenderOptions options = check_options([&] { return a.common.render_options(); });
    const RegionSet regions = a.common.region_set();
    const Renderer renderer = check_options([&] { return Renderer(options); });

    const Dataset ds = a.common.dataset(regions, renderer.stats());
    // A type whose name holds a comma ("Mi1,a", quoted in the CSV) is one type, not a list.
    if (req.panels.types.size() > 1 && ds.find_type(a.types)) req.panels.types = {a.types};
    // Everything is drawn (and so checked) before the first file is written.
    // An option out of bounds for these panels (the pixels at this dpi, a legend mixing metrics): a usage error.
    std::vector<FigureOutput> files;
    try {
        if (comparing) {
            const std::optional<Dataset> baseline = a.common.baseline_dataset(regions, renderer.stats());
            files = renderer.render_figure(ds, baseline ? *baseline : ds, req, formats);
        } else {
            files = renderer.render_figure(ds, req, formats);
        }
    } catch (const Error& e) {
        as_usage(e);
        throw;
    }
    for (const FigureOutput& f : files)  // the same note for every PNG and PDF: said once
        if (!f.note.empty()) {
            fmt::print(stderr, "eyemap: note: {}\n", f.note);
            break;
        }
    // Every output's folder is there before the first file is written, so a wrong folder in the second
    // -o leaves nothing behind (a write that fails later keeps each target's previous file: atomic).
    for (const std::string& out : a.outputs) {
        if (out == "-") continue;
        const std::filesystem::path parent = std::filesystem::path(out).has_parent_path() ? std::filesystem::path(out).parent_path() : ".";
        std::error_code ec;
        if (!std::filesystem::is_directory(parent, ec))
            throw_io("cannot write file: its folder does not exist (nothing written)", out);
    }
    const OpId write_op = renderer.stats().op("write");
    for (std::size_t i = 0; i < files.size(); ++i) {
        const FigureOutput& f = files[i];
        if (a.outputs[i] == "-") {
            write_stdout(f.bytes, true);
            continue;
        }
        ScopedTimer t(&renderer.stats(), write_op);
        write_output_file(a.outputs[i], f.bytes);
        t.add_bytes(f.bytes.size());
        fmt::print(stderr, "wrote {} ({} x {} panels, {:.1f} x {:.1f} mm, {} bytes)\n", a.outputs[i], f.rows, f.columns, f.width_mm,
                   f.height_mm, f.bytes.size());
    }
    a.common.report(renderer);
}

}  // namespace

void add_figure_command(CLI::App& app) {
    auto args = std::make_shared<FigureArgs>();
    auto* sub = app.add_subcommand("figure", "Many eyemaps in one picture: a grid of panels with one legend (SVG, PDF, PNG)");
    sub->footer(
        "Examples:\n"
        "  eyemap figure --data ../shared/data/optic-lobe/me_cells.csv --columns ../shared/data/optic-lobe/columns.csv \\\n"
        "      --type Mi1,Tm1 --rows types --cols regions --side R --metric cells --width-mm 180 --font-pt 7 \\\n"
        "      -o fig.svg -o fig.pdf -o fig.png\n"
        "  eyemap figure --data data.csv --type Tm3 --rows sides --cols layers --layers 1,2,3,4 --legend row -o Tm3.pdf\n"
        "Rows and columns each list the values of one of types, regions, sides, metrics, layers (--type, --region, --side,\n"
        "--metric, --layers; empty: everything the data has, layers must be listed); every other one takes one value.\n"
        "One colour scale per legend, pooled over the values its panels draw. Sizes are physical: the page is --width-mm\n"
        "wide (the height follows from the panels), text --font-pt points, hexagon outlines --line-pt points; the PNG\n"
        "has --dpi pixels per inch, the PDF's page is the figure in points.\n"
        "Compare: --baseline B.csv (or --baseline-type NAME) adds the datasets axis: A, B (one locked scale, one legend)\n"
        "and their difference (its own legend, centred at 0), e.g. --rows regions --cols datasets --side R --type Mi1.\n"
        "Off the axes a comparison draws the difference panels (--datasets a, b or difference chooses).");
    args->common.add_to(*sub, true, {});
    args->common.add_compare_to(*sub);
    sub->add_option("--rows", args->rows, "What changes down the rows: types, regions, sides, metrics, layers or datasets")->capture_default_str();
    sub->add_option("--cols", args->columns, "What changes across the columns: types, regions, sides, metrics, layers or datasets")->capture_default_str();
    sub->add_option("--type", args->types, "Neuron type(s), comma-separated")->type_name("LIST");
    sub->add_option("--region", args->region, "Region(s), comma-separated (ME, LO, LOP or from --regions)")->type_name("LIST");
    sub->add_option("--side", args->side, "Side(s), comma-separated: L, R")->type_name("LIST");
    sub->add_option("--datasets", args->datasets, "With a comparison: a, b, difference, comma-separated (default: all three on an axis)")
        ->type_name("LIST");
    sub->add_option("--layers", args->layers, "Layer(s), comma-separated: all, or a region's layer number")->type_name("LIST");
    sub->add_option("--width-mm", args->options.width_mm, "Figure width in millimetres (20..1000)")->capture_default_str();
    sub->add_option("--font-pt", args->options.font_pt, "Text size in points (2..36)")->capture_default_str();
    sub->add_option("--font-family", args->options.font_family, "Font family (PNG/PDF: fontconfig's; the PDF embeds the subset)")
        ->capture_default_str();
    sub->add_option("--line-pt", args->options.line_pt, "Hexagon outline width in points (0..5)")->capture_default_str();
    sub->add_option("--background", args->background, "Background colour #rrggbb, or 'none' (transparent)")->capture_default_str();
    sub->add_option("--legend", args->legend, "One legend (and colour scale) for the figure, per row or per column")
        ->check(one_of({"figure", "row", "column"}))
        ->capture_default_str();
    sub->add_option("--labels", args->labels, "Labels: axes (rows left, columns on top), panels (above each panel) or none")
        ->check(one_of({"axes", "panels", "none"}))
        ->capture_default_str();
    sub->add_option("--dpi", args->options.dpi, "PNG pixels per inch (10..2400)")->capture_default_str();
    sub->add_option("--id", args->options.svg_id, "SVG id prefix (default: derived from the panels)")->type_name("ID");
    sub->add_option("--format", args->format, "The format with '-o -': svg, png or pdf")->type_name("FORMAT");
    sub->add_option("-o,--output", args->outputs, "Output file, repeatable; its extension (.svg, .pdf, .png) is its format; '-' = standard output")
        ->type_name("FILE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->callback([args] { run_figure(*args); });
}

}  // namespace eyemap::cli

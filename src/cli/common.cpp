// Options shared by the rendering subcommands, usage errors, and the helpers every command prints with.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <set>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/throw.hpp"
#include "core/command_line.hpp"
#include "core/option_schema.hpp"
#include "core/read_file.hpp"
#include "core/text.hpp"
#include "ingest/csv.hpp"
#include "ingest/data_file.hpp"
#include "eyemap/version.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {

namespace {

// The rendering options of every rendering command; the others are named by each command.
constexpr std::string_view kCommonFields[] = {"templates", "hex_size",    "spacing",   "margin",    "min_width", "min_height",
                                              "color_scale", "color_scope", "color_min", "color_max", "colormap",  "bins",
                                              "clip_quantile", "continuous", "centre", "static", "caches",
                                              "column_link", "dataset_label", "dataset_version"};

void add_field(CLI::App& app, const FieldSpec& f, std::optional<std::string>& target) {
    std::string help(f.help);
    if (f.type == FieldType::boolean || f.type == FieldType::caches) {
        // A flag sets the opposite of the default (--static, --no-cache).
        const std::string value = f.default_text == "true" ? "false" : "true";
        app.add_flag_callback(std::string(f.flag), [&target, value] { target = value; }, help);
        return;
    }
    if (!f.range_text.empty() && f.type != FieldType::string) help += fmt::format(" ({})", f.range_text);
    auto* o = app.add_option(std::string(f.flag), target, help);
    if (!f.default_text.empty()) o->default_str(std::string(f.default_text));
    if (f.type == FieldType::path) o->type_name("DIR");
    else if (f.type == FieldType::choice) o->type_name(fmt::format("{{{}}}", fmt::join(f.choices, ",")));
    else if (f.type == FieldType::number) o->type_name("NUMBER");
    else if (f.type == FieldType::integer) o->type_name("INT");
    else o->type_name("TEXT");
}

std::string style_keys() {
    std::string keys;
    for (const auto& f : style_fields()) keys += fmt::format("{}{}", keys.empty() ? "" : ", ", f.name);
    return keys;
}

}  // namespace

void CommonOptions::add_to(CLI::App& app, bool data_required, std::initializer_list<std::string_view> extra) {
    auto* d = app.add_option("--data", data,
                             "Data CSV ('-' = standard input): neuron_type,region,side,hex1,hex2 and optional synapses,cells,"
                             "layer_synapses,layer_cells")
                  ->type_name("FILE");
    if (data_required) d->required();
    app.add_option("--columns", columns,
                   "Layout CSV (region,side,hex1,hex2; '-' = standard input): the columns that exist per region and side; "
                   "default: the columns seen in the data")
        ->type_name("FILE");
    app.add_option("--regions", regions, "JSON region config adding or replacing regions: {\"regions\":[{\"name\":..,\"layers\":[..]}]}")
        ->type_name("FILE");
    for (const auto& f : option_fields()) {
        const bool wanted = std::find(std::begin(kCommonFields), std::end(kCommonFields), f.name) != std::end(kCommonFields) ||
                            std::find(extra.begin(), extra.end(), f.name) != extra.end();
        if (wanted && !f.flag.empty()) add_field(app, f, given[std::string(f.name)]);
    }
    app.add_option("--style", styles,
                   fmt::format("A Style setting, KEY=VALUE (repeatable; a palette as 7 comma-separated colours). Keys: {}", style_keys()))
        ->type_name("KEY=VALUE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--style-file", style_file, "JSON object of Style settings {\"KEY\": VALUE, ...}; --style wins over it")
        ->type_name("FILE");
    app.add_option("--metric", metric,
                   "What to colour by, comma-separated: synapses (synapse count per column), cells (cell count per column), "
                   "or the name of any numeric column of the data (read as float64; an empty cell or NaN is no data; "
                   "layer_<name> holds its per-layer values); 'both' (default): the counts the data has. "
                   "The old names synapse_density and cell_count are accepted too")
        ->check(
            [](const std::string& v) {
                if (v == "both") return std::string();
                try {
                    for (const auto& item : split_list(v)) metric_from_name(item, "--metric");
                } catch (const Error& e) {
                    static const std::vector<std::string> names{"synapses", "cells", "both"};
                    return fmt::format("value '{}': {}{}", terminal_text(e.where().value), e.reason(), did_you_mean(e.where().value, names));
                }
                return std::string();
            },
            "LIST")
        ->capture_default_str();
    app.add_option("--metric-look", looks,
                   "A metric's own colour map and scale, NAME:KEY=VALUE (repeatable; KEY: colormap, bins, continuous, centre, "
                   "color_scale, color_min, color_max, color_scope, clip_quantile), over the run's: e.g. --metric synapses,diff --metric-look diff:colormap=rdbu "
                   "--metric-look diff:color_min=-3 --metric-look diff:color_max=3 (counts on the reds, diff on RdBu with limits every "
                   "type shares)")
        ->type_name("NAME:KEY=VALUE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--label", labels,
                   "A value metric's label, NAME=TEXT (repeatable): legend title, tooltips, titles and page headings say TEXT "
                   "instead of the column's name; NAME must be in --metric")
        ->type_name("NAME=TEXT")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--unit", units, "A value metric's unit, NAME=TEXT (repeatable), shown as \"label (unit)\"; NAME must be in --metric")
        ->type_name("NAME=TEXT")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--marks", marks,
                   "Mark column sets: a CSV of region,side,hex1,hex2,set (one row per marked column; optional columns style: "
                   "outline, marker or dim, and colour: #rrggbb, once per set). Each set is drawn over the hexagons of its "
                   "region and side (outline: the hexagon outlined; marker: a dot in it; dim: every other hexagon faded) with a "
                   "legend entry, in SVG, PNG, PDF, figures and pages; default colours: the Okabe-Ito list in order of the sets")
        ->type_name("FILE");
    app.add_option("--mark-style", mark_styles, "A marked set's style, SET=outline|marker|dim (repeatable; over the file's)")
        ->type_name("SET=STYLE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--mark-colour", mark_colours, "A marked set's colour, SET=#rrggbb (repeatable; over the file's)")
        ->type_name("SET=#RRGGBB")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_flag("--stats", stats, "Print per-operation timing and cache statistics to standard error at the end");
    app.add_option("--stats-json", stats_json, "Write the statistics as JSON (schema eyemap-stats/2) to this file")->type_name("FILE");
}


std::vector<Metric> CommonOptions::metrics() const {
    std::vector<Metric> out;
    if (metric != "both")
        for (const auto& item : split_list(metric)) {
            const ParsedMetric m = check_options([&] { return metric_from_name(item, "--metric"); });
            if (m.alias) fmt::print(stderr, "note: {}\n", metric_alias_note(item, m.metric));
            if (std::find(out.begin(), out.end(), m.metric) == out.end()) out.push_back(m.metric);
        }
    // --label/--unit NAME=TEXT: NAME one of the value metrics of --metric.
    const auto apply = [&](const std::vector<std::string>& items, std::string_view option, bool is_unit) {
        for (const auto& item : items) {
            const auto eq = item.find('=');
            if (eq == std::string::npos || eq == 0) usage_error(std::string(option), item, "expected NAME=TEXT");
            const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
            const auto it = std::find(out.begin(), out.end(), Metric(name));
            if (it == out.end()) usage_error(std::string(option), item, fmt::format("'{}' is not a metric of --metric", terminal_text(name)));
            if (it->is_count()) usage_error(std::string(option), item, "the counts keep the field's words: label value metrics");
            *it = check_options([&] { return is_unit ? it->with_label(it->label(), text) : it->with_label(text, it->unit()); });
        }
    };
    apply(labels, "--label", false);
    apply(units, "--unit", true);
    // --metric-look NAME:...: NAME must be drawn (one of --metric, or a count when --metric is not
    // given), so a typo or an old name is never silently a look for nothing.
    for (const auto& item : looks) {
        const std::string typed = item.substr(0, item.find(':'));
        const auto parsed = parse_metric_name(typed);
        const Metric m = parsed ? parsed->metric : Metric(typed);
        const bool drawn = metric == "both" ? m.is_count() : std::find(out.begin(), out.end(), m) != out.end();
        if (!drawn)
            usage_error("--metric-look", item,
                        metric == "both" ? fmt::format("'{}' is not a count: name it in --metric", terminal_text(typed))
                                         : fmt::format("'{}' is not a metric of --metric ({})", terminal_text(typed), metric_names(out)));
    }
    return out;
}

std::vector<std::string> CommonOptions::value_columns() const {
    std::vector<std::string> out;
    if (metric == "both") return out;
    for (const auto& item : split_list(metric))
        if (!parse_metric(item)) out.emplace_back(item);
    return out;
}

std::string CommonOptions::text(std::string_view field) const {
    const auto it = given.find(field);
    return it != given.end() && it->second ? *it->second : std::string();
}

void CommonOptions::report(const Renderer& renderer) const {
    if (!stats && stats_json.empty()) return;
    const auto snap = renderer.stats().snapshot();
    if (stats) {
        fmt::print(stderr, "{}", stats_to_table(snap));
        fmt::print(stderr, "\n{}", cache_stats_table(renderer.cache_statistics()));
    }
    if (!stats_json.empty())
        write_output_file(stats_json, stats_to_json(StatsDocument{snap, renderer.cache_statistics(), std::string(kVersion), process_command_line()}));
}

Dataset CommonOptions::dataset(const RegionSet& regions, Stats& stats, std::span<const std::string> types) const {
    if (columns == "-") {  // the layout from standard input, the data from its file
        const OpId ingest = stats.op("ingest");
        ScopedTimer t(&stats, ingest);
        ColumnLayout layout = column_layout(regions);
        return make_dataset(read_column_table(data, regions, value_columns()), std::move(layout), regions);
    }
    return load_dataset(data, columns.empty() ? std::nullopt : std::optional<std::filesystem::path>(columns), regions, &stats,
                        value_columns(), types);
}

void CommonOptions::add_compare_to(CLI::App& app, bool with_baseline_type) {
    app.add_option("--baseline", baseline,
                   "Compare with this data CSV (B; the data is A): A and B on one locked scale, and their difference. Read with "
                   "the same --columns; without --columns the two datasets' columns together are the layout")
        ->type_name("FILE");
    if (with_baseline_type)
        app.add_option("--baseline-type", baseline_type,
                       "B's neuron type when it is not A's: compare two types (of the data, or of --baseline)")
            ->type_name("NAME");
    app.add_option("--compare", compare,
                   "The difference map: 'difference' (A - B; a count missing on one side is 0) or 'log2' (log2(A/B) where both "
                   "have data; a zero on either side has no ratio). Drawn on --compare-colormap, centred at 0; columns with "
                   "data in only one of the two are marked")
        ->check(one_of({"difference", "log2"}))
        ->capture_default_str();
    app.add_option("--compare-colormap", compare_colormap, "The difference map's diverging colour map (rdbu, puor, or #rrggbb,...)")
        ->type_name("NAME")
        ->capture_default_str();
    app.add_option("--label-a", label_a, "What A is called on the pictures (default: the data file's name without folder, or 'A')")
        ->type_name("TEXT");
    app.add_option("--label-b", label_b, "What B is called (default: the baseline's file name, the baseline type, or 'B')")
        ->type_name("TEXT");
}

void CommonOptions::check_compare_flags() const {
    if (comparing()) return;
    const CompareOptions defaults;
    const std::pair<const char*, const std::string*> given[] = {
        {"--compare", compare == to_string(defaults.mode) ? nullptr : &compare},
        {"--compare-colormap", compare_colormap == defaults.colormap ? nullptr : &compare_colormap},
        {"--label-a", label_a.empty() ? nullptr : &label_a},
        {"--label-b", label_b.empty() ? nullptr : &label_b}};
    for (const auto& [flag, value] : given)
        if (value) usage_error(flag, *value, "applies to a comparison: give --baseline FILE or --baseline-type NAME");
}

CompareOptions CommonOptions::compare_options(std::string_view type_a) const {
    CompareOptions o;
    o.mode = *parse_compare_mode(compare);
    o.type_b = baseline_type;
    o.colormap = compare_colormap;
    // Defaults that say which is which: the files' names, or the types' when B is a type of the data.
    auto stem = [](const std::string& path) {
        return path == "-" ? std::string("data") : std::filesystem::path(path).stem().string();
    };
    // Two types of one file: the types' names (several types in A: "type", as in "type − L1").
    std::string a = baseline.empty() ? (type_a.empty() ? std::string("type") : std::string(type_a)) : stem(data),
                b = baseline.empty() ? baseline_type : stem(baseline);
    try {  // names a label cannot be (validate's rule) give way to A and B
        validate(CompareOptions{o.mode, a, b, {}, o.colormap});
    } catch (const Error&) {
        a = "A", b = "B";
    }
    o.label_a = label_a.empty() ? a : label_a;
    o.label_b = label_b.empty() ? b : label_b;
    if (label_b.empty() && o.label_b == o.label_a) o.label_b = o.label_a == "B" ? "A" : "B";  // --label-a took B's default
    if (label_a.empty() && o.label_a == o.label_b) o.label_a = o.label_b == "A" ? "B" : "A";
    try {
        validate(o);
    } catch (const Error& e) {
        const std::string f = e.where().field;
        usage_error(f == "label_a" ? "--label-a" : f == "label_b" ? "--label-b" : f == "type_b" ? "--baseline-type" : "--compare-colormap",
                    e.where().value, e.reason());
    }
    return o;
}

std::optional<Dataset> CommonOptions::baseline_dataset(const RegionSet& regions, Stats& stats, std::span<const std::string> types) const {
    if (baseline.empty()) return std::nullopt;
    if (baseline == "-") usage_error("--baseline", baseline, "the baseline is read from a file (standard input is read once)");
    std::error_code ec;
    if (baseline_type.empty() && data != "-" && std::filesystem::equivalent(data, baseline, ec))
        usage_error("--baseline", baseline, "is --data itself: compare with another file, or another type (--baseline-type)");
    if (columns == "-") usage_error("--columns", columns, "with --baseline the layout is read from a file (both datasets are read with it)");
    return load_dataset(baseline, columns.empty() ? std::nullopt : std::optional<std::filesystem::path>(columns), regions, &stats,
                        value_columns(), types);
}

RegionSet CommonOptions::region_set() const {
    return regions.empty() ? builtin_regions() : load_region_config(regions);
}

RenderOptions CommonOptions::render_options() const {
    // Errors name the schema field; check_options() turns them into usage errors naming the flag.
    OptionInput in;
    for (const auto& [name, value] : given)
        if (value) {
            const FieldSpec& f = *find_option(name);
            set_field(f, in, parse_field_text(f, *value));
        }
    if (!style_file.empty())  // its errors name the file: bad input (exit 2)
        apply_style_json(in.options.style, read_regular_file(style_file, 1u << 20, "style file"), style_file);
    for (const auto& kv : styles) {
        try {
            const auto eq = kv.find('=');
            if (eq == std::string::npos) usage_error("--style", kv, fmt::format("expected KEY=VALUE; keys: {}", style_keys()));
            const std::string_view key = std::string_view(kv).substr(0, eq), value = std::string_view(kv).substr(eq + 1);
            const FieldSpec* f = find_style_field(key);
            if (!f) unknown_field(style_fields(), "style setting", key, "--style", kv);
            set_style_field(*f, in.options.style, parse_field_text(*f, value), key);
        } catch (const Error& e) {
            usage_error("--style", kv, e.reason());  // the option as typed
        }
    }
    if (!looks.empty()) {
        try {
            set_field(*find_option("metric_looks"), in, looks);
        } catch (const Error& e) {
            usage_error("--metric-look", e.where().value, e.reason());
        }
    }
    RenderOptions o = finish_options(std::move(in));
    // --marks: read once here, checked against the run's regions (its errors name the file: bad input).
    if (marks.empty() && !(mark_styles.empty() && mark_colours.empty()))
        usage_error(mark_styles.empty() ? "--mark-colour" : "--mark-style", mark_styles.empty() ? mark_colours[0] : mark_styles[0],
                    "needs --marks FILE");
    if (!marks.empty()) o.marks = read_marks(marks, region_set());
    for (const auto* items : {&mark_styles, &mark_colours})
        for (const auto& item : *items) {
            const std::string_view option = items == &mark_styles ? "--mark-style" : "--mark-colour";
            const auto eq = item.rfind('=');  // a set name may hold "=", a style or colour never does
            if (eq == std::string::npos || eq == 0) usage_error(option, item, items == &mark_styles ? "expected SET=STYLE" : "expected SET=#rrggbb");
            try {
                if (items == &mark_styles) set_mark_style(o.marks, item.substr(0, eq), item.substr(eq + 1), option);
                else set_mark_colour(o.marks, item.substr(0, eq), item.substr(eq + 1), option);
            } catch (const Error& e) {
                usage_error(option, item, e.reason());
            }
        }
    // A named dataset's input identity: the data file's digest, as a run manifest records it (standard
    // input and other non-files are not read twice: none).
    std::error_code ec;
    if ((!o.dataset_label.empty() || !o.dataset_version.empty()) && data != "-" && !data.empty() &&
        std::filesystem::is_regular_file(data, ec)) {
        std::uint64_t digest = 0, bytes = 0;
        if (detail::data_file_identity(data, digest, bytes)) o.input_digest = fmt::format("{:016x}", digest);
    }
    return o;
}

void CommonOptions::check_inputs() const {
    if (data == "-" && columns == "-") usage_error("--columns", "-", "only one input can be standard input (--data - already reads it)");
}

ColumnLayout CommonOptions::column_layout(const RegionSet& regions) const {
    if (columns != "-") return read_column_layout(columns, regions);
    refuse_folder_on_stdin();
    std::cin.exceptions(std::ios::goodbit);
    const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw_io("cannot read standard input", "-");
    return parse_column_layout(text, "standard input", regions);
}

// --- usage errors ------------------------------------------------------------------------------

void usage_error(std::string_view option, std::string_view value, std::string_view what) {
    std::string msg(option);
    if (!value.empty()) msg += fmt::format("{}'{}'", msg.empty() ? "" : " ", value);
    if (!msg.empty()) msg += ": ";
    throw UsageError(msg + std::string(what));
}

std::string option_name(std::string_view field) {
    // A rendering option's flag from the schema; BatchOptions fields and --id (the svg id checked
    // while rendering) here.
    if (const FieldSpec* f = find_option(field); f && !f->flag.empty()) return std::string(f->flag);
    static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
        {"id", "--id"}, {"scale", "--scale"}, {"format", "--format"}, {"formats", "--format"}, {"shards", "--shards"},
    };
    for (const auto& [f, o] : kNames)
        if (field == f) return std::string(o);
    return std::string(field);
}

// --- did you mean ------------------------------------------------------------------------------

std::string did_you_mean(std::string_view value, std::span<const std::string> choices) {
    const std::string best = detail::closest_name(value, choices);
    return best.empty() ? std::string() : fmt::format("; did you mean '{}'?", best);
}

CLI::Validator one_of(std::vector<std::string> choices) {
    std::string known;
    for (const auto& c : choices) known += fmt::format("{}'{}'", known.empty() ? "" : ", ", c);
    return CLI::Validator(
        [choices, known](std::string& v) {
            for (const auto& c : choices)
                if (c == v) return std::string();
            return fmt::format("value '{}': expected one of {}{}", terminal_text(v), known, did_you_mean(v, choices));
        },
        "{" + known + "}");
}

std::string unknown_option_messages(const CLI::App& app, int argc, const char* const* argv) {
    // Follow the subcommands named in argv; check every long option against the one it is given to.
    const CLI::App* current = &app;
    std::string path = app.get_name().empty() ? "eyemap" : app.get_name();
    std::string out;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg.rfind("--", 0) != 0) {
            if (arg.empty() || arg[0] == '-') continue;
            const auto subs = current->get_subcommands([](const CLI::App*) { return true; });
            const CLI::App* next = nullptr;
            for (const CLI::App* sub : subs)
                if (sub->get_name() == arg) next = sub;
            if (next) {
                current = next;
                path += " " + next->get_name();
            } else if (current->get_require_subcommand_min() > 0) {  // no option values here: a mistyped command
                std::string best;
                std::size_t best_d = 3;
                for (const CLI::App* sub : subs)
                    if (const auto d = detail::edit_distance(arg, sub->get_name()); d < best_d) best_d = d, best = sub->get_name();
                out += fmt::format("eyemap: error: unknown command '{}' for '{}'", arg, path);
                out += best.empty() ? "\n" : fmt::format("; did you mean '{}'?\n", best);
                break;
            }
            continue;
        }
        const std::string name(arg.substr(0, arg.find('=')));
        if (current->get_option_no_throw(name) != nullptr || name == "--help" || name == "--version") continue;
        bool known = false;
        for (const CLI::App* a = current->get_parent(); a && !known; a = a->get_parent()) known = a->get_option_no_throw(name) != nullptr;
        if (known) continue;
        std::string best;
        std::size_t best_d = std::max<std::size_t>(2, (name.size() - 2) / 3) + 1;
        for (const CLI::Option* o : current->get_options()) {
            if (o->get_group().empty()) continue;  // hidden: old spellings are not suggested
            for (const auto& l : o->get_lnames()) {
                const std::string cand = "--" + l;
                const std::size_t d = detail::edit_distance(name, cand);
                if (d < best_d) best_d = d, best = cand;
            }
        }
        out += fmt::format("eyemap: error: unknown option '{}' for '{}'", name, path);
        out += best.empty() ? "\n" : fmt::format("; did you mean '{}'?\n", best);
    }
    return out;
}

// --- standard output ---------------------------------------------------------------------------

namespace {
bool g_stdout_written = false;

[[noreturn]] void stdout_failed(int err) {
    throw_io(fmt::format("cannot write: {}", std::strerror(err)), "standard output");
}
}  // namespace

void write_stdout(std::string_view bytes, bool flush) {
    g_stdout_written = g_stdout_written || !bytes.empty();
    errno = 0;
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::ferror(stdout)) stdout_failed(errno ? errno : EIO);
    if (flush && std::fflush(stdout) != 0) stdout_failed(errno ? errno : EIO);
}

void finish_stdout() {
    static bool finished = false;
    if (finished) return;
    finished = true;
    errno = 0;  // the first failure's reason: std::cout's flush is already stdout's fflush
    std::cout.flush();  // CLI11's help goes through std::cout (synchronised with stdout)
    const int cout_err = errno;
    bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || std::cout.fail();
    int err = cout_err ? cout_err : errno;
    // close() reports delayed write errors (NFS, quotas); when nothing was written there is
    // nothing to lose (a standard output closed from the start).
    errno = 0;
    if (std::fclose(stdout) != 0 && (failed || g_stdout_written)) {
        failed = true;
        if (!err) err = errno;
    }
    if (failed) stdout_failed(err ? err : EIO);
}

void guard_closed_stdout() {
    if (::fcntl(STDOUT_FILENO, F_GETFD) != -1 || errno != EBADF) return;
    // A folder opened read-only: every write() to it fails (EBADF), and it is no output.
    const int fd = ::open("/", O_RDONLY | O_DIRECTORY);
    if (fd >= 0 && fd != STDOUT_FILENO) {
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
    }
}

// --- printing ----------------------------------------------------------------------------------

int terminal_columns() {
    struct winsize ws {};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
        char* end = nullptr;
        const long v = std::strtol(c, &end, 10);
        if (end != c && *end == '\0' && v > 0 && v < 100000) return static_cast<int>(v);
    }
    return 80;
}

std::string fit_line(const std::vector<LinePart>& parts, std::size_t width) {
    std::vector<bool> keep(parts.size(), true);
    const auto joined = [&] {
        std::string s;
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (keep[i]) s += (s.empty() ? "" : ", ") + parts[i].text;
        return s;
    };
    std::string s = joined();
    while (s.size() > width) {
        std::size_t drop = 0;  // the least important part after the first; the later one on a tie
        for (std::size_t i = 1; i < parts.size(); ++i)
            if (keep[i] && (drop == 0 || parts[i].priority <= parts[drop].priority)) drop = i;
        if (drop == 0) break;
        keep[drop] = false;
        s = joined();
    }
    if (s.size() > width) s.resize(width);
    return s;
}

}  // namespace eyemap::cli

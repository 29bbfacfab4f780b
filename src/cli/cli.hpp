// Command-line tool internals: options shared by the subcommands, and the subcommand registrations.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/units.hpp"  // human_bytes for messages and progress
#include "eyemap/eyemap.hpp"

namespace eyemap::cli {

// --- exit codes --------------------------------------------------------------------------------
// 0 ok, 1 usage, 2 bad input, 3 file error, 4 internal error (README "Command line", --help).
//
// The rule: an error about the command line itself is a usage error, exit 1: an unknown or
// malformed option or value, a value out of its range, options that do not go together (-o FILE
// with several output files, --layer without PNG/PDF output, a --format the file name contradicts),
// a missing required option. It is found by CLI11, by the commands (UsageError), or by the
// library's option validation (the Renderer constructor, parse_formats, parse_shard,
// validate_run_name), which check_options() turns into a UsageError; all before any input file is
// read, except -o FILE with several output files, which needs the data to count them. An option value that is well formed
// but names what the input files do not hold (a type not in the data, a region or side without
// columns, a layer its region lacks) and any error in an input file's content are bad input, exit 2
// (eyemap::Error of kind input). A file that cannot be read or written is 3 (kind io), a bug 4.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// Throws a UsageError "OPTION VALUE: WHAT" (either may be empty).
[[noreturn]] void usage_error(std::string_view option, std::string_view value, std::string_view what);
// The command-line option a library option field is set from ("hex_size" -> "--hex-size");
// anything else is returned as it is.
std::string option_name(std::string_view field);
// Runs `check` (option validation): an eyemap::Error of kind input that names an option field but
// no file or line becomes a UsageError naming the option as the user types it. Errors in files it
// reads (the Renderer's --templates) name the file, or no field, and stay input errors (exit 2).
template <class F>
decltype(auto) check_options(F&& check) {
    try {
        return std::forward<F>(check)();
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::input && e.where().file.empty() && e.where().line == 0 && !e.where().field.empty())
            usage_error(option_name(e.where().field), e.where().value, e.reason());
        throw;
    }
}

// An old option name that still works for one release but is not shown in --help: it sets the
// same variable as `name` and prints a note naming the new spelling.
template <class T>
CLI::Option* add_hidden_alias(CLI::App& app, const std::string& old_name, const std::string& name, T& target) {
    return app.add_option(old_name, target)
        ->group("")
        ->each([old_name, name](const std::string&) {
            std::fprintf(stderr, "eyemap: note: %s is now %s; the old name goes away in the next release\n", old_name.c_str(), name.c_str());
        });
}

// --- standard output ---------------------------------------------------------------------------
// Every command writes standard output only through these: each write is checked, and so are the
// final flush and close (finish_stdout, called by main and before any exit()); a failure is an io
// error (exit 3) naming standard output, never a silent exit 0.
void write_stdout(std::string_view bytes, bool flush = false);
template <class... Args>
void print_stdout(fmt::format_string<Args...> f, Args&&... args) {
    write_stdout(fmt::format(f, std::forward<Args>(args)...));
}
// Flushes and closes standard output; throws io if anything written was lost. A standard output
// that was closed from the start is an error only if something was written to it.
void finish_stdout();
// At start-up: a closed descriptor 1 is held by a descriptor no write can succeed on, so no file the
// command opens takes its place (its bytes would land in that file) and writes fail loudly.
void guard_closed_stdout();

// The width of the terminal on standard error (TIOCGWINSZ), else $COLUMNS, else 80.
int terminal_columns();
// One part of a status line, with its importance: fit_line drops the least important first.
struct LinePart {
    std::string text;
    int priority = 0;  // higher: kept longer
};
// Joins the parts (", " between them) into at most `width` characters: drops the least important
// parts first (the first part is always kept), then truncates.
std::string fit_line(const std::vector<LinePart>& parts, std::size_t width);

// A CLI11 validator for an option with a fixed set of values: refuses any other value with
// "value 'x': expected one of 'a', 'b'; did you mean 'a'?" (the name equal ignoring case, else
// the closest), which main() prints after "eyemap: error: --option: " as every usage error.
CLI::Validator one_of(std::vector<std::string> choices);
// The same suggestion alone: "; did you mean 'a'?" or "".
std::string did_you_mean(std::string_view value, std::span<const std::string> choices);

// For a CLI11 ExtrasError: "unknown option '--hex-sise' for 'eyemap render'; did you mean
// '--hex-size'?" lines for each unknown long option of argv, "" when argv has none.
std::string unknown_option_messages(const CLI::App& app, int argc, const char* const* argv);

// Options every rendering command takes: inputs, the rendering options of the schema
// (core/option_schema.cpp) that the command has, --style and --style-file.
struct CommonOptions {
    std::string data;
    std::string columns;
    std::string regions;
    bool stats = false;
    std::string stats_json;
    // Rendering options by schema name: the text given on the command line, if any.
    std::map<std::string, std::optional<std::string>, std::less<>> given;
    std::vector<std::string> styles;  // --style KEY=VALUE, in order (after --style-file)
    std::string style_file;           // --style-file FILE: a JSON object {KEY: VALUE}
    std::string metric = "both";      // --metric: "both" (the default metrics) or NAME[,NAME...]
    std::vector<std::string> labels;  // --label NAME=TEXT: a value metric's label
    std::vector<std::string> looks;   // --metric-look NAME:KEY=VALUE (RenderOptions::metric_looks)
    std::vector<std::string> units;   // --unit NAME=TEXT: its unit
    std::string marks;                      // --marks FILE: column sets to mark (RenderOptions::marks)
    std::vector<std::string> mark_styles;   // --mark-style SET=STYLE, in order
    std::vector<std::string> mark_colours;  // --mark-colour SET=#rrggbb, in order
    // The metrics --metric names, in order, duplicates dropped; empty for "both". Notes an old alias
    // on standard error (once per call).
    std::vector<Metric> metrics() const;
    // The value columns to read: the names in --metric that are not counts.
    std::vector<std::string> value_columns() const;
    // The text given for a rendering option, "" if none.
    std::string text(std::string_view field) const;
    // The layout when --columns is '-' (standard input), read once; else read_column_layout.
    ColumnLayout column_layout(const RegionSet& regions) const;
    // Refuses --data - together with --columns - (standard input can be read only once).
    void check_inputs() const;

    // Inputs, statistics, --style/--style-file, and the flags of the schema's rendering options
    // (flag, help, range and default from the schema): those every rendering command has, and `extra`.
    void add_to(CLI::App& app, bool data_required, std::initializer_list<std::string_view> extra);
    // At the end of a command: prints/writes the renderer's statistics as asked (--stats also
    // prints the cache table).
    void report(const Renderer& renderer) const;
    RegionSet region_set() const;
    // The data (--data) with its layout (--columns, or the columns seen in the data); "ingest" timed in `stats`.
    // `types` (render's --type): only their rows are kept (load_dataset), the file is still checked.
    Dataset dataset(const RegionSet& regions, Stats& stats, std::span<const std::string> types = {}) const;
    // Every rendering option given, the style file, then each --style (validated by the Renderer).
    RenderOptions render_options() const;

    // A comparison (eyemap/compare.hpp): --baseline FILE and/or --baseline-type NAME, --compare MODE,
    // --label-a/--label-b. Added by add_compare_to (render, figure, batch).
    // --compare and --compare-colormap default to CompareOptions' defaults.
    std::string baseline, baseline_type, compare{to_string(CompareOptions{}.mode)}, compare_colormap = CompareOptions{}.colormap, label_a, label_b;
    void add_compare_to(CLI::App& app, bool with_baseline_type = true);
    bool comparing() const noexcept { return !baseline.empty() || !baseline_type.empty(); }
    // The options, checked (usage errors naming the flag). `type_a`: A's type when one is drawn (the
    // labels' default when both types come from one file).
    CompareOptions compare_options(std::string_view type_a = {}) const;
    // Refuses --compare, --compare-colormap, --label-a and --label-b without a comparison (usage error).
    void check_compare_flags() const;
    // The baseline's data (--baseline, read with the same --columns and --regions), or nullopt when
    // B is a type of the data itself (--baseline-type alone).
    std::optional<Dataset> baseline_dataset(const RegionSet& regions, Stats& stats, std::span<const std::string> types = {}) const;
};
void add_render_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_batch_command(CLI::App& app);  // cmd_batch.cpp
void add_runs_command(CLI::App& app);   // cmd_runs.cpp
void add_stats_command(CLI::App& app);  // cmd_stats.cpp
void add_import_command(CLI::App& app);  // cmd_import.cpp
void add_figure_command(CLI::App& app);  // cmd_figure.cpp


}  // namespace eyemap::cli

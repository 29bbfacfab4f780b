// eyemap command-line tool: subcommands render, figure, sample, batch, runs, stats, import. Exit codes: cli.hpp.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/text.hpp"
#include "eyemap/version.hpp"
#include "output/sink.hpp"

int main(int argc, char** argv) {
    eyemap::cli::guard_closed_stdout();
    eyemap::remove_output_temp_files_on_signals();  // a killed render leaves no temporary file
    CLI::App app{"eyemap: hexagon-grid eyemaps (interactive SVG, PNG, PDF) from per-column connectome data.\n"
                 "Exit codes: 0 ok, 1 usage, 2 bad input, 3 file error, 4 internal error.",
                 "eyemap"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("eyemap ") + std::string(eyemap::kVersion));
    eyemap::cli::add_render_command(app);
    eyemap::cli::add_figure_command(app);
    eyemap::cli::add_sample_command(app);
    eyemap::cli::add_batch_command(app);
    eyemap::cli::add_runs_command(app);
    eyemap::cli::add_stats_command(app);
    eyemap::cli::add_import_command(app);
    try {
        app.parse(argc, argv);
        eyemap::cli::finish_stdout();  // a lost byte of standard output is a file error, exit 3
    } catch (const CLI::ParseError& e) {
        // --help/--version exit 0; every usage error is 1, as --help promises (CLI11 has its own codes).
        // CLI11 only lists what it did not expect: name the closest option of that subcommand. A
        // mistyped option is the likelier cause of a missing one too (--dat for --data), so first.
        const std::string unknown = eyemap::cli::unknown_option_messages(app, argc, argv);
        // `eyemap montage --help`: help for a command that does not exist is the error, not the main help.
        const bool unknown_command = unknown.find("unknown command") != std::string::npos;
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success) && !unknown_command) {
            std::ostringstream help;  // written through the checked standard output
            app.exit(e, help, std::cerr);
            try {
                eyemap::cli::write_stdout(help.str());
                eyemap::cli::finish_stdout();
            } catch (const eyemap::Error& w) {
                fmt::print(stderr, "eyemap: error: {}\n", w.what());
                return w.exit_code();
            }
            return 0;
        }
        fmt::print(stderr, "{}", unknown);
        // Every other usage error in the one format: "eyemap: error: <what>" (CLI11's own text after it).
        if (unknown.empty() || (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr && !unknown_command))
            fmt::print(stderr, "eyemap: error: {}\n", eyemap::terminal_text(e.what()));
        fmt::print(stderr, "Run with --help for more information.\n");
        return 1;
    } catch (const eyemap::cli::UsageError& e) {
        // The option's value as typed may hold terminal escapes (a link template, a label): shown inert.
        fmt::print(stderr, "eyemap: error: {}\nRun with --help for more information.\n", eyemap::terminal_text(e.what()));
        return 1;
    } catch (const eyemap::Error& e) {
        fmt::print(stderr, "eyemap: error: {}\n", e.what());
        return e.exit_code();
    } catch (const std::filesystem::filesystem_error& e) {
        fmt::print(stderr, "eyemap: error: {}\n", eyemap::terminal_text(e.what()));
        return 3;
    } catch (const std::exception& e) {
        fmt::print(stderr, "eyemap: internal error: {}\n", e.what());
        return 4;
    }
    return 0;
}

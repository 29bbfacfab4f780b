// eyemap command-line tool: subcommands render, sample (and more as they land).
#include <cstdio>
#include <exception>
#include <filesystem>

#include <fmt/format.h>

#include "cli.hpp"
#include "eyemap/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"eyemap: hexagon-grid eyemaps (interactive SVG, PNG, PDF) from per-column connectome data.\n"
                 "Exit codes: 0 ok, 1 usage, 2 bad input, 3 file error, 4 internal error."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("eyemap ") + std::string(eyemap::kVersion));
    eyemap::cli::add_render_command(app);
    eyemap::cli::add_sample_command(app);
    eyemap::cli::add_batch_command(app);
    eyemap::cli::add_runs_command(app);
    eyemap::cli::add_stats_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help/--version exit 0; every usage error is 1, as --help promises (CLI11 has its own codes).
        return app.exit(e) == 0 ? 0 : 1;
    } catch (const eyemap::Error& e) {
        fmt::print(stderr, "eyemap: error: {}\n", e.what());
        return e.exit_code();
    } catch (const std::filesystem::filesystem_error& e) {
        fmt::print(stderr, "eyemap: error: {}\n", e.what());
        return 3;
    } catch (const std::exception& e) {
        fmt::print(stderr, "eyemap: internal error: {}\n", e.what());
        return 4;
    }
    return 0;
}

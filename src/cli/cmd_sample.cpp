// `eyemap sample`: writes a deterministic synthetic dataset (data.csv, columns.csv).
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "cli.hpp"
#include "eyemap/sample.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {

void add_sample_command(CLI::App& app) {
    struct Args {
        std::string out_dir;
        std::size_t types = 6;
        std::uint64_t seed = 1;
        bool no_layers = false;
    };
    auto args = std::make_shared<Args>();
    auto* sub = app.add_subcommand("sample", "Write a synthetic optic-lobe-like dataset (data.csv, columns.csv)");
    sub->footer("The layout has ~900 columns per eye (ME all, LO and LOP fewer), both sides; each type has a\n"
                "hot spot and a per-layer profile. The same options always give the same bytes.");
    sub->add_option("--out-dir", args->out_dir, "Folder to write data.csv and columns.csv into")->type_name("DIR")->required();
    sub->add_option("--types", args->types, "Number of neuron types")->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))->capture_default_str();
    sub->add_option("--seed", args->seed, "Random seed")->capture_default_str();
    sub->add_flag("--no-layers", args->no_layers, "Leave out the per-layer columns");
    sub->callback([args] {
        ensure_directory(args->out_dir);
        const auto layout = sample_layout(args->seed);
        std::ostringstream cols;
        write_layout_csv(cols, layout);
        write_file_atomic(std::filesystem::path(args->out_dir) / "columns.csv", cols.str());
        // The data file can be huge: stream it to a temporary name, then rename.
        const auto final_path = std::filesystem::path(args->out_dir) / "data.csv";
        const auto tmp = std::filesystem::path(args->out_dir) / ".data.csv.tmp";
        std::uint64_t rows = 0;
        {
            std::ofstream out(tmp, std::ios::binary);
            if (!out) throw_io("cannot create file", tmp.string());
            rows = write_sample_data(out, layout, SampleOptions{args->types, args->seed, !args->no_layers});
            out.flush();
            if (!out) {
                std::filesystem::remove(tmp);
                throw_io("cannot write file", tmp.string());
            }
        }
        std::error_code ec;
        std::filesystem::rename(tmp, final_path, ec);
        if (ec) {
            std::filesystem::remove(tmp, ec);
            throw_io(fmt::format("cannot rename into place: {}", ec.message()), final_path.string());
        }
        fmt::print(stderr, "wrote {} ({} types, {} rows) and {} ({} layout rows)\n", final_path.string(), args->types, rows,
                   (std::filesystem::path(args->out_dir) / "columns.csv").string(), layout.entries.size());
    });
}

}  // namespace eyemap::cli

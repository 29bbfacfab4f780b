// Ingest stage: CSV rows per second, on a generated large CSV and on the real files of
// ../shared/data/optic-lobe (parsed from memory: the file read is not part of the stage).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "bench_common.hpp"

using namespace eyemap;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

// ~150,000 rows, ~8.8 MB (60 synthetic types on the two-sided real layout, per-layer synapses and cells).
const std::string& generated_csv() {
    static const std::string csv = bench::sample_csv(bench::real_layout_two_sided(), 60, 11);
    return csv;
}

std::size_t count_rows(const std::string& csv) {
    std::size_t n = 0;
    for (char c : csv) n += c == '\n';
    return n - 1;  // header
}

void report(benchmark::State& state, const std::string& text) {
    const auto rows = count_rows(text);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));  // items/s = rows/s
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["bytes"] = static_cast<double>(text.size());
}

// Whole-table parse (rows kept, duplicate check): what `eyemap render` does.
void BM_IngestTable_Generated(benchmark::State& state) {
    const auto& csv = generated_csv();
    for (auto _ : state) benchmark::DoNotOptimize(parse_column_table(csv, "generated"));
    report(state, csv);
}
BENCHMARK(BM_IngestTable_Generated)->Unit(benchmark::kMillisecond);

// Streaming reader, one reused row: what the batch does (no table in memory).
void BM_IngestStream_Generated(benchmark::State& state) {
    const auto& csv = generated_csv();
    static const RegionSet regions = builtin_regions();
    for (auto _ : state) {
        std::istringstream in(csv);
        ColumnRowReader reader(in, "generated", regions);  // keeps a reference: must outlive it
        ColumnRow row;
        std::size_t n = 0;
        while (reader.next(row)) ++n;
        benchmark::DoNotOptimize(n);
    }
    report(state, csv);
}
BENCHMARK(BM_IngestStream_Generated)->Unit(benchmark::kMillisecond);

// Real files.
void BM_IngestReal_ColumnsCsv(benchmark::State& state) {
    static const std::string text = slurp(std::string(bench::real_dir()) + "columns.csv");
    for (auto _ : state) benchmark::DoNotOptimize(parse_column_layout(text, "columns.csv"));
    report(state, text);
}
BENCHMARK(BM_IngestReal_ColumnsCsv)->Unit(benchmark::kMicrosecond);

void BM_IngestReal_MeCellsCsv(benchmark::State& state) {
    static const std::string text = slurp(std::string(bench::real_dir()) + "me_cells.csv");
    for (auto _ : state) benchmark::DoNotOptimize(parse_column_table(text, "me_cells.csv"));
    report(state, text);
}
BENCHMARK(BM_IngestReal_MeCellsCsv)->Unit(benchmark::kMicrosecond);

// column_synapses.csv has no neuron_type column (one value per column): a constant one is prepended.
void BM_IngestReal_ColumnSynapsesCsv(benchmark::State& state) {
    static const std::string text = [] {
        std::istringstream in(slurp(std::string(bench::real_dir()) + "column_synapses.csv"));
        std::string line, out;
        bool header = true;
        while (std::getline(in, line)) {
            out += header ? "neuron_type," : "columnar,";
            out += line;
            out += '\n';
            header = false;
        }
        return out;
    }();
    for (auto _ : state) benchmark::DoNotOptimize(parse_column_table(text, "column_synapses.csv"));
    report(state, text);
}
BENCHMARK(BM_IngestReal_ColumnSynapsesCsv)->Unit(benchmark::kMicrosecond);

// Grouping a parsed table by type and preparing the layout (the rest of loading a dataset).
void BM_MakeDataset_Generated(benchmark::State& state) {
    const auto table = parse_column_table(generated_csv(), "generated");
    const auto layout = bench::real_layout_two_sided();
    for (auto _ : state) {
        state.PauseTiming();
        ColumnTable copy = table;
        state.ResumeTiming();
        benchmark::DoNotOptimize(make_dataset(std::move(copy), layout));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * table.rows.size()));
}
BENCHMARK(BM_MakeDataset_Generated)->Unit(benchmark::kMillisecond);

}  // namespace

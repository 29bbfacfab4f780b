// The batch from Python: run_batch / run_batch_to_directory in a C++ thread with the GIL released;
// the calling thread polls for signals (Ctrl-C -> BatchOptions::cancel, a clean stop, then the
// KeyboardInterrupt is raised) and calls the progress callback with the live counters.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include <pybind11/stl.h>

#include "binding.hpp"
#include "core/throw.hpp"
#include "ingest/data_file.hpp"

namespace eyemap::py {
namespace {

namespace fs = std::filesystem;

pyb::dict summary_dict(const BatchSummary& s) {
    pyb::dict d;
    d["rows_read"] = s.rows_read;
    d["types_seen"] = s.types_seen;
    d["types_in_shard"] = s.types_in_shard;
    d["types_rendered"] = s.types_rendered;
    d["types_reused"] = s.types_reused;
    d["eyemaps_rendered"] = s.eyemaps_rendered;
    d["files"] = s.files;
    d["bytes"] = s.bytes;
    d["cancelled"] = s.cancelled;
    d["seconds"] = s.seconds;
    return d;
}

pyb::dict counters_dict(const BatchCounters& c, const DataFileSource* src, std::uint64_t types_total) {
    pyb::dict d;
    d["rows_read"] = c.rows_read.load();
    d["types_read"] = c.types_read.load();
    d["types_done"] = c.types_done.load();
    d["types_reused"] = c.types_reused.load();
    d["eyemaps_done"] = c.eyemaps_done.load();
    d["files_done"] = c.files_done.load();
    d["bytes_out"] = c.bytes_out.load();
    d["bytes_read"] = src ? src->bytes_read() : 0;
    d["file_size"] = src ? src->file_size() : 0;
    d["types_total"] = types_total;
    return d;
}

pyb::dict run(const pyb::object& input, const pyb::object& layout_path, const pyb::object& regions_json, const PyRenderer& rend,
              const pyb::dict& opts, const pyb::object& out_dir, const pyb::object& sink, const pyb::object& progress, double interval) {
    BatchOptions bo;
    PageOptions pages;
    std::string run_name, data_label, columns_label;
    bool resume = false;
    std::shared_ptr<const Dataset> baseline;  // a comparison's B, with its options
    CompareOptions compare;
    for (auto [k, v] : opts) {
        const std::string key = pyb::str(k).cast<std::string>();
        if (key == "formats") bo.formats = parse_formats(v.cast<std::string>(), "formats");
        else if (key == "requests") {
            if (!v.is_none())
                for (auto t : v) bo.requests.push_back(request_from(t));
        } else if (key == "pages") pages.make = v.cast<bool>();
        else if (key == "jobs") {
            const auto j = v.cast<long long>();
            if (j < 0 || j > 256) throw_input("must be 0 (one per core) .. 256", ErrorLocation{{}, 0, "jobs", std::to_string(j)});
            bo.jobs = static_cast<unsigned>(j);
        } else if (key == "shard") {
            if (!v.is_none()) bo.shard = parse_shard(v.cast<std::string>());
        } else if (key == "run") {
            if (!v.is_none()) run_name = v.cast<std::string>();
        } else if (key == "resume") resume = v.cast<bool>();
        else if (key == "baseline") {
            if (!v.is_none()) baseline = v.cast<const PyDataset&>().data;
        } else if (key == "compare") {
            if (!v.is_none()) compare = compare_options_from(v.cast<pyb::dict>());
        } else throw_input("unknown batch option", ErrorLocation{{}, 0, key, {}});
    }
    const bool to_dir = !out_dir.is_none();
    const bool memory = !to_dir && pyb::isinstance<pyb::str>(sink) && sink.cast<std::string>() == "memory";
    const bool callable = !to_dir && !memory && !sink.is_none();
    if (callable && !PyCallable_Check(sink.ptr())) throw_input("sink must be None, 'memory' or a callable(type, path, data)", ErrorLocation{{}, 0, "sink", {}});
    if (!to_dir && resume) throw_input("resume needs a run folder (out_dir)", ErrorLocation{{}, 0, "resume", {}});

    // The input: a dataset (rows already in memory, grouped by type) or a data file (streamed).
    std::shared_ptr<const Dataset> data;
    std::unique_ptr<DataFileSource> file;
    std::shared_ptr<const ColumnIndex> index;
    RowSource rows;
    std::uint64_t types_total = 0;
    if (pyb::isinstance<PyDataset>(input)) {
        const auto& ds = input.cast<const PyDataset&>();
        data = ds.data;
        index = data->index;
        types_total = data->types.size();
        bo.source_name = data->source;
        data_label = data->source;
        rows = [d = data.get(), t = std::size_t{0}, r = std::size_t{0}](ColumnRow& row) mutable {
            while (t < d->types.size() && r >= d->types[t].rows.size()) ++t, r = 0;
            if (t >= d->types.size()) return false;
            row = d->types[t].rows[r++];
            row.neuron_type = d->types[t].neuron_type;  // a Dataset's rows may leave it to their TypeRows
            return true;
        };
    } else {
        const std::string path = pyb::str(pyb::module_::import("os").attr("fspath")(input)).cast<std::string>();
        const RegionSet regions = regions_from(regions_json);
        pyb::gil_scoped_release nogil;
        ColumnLayout layout;
        if (!layout_path.is_none()) {
            pyb::gil_scoped_acquire gil;
            columns_label = pyb::str(pyb::module_::import("os").attr("fspath")(layout_path)).cast<std::string>();
        }
        layout = columns_label.empty() ? layout_from_data_file(path, regions) : read_column_layout(columns_label, regions);  // as `eyemap batch`
        index = index_columns(layout, regions);
        // The value columns the requests draw (a CSV is read by name, as `eyemap batch --metric` does).
        std::vector<std::string> values;
        for (const auto& r : bo.requests)
            if (!r.metric.is_count() && std::find(values.begin(), values.end(), r.metric.name()) == values.end()) values.push_back(r.metric.name());
        file = std::make_unique<DataFileSource>(path, regions, values);
        bo.source_name = path;
        data_label = path;
    }

    if (baseline) {
        // As `eyemap batch --baseline`: without a layout file, the comparison is drawn on the two
        // datasets' columns together (the types' own eyemaps keep the data's layout).
        bo.baseline = make_batch_baseline(*baseline, compare, columns_label.empty() ? joint_index(index, baseline->index) : nullptr);
    }

    fs::path run_dir;
    if (to_dir) {
        const fs::path dir = pyb::str(pyb::module_::import("os").attr("fspath")(out_dir)).cast<std::string>();
        if (run_name.empty() && resume) {
            auto runs = list_runs(dir);
            if (runs.empty()) throw_input("no run to resume in this folder; give run=NAME", ErrorLocation{dir.string(), 0, "resume", {}});
            run_name = runs.back().name;
        }
        if (run_name.empty()) {
            std::error_code ec;
            fs::create_directories(dir, ec);
            run_name = default_run_name(dir);
        }
        validate_run_name(run_name);
        run_dir = dir / run_name;
    }

    std::atomic<bool> cancel{false};
    bo.cancel = &cancel;
    BatchCounters counters;
    std::mutex files_mu;
    std::vector<std::pair<std::string, std::string>> files;
    BatchCallbacks callbacks;
    if (memory)
        callbacks.output = [&](const BatchOutput& o) {
            std::lock_guard lk(files_mu);
            files.emplace_back(o.output.path, std::string(o.bytes));
        };
    else if (callable)
        callbacks.output = [&](const BatchOutput& o) {
            pyb::gil_scoped_acquire gil;
            sink(text(o.type.neuron_type), o.output.path, pyb::bytes(o.bytes.data(), o.bytes.size()));
        };

    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    std::exception_ptr error;
    BatchSummary summary;
    DirectoryBatchResult dres;
    const TableColumns columns = data ? data->columns : file->columns();
    std::thread worker([&] {
        try {
            const BatchInput in = file ? BatchInput(*file) : BatchInput(rows, columns);
            if (to_dir) {
                DirectoryBatchOptions d;
                d.run_dir = run_dir;
                d.run_name = run_name;
                d.resume = resume;
                d.data_label = data_label;
                d.columns_label = columns_label;
                d.pages = pages;
                dres = run_batch_to_directory(in, *index, *rend.r, bo, d, &counters);
                summary = dres.summary;
            } else {
                if (pages.make) add_type_pages(callbacks, columns, *index, *rend.r, bo, pages);
                summary = run_batch(in, *index, *rend.r, bo, callbacks, &counters);
            }
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lk(mu);
            finished = true;
        }
        cv.notify_all();
    });

    // Poll: signals (Ctrl-C) and the progress callback, in this (the calling) thread.
    std::optional<pyb::error_already_set> interrupted;
    const auto period = std::chrono::milliseconds(static_cast<long>(std::max(0.02, interval) * 1000));
    for (;;) {
        {
            pyb::gil_scoped_release nogil;
            std::unique_lock lk(mu);
            cv.wait_for(lk, period, [&] { return finished; });
            if (finished) break;
        }
        if (interrupted) continue;  // stopping: wait for the workers to finish or drop their types
        if (PyErr_CheckSignals() != 0) {
            interrupted.emplace();  // fetches the KeyboardInterrupt (or whatever the handler raised)
            cancel.store(true);
            continue;
        }
        if (!progress.is_none()) {
            try {
                progress(counters_dict(counters, file.get(), types_total), false);
            } catch (pyb::error_already_set& e) {
                interrupted.emplace(std::move(e));
                cancel.store(true);
            }
        }
    }
    worker.join();
    if (!progress.is_none() && !interrupted) progress(counters_dict(counters, file.get(), types_total), true);
    if (interrupted) {
        interrupted->restore();
        throw pyb::error_already_set();
    }
    if (error) std::rethrow_exception(error);

    pyb::dict out = summary_dict(summary);
    out["jobs"] = bo.jobs;
    if (to_dir) {
        out["run"] = run_name;
        out["run_dir"] = run_dir.string();
        out["manifest"] = dres.manifest.string();
        out["index_types"] = dres.index_types;
        out["stale_temp_removed"] = dres.stale_temp_removed;
    }
    if (memory) {
        pyb::dict fd;
        for (auto& [path, bytes] : files) fd[pyb::str(path)] = pyb::bytes(bytes);
        out["files"] = fd;
    }
    return out;
}

}  // namespace

void register_batch(pyb::module_& m) {
    m.def("_run_batch", &run, pyb::arg("input"), pyb::arg("layout"), pyb::arg("regions_json"), pyb::arg("renderer"), pyb::arg("options"),
          pyb::arg("out_dir"), pyb::arg("sink"), pyb::arg("progress"), pyb::arg("interval"));
    // A named dataset's input identity as the CLI gives it: the data file's digest (a run manifest's data_digest).
    m.def("_data_file_digest", [](const std::string& path) -> std::optional<std::string> {
        std::error_code ec;
        std::uint64_t digest = 0, bytes = 0;
        if (!std::filesystem::is_regular_file(path, ec) || !detail::data_file_identity(path, digest, bytes)) return std::nullopt;
        return fmt::format("{:016x}", digest);
    });
}

}  // namespace eyemap::py

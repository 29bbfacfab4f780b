// Retention of run folders under an output folder: names, protection, list and clean.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <unordered_set>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;
using detail::DirLock;
using detail::has_manifest;
using detail::kProtectFile;

namespace {

std::string mtime_iso(const fs::path& p) {
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    if (ec) return {};
    return detail::iso_time_utc(std::chrono::time_point_cast<std::chrono::system_clock::duration>(std::chrono::file_clock::to_sys(t)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Runs

void validate_run_name(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 100 && name[0] != '.';
    for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '-');
    if (!ok)
        throw_input("a run name is letters, digits, '.', '_' and '-' (at most 100, not starting with '.')",
                    ErrorLocation{{}, 0, "--run", std::string(name)});
}

std::string default_run_name(const fs::path& out_dir) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    std::string name = buf;
    std::error_code ec;
    for (int k = 2; fs::exists(out_dir / name, ec); ++k) name = fmt::format("{}-{}", buf, k);
    return name;
}

bool is_run_protected(const fs::path& run_dir) {
    std::error_code ec;
    return fs::exists(run_dir / kProtectFile, ec);
}

void detail::refuse_linked_run(const fs::path& run_dir) {
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(run_dir, ec)))
        throw_io("is a symbolic link; eyemap does not follow links inside an output folder (remove it)", run_dir.string());
}

void set_run_protected(const fs::path& run_dir, bool on) {
    detail::refuse_linked_run(run_dir);
    std::error_code ec;
    if (!fs::is_directory(run_dir, ec) || !has_manifest(run_dir))
        throw_input("not a batch run folder (no manifest*.json)", ErrorLocation{run_dir.string(), 0, {}, {}});
    if (on) {
        write_file_atomic(run_dir / kProtectFile, "This run is protected: 'eyemap runs clean' keeps it. Remove with 'eyemap runs unprotect'.\n");
    } else {
        fs::remove(run_dir / kProtectFile, ec);
        if (ec) throw_io(fmt::format("cannot remove: {}", ec.message()), (run_dir / kProtectFile).string());
    }
}

std::vector<RunInfo> list_runs(const fs::path& out_dir) {
    std::error_code ec;
    if (!fs::is_directory(out_dir, ec)) throw_input("no such folder", ErrorLocation{out_dir.string(), 0, "--out-dir", {}});
    std::vector<RunInfo> runs;
    for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sec;
        const auto type = it->symlink_status(sec).type();
        const fs::path dir = it->path();
        if (type == fs::file_type::symlink) {
            // Seen, not read: the batch refuses to write through it, so nothing here follows it.
            std::error_code lec;
            if (fs::is_directory(dir, lec) && has_manifest(dir)) {
                RunInfo r;
                r.name = dir.filename().string();
                r.path = dir;
                r.linked = true;
                runs.push_back(std::move(r));
            }
            continue;
        }
        if (type != fs::file_type::directory) continue;
        if (!has_manifest(dir)) continue;
        RunInfo r;
        r.name = dir.filename().string();
        r.path = dir;
        r.is_protected = is_run_protected(dir);
        try {
            std::unordered_set<std::string> names;  // a type in several manifests (shards, then a resume) counts once
            bool whole = false;                     // an unsharded manifest is complete
            std::uint32_t shard_count = 0;
            std::unordered_set<std::uint32_t> shards_done;
            bool shards_ok = true;
            for (const auto& [p, m] : read_run_manifests(dir)) {
                if (r.started.empty() || (!m.started.empty() && m.started < r.started)) r.started = m.started;
                if (!m.shard.sharded()) {
                    whole = whole || m.complete;
                } else {
                    if (shard_count && shard_count != m.shard.count) shards_ok = false;
                    shard_count = m.shard.count;
                    if (m.complete) shards_done.insert(m.shard.index);
                }
                for (const auto& t : m.types) names.insert(t.neuron_type);
            }
            r.types = names.size();
            // Complete: an unsharded run finished, or every shard of one sharding did.
            r.complete = whole || (shards_ok && shard_count > 0 && shards_done.size() == shard_count);
        } catch (const Error&) {
            r.complete = false;
        }
        if (r.started.empty()) r.started = mtime_iso(dir);
        std::error_code wec;
        for (fs::recursive_directory_iterator w(dir, fs::directory_options::skip_permission_denied, wec), wend; !wec && w != wend;
             w.increment(wec)) {
            std::error_code fec;
            if (w->symlink_status(fec).type() == fs::file_type::regular) {
                r.bytes += w->file_size(fec);
                ++r.files;
            }
        }
        DirLock probe(dir, LOCK_EX);
        r.in_use = probe.opened() && !probe.locked();
        runs.push_back(std::move(r));
    }
    std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) {
        return a.started != b.started ? a.started < b.started : a.name < b.name;
    });
    return runs;
}

CleanResult clean_runs(const fs::path& out_dir, std::size_t keep, bool dry_run) {
    CleanResult res;
    auto runs = list_runs(out_dir);
    std::erase_if(runs, [](const RunInfo& r) { return r.linked; });  // not followed, so not ours to remove
    if (runs.size() <= keep) return res;
    const std::size_t beyond = runs.size() - keep;
    for (std::size_t i = 0; i < beyond; ++i) {
        auto& r = runs[i];
        if (r.is_protected) {
            res.kept_protected.push_back(std::move(r));
            continue;
        }
        DirLock lock(r.path, LOCK_EX);  // held while deleting, so no batch starts writing into it
        if (!lock.opened() || !lock.locked()) {
            r.in_use = true;
            res.kept_in_use.push_back(std::move(r));
            continue;
        }
        if (!dry_run) {
            std::error_code ec;
            fs::remove_all(r.path, ec);
            if (ec) throw_io(fmt::format("cannot remove run: {}", ec.message()), r.path.string());
        }
        res.bytes_freed += r.bytes;
        res.removed.push_back(std::move(r));
    }
    return res;
}

}  // namespace eyemap

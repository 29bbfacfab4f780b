// The run-folder writer: run_batch fed into a run folder (atomic files, the shard lock, the manifest
// rewritten as types finish, resume, pages, index and report).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "batch/settings_hash.hpp"
#include "core/hash.hpp"
#include "core/read_file.hpp"
#include "eyemap/error.hpp"
#include "eyemap/stats.hpp"
#include "output/naming.hpp"
#include "output/report.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;
using detail::DirLock;
using detail::iso_time_utc;
using detail::manifest_json;
using detail::merge_types;
using detail::type_line;
using detail::write_index;

namespace {

// Temp files of write_file_atomic (".<name>.tmp-<host>-<pid>-<n>") left by a process of this host
// that no longer runs (temp_file_is_stale); another host's files are never touched.
std::size_t remove_stale_temp_files(const fs::path& run_dir) {
    std::size_t removed = 0;
    const std::string host = temp_host_id();
    const long self = static_cast<long>(::getpid());
    auto scan = [&](const fs::path& dir) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string n = it->path().filename().string();
            if (!temp_file_is_stale(n, host, self, local_pid_alive)) continue;
            std::error_code rec;
            if (fs::remove(it->path(), rec)) ++removed;
        }
    };
    scan(run_dir);
    for (std::string_view sub : detail::run_subfolders()) {
        std::error_code sec;
        if (fs::symlink_status(run_dir / sub, sec).type() == fs::file_type::directory) scan(run_dir / sub);
    }
    return removed;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Batch into a run folder

namespace {

// One writer per (run, shard): an exclusive flock on ".<run>.lock-<manifest name>" beside the run
// folder (so that it can be taken before the folder exists: two writers of a new run race for it,
// not for the folder). The file holds the holder's host, pid and start time for the message a
// second writer gets. flock works across machines on NFSv4 (as fcntl locks) and is released when
// the process dies.
class ShardLock {
public:
    ShardLock(const fs::path& run_path, const std::string& manifest_name) {
        const fs::path run_dir = run_path.has_filename() ? run_path : run_path.parent_path();  // "out/r/" is "out/r"
        const fs::path parent = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
        // One fmt::format, not `"." + string + ...`: GCC 12 inlines that operator+ (an insert at 0, and
        // likewise assigning a literal to a string member) into a memcpy it cannot prove
        // non-overlapping and warned -Wrestrict (GCC bug 105329) on every build.
        name_ = fmt::format(".{}.lock-{}", run_dir.filename().string(), manifest_name);
        const std::string shown = (parent / name_).string();
        std::error_code cec;
        fs::create_directories(parent, cec);
        if (cec) throw_io(fmt::format("cannot create folder: {}", cec.message()), parent.string());
        dir_fd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd_ < 0) throw_io(fmt::format("cannot open folder: {}", std::strerror(errno)), parent.string());
        try {
            acquire(shown, manifest_name, run_dir);
        } catch (...) {
            ::close(dir_fd_);
            throw;
        }
    }
    ~ShardLock() {
        if (fd_ >= 0) {
            ::unlinkat(dir_fd_, name_.c_str(), 0);  // while still held: the next writer makes a fresh one
            ::close(fd_);
        }
        ::close(dir_fd_);
    }
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;

private:
    void acquire(const std::string& shown, const std::string& manifest_name, const fs::path& run_dir) {
        // The holder removes the file when it is done; a file removed between our open and our
        // flock is not the lock any more: open again (the usual lock-file-with-unlink pattern).
        for (int attempt = 0;; ++attempt) {
            fd_ = ::openat(dir_fd_, name_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
            if (fd_ < 0) throw_io(fmt::format("cannot open lock file: {}", std::strerror(errno)), shown);
            int r;
            do r = ::flock(fd_, LOCK_EX | LOCK_NB);
            while (r != 0 && errno == EINTR);
            if (r != 0) {
                const int err = errno;
                char buf[512] = {};
                // The holder writes its name right after it locks: give it a moment.
                ssize_t n = 0;
                for (int wait = 0; err == EWOULDBLOCK && wait < 50 && (n = ::pread(fd_, buf, sizeof buf - 1, 0)) <= 0; ++wait)
                    ::usleep(10'000);
                std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
                while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
                ::close(fd_);
                fd_ = -1;
                if (err != EWOULDBLOCK) throw_io(fmt::format("cannot lock: {}", std::strerror(err)), shown);
                throw_input(fmt::format("another eyemap batch is writing {} of this run ({}; lock file {}); wait for it to finish, "
                                        "or use another --run",
                                        manifest_name, holder, shown),
                            ErrorLocation{run_dir.string(), 0, {}, {}});
            }
            struct stat a {}, b {};
            if (::fstat(fd_, &a) == 0 && ::fstatat(dir_fd_, name_.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
                a.st_dev == b.st_dev)
                break;
            ::close(fd_);
            fd_ = -1;
            if (attempt > 100) throw_io("cannot lock: the lock file keeps changing", shown);
        }
        const std::string me = fmt::format("host {} pid {} since {}\n", temp_host_id(), static_cast<long>(::getpid()),
                                           iso_time_utc(std::chrono::system_clock::now()));
        if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, me.data(), me.size(), 0);
    }

    std::string name_;
    int dir_fd_ = -1;
    int fd_ = -1;
};

// The run folder as this writer holds it: descriptors of the folder and its subfolders, opened
// without following symbolic links, and its locks.
struct RunFolder {
    fs::path dir;
    int fd = -1;
    std::map<std::string, int, std::less<>> sub;
    std::unique_ptr<DirLock> dir_lock;
    std::unique_ptr<ShardLock> shard_lock;
    ~RunFolder() {
        shard_lock.reset();
        dir_lock.reset();
        for (auto& [n, f] : sub) ::close(f);
        if (fd >= 0) ::close(fd);
    }
    void write(std::string_view rel, std::string_view bytes, bool durable = false) const {
        const auto slash = rel.find('/');
        const std::string shown = (dir / std::string(rel)).string();
        if (slash == std::string_view::npos) return write_file_atomic_at(fd, rel, bytes, shown, durable);
        auto it = sub.find(rel.substr(0, slash));
        if (it == sub.end()) throw_internal(fmt::format("no folder for output {}", rel));
        write_file_atomic_at(it->second, rel.substr(slash + 1), bytes, shown, durable);
    }
};

}  // namespace

DirectoryBatchResult run_batch_to_directory(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer,
                                            const BatchOptions& options, const DirectoryBatchOptions& dir, BatchCounters* counters) {
    const TableColumns& columns = input.columns;
    DirectoryBatchResult result;
    const fs::path& run_dir = dir.run_dir;
    std::error_code ec;
    const bool existed = fs::exists(fs::symlink_status(run_dir, ec));
    if (existed && is_run_protected(run_dir))
        throw_input("this run is protected; unprotect it first (eyemap runs unprotect) or choose another --run",
                    ErrorLocation{run_dir.string(), 0, {}, {}});

    const std::string manifest_name = manifest_file_name(options.shard);
    result.manifest = run_dir / manifest_name;

    // One writer per (run, shard): the lock beside the folder is taken at once for an existing run
    // (resume reads it), for a new one when the options and the first type's rows are valid and
    // before anything is rendered (BatchCallbacks::start), so a second writer of a new run is
    // refused before it renders. The folder is made only when there is something to put in it: an
    // existing run at once, a new one when its first type is done. Invalid options or rows fail
    // before either and leave nothing behind.
    RunFolder folder;
    folder.dir = run_dir;
    std::atomic<bool> materialized{false};
    auto lock_shard = [&] {
        if (!folder.shard_lock) folder.shard_lock = std::make_unique<ShardLock>(run_dir, manifest_name);
    };
    auto materialize = [&] {
        lock_shard();  // held already, unless no type was in the shard
        const fs::path parent = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
        std::error_code cec;
        fs::create_directories(parent, cec);
        if (cec) throw_io(fmt::format("cannot create folder: {}", cec.message()), parent.string());
        const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) throw_io(fmt::format("cannot open folder: {}", std::strerror(errno)), parent.string());
        try {
            folder.fd = open_subdir_nofollow(pfd, run_dir.filename().string(), run_dir.string(), true);
        } catch (...) {
            ::close(pfd);
            throw;
        }
        ::close(pfd);
        if (is_run_protected(run_dir))
            throw_input("this run is protected; unprotect it first (eyemap runs unprotect) or choose another --run",
                        ErrorLocation{run_dir.string(), 0, {}, {}});
        folder.dir_lock = std::make_unique<DirLock>(run_dir, LOCK_SH);
        if (!folder.dir_lock->opened()) throw_io("cannot open folder", run_dir.string());
        if (!folder.dir_lock->locked()) throw_io("the run folder is being removed by 'eyemap runs clean'", run_dir.string());
        if (existed) result.stale_temp_removed = remove_stale_temp_files(run_dir);
        for (std::string_view n : detail::run_subfolders(options.formats, options.pages))
            if (!folder.sub.count(n)) folder.sub.emplace(std::string(n), open_subdir_nofollow(folder.fd, n, (run_dir / n).string(), true));
    };
    if (existed) {
        lock_shard();
        materialize();
        materialized = true;
    }

    // What earlier runs into this folder made: every manifest (so a shard can pick up types an
    // unsharded attempt made and the other way round); its own manifest's records are carried over.
    std::unordered_map<std::string, TypeRecord> previous;
    std::vector<TypeRecord> own_previous;
    std::string started = iso_time_utc(std::chrono::system_clock::now());
    if (dir.resume && existed) {
        auto manifests = read_run_manifests(run_dir);
        for (auto& [path, m] : manifests)
            if (path.filename() == manifest_name) {
                own_previous = m.types;
                if (!m.started.empty()) started = m.started;
            }
        for (auto& t : merge_types(manifests)) {
            auto name = t.neuron_type;
            previous.emplace(std::move(name), std::move(t));
        }
    }

    Manifest m;
    m.tool = std::string(batch_tool_version());
    m.run = dir.run_name;
    m.shard = options.shard;
    m.started = started;
    m.data = dir.data_label;
    m.columns = dir.columns_label;
    m.formats = options.formats;
    m.pages = options.pages;
    m.settings_hash = detail::batch_settings_hash(columns, layout, renderer);
    if (options.shard_plan) m.plan = options.shard_plan->source;

    // The manifest's state: per finished type only its JSON line (dumped once), so memory stays
    // small and a rewrite is a concatenation. Rewrites are spaced so that they cost at most ~10% of
    // the time (a manifest of thousands of types takes a while to write).
    struct Line {
        std::uint64_t seq;
        std::string name, json;
    };
    std::vector<Line> carried;  // this manifest's earlier records (resume), until their type is done again
    for (const auto& rec : own_previous) carried.push_back(Line{rec.seq, rec.neuron_type, type_line(rec)});
    own_previous.clear();
    std::mutex mu;  // guards done, done_names, last_flush, flush_cost
    std::map<std::uint64_t, std::string> done;
    std::unordered_set<std::string> done_names;
    auto last_flush = std::chrono::steady_clock::time_point{};  // the first finished type is recorded at once
    std::chrono::steady_clock::duration flush_cost{};
    const OpId manifest_op = renderer.stats().op("batch_manifest");
    auto flush_locked = [&](bool durable) {
        ScopedTimer t(&renderer.stats(), manifest_op);
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::pair<std::uint64_t, const std::string*>> lines;
        lines.reserve(done.size() + carried.size());
        for (const auto& [seq, json] : done) lines.emplace_back(seq, &json);
        if (!m.complete)  // types of an earlier attempt not redone yet stay known
            for (const auto& c : carried)
                if (!done_names.count(c.name)) lines.emplace_back(c.seq, &c.json);
        std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<const std::string*> ptrs;
        ptrs.reserve(lines.size());
        for (const auto& l : lines) ptrs.push_back(l.second);
        m.updated = iso_time_utc(std::chrono::system_clock::now());
        const std::string text = manifest_json(m, ptrs);
        t.add_bytes(text.size());
        folder.write(manifest_name, text, durable);
        last_flush = std::chrono::steady_clock::now();
        flush_cost = last_flush - t0;
    };

    // Files made before the folder exists wait here (the first types' files; bounded by the types
    // in flight), and are written when the first type is done.
    std::mutex mat_mu;
    std::vector<std::pair<std::string, std::string>> pending;
    auto ensure_materialized = [&] {
        if (materialized.load(std::memory_order_acquire)) return;
        std::lock_guard lk(mat_mu);
        if (materialized.load()) return;
        materialize();
        for (const auto& [path, bytes] : pending) folder.write(path, bytes);
        pending.clear();
        materialized.store(true, std::memory_order_release);
    };

    // Content hashes of the files written, by path, until their type's record is made.
    std::mutex content_mu;
    std::unordered_map<std::string, std::uint64_t> content;
    BatchCallbacks cb;
    const OpId write_op = renderer.stats().op("write");
    cb.output = [&](const BatchOutput& o) {
        {
            ScopedTimer t(&renderer.stats(), write_op);
            bool written = false;
            if (!materialized.load(std::memory_order_acquire)) {
                std::lock_guard lk(mat_mu);
                if (!materialized.load()) {
                    pending.emplace_back(o.output.path, std::string(o.bytes));
                    written = true;
                }
            }
            if (!written) folder.write(o.output.path, o.bytes);
            t.add_bytes(o.bytes.size());
        }
        const std::uint64_t h = hash_bytes(o.bytes);
        std::lock_guard lk(content_mu);
        content[o.output.path] = h;
    };
    cb.start = lock_shard;  // once, before the first type is checked or rendered
    cb.type_done = [&](const TypeRecord& done_rec) {
        ensure_materialized();
        TypeRecord rec = done_rec;
        {
            std::lock_guard lk(content_mu);
            for (auto& out : rec.outputs)
                if (auto it = content.find(out.path); it != content.end()) {
                    out.content_hash = it->second;
                    content.erase(it);
                }
        }
        std::string json = type_line(rec);
        std::lock_guard lk(mu);
        done_names.insert(rec.neuron_type);
        done[rec.seq] = std::move(json);
        const auto since = std::chrono::steady_clock::now() - last_flush;
        if (since >= dir.manifest_interval && since >= 10 * flush_cost) flush_locked(false);
    };
    if (dir.resume)
        cb.up_to_date = [&](TypeRecord& planned) {
            auto it = previous.find(planned.neuron_type);
            if (it == previous.end()) return false;
            const TypeRecord& old = it->second;
            if (old.outputs.size() != planned.outputs.size() || old.eyemaps.size() != planned.eyemaps.size()) return false;
            for (std::size_t i = 0; i < old.outputs.size(); ++i) {
                const auto& a = old.outputs[i];
                const auto& b = planned.outputs[i];
                if (a.path != b.path || a.input_hash != b.input_hash || a.eyemap != b.eyemap) return false;
                std::error_code fec;
                const auto st = fs::symlink_status(run_dir / a.path, fec);
                if (fec || st.type() != fs::file_type::regular) return false;
                const auto size = fs::file_size(run_dir / a.path, fec);
                if (fec || size != a.bytes) return false;
            }
            for (std::size_t i = 0; i < old.eyemaps.size(); ++i) {
                const auto& a = old.eyemaps[i].request;
                const auto& b = planned.eyemaps[i].request;
                if (a.region != b.region || a.side != b.side || a.metric != b.metric) return false;
            }
            for (std::size_t i = 0; i < old.outputs.size(); ++i) {
                planned.outputs[i].bytes = old.outputs[i].bytes;
                planned.outputs[i].content_hash = old.outputs[i].content_hash;
            }
            for (std::size_t i = 0; i < old.eyemaps.size(); ++i) planned.eyemaps[i] = old.eyemaps[i];
            return true;
        };

    try {
        result.summary = run_batch(input, layout, renderer, options, cb, counters);
    } catch (...) {
        if (materialized.load()) {
            std::lock_guard lk(mu);
            m.complete = false;
            try {
                flush_locked(false);
            } catch (...) {
            }
        }
        throw;
    }
    // An interrupted run that finished no type leaves nothing behind; anything else is recorded.
    if (!materialized.load() && result.summary.cancelled && done.empty()) return result;
    ensure_materialized();
    {
        std::lock_guard lk(mu);
        m.complete = !result.summary.cancelled;
        m.cancelled = result.summary.cancelled;
        // Durable completion: every file on disk before the manifest says so, the manifest after.
        if (m.complete && dir.sync) sync_directory_tree(run_dir);
        flush_locked(m.complete && dir.sync);
    }
    // The run report (report.html, linked from the index) of an unsharded run with pages, written last
    // so that it has the index's time too.
    const bool report = options.pages && !options.shard.sharded();
    if (options.pages) result.index_types = write_index(run_dir, renderer.templates(), &renderer.stats(), report);
    if (report) write_run_report(run_dir, dir.run_name, renderer, manifest_from_json(read_regular_file(result.manifest, kMaxManifestBytes, "manifest"), result.manifest.string()).types);
    return result;
}

}  // namespace eyemap

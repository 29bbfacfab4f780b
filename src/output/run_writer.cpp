// The run-folder writer: run_batch fed into a run folder (atomic files, the shard lock, the manifest
// rewritten as types finish, resume, pages, index and report).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
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
#include "core/throw.hpp"
#include "eyemap/stats.hpp"
#include "ingest/data_file.hpp"
#include "output/naming.hpp"
#include "output/report.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;
using detail::DirLock;
using detail::content_hash_of;
using detail::iso_time_utc;
using detail::kManifestTail;
using detail::manifest_head;
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
    void write(std::string_view rel, std::string_view bytes, Durability durability = Durability::none) const {
        const auto [dir_fd, name] = locate(rel);
        write_file_atomic_at(dir_fd, name, bytes, (dir / std::string(rel)).string(), durability);
    }
    void sync_file(std::string_view rel) const {
        const auto [dir_fd, name] = locate(rel);
        sync_file_at(dir_fd, name, (dir / std::string(rel)).string());
    }
    // The folders' names (renames) after their files' data: the run folder, then the folder holding it
    // (a new run's own name).
    void sync_folders() const {
        for (const auto& [n, f] : sub) sync_folder(f, (dir / n).string());
        sync_folder(fd, dir.string());
        const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
        const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) throw_io(fmt::format("cannot open folder to flush it to disk: {}", std::strerror(errno)), parent.string());
        try {
            sync_folder(pfd, parent.string());
        } catch (...) {
            ::close(pfd);
            throw;
        }
        ::close(pfd);
    }

private:
    // A run-relative path ("svg/x.svg", "manifest.json") as its folder's descriptor and file name.
    std::pair<int, std::string_view> locate(std::string_view rel) const {
        const auto slash = rel.find('/');
        if (slash == std::string_view::npos) return {fd, rel};
        auto it = sub.find(rel.substr(0, slash));
        if (it == sub.end()) throw_internal(fmt::format("no folder for output {}", rel));
        return {it->second, rel.substr(slash + 1)};
    }
};

// One batch written into a run folder. The folder is made only when there is something to put in it:
// an existing run at once, a new one when its first type is done; invalid options or rows fail before
// and leave nothing behind. One writer per (run, shard): the lock beside the folder is taken at once
// for an existing run (resume reads it), for a new one when the options and the first type's rows are
// valid and before anything is rendered (BatchCallbacks::start), so a second writer of a new run is
// refused before it renders.
class RunWriter {
public:
    RunWriter(const Renderer& renderer, const BatchOptions& options, const DirectoryBatchOptions& dir)
        : renderer_(renderer), options_(options), dir_(dir), run_dir_(dir.run_dir), manifest_name_(manifest_file_name(options.shard)),
          manifest_op_(renderer.stats().op("batch_manifest")), write_op_(renderer.stats().op("write")) {
        std::error_code ec;
        existed_ = fs::exists(fs::symlink_status(run_dir_, ec));
        if (existed_ && is_run_protected(run_dir_)) refuse_protected();
        result_.manifest = run_dir_ / manifest_name_;
        folder_.dir = run_dir_;
        if (existed_) {
            lock_shard();
            materialize();
            materialized_ = true;
        }
    }

    // The manifest's header and what earlier runs into this folder made: every manifest (so a shard
    // can pick up types an unsharded attempt made and the other way round); its own manifest's
    // records are carried until their type is done again.
    void prepare(const TableColumns& columns, const ColumnIndex& layout) {
        std::vector<TypeRecord> own_previous;
        std::string started = iso_time_utc(std::chrono::system_clock::now());
        if (dir_.resume && existed_) {
            auto manifests = read_run_manifests(run_dir_);
            // Content hashes made another way (a manifest from before issue 26): a reused file is checked
            // against its recorded hash and gets a new one (up_to_date); a carried line has none.
            for (auto& [path, m] : manifests)
                if (m.content_hash != m_.content_hash)
                    for (const auto& t : m.types) rehash_types_.insert(t.neuron_type);
            for (auto& [path, m] : manifests)
                if (path.filename() == manifest_name_) {
                    own_previous = m.types;
                    if (m.content_hash != m_.content_hash)
                        for (auto& t : own_previous)
                            for (auto& o : t.outputs) o.content_hash = 0;
                    if (!m.started.empty()) started = m.started;
                }
            for (auto& t : merge_types(manifests)) {
                auto name = t.neuron_type;
                previous_.emplace(std::move(name), std::move(t));
            }
        }
        m_.tool = std::string(batch_tool_version());
        m_.run = dir_.run_name;
        m_.shard = options_.shard;
        m_.started = started;
        m_.data = dir_.data_label;
        m_.columns = dir_.columns_label;
        m_.formats = options_.formats;
        m_.pages = dir_.pages.make;
        m_.settings_hash = detail::batch_settings_hash(columns, layout, renderer_, options_.baseline.get());
        m_.links = release_links(renderer_.options());
        if (const auto& b = options_.baseline) {
            Manifest::Baseline mb{absolute_label(b->data.source), b->options.mode, b->options.label_a, b->options.label_b, b->options.colormap, {}};
            for (const auto& t : b->data.types) mb.types.push_back(t.neuron_type);
            m_.baseline = std::move(mb);
        }
        if (options_.shard_plan) m_.plan = absolute_label(options_.shard_plan->source);
        for (const auto& rec : own_previous) carried_.push_back(Line{rec.seq, rec.neuron_type, spool().append(type_line(rec, m_.content_hash))});
    }

    BatchCallbacks callbacks() {
        BatchCallbacks cb;
        cb.output = [this](const BatchOutput& o) { output(o); };
        cb.start = [this] { lock_shard(); };  // once, before the first type is checked or rendered
        cb.type_done = [this](const TypeRecord& rec) { type_done(rec); };
        if (dir_.resume) cb.up_to_date = [this](TypeRecord& planned) { return up_to_date(planned); };
        return cb;
    }

    // The batch failed: record the types finished (best effort; the batch's error is what matters).
    void failed() {
        if (!materialized_.load()) return;
        std::lock_guard lk(manifest_mu_);
        m_.complete = false;
        try {
            flush_locked(false);
        } catch (...) {
        }
    }

    // Where the rows come from: a file's names are recorded absolute, so the commands `runs verify`
    // prints run from any folder; rows from a program (a DataFrame) are recorded as such.
    void record_source(const BatchInput& input) {
        input_ = &input;
        if (input.file && m_.data != "-") m_.data = absolute_label(m_.data);
        m_.columns = absolute_label(m_.columns);
    }

    DirectoryBatchResult finish(const BatchSummary& summary) {
        result_.summary = summary;
        // An interrupted run that finished no type leaves nothing behind; anything else is recorded.
        if (!materialized_.load() && summary.cancelled && done_.empty()) return result_;
        ensure_materialized();
        {
            std::lock_guard lk(manifest_mu_);
            m_.complete = !summary.cancelled;
            m_.cancelled = summary.cancelled;
            if (m_.complete) record_input_identity(summary);
            // Durable completion: every file on disk before the manifest says so, the manifest after.
            if (m_.complete && dir_.sync) {
                sync_types(0);
                folder_.sync_folders();
            }
            flush_locked(m_.complete && dir_.sync);
        }
        // The run report (report.html, linked from the index) of an unsharded run with pages, written
        // last so that it has the index's time too.
        const bool report = dir_.pages.make && !options_.shard.sharded();
        if (dir_.pages.make) result_.index_types = write_index(run_dir_, renderer_.templates(), &renderer_.stats(), report);
        if (report) {  // its bytes per format from the manifest, read a type at a time
            FormatBytesTally formats;
            detail::ManifestFile(result_.manifest).read([&](TypeRecord&& t) { formats.add(t); });
            write_run_report(run_dir_, dir_.run_name, renderer_, formats.result());
        }
        return result_;
    }

private:
    static std::string absolute_label(const std::string& name) {
        if (name.empty() || name == "-") return name;
        std::error_code ec;
        const fs::path a = fs::absolute(name, ec);
        return ec ? name : a.lexically_normal().string();
    }

    // What the whole input was (a complete run read all of it): compared across shards by `runs verify`.
    void record_input_identity(const BatchSummary& summary) {
        InputIdentity& id = m_.input;
        id.known = true;
        id.types = summary.types_seen;
        id.from_file = input_ && input_->file;
        if (id.from_file) {
            const auto& f = DataFileSource::Access::impl(*input_->file);
            id.data_digest = f.data_digest();
            id.data_bytes = f.count.load(std::memory_order_relaxed);
        }
        if (const auto& plan = options_.shard_plan) {
            HashBuilder h;
            h.add(plan->count);
            for (const auto& e : plan->types) h.add(std::string_view(e.name)).add(e.rows).add(e.shard);
            id.plan_hash = h.digest();
        }
    }

    [[noreturn]] void refuse_protected() const {
        throw_input("this run is protected; unprotect it first (eyemap runs unprotect) or choose another --run",
                    ErrorLocation{run_dir_.string(), 0, {}, {}});
    }

    void lock_shard() {
        if (!folder_.shard_lock) folder_.shard_lock = std::make_unique<ShardLock>(run_dir_, manifest_name_);
    }

    void materialize() {
        lock_shard();  // held already, unless no type was in the shard
        const fs::path parent = run_dir_.has_parent_path() ? run_dir_.parent_path() : fs::path(".");
        std::error_code cec;
        fs::create_directories(parent, cec);
        if (cec) throw_io(fmt::format("cannot create folder: {}", cec.message()), parent.string());
        const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) throw_io(fmt::format("cannot open folder: {}", std::strerror(errno)), parent.string());
        try {
            folder_.fd = open_subdir_nofollow(pfd, run_dir_.filename().string(), run_dir_.string(), true);
        } catch (...) {
            ::close(pfd);
            throw;
        }
        ::close(pfd);
        if (is_run_protected(run_dir_)) refuse_protected();
        folder_.dir_lock = std::make_unique<DirLock>(run_dir_, LOCK_SH);
        if (!folder_.dir_lock->opened()) throw_io("cannot open folder", run_dir_.string());
        if (!folder_.dir_lock->locked()) throw_io("the run folder is being removed by 'eyemap runs clean'", run_dir_.string());
        if (existed_) result_.stale_temp_removed = remove_stale_temp_files(run_dir_);
        for (std::string_view n : detail::run_subfolders(options_.formats, dir_.pages.make))
            if (!folder_.sub.count(n)) folder_.sub.emplace(std::string(n), open_subdir_nofollow(folder_.fd, n, (run_dir_ / n).string(), true));
    }

    // Files made before the folder exists wait in pending_ (the first types' files; bounded by the
    // types in flight), and are written when the first type is done.
    void ensure_materialized() {
        if (materialized_.load(std::memory_order_acquire)) return;
        std::lock_guard lk(pending_mu_);
        if (materialized_.load()) return;
        materialize();
        for (const auto& [path, bytes] : pending_) folder_.write(path, bytes, output_durability());
        pending_.clear();
        materialized_.store(true, std::memory_order_release);
    }

    void output(const BatchOutput& o) {
        {
            ScopedTimer t(&renderer_.stats(), write_op_);
            bool written = false;
            if (!materialized_.load(std::memory_order_acquire)) {
                std::lock_guard lk(pending_mu_);
                if (!materialized_.load()) {
                    pending_.emplace_back(o.output.path, std::string(o.bytes));
                    written = true;
                }
            }
            if (!written) folder_.write(o.output.path, o.bytes, output_durability());
            t.add_bytes(o.bytes.size());
        }
        const std::uint64_t h = content_hash_of(m_.content_hash, o.bytes);  // fixed before the first output
        std::lock_guard lk(content_mu_);
        content_[o.output.path] = h;
    }

    void type_done(const TypeRecord& done_rec) {
        ensure_materialized();
        TypeRecord rec = done_rec;
        {
            std::lock_guard lk(content_mu_);
            for (auto& out : rec.outputs)
                if (auto it = content_.find(out.path); it != content_.end()) {
                    out.content_hash = it->second;
                    content_.erase(it);
                }
        }
        std::string json = type_line(rec, m_.content_hash);
        if (dir_.sync) {
            {
                std::lock_guard lk(sync_mu_);
                std::vector<std::string> paths;
                paths.reserve(rec.outputs.size());
                for (const auto& out : rec.outputs) paths.push_back(out.path);
                unsynced_.push_back(std::move(paths));
            }
            sync_types(kTypesInFlight);
        }
        std::lock_guard lk(manifest_mu_);
        done_names_.insert(rec.neuron_type);
        done_[rec.seq] = spool().append(json);
        // Rewrites are spaced so that they cost at most ~10% of the time (a manifest of thousands of
        // types takes a while to write).
        const auto since = std::chrono::steady_clock::now() - last_flush_;
        if (since >= dir_.manifest_interval && since >= 10 * flush_cost_) flush_locked(false);
    }

    // Resume: up to date when an earlier run recorded the same paths, input hashes and requests and
    // every file is there with its recorded size.
    bool up_to_date(TypeRecord& planned) const {
        auto it = previous_.find(planned.neuron_type);
        if (it == previous_.end()) return false;
        const TypeRecord& old = it->second;
        if (old.outputs.size() != planned.outputs.size() || old.eyemaps.size() != planned.eyemaps.size()) return false;
        for (std::size_t i = 0; i < old.outputs.size(); ++i) {
            const auto& a = old.outputs[i];
            const auto& b = planned.outputs[i];
            if (a.path != b.path || a.input_hash != b.input_hash || a.eyemap != b.eyemap) return false;
            std::error_code fec;
            const auto st = fs::symlink_status(run_dir_ / a.path, fec);
            if (fec || st.type() != fs::file_type::regular) return false;
            const auto size = fs::file_size(run_dir_ / a.path, fec);
            if (fec || size != a.bytes) return false;
        }
        for (std::size_t i = 0; i < old.eyemaps.size(); ++i) {
            const auto& a = old.eyemaps[i].request;
            const auto& b = planned.eyemaps[i].request;
            if (a.region != b.region || a.side != b.side || a.metric != b.metric) return false;
        }
        // No content hash recorded, or one made another way (rehash_types_): made from the file, which
        // must still have the recorded one; a file that cannot be read or has changed is not up to date.
        const bool rehash = rehash_types_.count(planned.neuron_type) > 0;
        std::vector<std::uint64_t> content(old.outputs.size());
        for (std::size_t i = 0; i < old.outputs.size(); ++i) {
            content[i] = old.outputs[i].content_hash;
            if (content[i] != 0 && !rehash) continue;
            std::string bytes;
            try {
                bytes = read_regular_file(run_dir_ / old.outputs[i].path, old.outputs[i].bytes, "output");
            } catch (const Error&) {
                return false;
            }
            if (rehash && content[i] != 0 && content_hash_of(ContentHash::hash64, bytes) != content[i]) return false;
            content[i] = content_hash_of(m_.content_hash, bytes);
        }
        for (std::size_t i = 0; i < old.outputs.size(); ++i) {
            planned.outputs[i].bytes = old.outputs[i].bytes;
            planned.outputs[i].content_hash = content[i];
        }
        for (std::size_t i = 0; i < old.eyemaps.size(); ++i) planned.eyemaps[i] = old.eyemaps[i];
        return true;
    }

    // A durable run's files are written with their writeback started at once (Durability::writeback);
    // each finished type's files are then fdatasync'ed by the worker that finishes a type `lag` types
    // later, when their writeback has mostly completed, so the wait overlaps with rendering and covers
    // only this run's files (syncfs would wait for every process's dirty data on the file system).
    // The end of the run syncs the last ones (lag 0), then the folders.
    static constexpr std::size_t kTypesInFlight = 8;
    Durability output_durability() const noexcept { return dir_.sync ? Durability::writeback : Durability::none; }
    void sync_types(std::size_t lag) {
        for (;;) {
            std::vector<std::string> paths;
            {
                std::lock_guard lk(sync_mu_);
                if (unsynced_.size() <= lag) return;
                paths = std::move(unsynced_.front());
                unsynced_.pop_front();
            }
            for (const auto& p : paths) folder_.sync_file(p);
        }
    }

    // Writes the manifest: the finished types' lines (and, while incomplete, an earlier attempt's
    // types not redone yet), in input order. Caller holds manifest_mu_.
    void flush_locked(bool durable) {
        ScopedTimer t(&renderer_.stats(), manifest_op_);
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::pair<std::uint64_t, detail::Spool::Span>> lines;
        lines.reserve(done_.size() + carried_.size());
        for (const auto& [seq, span] : done_) lines.emplace_back(seq, span);
        if (!m_.complete)
            for (const auto& c : carried_)
                if (!done_names_.count(c.name)) lines.emplace_back(c.seq, c.span);
        std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        m_.updated = iso_time_utc(std::chrono::system_clock::now());
        std::uint64_t bytes = 0;
        // Streamed in pieces of about 1 MB: the whole manifest is never in memory.
        const auto produce = [&](const ByteWriter& write) {
            std::string piece = manifest_head(m_, lines.size());
            for (std::size_t i = 0; i < lines.size(); ++i) {
                spool_->read(lines[i].second, piece);
                piece += i + 1 < lines.size() ? ",\n" : "\n";
                if (piece.size() >= (1u << 20)) {
                    write(piece);
                    bytes += piece.size();
                    piece.clear();
                }
            }
            piece += kManifestTail;
            write(piece);
            bytes += piece.size();
        };
        const std::string shown = (run_dir_ / manifest_name_).string();
        write_file_atomic_at(folder_.fd, manifest_name_, produce, shown, durable ? Durability::full : Durability::none);
        t.add_bytes(bytes);
        last_flush_ = std::chrono::steady_clock::now();
        flush_cost_ = last_flush_ - t0;
    }

    const Renderer& renderer_;
    const BatchOptions& options_;
    const DirectoryBatchOptions& dir_;
    const fs::path& run_dir_;
    const std::string manifest_name_;
    const OpId manifest_op_, write_op_;
    bool existed_ = false;
    DirectoryBatchResult result_;
    RunFolder folder_;
    std::atomic<bool> materialized_{false};
    std::unordered_map<std::string, TypeRecord> previous_;  // resume: every manifest's types, by name
    std::unordered_set<std::string> rehash_types_;          // resume: types of manifests with another content hash (hash64)

    // The manifest's state: per finished type only where its JSON line (dumped once) is in the spool,
    // so memory stays flat in the number of types and a rewrite is a concatenation. Guarded by manifest_mu_.
    struct Line {
        std::uint64_t seq;
        std::string name;
        detail::Spool::Span span;
    };
    std::mutex manifest_mu_;
    Manifest m_;
    std::vector<Line> carried_;  // this manifest's earlier records (resume), until their type is done again
    std::map<std::uint64_t, detail::Spool::Span> done_;
    // The lines of done_ and carried_: made on first use, in the run folder (open by then).
    std::optional<detail::Spool> spool_;
    detail::Spool& spool() {
        if (!spool_) spool_.emplace(run_dir_, folder_.fd, "the manifest's records");
        return *spool_;
    }
    std::unordered_set<std::string> done_names_;
    std::chrono::steady_clock::time_point last_flush_{};  // the first finished type is recorded at once
    std::chrono::steady_clock::duration flush_cost_{};

    std::mutex sync_mu_;  // durable runs: finished types' files not fdatasync'ed yet, oldest first
    std::deque<std::vector<std::string>> unsynced_;

    const BatchInput* input_ = nullptr;
    std::mutex pending_mu_;  // files made before the folder exists
    std::vector<std::pair<std::string, std::string>> pending_;
    std::mutex content_mu_;  // content hashes of the files written, by path, until their type's record is made
    std::unordered_map<std::string, std::uint64_t> content_;
};

}  // namespace

DirectoryBatchResult run_batch_to_directory(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer,
                                            const BatchOptions& options, const DirectoryBatchOptions& dir, BatchCounters* counters) {
    RunWriter writer(renderer, options, dir);
    writer.prepare(input.columns, layout);
    writer.record_source(input);
    BatchSummary summary;
    try {
        BatchCallbacks callbacks = writer.callbacks();
        if (dir.pages.make) add_type_pages(callbacks, input.columns, layout, renderer, options, dir.pages);
        summary = run_batch(input, layout, renderer, options, callbacks, counters);
    } catch (...) {
        writer.failed();
        throw;
    }
    return writer.finish(summary);
}

detail::Spool::Spool(const fs::path& dir, int dir_fd, std::string what) : dir_(dir), what_(std::move(what)) {
    fd_ = ::openat(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ >= 0) return;
    const std::string name = temp_file_name("spool", temp_host_id(), static_cast<long>(::getpid()), 0);
    fd_ = ::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw_io(fmt::format("cannot create a file for {}: {}", what_, std::strerror(errno)), dir_.string());
    ::unlinkat(dir_fd, name.c_str(), 0);
}

detail::Spool::~Spool() { ::close(fd_); }

detail::Spool::Span detail::Spool::append(std::string_view bytes) {
    const Span span{end_, bytes.size()};
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_io(fmt::format("cannot keep {}: {}", what_, std::strerror(n < 0 ? errno : EIO)), dir_.string());
        done += static_cast<std::size_t>(n);
    }
    end_ += bytes.size();
    return span;
}

void detail::Spool::read(Span span, std::string& out) const {
    const std::size_t at = out.size();
    out.resize(at + span.size);
    for (std::size_t done = 0; done < span.size;) {
        const ssize_t n = ::pread(fd_, out.data() + at + done, span.size - done, static_cast<off_t>(span.offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_io(fmt::format("cannot read {} back: {}", what_, n < 0 ? std::strerror(errno) : "file shorter than written"), dir_.string());
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace eyemap

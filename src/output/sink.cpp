// Atomic file output (temp file in the same folder, write, rename) and safe file names.
#include "output/sink.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <random>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "core/hash.hpp"

namespace eyemap {
namespace {

std::atomic<unsigned> g_counter{0};

// A per-process random start, so numbers differ between processes even when pids repeat (pid
// namespaces, containers); splitmix64 of start + counter is a bijection, so unique per call.
std::uint64_t next_unique() {
    static const std::uint64_t start = [] {
        std::random_device rd;
        return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ static_cast<std::uint64_t>(::getpid());
    }();
    return mix64(start + 0x9e3779b97f4a7c15ULL * (g_counter.fetch_add(1, std::memory_order_relaxed) + 1));
}

bool is_safe_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// "-" followed by 16 lower-case hex digits at the end: the shape of our own suffix.
bool ends_like_suffix(std::string_view s) {
    if (s.size() < 17 || s[s.size() - 17] != '-') return false;
    for (char c : s.substr(s.size() - 16))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool is_reserved_device(std::string_view s) {
    // Windows device names stay reserved with any extension ("CON.svg"), in any case.
    std::string stem(s.substr(0, s.find('.')));
    for (auto& c : stem) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    static constexpr std::string_view kReserved[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
    for (auto r : kReserved)
        if (stem == r) return true;
    if (stem.size() == 4 && (stem.starts_with("COM") || stem.starts_with("LPT")) && stem[3] >= '0' && stem[3] <= '9') return true;
    return false;
}

// Over a file-size limit (RLIMIT_FSIZE, `ulimit -f`) write() raises SIGXFSZ, whose default action
// kills the process and would leave the temporary file behind; writing into a FIFO whose reader
// left raises SIGPIPE. While it writes, the thread blocks the signal, so write() fails with EFBIG
// (EPIPE) instead, which is reported; the pending signal is then consumed.
class BlockSignal {
public:
    explicit BlockSignal(int sig) {
        sigemptyset(&set_);
        sigaddset(&set_, sig);
        active_ = ::pthread_sigmask(SIG_BLOCK, &set_, &old_) == 0 && !sigismember(&old_, sig);
    }
    ~BlockSignal() {
        if (!active_) return;
        const timespec zero{0, 0};
        while (::sigtimedwait(&set_, nullptr, &zero) > 0) {
        }
        ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    BlockSignal(const BlockSignal&) = delete;
    BlockSignal& operator=(const BlockSignal&) = delete;

private:
    sigset_t set_{}, old_{};
    bool active_ = false;
};

// Temporary files of write_output_file in progress, for remove_output_temp_files_on_signals: fixed
// slots a signal handler can read (a folder descriptor and a name; -1 free, -2 being filled).
struct TempSlot {
    std::atomic<int> dir_fd{-1};
    char name[320] = {};
};
TempSlot g_temp_slots[64];
std::atomic<bool> g_track_temps{false};

class TrackedTemp {
public:
    TrackedTemp(bool on, int dir_fd, const std::string& name) {
        if (!on || !g_track_temps.load(std::memory_order_relaxed) || name.size() >= sizeof(TempSlot::name)) return;
        for (auto& s : g_temp_slots) {
            int expected = -1;
            if (!s.dir_fd.compare_exchange_strong(expected, -2)) continue;
            std::memcpy(s.name, name.c_str(), name.size() + 1);
            s.dir_fd.store(dir_fd, std::memory_order_release);
            slot_ = &s;
            return;
        }
    }
    ~TrackedTemp() {
        if (slot_) slot_->dir_fd.store(-1, std::memory_order_release);
    }
    TrackedTemp(const TrackedTemp&) = delete;
    TrackedTemp& operator=(const TrackedTemp&) = delete;

private:
    TempSlot* slot_ = nullptr;
};

extern "C" void remove_temps_and_die(int sig) {
    for (auto& s : g_temp_slots) {
        const int fd = s.dir_fd.load(std::memory_order_acquire);
        if (fd >= 0) ::unlinkat(fd, s.name, 0);
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void write_atomic_impl(int dir_fd, std::string_view name, const std::function<void(const ByteWriter&)>& produce, const std::string& shown,
                       Durability durability, bool track);
// The whole file in one piece.
std::function<void(const ByteWriter&)> one_piece(std::string_view bytes) {
    return [bytes](const ByteWriter& write) { write(bytes); };
}

}  // namespace

void write_file_atomic_at(int dir_fd, std::string_view name, std::string_view bytes, const std::string& shown, Durability durability) {
    write_atomic_impl(dir_fd, name, one_piece(bytes), shown, durability, false);
}

void write_file_atomic_at(int dir_fd, std::string_view name, const std::function<void(const ByteWriter&)>& produce,
                          const std::string& shown, Durability durability) {
    write_atomic_impl(dir_fd, name, produce, shown, durability, false);
}

namespace {

void write_atomic_impl(int dir_fd, std::string_view name, const std::function<void(const ByteWriter&)>& produce, const std::string& shown,
                       Durability durability, bool track) {
    const bool durable = durability == Durability::full;
    const std::string target(name);
    if (target.empty() || target == "." || target == ".." || target.find('/') != std::string::npos)
        throw_io("not a file name (empty, or ends with a folder separator)", shown);
    static const std::string host = temp_host_id();
    const std::string tmp = temp_file_name(target, host, static_cast<long>(::getpid()), next_unique());
    // Keep the permission bits of a file being replaced; a new file gets 0666 minus the umask.
    struct stat old {};
    const bool replacing = ::fstatat(dir_fd, target.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
    if (replacing && S_ISDIR(old.st_mode)) throw_io("cannot write file: it is a folder", shown);
    const TrackedTemp tracked(track, dir_fd, tmp);
    const int fd = ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        const int err = errno;
        throw_io(fmt::format("cannot create file: {}", std::strerror(err)), shown);
    }
    bool cleaned = false;  // fail() closed and removed the temporary file
    auto fail = [&](const char* what, int err, bool close_fd) {
        if (close_fd) ::close(fd);
        ::unlinkat(dir_fd, tmp.c_str(), 0);
        cleaned = true;
        throw_io(fmt::format("{}: {} (nothing written; a previous file is unchanged)", what, std::strerror(err)), shown);
    };
    if (replacing && S_ISREG(old.st_mode) && ::fchmod(fd, old.st_mode & 07777) != 0) fail("cannot set permissions", errno, true);
    const BlockSignal no_sigxfsz(SIGXFSZ);
    const ByteWriter write_piece = [&](std::string_view bytes) {
        const char* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write file", errno, true);
            }
            if (n == 0) fail("cannot write file", EIO, true);
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    };
    try {
        produce(write_piece);
    } catch (...) {
        if (!cleaned) {  // the producer's own failure
            ::close(fd);
            ::unlinkat(dir_fd, tmp.c_str(), 0);
        }
        throw;
    }
    if (durable && ::fsync(fd) != 0) fail("cannot flush file to disk", errno, true);
#ifdef __linux__
    // Starts the data's writeback and returns; an error here shows again in sync_file_at's fdatasync.
    if (durability == Durability::writeback) (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    // close() reports delayed write errors on some file systems (NFS, quotas).
    if (::close(fd) != 0) fail("cannot write file", errno, false);
    if (::renameat(dir_fd, tmp.c_str(), dir_fd, target.c_str()) != 0) fail("cannot rename into place", errno, false);
    if (durable && ::fsync(dir_fd) != 0) throw_io(fmt::format("cannot flush folder to disk: {}", std::strerror(errno)), shown);
}

// write_file_atomic, optionally tracked for remove_output_temp_files_on_signals.
void write_atomic_path(const std::filesystem::path& path, std::string_view bytes, bool track) {
    if (path.empty() || !path.has_filename())
        throw_io("not a file name (empty, or ends with a folder separator)", path.string());
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        const int err = errno;
        throw_io(fmt::format("cannot create file: {}", std::strerror(err)), path.string());
    }
    try {
        write_atomic_impl(dfd, path.filename().string(), one_piece(bytes), path.string(), Durability::none, track);
    } catch (...) {
        ::close(dfd);
        throw;
    }
    ::close(dfd);
}

// `cat > target` for a FIFO or character device: no temporary file, no rename.
void write_stream(const std::filesystem::path& target, std::string_view bytes, const std::string& shown,
                  const std::function<bool()>& interrupted) {
    const auto stop = [&] { return interrupted && interrupted(); };
    int fd = -1;
    while ((fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
        const int err = errno;
        if (err != EINTR) throw_io(fmt::format("cannot open for writing: {}", std::strerror(err)), shown);
        if (stop()) throw_io("interrupted while waiting for a reader (nothing written)", shown);
    }
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0) ::close(fd);
        }
    } closer{fd};
    const BlockSignal no_sigpipe(SIGPIPE);
    const BlockSignal no_sigxfsz(SIGXFSZ);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        const int err = n < 0 ? errno : EIO;
        if (err == EINTR) {
            if (stop()) throw_io(fmt::format("interrupted after {} of {} bytes", done, bytes.size()), shown);
            continue;
        }
        throw_io(fmt::format("cannot write: {} ({} of {} bytes written)", std::strerror(err), done, bytes.size()), shown);
    }
    closer.fd = -1;
    if (::close(fd) != 0) throw_io(fmt::format("cannot write: {}", std::strerror(errno)), shown);
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) { write_atomic_path(path, bytes, false); }

void write_output_file(const std::filesystem::path& path, std::string_view bytes, const std::function<bool()>& interrupted) {
    const std::string shown = path.string();
    if (path.empty() || !path.has_filename()) throw_io("not a file name (empty, or ends with a folder separator)", shown);
    std::filesystem::path target = path;
    for (int links = 0;; ++links) {
        struct stat st {};
        if (::lstat(target.c_str(), &st) != 0) break;  // none (or an unusable folder): the atomic write says why
        if (S_ISREG(st.st_mode)) break;
        if (S_ISDIR(st.st_mode)) throw_io("cannot write file: it is a folder", shown);
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return write_stream(target, bytes, shown, interrupted);
        if (!S_ISLNK(st.st_mode)) throw_io("cannot write file: not a regular file, FIFO or character device", shown);
        // A link: replace what it points to, in that file's folder, and keep the link.
        if (links == 40) throw_io("cannot write file: too many levels of symbolic links", shown);
        std::error_code ec;
        const auto to = std::filesystem::read_symlink(target, ec);
        if (ec) throw_io(fmt::format("cannot read symbolic link: {}", ec.message()), shown);
        target = to.is_absolute() ? to : target.parent_path() / to;
        if (!target.has_filename()) throw_io("cannot write file: the symbolic link points to a folder", shown);
    }
    write_atomic_path(target, bytes, true);
}

void remove_output_temp_files_on_signals() {
    g_track_temps.store(true);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;  // ignored (nohup) or handled: kept
        struct sigaction sa {};
        sa.sa_handler = remove_temps_and_die;
        sigemptyset(&sa.sa_mask);
        ::sigaction(sig, &sa, nullptr);
    }
}

int open_subdir_nofollow(int parent_fd, std::string_view name, const std::string& shown, bool create) {
    const std::string n(name);
    if (create && ::mkdirat(parent_fd, n.c_str(), 0777) != 0 && errno != EEXIST)
        throw_io(fmt::format("cannot create folder: {}", std::strerror(errno)), shown);
    const int fd = ::openat(parent_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        struct stat st {};
        if (::fstatat(parent_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
            throw_io("is a symbolic link; eyemap does not follow links inside an output folder (remove it)", shown);
        throw_io(fmt::format("cannot open folder: {}", std::strerror(err)), shown);
    }
    return fd;
}

void sync_file_at(int dir_fd, std::string_view name, const std::string& shown) {
    const std::string n(name);
    const int fd = ::openat(dir_fd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_io(fmt::format("cannot open file to flush it to disk: {}", std::strerror(errno)), shown);
    const int r = ::fdatasync(fd);
    const int e = errno;
    ::close(fd);
    if (r != 0) throw_io(fmt::format("cannot flush file to disk: {}", std::strerror(e)), shown);
}

void sync_folder(int dir_fd, const std::string& shown) {
    if (::fsync(dir_fd) != 0) throw_io(fmt::format("cannot flush folder to disk: {}", std::strerror(errno)), shown);
}

void ensure_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (std::filesystem::exists(dir, ec)) throw_io("cannot create folder: a file of that name exists", dir.string());
    std::filesystem::create_directories(dir, ec);
    if (ec) throw_io(fmt::format("cannot create folder: {}", ec.message()), dir.string());
}

std::uint64_t file_name_hash(std::string_view name) noexcept { return hash_bytes(name); }

std::string region_file_component(std::string_view region) {
    bool plain = !region.empty() && region.size() <= kMaxSafeNameBytes && region.front() != '.' && region.front() != '-' &&
                 region.back() != '.' && !is_reserved_device(region);
    for (unsigned char c : region) plain = plain && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
    if (plain) {
        std::string folded(region);
        for (auto& c : folded) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (!ends_like_suffix(folded)) return std::string(region);  // never looks like a hashed one
    }
    std::string s = safe_file_name(region);
    if (ends_like_suffix(s) && s != region) s.resize(s.size() - 17);  // its own suffix: replaced below
    for (auto& c : s) {
        if (c == '_') c = '-';
        else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    constexpr std::size_t kSuffix = 17;
    if (s.size() > kMaxSafeNameBytes - kSuffix) s.resize(kMaxSafeNameBytes - kSuffix);
    while (!s.empty() && (s.back() == '.' || s.back() == '-')) s.pop_back();
    if (s.empty() || s.front() == '-' || s.front() == '.') s.insert(s.begin(), 'r');
    return s + fmt::format("-{:016x}", file_name_hash(region));
}

std::string temp_host_id() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host-" + std::to_string(::gethostid());
    const std::string name = buf;
    std::string out;
    for (unsigned char c : name) out.push_back(is_safe_byte(c) && c != '-' ? static_cast<char>(c) : '_');
    if (out.size() > 64) out.resize(64);
    if (out != name) out += fmt::format("~{:08x}", static_cast<std::uint32_t>(hash_bytes(name)));
    // A process in another pid namespace (a container, `unshare --pid`) is another machine for
    // the cleanup: its pids mean nothing here, so a pid that is dead here does not make its files
    // stale. Outside the initial namespace the namespace's id is part of the host id.
    constexpr ino_t kInitialPidNamespace = 0xEFFFFFFCu;  // PROC_PID_INIT_INO
    struct stat ns {};
    if (::stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != kInitialPidNamespace) out += fmt::format("~pidns{}", ns.st_ino);
    return out;
}

std::string temp_file_name(std::string_view target_name, std::string_view host, long pid, std::uint64_t unique) {
    std::string base(target_name.substr(0, 64));
    return fmt::format(".{}.tmp-{}-{}-{:016x}", base, host, pid, unique);
}

std::optional<TempFileOwner> parse_temp_file_name(std::string_view n) {
    // ".<base>.tmp-<host>-<pid>-<16 hex>"; host has no '-', so parse from the right.
    if (n.size() < 2 || n[0] != '.') return std::nullopt;
    const auto d2 = n.rfind('-');
    if (d2 == std::string_view::npos || n.size() - d2 - 1 != 16) return std::nullopt;
    for (char c : n.substr(d2 + 1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    const auto d1 = n.rfind('-', d2 - 1);
    if (d1 == std::string_view::npos || d1 + 1 == d2) return std::nullopt;
    long pid = 0;
    for (char c : n.substr(d1 + 1, d2 - d1 - 1)) {
        if (c < '0' || c > '9' || pid > 1'000'000'000L) return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    if (pid <= 0) return std::nullopt;
    const auto t = n.rfind(".tmp-", d1);
    if (t == std::string_view::npos || t == 0 || t + 5 >= d1) return std::nullopt;
    const std::string_view host = n.substr(t + 5, d1 - t - 5);
    if (host.find('-') != std::string_view::npos) return std::nullopt;
    return TempFileOwner{std::string(host), pid};
}

bool temp_file_is_stale(std::string_view file_name, std::string_view my_host, long my_pid, bool (*pid_alive)(long pid)) {
    const auto owner = parse_temp_file_name(file_name);
    if (!owner || owner->host != my_host || owner->pid == my_pid) return false;
    return !pid_alive(owner->pid);
}

bool local_pid_alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

std::string safe_file_name(std::string_view name) {
    std::string out;
    out.reserve(std::min(name.size(), kMaxSafeNameBytes));
    for (unsigned char c : name) {
        if (is_safe_byte(c)) out.push_back(static_cast<char>(c));
        else if (out.empty() || out.back() != '_') out.push_back('_');
        if (out.size() > kMaxSafeNameBytes) break;  // cut below anyway; the hash covers the rest
    }
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    if (!out.empty() && out.front() == '-') out.front() = '_';  // not an option to a shell command
    while (!out.empty() && out.back() == '.') out.pop_back();  // "x." is "x" on some file systems
    if (out.empty()) out.assign(1, '_');
    if (is_reserved_device(out)) out.insert(out.begin(), '_');
    const bool unchanged = out == name && out.size() <= kMaxSafeNameBytes && !ends_like_suffix(out);
    if (unchanged) return out;
    constexpr std::size_t kSuffix = 17;  // "-" + 16 hex digits
    if (out.size() > kMaxSafeNameBytes - kSuffix) out.resize(kMaxSafeNameBytes - kSuffix);
    while (!out.empty() && out.back() == '.') out.pop_back();
    if (out.empty()) out.assign(1, '_');
    out += fmt::format("-{:016x}", file_name_hash(name));
    return out;
}

}  // namespace eyemap

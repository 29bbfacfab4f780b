// Atomic file output (temp file in the same folder, write, rename) and safe file names.
#include "output/sink.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/hash.hpp"

namespace eyemap {
namespace {

std::atomic<unsigned> g_counter{0};

// The temporary file's name: hidden, recognisable, unique per process and call, and short enough
// for NAME_MAX even when the target's own name is near it.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string base = path.filename().string();
    if (base.size() > 64) base.resize(64);
    return dir / fmt::format(".{}.tmp-{}-{}", base, ::getpid(), g_counter.fetch_add(1, std::memory_order_relaxed));
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
// kills the process and would leave the temporary file behind. While it writes, the thread blocks
// the signal, so write() fails with EFBIG instead; the pending signal is then consumed.
class BlockFileSizeSignal {
public:
    BlockFileSizeSignal() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGXFSZ);
        active_ = ::pthread_sigmask(SIG_BLOCK, &set_, &old_) == 0 && !sigismember(&old_, SIGXFSZ);
    }
    ~BlockFileSizeSignal() {
        if (!active_) return;
        const timespec zero{0, 0};
        while (::sigtimedwait(&set_, nullptr, &zero) > 0) {
        }
        ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    BlockFileSizeSignal(const BlockFileSizeSignal&) = delete;
    BlockFileSizeSignal& operator=(const BlockFileSizeSignal&) = delete;

private:
    sigset_t set_{}, old_{};
    bool active_ = false;
};

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
    if (path.empty() || !path.has_filename())
        throw_io("not a file name (empty, or ends with a folder separator)", path.string());
    const auto tmp = temp_path_for(path);
    // Keep the permission bits of a file being replaced; a new file gets 0666 minus the umask.
    struct stat old {};
    const bool replacing = ::stat(path.c_str(), &old) == 0;
    if (replacing && S_ISDIR(old.st_mode)) throw_io("cannot write file: it is a folder", path.string());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int err = errno;
        throw_io(fmt::format("cannot create file: {}", std::strerror(err)), path.string());
    }
    auto fail = [&](const char* what, int err, bool close_fd) {
        if (close_fd) ::close(fd);
        ::unlink(tmp.c_str());
        throw_io(fmt::format("{}: {} (nothing written; a previous file is unchanged)", what, std::strerror(err)), path.string());
    };
    if (replacing && S_ISREG(old.st_mode) && ::fchmod(fd, old.st_mode & 07777) != 0) fail("cannot set permissions", errno, true);
    const BlockFileSizeSignal no_sigxfsz;
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
    // close() reports delayed write errors on some file systems (NFS, quotas).
    if (::close(fd) != 0) fail("cannot write file", errno, false);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename into place", errno, false);
}

void ensure_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (std::filesystem::exists(dir, ec)) throw_io("cannot create folder: a file of that name exists", dir.string());
    std::filesystem::create_directories(dir, ec);
    if (ec) throw_io(fmt::format("cannot create folder: {}", ec.message()), dir.string());
}

std::uint64_t file_name_hash(std::string_view name) noexcept { return hash_bytes(name); }

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

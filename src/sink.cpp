// Atomic file output: temp file in the same folder, write, rename (no fsync: atomicity, not durability).
#include "eyemap/sink.hpp"

#include <cctype>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/cache.hpp"
#include "eyemap/error.hpp"
#include "eyemap/stats.hpp"

namespace eyemap {
namespace {
const auto kWriteOp = stats_op("write");
std::atomic<unsigned> g_counter{0};
}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
    ScopedTimer timer(kWriteOp);
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const auto tmp = dir / fmt::format(".{}.tmp-{}-{}", path.filename().string(), ::getpid(), g_counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw_io(fmt::format("cannot create file: {}", std::strerror(errno)), path.string());
    auto fail = [&](const char* what) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw_io(fmt::format("{}: {}", what, std::strerror(err)), path.string());
    };
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write file");
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw_io(fmt::format("cannot write file: {}", std::strerror(err)), path.string());
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw_io(fmt::format("cannot rename into place: {}", std::strerror(err)), path.string());
    }
    timer.add_bytes(bytes.size());
}

std::string safe_file_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (unsigned char c : name) {
        const bool keep = std::isalnum(c) || c == '.' || c == '_' || c == '-';
        if (keep) out.push_back(static_cast<char>(c));
        else if (out.empty() || out.back() != '_') out.push_back('_');
    }
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    while (!out.empty() && out.back() == '.') out.pop_back();  // "x." is "x" on some file systems
    if (out.empty()) out = "_";
    // Windows device names stay reserved even with an extension; keep output portable.
    std::string upper;
    for (char c : out.substr(0, out.find('.'))) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    static const char* reserved[] = {"CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
                                     "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};
    for (const char* r : reserved)
        if (upper == r) out.insert(out.begin(), '_');
    if (out.size() > 80) out.resize(80);
    if (out != name) out += fmt::format("-{:08x}", static_cast<std::uint32_t>(hash_bytes(name)));
    return out;
}

}  // namespace eyemap

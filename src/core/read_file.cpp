// Bounded reading of small input files (region configs, templates, manifests, plans).
#include "core/read_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {

int open_regular_file(const std::filesystem::path& path, std::uint64_t limit, std::string_view what, std::uint64_t* size) {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        const int err = errno;
        throw_io(fmt::format("cannot open {}: {}", what, std::strerror(err)), path.string());
    }
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0) ::close(fd);
        }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_io(fmt::format("cannot read {}: {}", what, std::strerror(errno)), path.string());
    if (S_ISDIR(st.st_mode)) throw_io("is a folder, not a file", path.string());
    if (!S_ISREG(st.st_mode))
        throw_input(fmt::format("the {} must be a regular file (this is a {})", what,
                                S_ISFIFO(st.st_mode) ? "FIFO" : S_ISCHR(st.st_mode) ? "character device" : S_ISBLK(st.st_mode) ? "block device" : S_ISSOCK(st.st_mode) ? "socket" : "special file"),
                    ErrorLocation{path.string(), 0, {}, {}});
    if (static_cast<std::uint64_t>(st.st_size) > limit) refuse_larger_than(path, limit, what);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (size) *size = static_cast<std::uint64_t>(st.st_size);
    closer.fd = -1;
    return fd;
}

void refuse_larger_than(const std::filesystem::path& path, std::uint64_t limit, std::string_view what) {
    throw_input(fmt::format("the {} is larger than the limit of {} bytes", what, limit), ErrorLocation{path.string(), 0, {}, {}});
}

std::string read_regular_file(const std::filesystem::path& path, std::uint64_t limit, std::string_view what) {
    std::uint64_t size = 0;
    const int fd = open_regular_file(path, limit, what, &size);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    auto too_big = [&] { refuse_larger_than(path, limit, what); };
    std::string out;
    out.resize(static_cast<std::size_t>(size));
    std::size_t got = 0;
    for (;;) {
        if (got == out.size()) {
            if (out.size() > limit) too_big();  // grew while read
            out.resize(std::min<std::uint64_t>(limit + 1, out.size() + 65536));
        }
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io(fmt::format("cannot read {}: {}", what, std::strerror(errno)), path.string());
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
        if (got > limit) too_big();
    }
    out.resize(got);
    return out;
}

void refuse_folder_on_stdin() {
    struct stat st {};
    if (::fstat(0, &st) == 0 && S_ISDIR(st.st_mode)) throw_io("standard input is a folder, not a file", "-");
}

}  // namespace eyemap

// `eyemap sample`: writes a deterministic synthetic dataset (data.csv, columns.csv).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <streambuf>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "core/throw.hpp"
#include "eyemap/sample.hpp"
#include "output/sink.hpp"

namespace eyemap::cli {
namespace {

// The temporary data file while it is written: removed by SIGTERM/SIGINT/SIGHUP before the
// process dies (an async-signal-safe unlink of a path fixed before the handler is installed).
char g_sample_tmp[4096];

extern "C" void remove_sample_tmp_and_die(int sig) {
    ::unlink(g_sample_tmp);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

// An ostream buffer over a file descriptor that keeps the errno of the first failed write.
class FdBuf : public std::streambuf {
public:
    explicit FdBuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
    int error() const { return err_; }
    int sync() override { return flush_buf() ? 0 : -1; }

protected:
    int_type overflow(int_type c) override {
        if (!flush_buf()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }

private:
    bool flush_buf() {
        const char* p = pbase();
        while (p < pptr()) {
            const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (!err_) err_ = n < 0 ? errno : EIO;
                return false;
            }
            p += n;
        }
        setp(buf_, buf_ + sizeof buf_);
        return true;
    }
    int fd_;
    int err_ = 0;
    char buf_[1 << 16];
};

}  // namespace

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
        // The data file can be huge: stream it to a temporary name of this host and process (as
        // write_file_atomic's), removed on failure and on SIGTERM/SIGINT/SIGHUP, then rename.
        const auto final_path = std::filesystem::path(args->out_dir) / "data.csv";
        const auto tmp = std::filesystem::path(args->out_dir) /
                         temp_file_name("data.csv", temp_host_id(), static_cast<long>(::getpid()), static_cast<std::uint64_t>(::time(nullptr)));
        if (tmp.string().size() >= sizeof g_sample_tmp) throw_io("path too long", tmp.string());
        std::memcpy(g_sample_tmp, tmp.c_str(), tmp.string().size() + 1);
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) throw_io(fmt::format("cannot create file: {}", std::strerror(errno)), final_path.string());
        struct sigaction sa {}, old_term{}, old_int{}, old_hup{};
        sa.sa_handler = remove_sample_tmp_and_die;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGTERM, &sa, &old_term);
        ::sigaction(SIGINT, &sa, &old_int);
        ::sigaction(SIGHUP, &sa, &old_hup);
        auto restore = [&] {
            ::sigaction(SIGTERM, &old_term, nullptr);
            ::sigaction(SIGINT, &old_int, nullptr);
            ::sigaction(SIGHUP, &old_hup, nullptr);
        };
        std::uint64_t rows = 0;
        int err = 0;
        {
            FdBuf buf(fd);
            std::ostream out(&buf);
            try {
                rows = write_sample_data(out, layout, SampleOptions{args->types, args->seed, !args->no_layers});
            } catch (...) {
                ::close(fd);
                ::unlink(tmp.c_str());
                restore();
                throw;
            }
            out.flush();
            err = buf.error();
            if (!err && !out) err = EIO;
        }
        if (::close(fd) != 0 && !err) err = errno;
        if (err) {
            ::unlink(tmp.c_str());
            restore();
            throw_io(fmt::format("cannot write file: {} (nothing written)", std::strerror(err)), final_path.string());
        }
        std::error_code ec;
        std::filesystem::rename(tmp, final_path, ec);
        if (ec) {
            std::error_code rec;
            std::filesystem::remove(tmp, rec);
            restore();
            throw_io(fmt::format("cannot rename into place: {}", ec.message()), final_path.string());
        }
        restore();
        fmt::print(stderr, "wrote {} ({} types, {} rows) and {} ({} layout rows)\n", final_path.string(), args->types, rows,
                   (std::filesystem::path(args->out_dir) / "columns.csv").string(), layout.entries.size());
    });
}

}  // namespace eyemap::cli

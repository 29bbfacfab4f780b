// A data file read for the batch: its CSV reader and row parser, which run_batch drives itself.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "core/hash.hpp"
#include "core/throw.hpp"
#include "ingest/csv.hpp"
#include "ingest/row_parser.hpp"

namespace eyemap {

struct DataFileSource::Impl {
    RegionSet regions;  // the parser keeps a pointer
    int fd = -1;
    bool own_fd = false;
    std::string name;
    std::uint64_t size = 0;
    std::atomic<std::uint64_t> count{0};
    // Digest of the bytes read so far (recorded in run manifests: shards of one run must have read
    // the same file; runs verify digests the file again).
    StreamDigest digest;
    std::unique_ptr<detail::CsvReader> csv;
    std::vector<std::string_view> fields;
    std::unique_ptr<detail::RowParser> parser;

    ~Impl() {
        if (own_fd) ::close(fd);
    }
    // Reads straight into the CSV reader's buffer, counted for progress displays.
    std::size_t read(char* p, std::size_t n) {
        ssize_t got;
        do got = ::read(fd, p, n);
        while (got < 0 && errno == EINTR);
        if (got < 0) throw_io(fmt::format("read error: {}", std::strerror(errno)), name);
        count.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
        digest.add(std::string_view(p, static_cast<std::size_t>(got)));
        return static_cast<std::size_t>(got);
    }
    // The digest of everything read (the whole file once it was read to its end).
    std::uint64_t data_digest() const noexcept { return digest.digest(); }
};

// The batch's way in: it finds records and their type field serially and lets workers parse them.
// (A nested class may reach the enclosing class's private members: no friend in the public header.)
struct DataFileSource::Access {
    static DataFileSource::Impl& impl(DataFileSource& f) noexcept { return *f.impl_; }
};

namespace detail {
// The digest DataFileSource computes while a batch reads the file (a run manifest's data_digest), by
// reading the file again: `runs verify`, and the input identity shown with a dataset's label.
bool data_file_identity(const std::filesystem::path& p, std::uint64_t& digest, std::uint64_t& bytes);
}  // namespace detail

}  // namespace eyemap

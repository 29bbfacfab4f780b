// Shared by the run-folder parts (manifest.cpp, run_index.cpp, run_writer.cpp, retention.cpp): manifest
// lines, the folder lock, the merge of a run's manifests.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "eyemap/runs.hpp"

namespace eyemap {
struct TemplateSet;
}  // namespace eyemap

namespace eyemap::detail {

namespace fs = std::filesystem;

inline constexpr std::string_view kProtectFile = ".protected";  // a protected run: `runs clean` keeps it

std::string iso_time_utc(std::chrono::system_clock::time_point t);

// A type's manifest line (dumped once, when the type finishes) and the manifest around such lines.
std::string type_line(const TypeRecord& t, ContentHash content_hash);
std::string manifest_json(const Manifest& m, std::span<const std::string* const> type_lines);
// A manifest in pieces: the head (everything before the first type line), then the type lines,
// each followed by ",\n" but the last by "\n", then kManifestTail. manifest_json is all of it at once.
std::string manifest_head(const Manifest& m, std::size_t type_count);
inline constexpr std::string_view kManifestTail = "]}\n";

// An output file's content hash by the manifest's algorithm.
std::uint64_t content_hash_of(ContentHash algorithm, std::string_view bytes) noexcept;
// The "content_hash" field's words.
std::string_view content_hash_name(ContentHash algorithm) noexcept;

// "manifest.json" or a shard's "manifest-I-of-N.json" exactly as manifest_file_name makes it.
bool is_manifest_name(const std::string& n);
bool has_manifest(const fs::path& dir);
// The batch's rule for every command on a run: io error when the run folder itself is a symbolic
// link (the batch's message, from open_subdir_nofollow); the folder holding runs may be one.
void refuse_linked_run(const fs::path& run_dir);

// The run folder's manifest files (manifest.json, manifest-I-of-N.json), sorted by name.
std::vector<fs::path> run_manifest_files(const fs::path& run_dir);
// A manifest file, open (so every read sees the same file, even if the batch replaces it meanwhile),
// read a type at a time: read() hands each type record to `on_type` as it is parsed (in the file's
// order) and keeps none; the manifest it returns has no types. Checked as manifest_from_json checks,
// the header after the last type: nothing may be written from the records before read() returns.
// Bytes kept aside in an unlinked file of a folder instead of memory (a run's manifest lines, the
// index's rows, copies of manifests), appended and read back in any order. `what` names them in
// messages ("the manifest's records").
class Spool {
public:
    struct Span {
        std::uint64_t offset = 0;
        std::uint64_t size = 0;
    };
    // The file is made in `dir_fd` (the folder `dir`): O_TMPFILE, or where the file system has none
    // a temporary name removed at once (a crash in between leaves a temporary file the next run
    // into this folder removes).
    Spool(const fs::path& dir, int dir_fd, std::string what);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;
    Span append(std::string_view bytes);
    // Appends the bytes at `span` to `out`.
    void read(Span span, std::string& out) const;
    int fd() const noexcept { return fd_; }
    std::uint64_t size() const noexcept { return end_; }

private:
    fs::path dir_;
    std::string what_;
    int fd_ = -1;
    std::uint64_t end_ = 0;
};

class ManifestFile {
public:
    explicit ManifestFile(fs::path path);  // read_regular_file's checks (a regular file, kMaxManifestBytes)
    // A copy of the manifest at `path` held in `copy_fd` (not owned) at [start, start + length).
    ManifestFile(fs::path path, int copy_fd, std::uint64_t start, std::uint64_t length);
    ~ManifestFile();
    ManifestFile(const ManifestFile&) = delete;
    ManifestFile& operator=(const ManifestFile&) = delete;
    Manifest read(const std::function<void(TypeRecord&&)>& on_type) const;
    // The file's bytes as they are, in pieces.
    void copy_to(const std::function<void(std::string_view)>& out) const;
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
    int fd_ = -1;
    bool owned_ = true;
    std::uint64_t start_ = 0, length_ = UINT64_MAX;
};

// Each type once: from the manifest updated last (ties: the later file name). Sorted by seq.
std::vector<TypeRecord> merge_types(std::vector<std::pair<fs::path, Manifest>>& manifests);

// index.html and the site files of a run, from `templates`; `report_link`: index.html links report.html.
std::size_t write_index(const fs::path& run_dir, const std::shared_ptr<const TemplateSet>& templates, Stats* stats, bool report_link);

// flock() on the run folder: batches hold it shared, `runs clean` exclusive while deleting.
class DirLock {
public:
    DirLock(const fs::path& dir, int op) {
        fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ < 0) return;
        int r;
        do r = ::flock(fd_, op | LOCK_NB);
        while (r != 0 && errno == EINTR);
        locked_ = r == 0;
    }
    ~DirLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;
    bool opened() const noexcept { return fd_ >= 0; }
    bool locked() const noexcept { return locked_; }

private:
    int fd_ = -1;
    bool locked_ = false;
};

}  // namespace eyemap::detail

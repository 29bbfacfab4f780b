// Sinks: where rendered bytes go (files written atomically, or discarded for measurement).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/read_file.hpp"

namespace eyemap {

// Writes `bytes` to a temporary file in the target's folder and renames it into place, so a
// reader never sees a partial file and a failure (full disk, file-size limit, no permission,
// read-only file system) keeps the old file and leaves no temporary file behind. A replaced file
// keeps its permission bits; a new one gets 0666 minus the umask. No fsync: atomic, not durable.
// Throws eyemap::Error (io) naming the path and the system's reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The one function for a single output file the user names (render -o, --stats-json, stats report
// -o, --plan-out, Python Eyemap.save), by what the target is:
//  - a regular file, or nothing: replaced atomically (write_file_atomic);
//  - a symbolic link: resolved (link by link); the file it points to is replaced atomically in
//    its own folder and the link stays a link (a dangling link's target is created);
//  - a FIFO or character device: opened and written into as `cat > target` does (waiting for a
//    FIFO's reader), every write error reported (a reader that leaves is EPIPE, not SIGPIPE);
//  - a folder, socket or block device: io error (exit 3).
// `interrupted` is asked when a signal interrupts the wait for a FIFO's reader or a write (EINTR):
// true, or an exception from it, stops with nothing more written (Python's KeyboardInterrupt);
// without it the call retries, and the process's own signal handling decides. Throws io.
void write_output_file(const std::filesystem::path& path, std::string_view bytes, const std::function<bool()>& interrupted = {});

// From now on, SIGINT, SIGTERM and SIGHUP (those at their default action) first remove the
// temporary file of every write_output_file still in progress, then end the process as the signal
// would have. For command-line tools; a library user keeps its own signal handling.
void remove_output_temp_files_on_signals();

// How far write_file_atomic_at takes a file towards the disk.
enum class Durability : std::uint8_t {
    none,       // atomic, not durable
    writeback,  // atomic; the file's data starts going to disk at once (Linux: sync_file_range), so a
                // later sync_file_at waits only for what is still in flight, and dirty pages do not
                // pile up until the kernel throttles the writer
    full,       // fsync of the file before the rename and of the folder after it: durable on return
};

// write_file_atomic relative to an open folder `dir_fd`: `name` is one path component, created
// and renamed with openat/renameat (a symbolic link named `name` is replaced, never followed).
// `shown` is the path used in messages.
void write_file_atomic_at(int dir_fd, std::string_view name, std::string_view bytes, const std::string& shown,
                          Durability durability = Durability::none);

// write_file_atomic_at for a file made in pieces: `produce` is called once and hands each piece, in
// order, to the writer it is given (so a large file need not be held whole in memory). An exception
// from `produce` removes the temporary file and leaves the target as it was.
using ByteWriter = std::function<void(std::string_view)>;
void write_file_atomic_at(int dir_fd, std::string_view name, const std::function<void(const ByteWriter&)>& produce,
                          const std::string& shown, Durability durability = Durability::none);

// fdatasync of the file `name` (one component, not followed if a link) below `dir_fd`: its data on
// disk, and what reading it back needs. Its name survives a power cut once its folder is synced too
// (sync_folder). Only this file is waited for, not the rest of the file system's dirty data (as
// syncfs would). Throws io naming `shown`.
void sync_file_at(int dir_fd, std::string_view name, const std::string& shown);
// fsync of an open folder: the names created and renamed in it. Throws io naming `shown`.
void sync_folder(int dir_fd, const std::string& shown);

// Opens (creating it if missing, when `create`) the folder `name` (one component) below `parent_fd`
// without following a symbolic link: a link planted there is refused (io error naming `shown`), so
// writes through the returned descriptor never leave the output tree. The caller closes it.
int open_subdir_nofollow(int parent_fd, std::string_view name, const std::string& shown, bool create);

// Creates `dir` and its parents if missing. Throws eyemap::Error (io) with the system's reason
// (not a folder, no permission, read-only file system) instead of std::filesystem_error.
void ensure_directory(const std::filesystem::path& dir);

// A deterministic file-name-safe form of any string, usable as one path component:
//  - only [A-Za-z0-9._-]; every run of other bytes becomes one '_' (so no '/', '\', ':', NUL,
//    control characters or non-ASCII bytes), no leading '.' or '-', no trailing '.';
//  - never empty, never "." or "..", never a Windows device name (CON, NUL, COM1, ...);
//  - at most kMaxSafeNameBytes bytes;
//  - a name that is already safe (and does not end like a hash suffix) is returned unchanged;
//    any other gets "-" + 16 hex digits of a 64-bit hash of the original name appended (after
//    cutting the readable part to fit), so different names give different results.
// Distinct names that differ only in ASCII case stay distinct but may collide on a
// case-insensitive file system; callers writing many names into one folder handle that.
inline constexpr std::size_t kMaxSafeNameBytes = 80;
std::string safe_file_name(std::string_view name);

// The file-name component of a region in eyemap file names ("<type>_<region>_<side>_<metric>"):
// the region's name when it is [A-Z0-9][A-Z0-9.-]* (the built-in ME, LO, LOP), else its
// safe_file_name lower-cased, with every '_' as '-' and a hash suffix of the name. Never contains
// '_' (so the stem splits back into its parts from the right) and two region names never give
// components equal ignoring case: distinct (type, region, side, metric) give distinct stems.
std::string region_file_component(std::string_view region);

// The 64-bit hash behind safe_file_name's suffix (eyemap::hash_bytes). Stable across
// versions and platforms: file names depend on it.
std::uint64_t file_name_hash(std::string_view name) noexcept;

// --- Temporary files on shared disks (issue 18) ----------------------------------------------
// write_file_atomic's temporary file is ".<name>.tmp-<host>-<pid>-<16 hex>": the writer's host
// (temp_host_id()), its process id and a per-call unique number, so writers on different
// machines sharing one folder never pick the same name, and a leftover says whose it is.

// This machine's name as used in temporary names: gethostname() with every byte outside
// [A-Za-z0-9._] replaced by '_' (so '-' separates fields), at most 64 bytes; when it had to be
// changed, "~" + 8 hex digits of the real name's hash are appended so different hosts stay apart.
// In a pid namespace other than the initial one (a container, `unshare --pid`), "~pidns<inode>"
// is appended: pids of another namespace say nothing here, so its files are never stale here.
std::string temp_host_id();
// The temporary name for `target_name` (a file name, no folder) written by host/pid.
std::string temp_file_name(std::string_view target_name, std::string_view host, long pid, std::uint64_t unique);

struct TempFileOwner {
    std::string host;
    long pid = 0;
};
// The writer of a temporary file name of the current format; nullopt for any other name
// (including the old ".<name>.tmp-<pid>-<n>" format, which names no host).
std::optional<TempFileOwner> parse_temp_file_name(std::string_view file_name);

// The start-up cleanup rule: a temporary file may be removed only when its writer is provably
// gone: it names this host (`my_host`), it is not this process, and `pid_alive` says that pid no
// longer runs. Another host's file, an old-format file or any other name is never stale.
bool temp_file_is_stale(std::string_view file_name, std::string_view my_host, long my_pid, bool (*pid_alive)(long pid));
// kill(pid, 0) does not fail with ESRCH.
bool local_pid_alive(long pid);

}  // namespace eyemap

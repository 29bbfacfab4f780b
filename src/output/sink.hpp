// Sinks: where rendered bytes go (files written atomically, or discarded for measurement).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eyemap {

// Writes `bytes` to a temporary file in the target's folder and renames it into place, so a
// reader never sees a partial file and a failure (full disk, file-size limit, no permission,
// read-only file system) keeps the old file and leaves no temporary file behind. A replaced file
// keeps its permission bits; a new one gets 0666 minus the umask. No fsync: atomic, not durable.
// Throws eyemap::Error (io) naming the path and the system's reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

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

// The 64-bit hash behind safe_file_name's suffix (eyemap::hash_bytes). Stable across
// versions and platforms: file names depend on it.
std::uint64_t file_name_hash(std::string_view name) noexcept;

}  // namespace eyemap

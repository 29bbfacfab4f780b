// Internal: bounded reading of small input files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eyemap {

// Limits of the inputs read whole (one per kind of file; kMaxManifestBytes is in eyemap/runs.hpp).
inline constexpr std::uint64_t kMaxStatsFileBytes = 256ull << 20;  // `stats report FILE` (--stats-json)
inline constexpr std::uint64_t kMaxPlanFileBytes = 1ull << 30;     // `batch --plan FILE`: a line per type, as a manifest

// Reads a whole regular file of at most `limit` bytes. A folder, FIFO, device, socket (anything
// but a regular file) or a larger file is refused before it is read: io error for what cannot be
// opened or read, input error naming the file and the limit for the rest. `what` names the file's
// role in messages ("region config", "template", "manifest").
std::string read_regular_file(const std::filesystem::path& path, std::uint64_t limit, std::string_view what);
// The same checks, then the file open for reading (blocking), for a caller that reads it in pieces
// (and checks the limit as it reads: refuse_larger_than); `size`: its size when opened. The caller
// closes the descriptor.
int open_regular_file(const std::filesystem::path& path, std::uint64_t limit, std::string_view what, std::uint64_t* size = nullptr);
// Input error: "the <what> is larger than the limit of <limit> bytes", naming the file.
[[noreturn]] void refuse_larger_than(const std::filesystem::path& path, std::uint64_t limit, std::string_view what);

// Standard input given as a data or layout file (`-`) that is a folder (`< folder`): io error
// "standard input is a folder, not a file", as a folder named as a file is; reading it would see
// no bytes and report an empty file instead.
void refuse_folder_on_stdin();

}  // namespace eyemap

// Internal: bounded reading of small input files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eyemap {

// Reads a whole regular file of at most `limit` bytes. A folder, FIFO, device, socket (anything
// but a regular file) or a larger file is refused before it is read: io error for what cannot be
// opened or read, input error naming the file and the limit for the rest. `what` names the file's
// role in messages ("region config", "template", "manifest").
std::string read_regular_file(const std::filesystem::path& path, std::uint64_t limit, std::string_view what);

}  // namespace eyemap

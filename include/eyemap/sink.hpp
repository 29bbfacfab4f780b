// Sinks: where rendered bytes go (files written atomically, or discarded for measurement).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace eyemap {

// Writes `bytes` to a temporary file in the target's folder and renames it into place, so a
// reader never sees a partial file and a failure (full disk, no permission) keeps the old file.
// Throws eyemap::Error (io) with the path and the system's reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// A deterministic file-name-safe form of any string: [A-Za-z0-9._-] kept, others replaced, no
// leading dot, no reserved device names, at most 80 bytes; a changed name gets a hash suffix so
// two different names never sanitise to the same result.
std::string safe_file_name(std::string_view name);

}  // namespace eyemap

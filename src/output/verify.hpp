// What `runs verify` looks at beyond the manifests: temporary files left in a run folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace eyemap::detail {

// Temporary files of write_file_atomic (any host's) in a run folder and every sub-folder a batch
// writes (output/naming.hpp's run_subfolders), as '/'-separated relative paths, sorted.
std::vector<std::string> run_temp_files(const std::filesystem::path& run_dir);

}  // namespace eyemap::detail

// Names in a run folder, made and checked by the same code: file stems, type file keys, run paths, sub-folders.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "eyemap/options.hpp"

namespace eyemap::detail {

// "<key>_<region>_<side>_<metric file word>": the stem of every eyemap file, from a type's file key
// (already a safe file name); Renderer's Eyemap::file_name and the batch's run paths both use it.
std::string eyemap_stem(std::string_view file_key, std::string_view region, Side side, const Metric& metric);

// ASCII case folding: keys equal ignoring case may share a file on a case-insensitive disk.
std::string fold_case(std::string_view s);

// A batch's type file keys, unique ignoring case: the type's safe base, or, when an earlier type
// took it, base + "~" + 8 hex digits of the name's hash (+ "-<k>" in the unlikely case that is taken too).
class FileKeys {
public:
    std::string assign(std::string_view neuron_type);

private:
    std::unordered_set<std::string> taken_;  // folded
};
// Whether `key` is one FileKeys::assign can give `neuron_type` (a manifest read back).
bool plausible_file_key(std::string_view key, std::string_view neuron_type);

// Run paths: "thumbs/<key>.svg" (page thumbnails).
std::string thumb_path(std::string_view file_key);
// Every sub-folder a run folder can hold: one per eyemap format, pages and thumbnails.
std::vector<std::string_view> run_subfolders();
// The sub-folders a batch with these formats (and pages) writes into.
std::vector<std::string_view> run_subfolders(std::span<const OutputFormat> formats, bool pages);

}  // namespace eyemap::detail

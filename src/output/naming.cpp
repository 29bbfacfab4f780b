// Names in a run folder (output/naming.hpp) and the public name functions built on them.
#include "output/naming.hpp"

#include <fmt/format.h>

#include "core/hash.hpp"
#include "eyemap/runs.hpp"
#include "eyemap/renderer.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace detail {
namespace {

constexpr std::uint64_t kKeySeed = 0x6b6579;  // "key": file keys on disk depend on it
constexpr std::string_view kThumbFolder = "thumbs";
constexpr std::string_view kPageFolder = "pages";    // a type's page: pages/<key>.html
constexpr std::string_view kPageName = "html";       // FileFormat::html's name and extension

std::uint32_t key_hash(std::string_view neuron_type) {
    return static_cast<std::uint32_t>(HashBuilder(kKeySeed).add(neuron_type).digest());
}

}  // namespace

std::string eyemap_stem(std::string_view file_key, std::string_view region, Side side, const Metric& metric) {
    return fmt::format("{}_{}_{}_{}", file_key, region_file_component(region), to_string(side), metric_file_word(metric));
}

std::string fold_case(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

std::string FileKeys::assign(std::string_view neuron_type) {
    const std::string base = type_file_base(neuron_type);
    if (taken_.insert(fold_case(base)).second) return base;
    // An earlier type took this name (maybe differing only in case): a suffix from this name's hash.
    const std::uint32_t h = key_hash(neuron_type);
    std::string key = fmt::format("{}~{:08x}", base, h);
    for (int k = 2; !taken_.insert(fold_case(key)).second; ++k) key = fmt::format("{}~{:08x}-{}", base, h, k);
    return key;
}

bool plausible_file_key(std::string_view key, std::string_view neuron_type) {
    const std::string base = type_file_base(neuron_type);
    if (key == base) return true;
    const std::string with = fmt::format("{}~{:08x}", base, key_hash(neuron_type));
    if (key == with) return true;
    if (key.size() <= with.size() + 1 || key.substr(0, with.size()) != with || key[with.size()] != '-') return false;
    const auto k = key.substr(with.size() + 1);
    if (k.size() > 9 || k[0] == '0') return false;
    for (char ch : k)
        if (ch < '0' || ch > '9') return false;
    return true;
}

std::string thumb_path(std::string_view file_key) { return fmt::format("{}/{}.svg", kThumbFolder, file_key); }

std::vector<std::string_view> run_subfolders() {
    std::vector<std::string_view> out;
    for (const auto& f : kEyemapFormats) out.push_back(f.folder);
    out.push_back(kPageFolder);
    out.push_back(kThumbFolder);
    return out;
}

std::vector<std::string_view> run_subfolders(std::span<const OutputFormat> formats, bool pages) {
    std::vector<std::string_view> out;
    for (auto f : formats) out.push_back(words(f).folder);
    if (pages) out.push_back(kPageFolder), out.push_back(kThumbFolder);
    return out;
}

}  // namespace detail

std::string type_file_base(std::string_view neuron_type) { return safe_file_name(neuron_type); }

std::string eyemap_file_stem(std::string_view neuron_type, std::string_view region, Side side, const Metric& metric) {
    return detail::eyemap_stem(safe_file_name(neuron_type), region, side, metric);
}

std::string eyemap_path(OutputFormat f, std::string_view file_key, const EyemapRequest& r, ComparePart part) {
    const auto& w = words(f);
    return fmt::format("{}/{}{}.{}", w.folder, detail::eyemap_stem(file_key, r.region, r.side, r.metric),
                       part == ComparePart::a ? "_a" : part == ComparePart::b ? "_b" : "", w.extension);
}

std::string page_path(std::string_view file_key) {
    return fmt::format("{}/{}.{}", detail::kPageFolder, file_key, detail::kPageName);
}

std::string_view to_string(FileFormat f) noexcept {
    if (const auto e = eyemap_format(f)) return to_string(*e);
    return detail::kPageName;
}

std::optional<FileFormat> parse_file_format(std::string_view text) noexcept {
    if (const auto e = parse_format(text)) return file_format(*e);
    if (text == detail::kPageName) return FileFormat::html;
    return std::nullopt;
}

std::optional<OutputFormat> eyemap_format(FileFormat f) noexcept {
    for (const auto& w : kEyemapFormats)
        if (file_format(w.format) == f) return w.format;
    return std::nullopt;
}

}  // namespace eyemap

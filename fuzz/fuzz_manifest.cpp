// Fuzz target: the batch manifest reader. A finding: any non-input error; an accepted manifest
// with an output path that is not "<svg|png|pdf|pages|thumbs>/<safe name>" (no "..", no URL, no
// leading '/' or '.'), a shard count beyond kMaxShards; or a manifest that the writer writes back
// and the reader then refuses or reads differently.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eyemap/runs.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

namespace {

void check_path(const std::string& p) {
    const auto slash = p.find('/');
    fuzz::check(slash != std::string::npos && p.find('/', slash + 1) == std::string::npos, "path is not folder/name");
    const std::string dir = p.substr(0, slash), name = p.substr(slash + 1);
    fuzz::check(dir == "svg" || dir == "png" || dir == "pdf" || dir == "pages" || dir == "thumbs", "unknown folder");
    fuzz::check(!name.empty() && name[0] != '.' && name[0] != '-' && name.size() <= 255, "bad file name");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '~';
        fuzz::check(ok, "unsafe character in an output path");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const Manifest m = manifest_from_json(text, "run/manifest.json");
        fuzz::check(m.shard.count >= 1 && m.shard.count <= kMaxShards && m.shard.index < m.shard.count, "shard out of range");
        for (const auto& t : m.types)
            for (const auto& o : t.outputs) check_path(o.path);
        const std::string again = manifest_to_json(m);
        Manifest m2;
        try {
            m2 = manifest_from_json(again, "run/manifest.json");
        } catch (const Error& e) {
            std::fprintf(stderr, "fuzz: the writer's manifest is refused: %s\n", e.what());
            std::abort();
        }
        fuzz::check(m2.types.size() == m.types.size(), "types lost in a round trip");
        for (std::size_t i = 0; i < m.types.size(); ++i) {
            fuzz::check(m2.types[i].neuron_type == m.types[i].neuron_type, "a name changed in a round trip");
            fuzz::check(m2.types[i].outputs.size() == m.types[i].outputs.size(), "outputs lost in a round trip");
        }
        fuzz::check(manifest_to_json(m2) == again, "the round trip is not stable");
    });
    return 0;
}

// The hash every output hash of a batch starts from; shared by the batch and the run-folder writer.
#pragma once

#include <cstdint>

#include "eyemap/batch.hpp"

namespace eyemap::detail {

// Tool version, layout, columns and the renderer's settings (Renderer::settings_hash): a manifest
// records it, and a change of any of them re-renders on --resume.
// `baseline`: a comparison's (BatchOptions::baseline), or null.
std::uint64_t batch_settings_hash(const TableColumns& columns, const ColumnIndex& layout, const Renderer& renderer,
                                  const BatchBaseline* baseline = nullptr);

}  // namespace eyemap::detail

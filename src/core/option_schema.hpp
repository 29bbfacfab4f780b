// Internal: hashing made from the option schema (eyemap/option_schema.hpp) for the settings hash and cache keys.
#pragma once

#include <cstdint>

#include "core/hash.hpp"
#include "eyemap/option_schema.hpp"

namespace eyemap {

// Every Style field, in the schema's order (the metadata cache's key and the settings hash).
void hash_style(HashBuilder& h, const Style& s);
// Every option that enters Renderer::settings_hash, in the schema's order (the same values as 0.1's hash).
void hash_settings(HashBuilder& h, const RenderOptions& o, std::uint64_t templates_content_hash);
// "#rrggbb" (either case): every colour a user gives (Style fields, marks).
bool is_colour(std::string_view c) noexcept;

}  // namespace eyemap

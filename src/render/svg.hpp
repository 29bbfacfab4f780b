// SVG writer: one standalone, interactive SVG per eyemap from a laid-out Scene.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "layout/layout.hpp"

namespace eyemap {

// The SVG fragments (head, style, script, tail) as Mustache templates, by file name.
struct TemplateSet {
    std::map<std::string, std::string, std::less<>> files;
    std::uint64_t content_hash = 0;  // identifies the set in cache keys
};
// The templates compiled into the library from templates/.
std::shared_ptr<const TemplateSet> builtin_templates();
// A user's folder; files it lacks fall back to the built-in ones.
std::shared_ptr<const TemplateSet> load_templates(const std::filesystem::path& dir);

// The id an eyemap gets when RenderOptions::svg_id is empty: derived from type, region, side and
// metric so that eyemaps inlined into one page never clash.
std::string default_svg_id(const EyemapData& data);

// XML-escapes text for element content and attribute values: & < > " ' become entities,
// control characters not allowed in XML and invalid UTF-8 become U+FFFD.
void append_xml_escaped(fmt::memory_buffer& out, std::string_view text);
std::string xml_escape(std::string_view text);

}  // namespace eyemap

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

struct SvgOptions {
    // Prefix of every id in the SVG; empty: derived from type, region, side and metric so that
    // eyemaps inlined into one page never clash. Must match [A-Za-z][A-Za-z0-9_-]*.
    std::string id;
    std::shared_ptr<const TemplateSet> templates;  // null: built-in
    bool interactive = true;  // false: no script, no controls (a static picture)
};

// The id an eyemap gets when SvgOptions::id is empty.
std::string default_svg_id(const EyemapData& data);

// Appends the SVG to `out` (one reusable buffer for many eyemaps).
void write_svg(const Scene& scene, fmt::memory_buffer& out, const SvgOptions& options = {});
std::string render_svg(const Scene& scene, const SvgOptions& options = {});

// XML-escapes text for element content and attribute values: & < > " ' become entities,
// control characters not allowed in XML and invalid UTF-8 become U+FFFD.
void append_xml_escaped(fmt::memory_buffer& out, std::string_view text);
std::string xml_escape(std::string_view text);

}  // namespace eyemap

// Umbrella header and the high-level API: a dataset in, a type's eyemaps out (in memory).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eyemap/error.hpp"
#include "layout/layout.hpp"
#include "process/process.hpp"
#include "eyemap/regions.hpp"
#include "output/sink.hpp"
#include "render/svg.hpp"
#include "eyemap/table.hpp"

namespace eyemap {

// Rows of one neuron type, in file order.
struct TypeRows {
    std::string neuron_type;
    std::vector<ColumnRow> rows;
};

// Everything needed to draw any eyemap of any type of one data release.
struct Dataset {
    std::string source;  // the data file (for error messages)
    TableColumns columns;
    std::vector<TypeRows> types;  // in order of first appearance
    PreparedLayout layout;

    const TypeRows* find_type(std::string_view name) const noexcept;
};

// Groups the table by type; without a layout, the columns seen in the data are the layout.
Dataset make_dataset(ColumnTable table, std::optional<ColumnLayout> layout = std::nullopt,
                     const RegionSet& regions = builtin_regions());
Dataset load_dataset(const std::filesystem::path& data, const std::optional<std::filesystem::path>& layout = std::nullopt,
                     const RegionSet& regions = builtin_regions());

struct RenderOptions {
    Geometry geometry;
    ScaleOptions scale;
    SvgOptions svg;
};

// The grid of one side for a layout and geometry, shared by every eyemap that uses it
// (through the coordinate cache).
std::shared_ptr<const GridCoordinates> grid_for(const PreparedLayout& layout, const Geometry& geometry, Side side);

// Process + layout for the requested eyemaps of one type (empty requests: all that exist).
std::vector<Scene> build_scenes(const PreparedLayout& layout, const TableColumns& columns, const TypeRows& type,
                                std::span<const EyemapRequest> requests, const RenderOptions& options = {});

struct RenderedSvg {
    EyemapRequest request;
    std::string file_stem;  // <type>_<region>_<side>_<metric>, made safe for a file name
    std::string svg;
};

// The SVG text of the requested eyemaps of a type (empty requests: all, up to 12).
std::vector<RenderedSvg> render_type_svg(const Dataset& dataset, std::string_view neuron_type,
                                         std::span<const EyemapRequest> requests = {}, const RenderOptions& options = {});

// "<type>_<region>_<side>_<metric>" with every part made safe for a file name.
std::string eyemap_file_stem(std::string_view neuron_type, std::string_view region, Side side, Metric metric);

}  // namespace eyemap

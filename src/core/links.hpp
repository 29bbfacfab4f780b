// Internal: link templates (a column's or a type's http(s) URL with placeholders) and a dataset's provenance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eyemap {

// What a placeholder stands for. A column's link knows them all, a type's link only `type`.
struct LinkValues {
    std::string_view type, region, side;
    std::int64_t hex1 = 0, hex2 = 0;
};

// A link template checked and split once, where it enters (the option's validation, the renderer):
// "https://neuprint.janelia.org/view?roi={roi}&type={type}" is literal pieces and placeholders
// {type}, {region}, {side}, {hex1}, {hex2} ({hex1:02}: zero-padded to 2 digits; 1..9) and {roi},
// neuPrint's column ROI name "ME_R_col_12_07". Only http and https; the literal text must be a URL
// already (printable ASCII without space, quotes, <, >, \, ^, `, |): a brace in it is written %7B / %7D.
class LinkTemplate {
public:
    enum class Kind : std::uint8_t { column, type };
    // Throws input naming `option` and the template: unknown placeholder, bad padding spec,
    // unbalanced braces, a placeholder the kind has not (a type's link: {type} only), another scheme.
    LinkTemplate(std::string_view text, Kind kind, std::string_view option);

    // Appends the URL with each value percent-encoded (RFC 3986: all but A-Z a-z 0-9 - . _ ~), so a
    // value can never leave its place in the URL. Allocation-free once `out` has grown (per hexagon).
    void expand(std::string& out, const LinkValues& values) const;
    std::string expand(const LinkValues& values) const;
    const std::string& text() const noexcept { return text_; }
    // The host the literal text names ("neuprint.janelia.org"), for link labels.
    std::string_view host() const noexcept { return host_; }

private:
    enum class Field : std::uint8_t { literal, type, region, side, hex1, hex2, roi };
    struct Piece {
        Field field = Field::literal;
        std::uint8_t width = 0;  // zero-padding of hex1 / hex2; 0: none
        std::string literal;
    };
    std::string text_, host_;
    std::vector<Piece> pieces_;
};

// Appends `value` percent-encoded (UTF-8 bytes; unreserved characters as they are).
void append_url_escaped(std::string& out, std::string_view value);

// Where a dataset comes from, as pages, reports, SVG metadata and PDF document info say it: the
// label and version a user gives and the input's identity (the data file's digest as the run
// manifest records it, 16 hex digits; or a caller's own). Empty when none is given.
struct Provenance {
    std::string label, version, input;
    bool empty() const noexcept { return label.empty() && version.empty() && input.empty(); }
    // "Dataset: optic-lobe, version v1.1, input 0123456789abcdef" (the parts given).
    std::string sentence() const;
    bool operator==(const Provenance&) const = default;
};

struct RenderOptions;
// The dataset a renderer's options name (dataset_label, dataset_version, input_digest): what every
// output of that renderer says (SVG, PDF, the run report).
Provenance provenance_of(const RenderOptions& options);

// Checks a dataset label or version (1..200 bytes of printable UTF-8, no line breaks or other
// controls) and an input identity (1..128 of A-Z a-z 0-9 . _ : - +); throws input naming `option`.
void check_provenance_text(std::string_view text, std::string_view option, bool identity);

}  // namespace eyemap

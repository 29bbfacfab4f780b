// The option schema (eyemap/option_schema.hpp): defaults, round trips through C++ and the CLI, hashes, errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "ingest/data_file.hpp"
#include "eyemap/eyemap.hpp"
#include "eyemap/option_schema.hpp"
#include "layout/layout.hpp"
#include "render/svg.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace eyemap;
using eyemap::test::read_file;
using eyemap::test::run_cli;
using eyemap::test::write_file;

namespace {

std::string q(const fs::path& p) { return shell_quote(p.string()); }

// A value of the field that is not its default and is valid on its own.
FieldValue non_default(const FieldSpec& f) {
    const FieldValue def = field_value(f, RenderOptions{});
    switch (f.type) {
        case FieldType::number: {
            if (f.name == "color_min") return 2.0;
            if (f.name == "color_max") return 5.0;
            if (f.name == "png_scale") return 2.0;  // an image of at most 32767 pixels a side
            if (f.name == "centre") return 1.0;     // None by default
            // Halfway to the maximum: far enough to show (a minimum canvas larger than the drawing).
            const double d = std::get<double>(def);
            if (d == f.max) return d - (d - f.min) / 2;  // a default at the top of its range (clip_quantile 1)
            return d + (f.max - d) / 2;
        }
        case FieldType::integer: return std::int64_t{f.name == "bins" ? 7 : 1};
        case FieldType::boolean:
        case FieldType::caches: return !std::get<bool>(def);
        case FieldType::colour: return std::string("#123456");
        case FieldType::palette: return std::vector<std::string>{"#000000", "#111111", "#222222", "#333333", "#444444", "#555555", "#666666"};
        case FieldType::choice:
            for (auto c : f.choices)
                if (c != std::get<std::string>(def) && c != "fixed") return std::string(c);
            break;
        case FieldType::path: return (fs::path(EYEMAP_SOURCE_DIR) / "templates").string();
        case FieldType::string:
            if (f.name == "column_link") return std::string("https://h/{roi}");
            if (f.name == "type_link") return std::string("https://h/{type}");
            return std::string(f.name == "font_family" ? "DejaVu Serif" : f.name == "colormap" ? "viridis" : "abc");
        case FieldType::style: break;
        case FieldType::metric_looks: return std::vector<std::string>{"synapses:colormap=viridis", "synapses:bins=7"};
    }
    FAIL("no non-default value for " << f.name);
    return {};
}

// Options with one field set to `v` (color_min and color_max set together: the fixed scale needs both).
RenderOptions with_field(const FieldSpec& f, const FieldValue& v) {
    OptionInput in;
    set_field(f, in, v);
    if (f.name == "color_min") set_field(*find_option("color_max"), in, 5.0);
    if (f.name == "color_max") set_field(*find_option("color_min"), in, 2.0);
    return finish_options(std::move(in));
}

std::vector<const FieldSpec*> all_fields() {
    std::vector<const FieldSpec*> out;
    for (const auto& f : option_fields())
        if (f.type != FieldType::style) out.push_back(&f);
    for (const auto& f : style_fields()) out.push_back(&f);
    return out;
}

// The settings hash as Renderer::settings_hash computed it at 8aaac46, field by field: resumed
// runs compare it across versions, so the schema's hash must stay this one. Options added since
// (colormap, bins, clip_quantile, metric_looks, the links and provenance) add to it only when they are not their defaults: the default settings' hash, and
// every run's made before them, is 8aaac46's.
std::uint64_t hash_8aaac46(const RenderOptions& options, std::uint64_t templates_hash) {
    HashBuilder h(0x72656e64);
    const auto& g = options.geometry;
    h.add(g.hex_size).add(g.spacing).add(g.margin).add(g.min_width).add(g.min_height);
    const auto& s = options.scale;
    h.add(s.method).add(s.scope).add(s.min).add(s.max);
    if (options.colormap != "reds") h.add(std::string_view(options.colormap));
    if (s.bins != 5) h.add(std::int64_t{s.bins});
    if (s.clip_quantile != 1) h.add(s.clip_quantile);
    if (s.continuous) h.add(std::uint64_t{1});
    if (s.centre) h.add(*s.centre);
    if (!options.metric_looks.empty()) {
        HashBuilder looks;
        for (const auto& item : options.metric_looks) looks.add(std::string_view(item));
        h.add(looks.digest());
    }
    const Style& st = options.style;
    for (const auto& c : st.palette) h.add(std::string_view(c));
    for (const std::string* c : {&st.background, &st.text, &st.badge_left, &st.badge_right, &st.hex_stroke, &st.button_fill,
                                 &st.button_on_fill, &st.button_stroke, &st.tooltip_fill, &st.tooltip_stroke, &st.font_family})
        h.add(std::string_view(*c));
    for (double v : {st.hex_stroke_width, st.hex_opacity, st.button_stroke_width, st.title_size, st.tick_size, st.legend_title_size,
                     st.button_size, st.tooltip_size})
        h.add(v);
    h.add(templates_hash).add(options.interactive).add(options.layer).add(options.png_scale);
    h.add(std::string_view(options.svg_id));
    // Links and provenance (issue 23), each only when given.
    for (const std::string* t : {&options.column_link, &options.type_link, &options.dataset_label, &options.dataset_version, &options.input_digest})
        if (!t->empty()) h.add(std::string_view(*t));
    return h.digest();
}

struct Sample {
    fs::path dir = eyemap::test::fresh_dir("options-sample-" + std::to_string(::getpid()));
    Dataset ds;
    std::string type;
    Sample() {
        REQUIRE(run_cli("sample --types 1 --out-dir " + q(dir)) == 0);
        ds = load_dataset(dir / "data.csv", dir / "columns.csv", builtin_regions());
        type = ds.types.at(0).neuron_type;
    }
    ~Sample() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};
const Sample& sample() {
    static const Sample s;
    return s;
}

// One eyemap (ME, R, synapse_density) rendered by the library.
std::string render_bytes(const RenderOptions& o, OutputFormat format) {
    const Renderer r(o);
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    return r.render(sample().ds, sample().type, std::span(&req, 1), std::span(&format, 1)).at(0).bytes;
}

// The same eyemap rendered by `eyemap render` with `args`.
std::string cli_bytes(const std::string& args, OutputFormat format, int* rc = nullptr, std::string* err = nullptr) {
    static int n = 0;
    const auto out = sample().dir / fmt::format("out-{}.{}", n++, to_string(format));
    const int code = run_cli(fmt::format("render --data {} --columns {} --type {} --region ME --side R --metric synapse_density -o {} {}",
                                         q(sample().dir / "data.csv"), q(sample().dir / "columns.csv"), q(sample().type), q(out), args),
                             err);
    if (rc) *rc = code;
    return code == 0 ? read_file(out) : std::string();
}

// The number of members of an aggregate: the most initialisers T{...} takes (as Boost.PFR counts).
struct AnyMember {
    template <class T>
    operator T&() const noexcept;  // never defined: only used unevaluated
};
template <class T, class... A>
constexpr std::size_t member_count() {
    if constexpr (requires { T{A{}..., AnyMember{}}; }) return member_count<T, A..., AnyMember>();
    else return sizeof...(A);
}

}  // namespace

TEST_CASE("options schema: every member of the option structs has its field in the schema") {
    // A member added to Style, Geometry, ScaleOptions or RenderOptions without its schema entry fails here.
    std::size_t geometry = 0, scale = 0, style = 0;
    for (const auto& f : option_fields()) {
        geometry += (f.cache_keys & kCoordinatesKey) != 0;
        scale += f.name.starts_with("color_") || f.name == "bins" || f.name == "clip_quantile" || f.name == "continuous" ||
                 f.name == "centre";  // ScaleOptions::bins, clip_quantile, continuous, centre
        style += f.type == FieldType::style;
    }
    CHECK(member_count<Geometry>() == geometry);
    CHECK(member_count<ScaleOptions>() == scale);
    CHECK(member_count<Style>() == style_fields().size());
    CHECK(style == 1);
    // geometry and scale are one member each of RenderOptions; marks are data, not in the schema
    // (include/eyemap/marks.hpp: hashed and checked by their own code).
    CHECK(member_count<RenderOptions>() == option_fields().size() - geometry - scale + 2 + 1);
}

TEST_CASE("options schema: every field's default is the struct's default, and its names are unique") {
    const RenderOptions defaults;
    std::vector<std::string> names, flags;
    for (const FieldSpec* f : all_fields()) {
        INFO(f->name);
        CHECK(parse_field_text(*f, f->default_text) == field_value(*f, defaults));
        CHECK_FALSE(f->help.empty());
        names.emplace_back(f->name);
        if (!f->flag.empty()) flags.emplace_back(f->flag);
    }
    for (auto* list : {&names, &flags}) {
        std::sort(list->begin(), list->end());
        CHECK(std::adjacent_find(list->begin(), list->end()) == list->end());
    }
    // Every field but the caches changes what is drawn, so all of them enter the settings hash.
    for (const auto& f : option_fields()) CHECK(f.in_settings_hash() == (f.type != FieldType::caches));
    for (const auto& f : style_fields()) CHECK(f.in_settings_hash());
    CHECK_NOTHROW(validate(defaults));
}

TEST_CASE("options schema: a non-default value of every field round-trips through RenderOptions and moves the settings hash") {
    const auto builtin = builtin_templates();
    const std::uint64_t default_hash = Renderer(RenderOptions{}).settings_hash();
    CHECK(default_hash == hash_8aaac46(RenderOptions{}, builtin->content_hash));
    for (const FieldSpec* f : all_fields()) {
        INFO(f->name);
        const FieldValue v = non_default(*f);
        REQUIRE(v != field_value(*f, RenderOptions{}));
        const RenderOptions o = with_field(*f, v);
        CHECK(field_value(*f, o) == v);
        CHECK_NOTHROW(validate(o));
        const Renderer r(o);
        const auto templates = o.templates.empty() ? builtin : load_templates(o.templates);
        CHECK(r.settings_hash() == hash_8aaac46(o, templates->content_hash));
        // The template folder is a copy of the built-in set: the hash is of the content, not the folder.
        if (f->type != FieldType::caches && f->type != FieldType::path) CHECK(r.settings_hash() != default_hash);
    }
}

TEST_CASE("options schema: out-of-range and mistyped values are refused naming the field and value") {
    OptionInput in;
    for (const FieldSpec* f : all_fields()) {
        INFO(f->name);
        if (f->type == FieldType::number && std::isfinite(f->max)) {
            try {
                set_field(*f, in, f->max + 1);
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(e.where().field == f->name);
                CHECK(e.reason().find("out of range") != std::string::npos);
            }
        }
        if (f->type != FieldType::path && f->type != FieldType::string) {
            CHECK_THROWS_AS(set_field(*f, in, std::vector<std::string>{"x"}), Error);
        }
    }
    try {
        set_style_field(*find_style_field("hex_opacity"), in.options.style, 1.5, "style.hex_opacity");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.where().field == "style.hex_opacity");
        CHECK(e.where().value == "1.5");
    }
    try {
        unknown_field(style_fields(), "style setting", "hex_opacty", "style.hex_opacty", "0.6");
    } catch (const Error& e) {
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("did you mean 'hex_opacity'?"));
    }
    // Command-line text: numbers strictly (a leading '+' as stod took it), integers whole.
    const FieldSpec& hex = *find_option("hex_size");
    CHECK(parse_field_text(hex, "+6.5") == FieldValue(6.5));
    CHECK(parse_field_text(hex, "1e1") == FieldValue(10.0));
    for (const char* text : {"", "6x", "x", " 6", "+", "+-6"}) CHECK_THROWS_AS(parse_field_text(hex, text), Error);
    CHECK(parse_field_text(*find_option("layer"), "+3") == FieldValue(std::int64_t{3}));
    CHECK_THROWS_AS(parse_field_text(*find_option("layer"), "3.0"), Error);
    CHECK(parse_field_text(*find_option("color_min"), "") == FieldValue());  // None
    // The fixed-scale rule: a min or max implies fixed, which needs both.
    OptionInput only_min;
    set_field(*find_option("color_min"), only_min, 1.0);
    CHECK_THROWS_AS(finish_options(only_min), Error);
    OptionInput fixed;
    set_field(*find_option("color_scale"), fixed, std::string("fixed"));
    CHECK_THROWS_AS(finish_options(fixed), Error);
    set_field(*find_option("color_min"), fixed, 3.0);
    set_field(*find_option("color_max"), fixed, 2.0);
    CHECK_THROWS_AS(finish_options(fixed), Error);  // min > max
}

TEST_CASE("options schema: every field set on the CLI (its flag or --style KEY=VALUE) gives the library's bytes") {
    const std::string svg_default = render_bytes(RenderOptions{}, OutputFormat::svg);
    REQUIRE(cli_bytes("", OutputFormat::svg) == svg_default);
    for (const FieldSpec* f : all_fields()) {
        // Not render's: the input's identity (the CLI's own, below) and a type's link (batch's pages).
        if (f->name == "input_digest" || f->name == "type_link") continue;
        const FieldValue v = non_default(*f);
        const bool style = f->member.index() != 0;
        std::string args;
        if (style) args = "--style " + q(fmt::format("{}={}", f->name, field_text(v)));
        else if (f->type == FieldType::boolean || f->type == FieldType::caches) args = std::string(f->flag);
        else if (f->type == FieldType::metric_looks)  // repeatable, one item each
            for (const auto& item : std::get<std::vector<std::string>>(v)) args += fmt::format(" {} {}", f->flag, q(item));
        else args = fmt::format("{} {}", f->flag, q(field_text(v)));
        if (f->name == "color_min") args += " --color-max 5";
        if (f->name == "color_max") args += " --color-min 2";
        // --scale and --layer apply to PNG only (the SVG has layer buttons).
        const OutputFormat format = f->name == "png_scale" || f->name == "layer" ? OutputFormat::png : OutputFormat::svg;
        if (format == OutputFormat::png) args += " --format png";
        INFO(f->name << ": " << args);
        std::string err;
        int rc = 0;
        const std::string cli = cli_bytes(args, format, &rc, &err);
        INFO(err);
        REQUIRE(rc == 0);
        RenderOptions lo = with_field(*f, v);
        if (f->name == "dataset_label" || f->name == "dataset_version") {  // a named dataset: the CLI adds the data file's digest
            std::uint64_t digest = 0, bytes = 0;
            REQUIRE(detail::data_file_identity(sample().dir / "data.csv", digest, bytes));
            lo.input_digest = fmt::format("{:016x}", digest);
            CHECK(cli.find(lo.input_digest) != std::string::npos);
        }
        const std::string lib = render_bytes(lo, format);
        CHECK(cli == lib);
        if (f->type != FieldType::caches && f->type != FieldType::path && format == OutputFormat::svg) CHECK(cli != svg_default);
    }
}

TEST_CASE("options schema: --style and --style-file errors name the option as typed, and the style file gives input errors") {
    std::string err;
    int rc = 0;
    cli_bytes("--style hex_opacty=0.6", OutputFormat::svg, &rc, &err);
    CHECK(rc == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--style 'hex_opacty=0.6'"));
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'hex_opacity'?"));
    cli_bytes("--style hex_opacity=2", OutputFormat::svg, &rc, &err);
    CHECK(rc == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--style 'hex_opacity=2': out of range (0..1)"));
    cli_bytes("--style hex_opacity", OutputFormat::svg, &rc, &err);
    CHECK(rc == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("expected KEY=VALUE"));
    cli_bytes("--color-scale fixd", OutputFormat::svg, &rc, &err);
    CHECK(rc == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--color-scale 'fixd'"));
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'fixed'?"));

    // A style file, and --style winning over it.
    const auto file = sample().dir / "style.json";
    write_file(file, R"({"hex_opacity": 0.6, "background": "#000000", "palette": ["#000000", "#111111", "#222222", "#333333", "#444444", "#555555", "#666666"]})");
    RenderOptions o;
    o.style.hex_opacity = 0.6;
    o.style.background = "#000000";
    o.style.palette = {"#000000", "#111111", "#222222", "#333333", "#444444", "#555555", "#666666"};
    CHECK(cli_bytes("--style-file " + q(file), OutputFormat::svg, &rc, &err) == render_bytes(o, OutputFormat::svg));
    o.style.hex_opacity = 0.3;
    CHECK(cli_bytes("--style hex_opacity=0.3 --style-file " + q(file), OutputFormat::svg, &rc, &err) == render_bytes(o, OutputFormat::svg));
    write_file(file, R"({"hex_opacity": 0.6, "hex_opacty": 1})");
    cli_bytes("--style-file " + q(file), OutputFormat::svg, &rc, &err);
    CHECK(rc == 2);
    CHECK_THAT(err, Catch::Matchers::Contains("style.json"));
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'hex_opacity'?"));
    write_file(file, "[1]");
    cli_bytes("--style-file " + q(file), OutputFormat::svg, &rc, &err);
    CHECK(rc == 2);
    cli_bytes("--style-file " + q(sample().dir / "missing.json"), OutputFormat::svg, &rc, &err);
    CHECK(rc == 3);
}

TEST_CASE("options schema: a field enters the coordinate and metadata cache keys exactly when its cache_keys say so") {
    const EyemapRequest req{"ME", Side::R, Metric::synapses};
    const OutputFormat svg = OutputFormat::svg;
    const auto misses = [](const Renderer& r, std::string_view cache) {
        for (const auto& c : r.cache_statistics())
            if (c.name == cache) return c.stats.misses;
        FAIL("no cache " << cache);
        return std::uint64_t{0};
    };
    for (const FieldSpec* f : all_fields()) {
        // Not here: the caches themselves, the template folder (a copy of the built-in set: its
        // content is the key), and the PNG-only layer and scale.
        if (f->type == FieldType::caches || f->type == FieldType::path || f->name == "layer" || f->name == "png_scale") continue;
        INFO(f->name);
        // Caches filled with the defaults' entries only (not with another field's: color_max would
        // find the fixed scale's frame that color_min made).
        const Renderer base{RenderOptions{}};
        base.render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1));
        const Renderer r(with_field(*f, non_default(*f)), base);
        r.reset_statistics();
        r.render(sample().ds, sample().type, std::span(&req, 1), std::span(&svg, 1));
        CHECK((misses(r, "coordinates") > 0) == bool(f->cache_keys & kCoordinatesKey));
        CHECK((misses(r, "metadata") > 0) == bool(f->cache_keys & kMetadataKey));
    }
}

TEST_CASE("options schema: --colormap, --bins and --clip-quantile on render and batch, and their errors (exit 1, naming the option and value)") {
    // Valid values draw the library's bytes (the enumeration above); the default spelled out is the default.
    const std::string svg_default = render_bytes(RenderOptions{}, OutputFormat::svg);
    CHECK(cli_bytes("--colormap reds --bins 5", OutputFormat::svg) == svg_default);
    RenderOptions o;
    o.colormap = "#000000,#00ff00,#ffffff";
    o.scale.bins = 12;
    const std::string listed = cli_bytes("--colormap '#000000,#00ff00,#ffffff' --bins 12", OutputFormat::svg);
    CHECK(listed == render_bytes(o, OutputFormat::svg));
    CHECK(listed.find("#00ff00") == std::string::npos);  // the bins' colours, never the user's text as such
    // A robust maximum: the legend's top label reads "≥ x" (UTF-8 in the SVG's text).
    const std::string clip = cli_bytes("--clip-quantile 0.9", OutputFormat::svg);
    CHECK(clip.find("\u2265 ") != std::string::npos);
    CHECK(svg_default.find("\u2265 ") == std::string::npos);

    std::string err;
    int rc = 0;
    const struct {
        const char* args;
        std::vector<std::string> says;
    } bad[] = {
        {"--bins 13", {"--bins '13'", "out of range (2..12)"}},
        {"--bins 1", {"--bins '1'", "out of range (2..12)"}},
        {"--bins seven", {"--bins 'seven'", "expected an integer"}},
        {"--colormap virdis", {"--colormap 'virdis'", "did you mean 'viridis'?", "cividis"}},
        {"--colormap RdBuu", {"--colormap 'RdBuu'", "did you mean 'rdbu'?"}},
        {"--colormap '#12345g,#000000'", {"--colormap '#12345g'", "#rrggbb"}},
        {"--colormap '#ffffff'", {"--colormap '#ffffff'", "at least 2 colours"}},
        {"--colormap '#ffffff,</script>'", {"--colormap '</script>'", "#rrggbb"}},
        {"--colormap ''", {"--colormap", "no colour map given"}},
        {"--clip-quantile 0.3", {"--clip-quantile '0.3'", "out of range (0.5..1)"}},
        {"--clip-quantile 1.5", {"--clip-quantile '1.5'", "out of range (0.5..1)"}},
    };
    for (const auto& b : bad) {
        INFO(b.args);
        cli_bytes(b.args, OutputFormat::svg, &rc, &err);
        CHECK(rc == 1);
        for (const auto& s : b.says) CHECK_THAT(err, Catch::Matchers::Contains(s));
    }
    // batch takes them too, with the same errors.
    const auto out = sample().dir / "batch-cmap";
    CHECK(run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages --colormap viridis --bins 7", q(sample().dir / "data.csv"),
                              q(sample().dir / "columns.csv"), q(out)),
                  &err) == 0);
    // The thumbnails are drawn in the eyemaps' colours (viridis' 7 bins, the palette's no-data and grey).
    std::size_t thumbs = 0;
    for (const auto& e : fs::recursive_directory_iterator(out / "r"))
        if (e.path().extension() == ".svg" && e.path().parent_path().filename() == "thumbs") {
            ++thumbs;
            const std::string t = read_file(e.path());
            CHECK(t.find("#fee5d9") == std::string::npos);
            bool viridis = false;
            for (const auto& c : fill_colours(Style{}, "viridis", 7).colour) viridis |= c != "#ffffff" && c != "#999999" && t.find(c) != std::string::npos;
            CHECK(viridis);
        }
    CHECK(thumbs > 0);
    CHECK(run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --bins 0", q(sample().dir / "data.csv"),
                              q(sample().dir / "columns.csv"), q(out / "x")),
                  &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("--bins '0'"));
    CHECK(run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --colormap magama", q(sample().dir / "data.csv"),
                              q(sample().dir / "columns.csv"), q(out / "y")),
                  &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("did you mean 'magma'?"));
}

TEST_CASE("options schema: --continuous and --centre on render and batch, the diverging maps' centre, and their errors") {
    // The CLI draws the library's bytes, SVG and PNG.
    RenderOptions cont;
    cont.colormap = "viridis";
    cont.scale.continuous = true;
    for (OutputFormat f : {OutputFormat::svg, OutputFormat::png}) {
        INFO(to_string(f));
        const std::string lib = render_bytes(cont, f);
        CHECK(cli_bytes("--colormap viridis --continuous", f) == lib);
        CHECK(lib != render_bytes(RenderOptions{}, f));
    }
    CHECK_THAT(cli_bytes("--colormap viridis --continuous", OutputFormat::svg), Catch::Matchers::Contains("<linearGradient"));
    // A diverging map is centred at 0 by default; a given centre moves it; one fixed limit is mirrored about it.
    RenderOptions div;
    div.colormap = "rdbu";
    const std::string rdbu = render_bytes(div, OutputFormat::svg);
    CHECK(cli_bytes("--colormap rdbu", OutputFormat::svg) == rdbu);
    div.scale.centre = 0.0;
    CHECK(render_bytes(div, OutputFormat::svg) == rdbu);  // 0: the default spelled out
    CHECK(cli_bytes("--colormap rdbu --centre 0", OutputFormat::svg) == rdbu);
    div.scale.centre = 20.0;
    div.scale.continuous = true;
    CHECK(cli_bytes("--colormap rdbu --centre 20 --continuous", OutputFormat::png) == render_bytes(div, OutputFormat::png));
    RenderOptions mirrored;
    mirrored.colormap = "puor";
    mirrored.scale.method = ScaleMethod::fixed;
    mirrored.scale.min = -30;
    mirrored.scale.max = 30;
    CHECK(cli_bytes("--colormap puor --color-max 30", OutputFormat::svg) == render_bytes(mirrored, OutputFormat::svg));
    mirrored.scale.min = -10;  // about 10: 30 mirrored is -10
    mirrored.scale.max = 30;
    mirrored.colormap = "viridis";  // a given centre centres any map
    mirrored.scale.centre = 10.0;
    CHECK(cli_bytes("--colormap viridis --centre 10 --color-max 30", OutputFormat::svg) == render_bytes(mirrored, OutputFormat::svg));
    // finish_options mirrors one limit exactly when there is a centre.
    OptionInput one;
    one.options.colormap = "RdBu";
    set_field(*find_option("color_min"), one, -3.0);
    const RenderOptions fixed = finish_options(one);
    CHECK(fixed.scale.method == ScaleMethod::fixed);
    CHECK(fixed.scale.min == -3);
    CHECK(fixed.scale.max == 3);

    std::string err;
    int rc = 0;
    const struct {
        const char* args;
        std::vector<std::string> says;
    } bad[] = {
        {"--centre x", {"--centre 'x'"}},
        {"--centre 1 --color-scale percentile", {"--centre '1'", "linear and fixed", "percentile"}},
        {"--centre 1 --color-scale log", {"--centre '1'", "linear and fixed"}},
        {"--colormap rdbu --color-min 5", {"below the centre"}},
        {"--colormap rdbu --centre 10 --color-max 2", {"above the centre"}},
        {"--colormap viridis --color-min 5", {"needs both color_min and color_max"}},
        {"--continuous --bins 13", {"--bins '13'"}},
        {"--continuous=maybe", {"--continuous"}},
    };
    for (const auto& b : bad) {
        INFO(b.args);
        cli_bytes(b.args, OutputFormat::svg, &rc, &err);
        CHECK(rc != 0);
        for (const auto& s : b.says) CHECK_THAT(err, Catch::Matchers::Contains(s));
    }
    // batch takes them too: continuous eyemaps, their pages and thumbnails (levels as the map's bins).
    const auto out = sample().dir / "batch-continuous";
    REQUIRE(run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --run r --pages --colormap viridis --continuous",
                                q(sample().dir / "data.csv"), q(sample().dir / "columns.csv"), q(out)),
                    &err) == 0);
    std::size_t thumbs = 0, svgs = 0;
    for (const auto& e : fs::recursive_directory_iterator(out / "r")) {
        if (e.path().extension() != ".svg") continue;
        const std::string t = read_file(e.path());
        if (e.path().parent_path().filename() == "thumbs") {
            ++thumbs;
            bool viridis = false;
            for (const auto& c : fill_colours(Style{}, "viridis", 5).colour) viridis |= c != "#ffffff" && c != "#999999" && t.find(c) != std::string::npos;
            CHECK(viridis);
        } else if (t.find("em-hexes") != std::string::npos) {
            ++svgs;
            CHECK(t.find("<linearGradient") != std::string::npos);
        }
    }
    CHECK(thumbs > 0);
    CHECK(svgs > 0);
    CHECK(run_cli(fmt::format("batch --data {} --columns {} --out-dir {} --centre 2 --color-scale stddev", q(sample().dir / "data.csv"),
                              q(sample().dir / "columns.csv"), q(out / "x")),
                  &err) == 1);
    CHECK_THAT(err, Catch::Matchers::Contains("linear and fixed"));
}

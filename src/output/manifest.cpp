// Manifests: the JSON of a run's record (eyemap-batch/2; /1 still read), written one type per line and read back strictly.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iterator>
#include <unordered_set>

#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "eyemap/figure.hpp"
#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "core/option_schema.hpp"
#include "core/read_file.hpp"
#include "core/text.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "output/naming.hpp"
#include "output/run_internal.hpp"

namespace eyemap {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using detail::is_manifest_name;
using detail::manifest_json;
using detail::type_line;

std::string detail::iso_time_utc(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

// The one place that knows the manifest versions: /2 is written; /1 (before the input identity and
// absolute data paths) is still read, so older runs resume and verify.
constexpr std::string_view kSchemaPrefix = "eyemap-batch/";
constexpr int kSchemaVersion = 2;
constexpr int kOldestSchemaVersion = 1;
// The manifest's "links": each key is the rendering option it records (checked as that option on read).
constexpr std::pair<const char*, std::string ReleaseLinks::*> kLinkFields[] = {{"type_link", &ReleaseLinks::type_link},
                                                                               {"dataset_label", &ReleaseLinks::dataset_label},
                                                                               {"dataset_version", &ReleaseLinks::dataset_version},
                                                                               {"input_digest", &ReleaseLinks::input_digest}};
std::string schema_name(int version) { return fmt::format("{}{}", kSchemaPrefix, version); }
// The version of a "schema" value, or 0 when it is not one this reader knows.
int schema_version(std::string_view s) {
    for (int v = kOldestSchemaVersion; v <= kSchemaVersion; ++v)
        if (s == schema_name(v)) return v;
    return 0;
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::string to_hex(std::string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) out += fmt::format("{:02x}", c);
    return out;
}

// --- JSON out ---------------------------------------------------------------------------------

ojson type_json(const TypeRecord& t, ContentHash content_hash) {
    ojson j;
    j["name"] = t.neuron_type;
    // JSON strings are UTF-8: a name that is not keeps its exact bytes in "name_hex" ("name" then
    // shows it with U+FFFD), so two such names never merge when read back.
    if (!is_drawable_text(t.neuron_type)) j["name_hex"] = to_hex(t.neuron_type);
    j["key"] = t.file_key;
    j["seq"] = t.seq;
    j["lines"] = ojson::array({t.first_line, t.last_line});
    j["rows"] = t.rows;
    j["rows_hash"] = hex64(t.rows_hash);
    ojson eyes = ojson::array();
    for (const auto& e : t.eyemaps) {
        ojson x;
        x["region"] = e.request.region;
        x["side"] = std::string(to_string(e.request.side));
        x["metric"] = std::string(to_string(e.request.metric));
        if (e.part != ComparePart::none) x["part"] = std::string(to_string(e.part));  // a comparison's (absent before them)
        if (!e.request.metric.label().empty()) x["metric_label"] = e.request.metric.label();  // the user's words, for the index
        if (!e.request.metric.unit().empty()) x["metric_unit"] = e.request.metric.unit();
        x["has_data"] = e.has_data;
        x["no_data"] = e.no_data;
        x["not_in_region"] = e.not_in_region;
        if (const auto& m = e.summary) {
            if (m->counts)
                x["summary"] = ojson{{"columns", m->columns_in_region}, {"total", m->total},   {"mean", m->mean},
                                     {"median", m->median},          {"max", m->max},       {"scale_min", m->scale_min},
                                     {"scale_max", m->scale_max},    {"scale_method", std::string(to_string(m->scale_method))}};
            else  // a value column: no total; min and max as numbers, and how its eyemaps print values
                x["summary"] = ojson{{"columns", m->columns_in_region},
                                     {"mean", m->mean},
                                     {"median", m->median},
                                     {"min", m->min_value},
                                     {"max", m->max_value},
                                     {"format", ojson{{"whole", m->format.whole}, {"decimals", m->format.decimals}, {"scientific", m->format.scientific}}},
                                     {"scale_min", m->scale_min},
                                     {"scale_max", m->scale_max},
                                     {"scale_method", std::string(to_string(m->scale_method))}};
        }
        eyes.push_back(std::move(x));
    }
    j["eyemaps"] = std::move(eyes);
    if (t.only_in_data) j["only_in_data"] = true;
    if (!t.changes.empty()) {
        ojson ch = ojson::array();
        for (const auto& c : t.changes)
            ch.push_back(ojson{{"metric", std::string(to_string(c.metric))}, {"score", std::isnan(c.score) ? ojson(nullptr) : ojson(c.score)},
                               {"columns", c.columns}, {"only_a", c.only_a}, {"only_b", c.only_b}, {"total_a", c.total_a},
                               {"total_b", c.total_b}});
        j["changes"] = std::move(ch);
    }
    ojson outs = ojson::array();
    for (const auto& o : t.outputs) {
        ojson x;
        x["path"] = o.path;
        x["format"] = std::string(to_string(o.format));
        x["eyemap"] = o.eyemap;
        x["hash"] = hex64(o.input_hash);
        x["bytes"] = o.bytes;
        // The key names the algorithm too: an older eyemap, which knows only "content", checks sizes alone.
        if (o.content_hash) x[content_hash == ContentHash::hash64 ? "content" : "digest"] = hex64(o.content_hash);
        outs.push_back(std::move(x));
    }
    j["outputs"] = std::move(outs);
    return j;
}

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }


}  // namespace

std::string detail::type_line(const TypeRecord& t, ContentHash content_hash) { return dump(type_json(t, content_hash)); }

std::uint64_t detail::content_hash_of(ContentHash algorithm, std::string_view bytes) noexcept {
    return algorithm == ContentHash::hash64 ? hash_bytes(bytes) : stream_digest(bytes);
}

std::string_view detail::content_hash_name(ContentHash algorithm) noexcept {
    return algorithm == ContentHash::hash64 ? "hash64" : "crc32-adler32";
}

// One type per line (each dumped once, when the type finishes): compact, readable, diff-friendly.
std::string detail::manifest_head(const Manifest& m, std::size_t type_count) {
    ojson head;
    head["schema"] = schema_name(kSchemaVersion);
    head["tool"] = m.tool;
    head["run"] = m.run;
    head["shard"] = ojson{{"index", m.shard.index}, {"count", m.shard.count}};
    head["complete"] = m.complete;
    head["cancelled"] = m.cancelled;
    head["started"] = m.started;
    head["updated"] = m.updated;
    head["data"] = m.data;
    head["columns"] = m.columns;
    ojson fm = ojson::array();
    for (auto f : m.formats) fm.push_back(std::string(to_string(f)));
    head["formats"] = std::move(fm);
    head["pages"] = m.pages;
    head["settings_hash"] = hex64(m.settings_hash);
    if (!m.plan.empty()) head["plan"] = m.plan;
    if (m.input.known)
        head["input"] = ojson{{"source", m.input.from_file ? "file" : "rows"}, {"data_digest", hex64(m.input.data_digest)},
                              {"data_bytes", m.input.data_bytes}, {"types", m.input.types}, {"plan_hash", hex64(m.input.plan_hash)}};
    if (!m.links.empty()) {  // only when given: manifests of runs without links are as before
        ojson l = ojson::object();
        for (const auto& [key, member] : kLinkFields)
            if (!(m.links.*member).empty()) l[key] = m.links.*member;
        head["links"] = std::move(l);
    }
    if (const auto& b = m.baseline)
        head["baseline"] = ojson{{"source", b->source}, {"mode", std::string(to_string(b->mode))}, {"label_a", b->label_a},
                                 {"label_b", b->label_b}, {"colormap", b->colormap}, {"types", b->types}};
    // Absent in manifests from before issue 26, whose content hashes are hash64.
    if (m.content_hash != ContentHash::hash64) head["content_hash"] = std::string(content_hash_name(m.content_hash));
    head["type_count"] = type_count;
    std::string s = dump(head);
    s.pop_back();  // the closing brace
    s += ",\"types\":[\n";
    return s;
}

std::string detail::manifest_json(const Manifest& m, std::span<const std::string* const> type_lines) {
    std::string s = manifest_head(m, type_lines.size());
    for (std::size_t i = 0; i < type_lines.size(); ++i) {
        s += *type_lines[i];
        s += i + 1 < type_lines.size() ? ",\n" : "\n";
    }
    s += kManifestTail;
    return s;
}

ReleaseLinks release_links(const RenderOptions& o) {
    return ReleaseLinks{o.type_link, o.dataset_label, o.dataset_version, o.input_digest};
}

// --- JSON in ----------------------------------------------------------------------------------

namespace {

// Every manifest problem names the command that rebuilds the run's manifest: move the bad file
// away and run the batch again with --resume (files that are up to date are not rendered again;
// the manifest is written anew).
std::string manifest_recovery_hint(std::string_view source) {
    const fs::path m(source);
    const fs::path run_dir = m.has_parent_path() ? m.parent_path() : fs::path(".");
    const std::string run = run_dir.filename().string();
    const fs::path out = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
    std::string shard;
    unsigned i = 0, c = 0;
    if (std::sscanf(m.filename().string().c_str(), "manifest-%u-of-%u.json", &i, &c) == 2) shard = fmt::format(" --shard {}/{}", i, c);
    return fmt::format("it was not written by eyemap or is damaged (truncated, edited); rebuild it: mv {} {}.bad && "
                       "eyemap batch --data <the run's data> --out-dir {} --run {}{} --resume",
                       m.string(), m.string(), out.string(), run.empty() ? "<run>" : run, shard);
}

bool from_hex(std::string_view h, std::string& out) {
    if (h.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < h.size(); i += 2) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(h.data() + i, h.data() + i + 2, v, 16);
        if (ec != std::errc{} || p != h.data() + i + 2) return false;
        out.push_back(static_cast<char>(v));
    }
    return true;
}

struct Reader {
    std::string_view source;
    [[noreturn]] void bad(const std::string& what) const {
        throw_input(fmt::format("bad manifest: {}; {}", what, manifest_recovery_hint(source)), ErrorLocation{std::string(source), 0, {}, {}});
    }
    const ojson& at(const ojson& j, const char* key) const {
        if (!j.is_object() || !j.contains(key)) bad(fmt::format("missing \"{}\"", key));
        return j.at(key);
    }
    std::string str(const ojson& j, const char* key) const {
        const auto& v = at(j, key);
        if (!v.is_string()) bad(fmt::format("\"{}\" must be a string", key));
        return v.get<std::string>();
    }
    std::uint64_t u64(const ojson& j, const char* key) const {
        const auto& v = at(j, key);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
            bad(fmt::format("\"{}\" must be a non-negative integer", key));
        return v.get<std::uint64_t>();
    }
    std::int64_t i64(const ojson& j, const char* key) const {
        const auto& v = at(j, key);
        if (!v.is_number_integer()) bad(fmt::format("\"{}\" must be an integer", key));
        return v.get<std::int64_t>();
    }
    double number(const ojson& j, const char* key) const {
        const auto& v = at(j, key);
        if (!v.is_number()) bad(fmt::format("\"{}\" must be a number", key));
        return v.get<double>();
    }
    bool boolean(const ojson& j, const char* key) const {
        const auto& v = at(j, key);
        if (!v.is_boolean()) bad(fmt::format("\"{}\" must be true or false", key));
        return v.get<bool>();
    }
    std::uint64_t hex(const ojson& j, const char* key) const {
        const std::string s = str(j, key);
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
        if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) bad(fmt::format("\"{}\" must be hex digits", key));
        return v;
    }
    OutputFormat format(const std::string& s) const {
        if (const auto f = parse_format(s)) return *f;
        bad(fmt::format("unknown format \"{}\"", s));
    }
    FileFormat file(const std::string& s) const {
        if (const auto f = parse_file_format(s)) return *f;
        bad(fmt::format("unknown format \"{}\"", s));
    }
};

}  // namespace

bool detail::is_manifest_name(const std::string& n) {
    if (n == "manifest.json") return true;
    unsigned i = 0, c = 0;
    int used = 0;
    if (n.rfind("manifest-", 0) != 0) return false;
    if (std::sscanf(n.c_str(), "manifest-%u-of-%u.json%n", &i, &c, &used) != 2) return false;
    return static_cast<std::size_t>(used) == n.size() && c > 0 && i < c && manifest_file_name(Shard{i, c}) == n;
}

bool detail::has_manifest(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_manifest_name(it->path().filename().string())) return true;
    return false;
}

// ---------------------------------------------------------------------------------------------
// Manifest

std::string manifest_file_name(Shard shard) {
    return shard.sharded() ? fmt::format("manifest-{}-of-{}.json", shard.index, shard.count) : std::string("manifest.json");
}

std::string manifest_to_json(const Manifest& m) {
    std::vector<std::string> lines;
    lines.reserve(m.types.size());
    for (const auto& t : m.types) lines.push_back(type_line(t, m.content_hash));
    std::vector<const std::string*> ptrs;
    for (const auto& l : lines) ptrs.push_back(&l);
    return manifest_json(m, ptrs);
}

// One element of "types".
// Which content-hash keys a manifest's outputs used: they must agree with its "content_hash".
struct ContentKeys {
    bool content = false, digest = false;
};

TypeRecord type_from_json(const Reader& r, const ojson& t, ContentKeys& keys) {
    TypeRecord rec;
    rec.neuron_type = r.str(t, "name");
    if (t.is_object() && t.contains("name_hex")) {
        if (!from_hex(r.str(t, "name_hex"), rec.neuron_type) || rec.neuron_type.empty()) r.bad("\"name_hex\" must be hex digits");
    }
    if (rec.neuron_type.empty()) r.bad("a type name is empty");
    rec.file_key = r.str(t, "key");
    if (!detail::plausible_file_key(rec.file_key, rec.neuron_type))
        r.bad(fmt::format("file key \"{}\" is not one eyemap makes for type \"{}\"", rec.file_key, rec.neuron_type));
    rec.seq = r.u64(t, "seq");
    const auto& lines = r.at(t, "lines");
    if (!lines.is_array() || lines.size() != 2 || !lines[0].is_number_unsigned() || !lines[1].is_number_unsigned())
        r.bad("\"lines\" must be [first, last]");
    rec.first_line = lines[0].get<std::uint64_t>();
    rec.last_line = lines[1].get<std::uint64_t>();
    rec.rows = r.u64(t, "rows");
    rec.rows_hash = r.hex(t, "rows_hash");
    const auto& eyemaps = r.at(t, "eyemaps");
    if (!eyemaps.is_array() || eyemaps.size() > kMaxManifestEyemaps) r.bad(fmt::format("\"eyemaps\" must be an array of at most {}", kMaxManifestEyemaps));
    for (const auto& e : eyemaps) {
        EyemapRecord er;
        er.request.region = r.str(e, "region");
        if (er.request.region.empty() || er.request.region.size() > 64) r.bad("a region name must have 1 to 64 bytes");
        const std::string side = r.str(e, "side");
        if (side != "L" && side != "R") r.bad("side must be L or R");
        er.request.side = side == "L" ? Side::L : Side::R;
        const std::string metric = r.str(e, "metric");  // manifests before the rename hold the old identifiers
        if (const auto m = parse_metric(metric)) er.request.metric = *m;
        else if (valid_value_column_name(metric)) er.request.metric = Metric(metric);  // a value column
        else r.bad(fmt::format("unknown metric \"{}\"", metric));
        if (e.contains("metric_label") || e.contains("metric_unit")) {
            const std::string label = e.contains("metric_label") ? r.str(e, "metric_label") : std::string();
            const std::string unit = e.contains("metric_unit") ? r.str(e, "metric_unit") : std::string();
            try {
                er.request.metric = er.request.metric.with_label(label, unit);
            } catch (const Error& x) {
                r.bad(fmt::format("metric label or unit: {}", x.reason()));
            }
        }
        if (e.contains("part")) {
            const std::string part = r.str(e, "part");
            const auto p = parse_figure_dataset(part);
            if (!p || part == "diff") r.bad(fmt::format("unknown part \"{}\" (a, b or difference)", part));
            er.part = *p;
        }
        er.has_data = r.u64(e, "has_data");
        er.no_data = r.u64(e, "no_data");
        er.not_in_region = r.u64(e, "not_in_region");
        if (e.contains("summary")) {  // manifests written before the summary have none
            const auto& sj = e.at("summary");
            EyemapSummary sm;
            sm.columns_with_data = er.has_data;
            sm.columns_in_region = r.u64(sj, "columns");
            sm.counts = er.request.metric.is_count();
            sm.mean = r.number(sj, "mean");
            sm.median = r.number(sj, "median");
            if (sm.counts) {
                sm.total = r.i64(sj, "total");
                sm.max = r.i64(sj, "max");
            } else {
                sm.min_value = r.number(sj, "min");
                sm.max_value = r.number(sj, "max");
                const auto& f = r.at(sj, "format");
                if (!f.is_object() || !f.contains("whole") || !f.at("whole").is_boolean() || !f.contains("scientific") ||
                    !f.at("scientific").is_boolean())
                    r.bad("\"format\" must be an object with booleans whole and scientific and decimals 0..6");
                sm.format.whole = f.at("whole").get<bool>();
                sm.format.scientific = f.at("scientific").get<bool>();
                const std::int64_t places = r.i64(f, "decimals");
                if (places < 0 || places > 6) r.bad("\"format\".decimals must be 0..6");
                sm.format.decimals = static_cast<int>(places);
            }
            sm.scale_min = r.number(sj, "scale_min");
            sm.scale_max = r.number(sj, "scale_max");
            const auto method = parse_scale_method(r.str(sj, "scale_method"));
            if (!method) r.bad("unknown scale_method");
            sm.scale_method = *method;
            er.summary = sm;
        }
        rec.eyemaps.push_back(std::move(er));
    }
    if (t.contains("only_in_data")) {
        if (!t.at("only_in_data").is_boolean()) r.bad("\"only_in_data\" must be true or false");
        rec.only_in_data = t.at("only_in_data").get<bool>();
    }
    if (t.contains("changes")) {
        const auto& ch = t.at("changes");
        if (!ch.is_array() || ch.size() > rec.eyemaps.size()) r.bad("\"changes\" must be an array of at most one per eyemap");
        for (const auto& c : ch) {
            TypeChange tc;
            tc.neuron_type = rec.neuron_type;
            const std::string metric = r.str(c, "metric");
            if (const auto m = parse_metric(metric)) tc.metric = *m;
            else if (valid_value_column_name(metric)) tc.metric = Metric(metric);
            else r.bad(fmt::format("unknown metric \"{}\"", metric));
            tc.score = c.contains("score") && c.at("score").is_null() ? std::numeric_limits<double>::quiet_NaN() : r.number(c, "score");
            if (!(std::isnan(tc.score) || (tc.score >= 0 && tc.score <= 1))) r.bad("a change score is 0..1");
            tc.columns = r.u64(c, "columns");
            tc.only_a = r.u64(c, "only_a");
            tc.only_b = r.u64(c, "only_b");
            tc.total_a = r.number(c, "total_a");
            tc.total_b = r.number(c, "total_b");
            rec.changes.push_back(std::move(tc));
        }
    }
    const auto& outputs = r.at(t, "outputs");
    if (!outputs.is_array() || outputs.size() > 3 * rec.eyemaps.size() + 2) r.bad("\"outputs\" must be an array of at most 3 per eyemap and 2 more");
    for (const auto& o : outputs) {
        OutputRecord orec;
        orec.path = r.str(o, "path");
        orec.format = r.file(r.str(o, "format"));
        const std::int64_t eyemap = r.i64(o, "eyemap");
        if (eyemap < -1 || eyemap >= static_cast<std::int64_t>(rec.eyemaps.size())) r.bad("output eyemap index out of range");
        orec.eyemap = static_cast<int>(eyemap);
        // A path is only ever the one the batch makes for this type, eyemap and format: inside
        // the run folder, one of its folders, a safe file name; never a URL or another file.
        std::string expected;
        if (orec.eyemap >= 0) {
            const auto f = eyemap_format(orec.format);
            if (!f) r.bad("an eyemap cannot be html");
            const EyemapRecord& er = rec.eyemaps[static_cast<std::size_t>(orec.eyemap)];
            expected = eyemap_path(*f, rec.file_key, er.request, er.part);
        } else {
            expected = orec.format == FileFormat::html ? page_path(rec.file_key)
                       : orec.format == FileFormat::svg ? detail::thumb_path(rec.file_key)
                                                          : std::string();
        }
        if (orec.path != expected)
            r.bad(fmt::format("output path \"{}\" is not the one eyemap writes for it (\"{}\")", orec.path, expected));
        orec.input_hash = r.hex(o, "hash");
        orec.bytes = r.u64(o, "bytes");
        if (o.contains("content")) {
            orec.content_hash = r.hex(o, "content");
            keys.content = true;
        }
        if (o.contains("digest")) {
            orec.content_hash = r.hex(o, "digest");
            keys.digest = true;
        }
        rec.outputs.push_back(std::move(orec));
    }
    return rec;
}

namespace {

// A manifest from `parse` (which parses the JSON with the callback it is given): each element of the
// top-level "types" array is converted as soon as it is parsed and dropped from the document, so a
// manifest of 10^4 types is never held as one JSON tree (several times its text's size); with
// `on_type`, each record goes to it (in file order) instead of into the manifest's types.
template <class Parse>
Manifest manifest_from(const Parse& parse, std::string_view source, const std::function<void(TypeRecord&&)>* on_type) {
    Reader r{source};
    ojson j;
    std::vector<TypeRecord> streamed;
    ContentKeys keys;
    std::string top_key;
    const auto keep = [&](int depth, ojson::parse_event_t event, ojson& parsed) {
        if (event == ojson::parse_event_t::key && depth == 1) top_key = parsed.get<std::string>();
        if (event != ojson::parse_event_t::object_end || depth != 2 || top_key != "types") return true;
        if (on_type) (*on_type)(type_from_json(r, parsed, keys));
        else streamed.push_back(type_from_json(r, parsed, keys));
        return false;
    };
    try {
        j = parse(ojson::parser_callback_t(keep));
    } catch (const Error&) {
        throw;  // a bad type record, named by the reader (or an io error of the file)
    } catch (const std::exception& e) {
        r.bad(fmt::format("not valid JSON ({})", e.what()));
    }
    Manifest m;
    m.schema = schema_version(r.str(j, "schema"));
    if (!m.schema) r.bad(fmt::format("schema is not {}{} to {}", kSchemaPrefix, kOldestSchemaVersion, schema_name(kSchemaVersion)));
    m.tool = r.str(j, "tool");
    m.run = r.str(j, "run");
    const auto& sh = r.at(j, "shard");
    const std::uint64_t shard_index = r.u64(sh, "index"), shard_count = r.u64(sh, "count");
    if (shard_count == 0 || shard_count > kMaxShards || shard_index >= shard_count)
        r.bad(fmt::format("shard {}/{}: the count must be 1 to {} and the index below it", shard_index, shard_count, kMaxShards));
    m.shard = Shard{static_cast<std::uint32_t>(shard_index), static_cast<std::uint32_t>(shard_count)};
    m.complete = r.boolean(j, "complete");
    m.cancelled = r.boolean(j, "cancelled");
    m.started = r.str(j, "started");
    m.updated = r.str(j, "updated");
    m.data = r.str(j, "data");
    m.columns = r.str(j, "columns");
    for (const auto& f : r.at(j, "formats")) {
        if (!f.is_string()) r.bad("formats must be strings");
        m.formats.push_back(r.format(f.get<std::string>()));
    }
    m.pages = r.boolean(j, "pages");
    m.settings_hash = r.hex(j, "settings_hash");
    if (j.contains("plan")) m.plan = r.str(j, "plan");
    // An input written before the data digest (its "data_hash" was another function of the bytes)
    // is not compared: as in /1 manifests, the identity is unknown.
    if (m.schema >= 2 && j.contains("input") && !(j.at("input").is_object() && j.at("input").contains("data_hash"))) {
        const auto& in = j.at("input");
        const std::string source = r.str(in, "source");
        if (source != "file" && source != "rows") r.bad("\"input\" \"source\" must be file or rows");
        m.input.known = true;
        m.input.from_file = source == "file";
        m.input.data_digest = r.hex(in, "data_digest");
        m.input.data_bytes = r.u64(in, "data_bytes");
        m.input.types = r.u64(in, "types");
        m.input.plan_hash = r.hex(in, "plan_hash");
    }
    m.content_hash = ContentHash::hash64;
    if (j.contains("content_hash")) {
        const std::string name = r.str(j, "content_hash");
        if (name == detail::content_hash_name(ContentHash::crc32_adler32)) m.content_hash = ContentHash::crc32_adler32;
        else if (name != detail::content_hash_name(ContentHash::hash64)) r.bad(fmt::format("unknown content_hash \"{}\"", name));
    }
    if ((keys.content && m.content_hash != ContentHash::hash64) || (keys.digest && m.content_hash != ContentHash::crc32_adler32))
        r.bad(fmt::format("outputs' \"{}\" hashes do not match \"content_hash\" {}", keys.content ? "content" : "digest",
                          detail::content_hash_name(m.content_hash)));
    if (j.contains("links")) {  // checked as the options are: they go into pages again
        const auto& l = r.at(j, "links");
        if (!l.is_object()) r.bad("\"links\" must be an object");
        for (const auto& [key, member] : kLinkFields) {
            if (!l.contains(key)) continue;
            std::string& value = m.links.*member;
            value = r.str(l, key);
            try {
                OptionInput in;
                set_field(*find_option(key), in, value, key);
            } catch (const Error& e) {
                r.bad(fmt::format("\"links\" \"{}\": {}", key, e.reason()));
            }
        }
    }
    if (j.contains("baseline")) {
        const auto& b = r.at(j, "baseline");
        if (!b.is_object()) r.bad("\"baseline\" must be an object");
        Manifest::Baseline mb;
        mb.source = r.str(b, "source");
        const auto mode = parse_compare_mode(r.str(b, "mode"));
        if (!mode) r.bad("\"baseline\" \"mode\" must be difference or log2");
        mb.mode = *mode;
        mb.label_a = r.str(b, "label_a");
        mb.label_b = r.str(b, "label_b");
        if (b.contains("colormap")) mb.colormap = r.str(b, "colormap");
        try {
            CompareOptions co{mb.mode, mb.label_a, mb.label_b, {}, mb.colormap};
            validate(co);  // they go into pages and commands again
        } catch (const Error& e) {
            r.bad(fmt::format("\"baseline\": {}", e.reason()));
        }
        const auto& bt = r.at(b, "types");
        if (!bt.is_array() || bt.size() > kMaxManifestEyemaps * 1000) r.bad("\"baseline\" \"types\" must be an array of names");
        for (const auto& t : bt) {
            if (!t.is_string()) r.bad("\"baseline\" \"types\" must be an array of names");
            mb.types.push_back(t.get<std::string>());
        }
        m.baseline = std::move(mb);
    }
    const auto& types = r.at(j, "types");
    if (!types.is_array()) r.bad("\"types\" must be an array");
    for (const auto& t : types) m.types.push_back(type_from_json(r, t, keys));  // elements the parse kept (not objects): refused
    m.types.insert(m.types.end(), std::make_move_iterator(streamed.begin()), std::make_move_iterator(streamed.end()));
    return m;
}

// A manifest file's bytes for the JSON parser, read in blocks from an open file from `start`, up to
// `length` bytes or its end, and at most kMaxManifestBytes.
class ManifestFileBytes {
public:
    ManifestFileBytes(int fd, const fs::path& path, std::uint64_t start = 0, std::uint64_t length = UINT64_MAX)
        : fd_(fd), path_(path), at_(start), left_(length) {}
    ManifestFileBytes(const ManifestFileBytes&) = delete;
    ManifestFileBytes& operator=(const ManifestFileBytes&) = delete;

    // An input iterator over the bytes (what nlohmann's iterator input reads); a default one is the end.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = char;
        using difference_type = std::ptrdiff_t;
        using pointer = const char*;
        using reference = const char&;
        Iterator() = default;
        explicit Iterator(ManifestFileBytes* f) : f_(f) {}
        reference operator*() const { return f_->buf_[f_->pos_]; }
        Iterator& operator++() {
            ++f_->pos_;
            return *this;
        }
        void operator++(int) { ++f_->pos_; }
        bool operator==(const Iterator& o) const { return at_end() == o.at_end(); }
        bool operator!=(const Iterator& o) const { return !(*this == o); }

    private:
        bool at_end() const { return !f_ || !f_->fill(); }
        ManifestFileBytes* f_ = nullptr;
    };
    Iterator begin() { return Iterator(this); }
    static Iterator end() { return Iterator(); }

    // The next block of bytes (empty at the end); the file's whole size checked against the limit
    // (it may grow while read).
    std::string_view next_block() {
        for (;;) {
            const ssize_t n = left_ == 0 ? 0 : ::pread(fd_, buf_, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf_, left_)), static_cast<off_t>(at_));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_io(fmt::format("cannot read manifest: {}", std::strerror(errno)), path_.string());
            at_ += static_cast<std::uint64_t>(n);
            left_ -= static_cast<std::uint64_t>(n);
            if ((total_ += static_cast<std::uint64_t>(n)) > kMaxManifestBytes) refuse_larger_than(path_, kMaxManifestBytes, "manifest");
            return {buf_, static_cast<std::size_t>(n)};
        }
    }

private:
    // Whether a byte is there to read (reads the next block when the last one is used up).
    bool fill() {
        if (pos_ < len_) return true;
        if (eof_) return false;
        pos_ = 0;
        len_ = next_block().size();
        eof_ = len_ == 0;
        return !eof_;
    }
    int fd_;
    const fs::path& path_;
    std::uint64_t at_, left_;
    char buf_[65536];
    std::size_t pos_ = 0, len_ = 0;
    std::uint64_t total_ = 0;
    bool eof_ = false;
};

}  // namespace

Manifest manifest_from_json(std::string_view text, std::string_view source) {
    return manifest_from([&](const ojson::parser_callback_t& cb) { return ojson::parse(text, cb); }, source, nullptr);
}

detail::ManifestFile::ManifestFile(fs::path path) : path_(std::move(path)), fd_(open_regular_file(path_, kMaxManifestBytes, "manifest")) {}

detail::ManifestFile::ManifestFile(fs::path path, int copy_fd, std::uint64_t start, std::uint64_t length)
    : path_(std::move(path)), fd_(copy_fd), owned_(false), start_(start), length_(length) {}

detail::ManifestFile::~ManifestFile() {
    if (owned_ && fd_ >= 0) ::close(fd_);
}

void detail::ManifestFile::copy_to(const std::function<void(std::string_view)>& out) const {
    ManifestFileBytes bytes(fd_, path_, start_, length_);
    for (std::string_view block = bytes.next_block(); !block.empty(); block = bytes.next_block()) out(block);
}

Manifest detail::ManifestFile::read(const std::function<void(TypeRecord&&)>& on_type) const {
    const auto bytes = std::make_unique<ManifestFileBytes>(fd_, path_, start_, length_);
    const std::string source = path_.string();
    return manifest_from([&](const ojson::parser_callback_t& cb) { return ojson::parse(bytes->begin(), ManifestFileBytes::end(), cb); }, source,
                         &on_type);
}

std::vector<fs::path> detail::run_manifest_files(const fs::path& run_dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(run_dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_manifest_name(it->path().filename().string())) files.push_back(it->path());
    if (ec) throw_io(fmt::format("cannot list folder: {}", ec.message()), run_dir.string());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::pair<fs::path, Manifest>> read_run_manifests(const fs::path& run_dir) {
    std::vector<std::pair<fs::path, Manifest>> out;
    for (auto& f : detail::run_manifest_files(run_dir)) {
        auto text = read_regular_file(f, kMaxManifestBytes, "manifest");
        out.emplace_back(f, manifest_from_json(text, f.string()));
    }
    return out;
}


// Each type once: from the manifest updated last (ties: the later file name).
std::vector<TypeRecord> detail::merge_types(std::vector<std::pair<fs::path, Manifest>>& manifests) {
    std::vector<std::size_t> order(manifests.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return manifests[a].second.updated > manifests[b].second.updated;
    });
    std::unordered_set<std::string> have;
    std::vector<TypeRecord> types;
    for (std::size_t i : order)
        for (auto& t : manifests[i].second.types)
            if (have.insert(t.neuron_type).second) types.push_back(std::move(t));
    std::sort(types.begin(), types.end(), [](const TypeRecord& a, const TypeRecord& b) {
        return a.seq != b.seq ? a.seq < b.seq : a.neuron_type < b.neuron_type;
    });
    return types;
}

}  // namespace eyemap

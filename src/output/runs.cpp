// Batch on disk: manifest JSON, run folders (atomic files, resume, index), retention of runs.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/runs.hpp"
#include "eyemap/error.hpp"
#include "eyemap/stats.hpp"
#include "batch/settings_hash.hpp"
#include "core/hash.hpp"
#include "output/naming.hpp"
#include "output/pages.hpp"
#include "output/report.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

std::string iso_time_utc(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

constexpr std::string_view kSchema = "eyemap-batch/1";
constexpr std::string_view kProtectFile = ".protected";

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        std::uint32_t cp = len == 1 ? c : (c & (0x7Fu >> len));
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

std::string to_hex(std::string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) out += fmt::format("{:02x}", c);
    return out;
}

// --- JSON out ---------------------------------------------------------------------------------

ojson type_json(const TypeRecord& t) {
    ojson j;
    j["name"] = t.neuron_type;
    // JSON strings are UTF-8: a name that is not keeps its exact bytes in "name_hex" ("name" then
    // shows it with U+FFFD), so two such names never merge when read back.
    if (!valid_utf8(t.neuron_type)) j["name_hex"] = to_hex(t.neuron_type);
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
        x["has_data"] = e.has_data;
        x["no_data"] = e.no_data;
        x["not_in_region"] = e.not_in_region;
        if (const auto& m = e.summary) {
            x["summary"] = ojson{{"columns", m->columns_in_region}, {"total", m->total},   {"mean", m->mean},
                                 {"median", m->median},          {"max", m->max},       {"scale_min", m->scale_min},
                                 {"scale_max", m->scale_max},    {"scale_method", std::string(to_string(m->scale_method))}};
        }
        eyes.push_back(std::move(x));
    }
    j["eyemaps"] = std::move(eyes);
    ojson outs = ojson::array();
    for (const auto& o : t.outputs) {
        ojson x;
        x["path"] = o.path;
        x["format"] = std::string(to_string(o.format));
        x["eyemap"] = o.eyemap;
        x["hash"] = hex64(o.input_hash);
        x["bytes"] = o.bytes;
        if (o.content_hash) x["content"] = hex64(o.content_hash);
        outs.push_back(std::move(x));
    }
    j["outputs"] = std::move(outs);
    return j;
}

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

std::string type_line(const TypeRecord& t) { return dump(type_json(t)); }

// One type per line (each dumped once, when the type finishes): compact, readable, diff-friendly.
std::string manifest_json(const Manifest& m, std::span<const std::string* const> type_lines) {
    ojson head;
    head["schema"] = std::string(kSchema);
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
    head["type_count"] = type_lines.size();
    std::string s = dump(head);
    s.pop_back();  // the closing brace
    std::size_t size = s.size() + 16;
    for (const auto* l : type_lines) size += l->size() + 2;
    s.reserve(size);
    s += ",\"types\":[\n";
    for (std::size_t i = 0; i < type_lines.size(); ++i) {
        s += *type_lines[i];
        s += i + 1 < type_lines.size() ? ",\n" : "\n";
    }
    s += "]}\n";
    return s;
}

// --- JSON in ----------------------------------------------------------------------------------

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
        if (s == kPageFormat.name) return OutputFormat::html;
        bad(fmt::format("unknown format \"{}\"", s));
    }
};

// --- locks and temp files ---------------------------------------------------------------------

// flock() on the run folder: batches hold it shared, `runs clean` exclusive while deleting.
class DirLock {
public:
    DirLock(const fs::path& dir, int op) {
        fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ < 0) return;
        int r;
        do r = ::flock(fd_, op | LOCK_NB);
        while (r != 0 && errno == EINTR);
        locked_ = r == 0;
    }
    ~DirLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;
    bool opened() const noexcept { return fd_ >= 0; }
    bool locked() const noexcept { return locked_; }

private:
    int fd_ = -1;
    bool locked_ = false;
};

bool is_manifest_name(const std::string& n) {
    if (n == "manifest.json") return true;
    unsigned i = 0, c = 0;
    int used = 0;
    if (n.rfind("manifest-", 0) != 0) return false;
    if (std::sscanf(n.c_str(), "manifest-%u-of-%u.json%n", &i, &c, &used) != 2) return false;
    return static_cast<std::size_t>(used) == n.size() && c > 0 && i < c && manifest_file_name(Shard{i, c}) == n;
}

bool has_manifest(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_manifest_name(it->path().filename().string())) return true;
    return false;
}

// Temp files of write_file_atomic (".<name>.tmp-<host>-<pid>-<n>") left by a process of this host
// that no longer runs (temp_file_is_stale); another host's files are never touched.
std::size_t remove_stale_temp_files(const fs::path& run_dir) {
    std::size_t removed = 0;
    const std::string host = temp_host_id();
    const long self = static_cast<long>(::getpid());
    auto scan = [&](const fs::path& dir) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string n = it->path().filename().string();
            if (!temp_file_is_stale(n, host, self, local_pid_alive)) continue;
            std::error_code rec;
            if (fs::remove(it->path(), rec)) ++removed;
        }
    };
    scan(run_dir);
    for (std::string_view sub : detail::run_subfolders()) {
        std::error_code sec;
        if (fs::symlink_status(run_dir / sub, sec).type() == fs::file_type::directory) scan(run_dir / sub);
    }
    return removed;
}

std::string mtime_iso(const fs::path& p) {
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    if (ec) return {};
    return iso_time_utc(std::chrono::time_point_cast<std::chrono::system_clock::duration>(std::chrono::file_clock::to_sys(t)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Manifest

std::string manifest_file_name(Shard shard) {
    return shard.sharded() ? fmt::format("manifest-{}-of-{}.json", shard.index, shard.count) : std::string("manifest.json");
}

std::string manifest_to_json(const Manifest& m) {
    std::vector<std::string> lines;
    lines.reserve(m.types.size());
    for (const auto& t : m.types) lines.push_back(type_line(t));
    std::vector<const std::string*> ptrs;
    for (const auto& l : lines) ptrs.push_back(&l);
    return manifest_json(m, ptrs);
}

Manifest manifest_from_json(std::string_view text, std::string_view source) {
    Reader r{source};
    ojson j;
    try {
        j = ojson::parse(text);
    } catch (const std::exception& e) {
        r.bad(fmt::format("not valid JSON ({})", e.what()));
    }
    if (r.str(j, "schema") != kSchema) r.bad(fmt::format("schema is not {}", kSchema));
    Manifest m;
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
    const auto& types = r.at(j, "types");
    if (!types.is_array()) r.bad("\"types\" must be an array");
    m.types.reserve(types.size());
    for (const auto& t : types) {
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
            else r.bad(fmt::format("unknown metric \"{}\"", metric));
            er.has_data = r.u64(e, "has_data");
            er.no_data = r.u64(e, "no_data");
            er.not_in_region = r.u64(e, "not_in_region");
            if (e.contains("summary")) {  // manifests written before the summary have none
                const auto& sj = e.at("summary");
                EyemapSummary sm;
                sm.columns_with_data = er.has_data;
                sm.columns_in_region = r.u64(sj, "columns");
                sm.total = r.i64(sj, "total");
                sm.mean = r.number(sj, "mean");
                sm.median = r.number(sj, "median");
                sm.max = r.i64(sj, "max");
                sm.scale_min = r.number(sj, "scale_min");
                sm.scale_max = r.number(sj, "scale_max");
                const auto method = parse_scale_method(r.str(sj, "scale_method"));
                if (!method) r.bad("unknown scale_method");
                sm.scale_method = *method;
                er.summary = sm;
            }
            rec.eyemaps.push_back(std::move(er));
        }
        const auto& outputs = r.at(t, "outputs");
        if (!outputs.is_array() || outputs.size() > 3 * rec.eyemaps.size() + 2) r.bad("\"outputs\" must be an array of at most 3 per eyemap and 2 more");
        for (const auto& o : outputs) {
            OutputRecord orec;
            orec.path = r.str(o, "path");
            orec.format = r.format(r.str(o, "format"));
            const std::int64_t eyemap = r.i64(o, "eyemap");
            if (eyemap < -1 || eyemap >= static_cast<std::int64_t>(rec.eyemaps.size())) r.bad("output eyemap index out of range");
            orec.eyemap = static_cast<int>(eyemap);
            // A path is only ever the one the batch makes for this type, eyemap and format: inside
            // the run folder, one of its folders, a safe file name; never a URL or another file.
            std::string expected;
            if (orec.eyemap >= 0) {
                if (orec.format == OutputFormat::html) r.bad("an eyemap cannot be html");
                expected = eyemap_path(orec.format, rec.file_key, rec.eyemaps[static_cast<std::size_t>(orec.eyemap)].request);
            } else {
                expected = orec.format == OutputFormat::html ? page_path(rec.file_key)
                           : orec.format == OutputFormat::svg ? detail::thumb_path(rec.file_key)
                                                              : std::string();
            }
            if (orec.path != expected)
                r.bad(fmt::format("output path \"{}\" is not the one eyemap writes for it (\"{}\")", orec.path, expected));
            orec.input_hash = r.hex(o, "hash");
            orec.bytes = r.u64(o, "bytes");
            if (o.contains("content")) orec.content_hash = r.hex(o, "content");
            rec.outputs.push_back(std::move(orec));
        }
        m.types.push_back(std::move(rec));
    }
    return m;
}

std::vector<std::pair<fs::path, Manifest>> read_run_manifests(const fs::path& run_dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(run_dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_manifest_name(it->path().filename().string())) files.push_back(it->path());
    if (ec) throw_io(fmt::format("cannot list folder: {}", ec.message()), run_dir.string());
    std::sort(files.begin(), files.end());
    std::vector<std::pair<fs::path, Manifest>> out;
    for (auto& f : files) {
        auto text = read_regular_file(f, kMaxManifestBytes, "manifest");
        out.emplace_back(f, manifest_from_json(text, f.string()));
    }
    return out;
}

namespace {

// Each type once: from the manifest updated last (ties: the later file name).
std::vector<TypeRecord> merge_types(std::vector<std::pair<fs::path, Manifest>>& manifests) {
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

}  // namespace

namespace {
// write_run_index; `report_link`: index.html links report.html.
std::size_t write_index(const fs::path& run_dir, const std::shared_ptr<const TemplateSet>& templates, Stats* stats, bool report_link) {
    ScopedTimer timer(stats, stats ? stats->op("batch_index") : OpId{});
    auto manifests = read_run_manifests(run_dir);
    if (manifests.empty()) throw_input("no manifest*.json in this folder: not a batch run", ErrorLocation{run_dir.string(), 0, {}, {}});
    std::vector<IndexNotice> notices;
    std::uint32_t shard_count = 0;
    std::vector<bool> shard_seen;
    for (const auto& [path, m] : manifests) {
        if (m.shard.sharded()) {
            if (shard_count == 0 || m.shard.count == shard_count) {
                shard_count = m.shard.count;
                shard_seen.resize(shard_count);
                shard_seen[m.shard.index] = true;
            }
            if (!m.complete)
                notices.push_back({fmt::format("Shard {}/{} has not finished ({} types so far); run eyemap batch --index-only again when it has.",
                                               m.shard.index, m.shard.count, m.types.size())});
        } else if (!m.complete) {
            notices.push_back({fmt::format("This run has not finished ({} types so far{}).", m.types.size(),
                                           m.cancelled ? "; it was interrupted: resume it with eyemap batch --resume" : "")});
        }
    }
    std::uint32_t missing = 0;
    for (std::uint32_t i = 0; i < shard_count; ++i)
        if (!shard_seen[i] && ++missing <= 20) notices.push_back({fmt::format("Shard {}/{} has not run yet: its types are missing.", i, shard_count)});
    if (missing > 20) notices.push_back({fmt::format("{} more shards of {} have not run yet.", missing - 20, shard_count)});
    const auto types = merge_types(manifests);
    const std::string html = render_index_page(types, notices, templates, report_link);
    timer.add_bytes(html.size());
    for (const auto& [name, text] : render_site_assets(types, templates)) write_file_atomic(run_dir / name, text);
    write_file_atomic(run_dir / "index.html", html);
    return types.size();
}
}  // namespace

std::size_t write_run_index(const fs::path& run_dir, const fs::path& templates_dir, Stats* stats) {
    return write_index(run_dir, templates_dir.empty() ? builtin_templates() : load_templates(templates_dir), stats,
                       fs::exists(run_dir / "report.html"));
}

// ---------------------------------------------------------------------------------------------
// Batch into a run folder

namespace {

// One writer per (run, shard): an exclusive flock on ".<run>.lock-<manifest name>" beside the run
// folder (so that it can be taken before the folder exists: two writers of a new run race for it,
// not for the folder). The file holds the holder's host, pid and start time for the message a
// second writer gets. flock works across machines on NFSv4 (as fcntl locks) and is released when
// the process dies.
class ShardLock {
public:
    ShardLock(const fs::path& run_path, const std::string& manifest_name) {
        const fs::path run_dir = run_path.has_filename() ? run_path : run_path.parent_path();  // "out/r/" is "out/r"
        const fs::path parent = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
        // One fmt::format, not `"." + string + ...`: GCC 12 inlines that operator+ (an insert at 0, and
        // likewise assigning a literal to a string member) into a memcpy it cannot prove
        // non-overlapping and warned -Wrestrict (GCC bug 105329) on every build.
        name_ = fmt::format(".{}.lock-{}", run_dir.filename().string(), manifest_name);
        const std::string shown = (parent / name_).string();
        std::error_code cec;
        fs::create_directories(parent, cec);
        if (cec) throw_io(fmt::format("cannot create folder: {}", cec.message()), parent.string());
        dir_fd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd_ < 0) throw_io(fmt::format("cannot open folder: {}", std::strerror(errno)), parent.string());
        try {
            acquire(shown, manifest_name, run_dir);
        } catch (...) {
            ::close(dir_fd_);
            throw;
        }
    }
    ~ShardLock() {
        if (fd_ >= 0) {
            ::unlinkat(dir_fd_, name_.c_str(), 0);  // while still held: the next writer makes a fresh one
            ::close(fd_);
        }
        ::close(dir_fd_);
    }
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;

private:
    void acquire(const std::string& shown, const std::string& manifest_name, const fs::path& run_dir) {
        // The holder removes the file when it is done; a file removed between our open and our
        // flock is not the lock any more: open again (the usual lock-file-with-unlink pattern).
        for (int attempt = 0;; ++attempt) {
            fd_ = ::openat(dir_fd_, name_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
            if (fd_ < 0) throw_io(fmt::format("cannot open lock file: {}", std::strerror(errno)), shown);
            int r;
            do r = ::flock(fd_, LOCK_EX | LOCK_NB);
            while (r != 0 && errno == EINTR);
            if (r != 0) {
                const int err = errno;
                char buf[512] = {};
                // The holder writes its name right after it locks: give it a moment.
                ssize_t n = 0;
                for (int wait = 0; err == EWOULDBLOCK && wait < 50 && (n = ::pread(fd_, buf, sizeof buf - 1, 0)) <= 0; ++wait)
                    ::usleep(10'000);
                std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
                while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
                ::close(fd_);
                fd_ = -1;
                if (err != EWOULDBLOCK) throw_io(fmt::format("cannot lock: {}", std::strerror(err)), shown);
                throw_input(fmt::format("another eyemap batch is writing {} of this run ({}; lock file {}); wait for it to finish, "
                                        "or use another --run",
                                        manifest_name, holder, shown),
                            ErrorLocation{run_dir.string(), 0, {}, {}});
            }
            struct stat a {}, b {};
            if (::fstat(fd_, &a) == 0 && ::fstatat(dir_fd_, name_.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
                a.st_dev == b.st_dev)
                break;
            ::close(fd_);
            fd_ = -1;
            if (attempt > 100) throw_io("cannot lock: the lock file keeps changing", shown);
        }
        const std::string me = fmt::format("host {} pid {} since {}\n", temp_host_id(), static_cast<long>(::getpid()),
                                           iso_time_utc(std::chrono::system_clock::now()));
        if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, me.data(), me.size(), 0);
    }

    std::string name_;
    int dir_fd_ = -1;
    int fd_ = -1;
};

// The run folder as this writer holds it: descriptors of the folder and its subfolders, opened
// without following symbolic links, and its locks.
struct RunFolder {
    fs::path dir;
    int fd = -1;
    std::map<std::string, int, std::less<>> sub;
    std::unique_ptr<DirLock> dir_lock;
    std::unique_ptr<ShardLock> shard_lock;
    ~RunFolder() {
        shard_lock.reset();
        dir_lock.reset();
        for (auto& [n, f] : sub) ::close(f);
        if (fd >= 0) ::close(fd);
    }
    void write(std::string_view rel, std::string_view bytes, bool durable = false) const {
        const auto slash = rel.find('/');
        const std::string shown = (dir / std::string(rel)).string();
        if (slash == std::string_view::npos) return write_file_atomic_at(fd, rel, bytes, shown, durable);
        auto it = sub.find(rel.substr(0, slash));
        if (it == sub.end()) throw_internal(fmt::format("no folder for output {}", rel));
        write_file_atomic_at(it->second, rel.substr(slash + 1), bytes, shown, durable);
    }
};

}  // namespace

DirectoryBatchResult run_batch_to_directory(const BatchInput& input, const ColumnIndex& layout, const Renderer& renderer,
                                            const BatchOptions& options, const DirectoryBatchOptions& dir, BatchCounters* counters) {
    const TableColumns& columns = input.columns;
    DirectoryBatchResult result;
    const fs::path& run_dir = dir.run_dir;
    std::error_code ec;
    const bool existed = fs::exists(fs::symlink_status(run_dir, ec));
    if (existed && is_run_protected(run_dir))
        throw_input("this run is protected; unprotect it first (eyemap runs unprotect) or choose another --run",
                    ErrorLocation{run_dir.string(), 0, {}, {}});

    const std::string manifest_name = manifest_file_name(options.shard);
    result.manifest = run_dir / manifest_name;

    // One writer per (run, shard): the lock beside the folder is taken at once for an existing run
    // (resume reads it), for a new one when the options and the first type's rows are valid and
    // before anything is rendered (BatchCallbacks::start), so a second writer of a new run is
    // refused before it renders. The folder is made only when there is something to put in it: an
    // existing run at once, a new one when its first type is done. Invalid options or rows fail
    // before either and leave nothing behind.
    RunFolder folder;
    folder.dir = run_dir;
    std::atomic<bool> materialized{false};
    auto lock_shard = [&] {
        if (!folder.shard_lock) folder.shard_lock = std::make_unique<ShardLock>(run_dir, manifest_name);
    };
    auto materialize = [&] {
        lock_shard();  // held already, unless no type was in the shard
        const fs::path parent = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
        std::error_code cec;
        fs::create_directories(parent, cec);
        if (cec) throw_io(fmt::format("cannot create folder: {}", cec.message()), parent.string());
        const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) throw_io(fmt::format("cannot open folder: {}", std::strerror(errno)), parent.string());
        try {
            folder.fd = open_subdir_nofollow(pfd, run_dir.filename().string(), run_dir.string(), true);
        } catch (...) {
            ::close(pfd);
            throw;
        }
        ::close(pfd);
        if (is_run_protected(run_dir))
            throw_input("this run is protected; unprotect it first (eyemap runs unprotect) or choose another --run",
                        ErrorLocation{run_dir.string(), 0, {}, {}});
        folder.dir_lock = std::make_unique<DirLock>(run_dir, LOCK_SH);
        if (!folder.dir_lock->opened()) throw_io("cannot open folder", run_dir.string());
        if (!folder.dir_lock->locked()) throw_io("the run folder is being removed by 'eyemap runs clean'", run_dir.string());
        if (existed) result.stale_temp_removed = remove_stale_temp_files(run_dir);
        for (std::string_view n : detail::run_subfolders(options.formats, options.pages))
            if (!folder.sub.count(n)) folder.sub.emplace(std::string(n), open_subdir_nofollow(folder.fd, n, (run_dir / n).string(), true));
    };
    if (existed) {
        lock_shard();
        materialize();
        materialized = true;
    }

    // What earlier runs into this folder made: every manifest (so a shard can pick up types an
    // unsharded attempt made and the other way round); its own manifest's records are carried over.
    std::unordered_map<std::string, TypeRecord> previous;
    std::vector<TypeRecord> own_previous;
    std::string started = iso_time_utc(std::chrono::system_clock::now());
    if (dir.resume && existed) {
        auto manifests = read_run_manifests(run_dir);
        for (auto& [path, m] : manifests)
            if (path.filename() == manifest_name) {
                own_previous = m.types;
                if (!m.started.empty()) started = m.started;
            }
        for (auto& t : merge_types(manifests)) {
            auto name = t.neuron_type;
            previous.emplace(std::move(name), std::move(t));
        }
    }

    Manifest m;
    m.tool = std::string(batch_tool_version());
    m.run = dir.run_name;
    m.shard = options.shard;
    m.started = started;
    m.data = dir.data_label;
    m.columns = dir.columns_label;
    m.formats = options.formats;
    m.pages = options.pages;
    m.settings_hash = detail::batch_settings_hash(columns, layout, renderer);
    if (options.shard_plan) m.plan = options.shard_plan->source;

    // The manifest's state: per finished type only its JSON line (dumped once), so memory stays
    // small and a rewrite is a concatenation. Rewrites are spaced so that they cost at most ~10% of
    // the time (a manifest of thousands of types takes a while to write).
    struct Line {
        std::uint64_t seq;
        std::string name, json;
    };
    std::vector<Line> carried;  // this manifest's earlier records (resume), until their type is done again
    for (const auto& rec : own_previous) carried.push_back(Line{rec.seq, rec.neuron_type, type_line(rec)});
    own_previous.clear();
    std::mutex mu;  // guards done, done_names, last_flush, flush_cost
    std::map<std::uint64_t, std::string> done;
    std::unordered_set<std::string> done_names;
    auto last_flush = std::chrono::steady_clock::time_point{};  // the first finished type is recorded at once
    std::chrono::steady_clock::duration flush_cost{};
    const OpId manifest_op = renderer.stats().op("batch_manifest");
    auto flush_locked = [&](bool durable) {
        ScopedTimer t(&renderer.stats(), manifest_op);
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::pair<std::uint64_t, const std::string*>> lines;
        lines.reserve(done.size() + carried.size());
        for (const auto& [seq, json] : done) lines.emplace_back(seq, &json);
        if (!m.complete)  // types of an earlier attempt not redone yet stay known
            for (const auto& c : carried)
                if (!done_names.count(c.name)) lines.emplace_back(c.seq, &c.json);
        std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<const std::string*> ptrs;
        ptrs.reserve(lines.size());
        for (const auto& l : lines) ptrs.push_back(l.second);
        m.updated = iso_time_utc(std::chrono::system_clock::now());
        const std::string text = manifest_json(m, ptrs);
        t.add_bytes(text.size());
        folder.write(manifest_name, text, durable);
        last_flush = std::chrono::steady_clock::now();
        flush_cost = last_flush - t0;
    };

    // Files made before the folder exists wait here (the first types' files; bounded by the types
    // in flight), and are written when the first type is done.
    std::mutex mat_mu;
    std::vector<std::pair<std::string, std::string>> pending;
    auto ensure_materialized = [&] {
        if (materialized.load(std::memory_order_acquire)) return;
        std::lock_guard lk(mat_mu);
        if (materialized.load()) return;
        materialize();
        for (const auto& [path, bytes] : pending) folder.write(path, bytes);
        pending.clear();
        materialized.store(true, std::memory_order_release);
    };

    // Content hashes of the files written, by path, until their type's record is made.
    std::mutex content_mu;
    std::unordered_map<std::string, std::uint64_t> content;
    BatchCallbacks cb;
    const OpId write_op = renderer.stats().op("write");
    cb.output = [&](const BatchOutput& o) {
        {
            ScopedTimer t(&renderer.stats(), write_op);
            bool written = false;
            if (!materialized.load(std::memory_order_acquire)) {
                std::lock_guard lk(mat_mu);
                if (!materialized.load()) {
                    pending.emplace_back(o.output.path, std::string(o.bytes));
                    written = true;
                }
            }
            if (!written) folder.write(o.output.path, o.bytes);
            t.add_bytes(o.bytes.size());
        }
        const std::uint64_t h = hash_bytes(o.bytes);
        std::lock_guard lk(content_mu);
        content[o.output.path] = h;
    };
    cb.start = lock_shard;  // once, before the first type is checked or rendered
    cb.type_done = [&](const TypeRecord& done_rec) {
        ensure_materialized();
        TypeRecord rec = done_rec;
        {
            std::lock_guard lk(content_mu);
            for (auto& out : rec.outputs)
                if (auto it = content.find(out.path); it != content.end()) {
                    out.content_hash = it->second;
                    content.erase(it);
                }
        }
        std::string json = type_line(rec);
        std::lock_guard lk(mu);
        done_names.insert(rec.neuron_type);
        done[rec.seq] = std::move(json);
        const auto since = std::chrono::steady_clock::now() - last_flush;
        if (since >= dir.manifest_interval && since >= 10 * flush_cost) flush_locked(false);
    };
    if (dir.resume)
        cb.up_to_date = [&](TypeRecord& planned) {
            auto it = previous.find(planned.neuron_type);
            if (it == previous.end()) return false;
            const TypeRecord& old = it->second;
            if (old.outputs.size() != planned.outputs.size() || old.eyemaps.size() != planned.eyemaps.size()) return false;
            for (std::size_t i = 0; i < old.outputs.size(); ++i) {
                const auto& a = old.outputs[i];
                const auto& b = planned.outputs[i];
                if (a.path != b.path || a.input_hash != b.input_hash || a.eyemap != b.eyemap) return false;
                std::error_code fec;
                const auto st = fs::symlink_status(run_dir / a.path, fec);
                if (fec || st.type() != fs::file_type::regular) return false;
                const auto size = fs::file_size(run_dir / a.path, fec);
                if (fec || size != a.bytes) return false;
            }
            for (std::size_t i = 0; i < old.eyemaps.size(); ++i) {
                const auto& a = old.eyemaps[i].request;
                const auto& b = planned.eyemaps[i].request;
                if (a.region != b.region || a.side != b.side || a.metric != b.metric) return false;
            }
            for (std::size_t i = 0; i < old.outputs.size(); ++i) {
                planned.outputs[i].bytes = old.outputs[i].bytes;
                planned.outputs[i].content_hash = old.outputs[i].content_hash;
            }
            for (std::size_t i = 0; i < old.eyemaps.size(); ++i) planned.eyemaps[i] = old.eyemaps[i];
            return true;
        };

    try {
        result.summary = run_batch(input, layout, renderer, options, cb, counters);
    } catch (...) {
        if (materialized.load()) {
            std::lock_guard lk(mu);
            m.complete = false;
            try {
                flush_locked(false);
            } catch (...) {
            }
        }
        throw;
    }
    // An interrupted run that finished no type leaves nothing behind; anything else is recorded.
    if (!materialized.load() && result.summary.cancelled && done.empty()) return result;
    ensure_materialized();
    {
        std::lock_guard lk(mu);
        m.complete = !result.summary.cancelled;
        m.cancelled = result.summary.cancelled;
        // Durable completion: every file on disk before the manifest says so, the manifest after.
        if (m.complete && dir.sync) sync_directory_tree(run_dir);
        flush_locked(m.complete && dir.sync);
    }
    // The run report (report.html, linked from the index) of an unsharded run with pages, written last
    // so that it has the index's time too.
    const bool report = options.pages && !options.shard.sharded();
    if (options.pages) result.index_types = write_index(run_dir, renderer.templates(), &renderer.stats(), report);
    if (report) write_run_report(run_dir, dir.run_name, renderer, manifest_from_json(read_regular_file(result.manifest, kMaxManifestBytes, "manifest"), result.manifest.string()).types);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Runs

void validate_run_name(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 100 && name[0] != '.';
    for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '-');
    if (!ok)
        throw_input("a run name is letters, digits, '.', '_' and '-' (at most 100, not starting with '.')",
                    ErrorLocation{{}, 0, "--run", std::string(name)});
}

std::string default_run_name(const fs::path& out_dir) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    std::string name = buf;
    std::error_code ec;
    for (int k = 2; fs::exists(out_dir / name, ec); ++k) name = fmt::format("{}-{}", buf, k);
    return name;
}

bool is_run_protected(const fs::path& run_dir) {
    std::error_code ec;
    return fs::exists(run_dir / kProtectFile, ec);
}

void set_run_protected(const fs::path& run_dir, bool on) {
    std::error_code ec;
    if (!fs::is_directory(run_dir, ec) || !has_manifest(run_dir))
        throw_input("not a batch run folder (no manifest*.json)", ErrorLocation{run_dir.string(), 0, {}, {}});
    if (on) {
        write_file_atomic(run_dir / kProtectFile, "This run is protected: 'eyemap runs clean' keeps it. Remove with 'eyemap runs unprotect'.\n");
    } else {
        fs::remove(run_dir / kProtectFile, ec);
        if (ec) throw_io(fmt::format("cannot remove: {}", ec.message()), (run_dir / kProtectFile).string());
    }
}

std::vector<RunInfo> list_runs(const fs::path& out_dir) {
    std::error_code ec;
    if (!fs::is_directory(out_dir, ec)) throw_input("no such folder", ErrorLocation{out_dir.string(), 0, "--out-dir", {}});
    std::vector<RunInfo> runs;
    for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sec;
        if (it->symlink_status(sec).type() != fs::file_type::directory) continue;
        const fs::path dir = it->path();
        if (!has_manifest(dir)) continue;
        RunInfo r;
        r.name = dir.filename().string();
        r.path = dir;
        r.is_protected = is_run_protected(dir);
        try {
            std::unordered_set<std::string> names;  // a type in several manifests (shards, then a resume) counts once
            bool whole = false;                     // an unsharded manifest is complete
            std::uint32_t shard_count = 0;
            std::unordered_set<std::uint32_t> shards_done;
            bool shards_ok = true;
            for (const auto& [p, m] : read_run_manifests(dir)) {
                if (r.started.empty() || (!m.started.empty() && m.started < r.started)) r.started = m.started;
                if (!m.shard.sharded()) {
                    whole = whole || m.complete;
                } else {
                    if (shard_count && shard_count != m.shard.count) shards_ok = false;
                    shard_count = m.shard.count;
                    if (m.complete) shards_done.insert(m.shard.index);
                }
                for (const auto& t : m.types) names.insert(t.neuron_type);
            }
            r.types = names.size();
            // Complete: an unsharded run finished, or every shard of one sharding did.
            r.complete = whole || (shards_ok && shard_count > 0 && shards_done.size() == shard_count);
        } catch (const Error&) {
            r.complete = false;
        }
        if (r.started.empty()) r.started = mtime_iso(dir);
        std::error_code wec;
        for (fs::recursive_directory_iterator w(dir, fs::directory_options::skip_permission_denied, wec), wend; !wec && w != wend;
             w.increment(wec)) {
            std::error_code fec;
            if (w->symlink_status(fec).type() == fs::file_type::regular) {
                r.bytes += w->file_size(fec);
                ++r.files;
            }
        }
        DirLock probe(dir, LOCK_EX);
        r.in_use = probe.opened() && !probe.locked();
        runs.push_back(std::move(r));
    }
    std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) {
        return a.started != b.started ? a.started < b.started : a.name < b.name;
    });
    return runs;
}

CleanResult clean_runs(const fs::path& out_dir, std::size_t keep, bool dry_run) {
    CleanResult res;
    auto runs = list_runs(out_dir);
    if (runs.size() <= keep) return res;
    const std::size_t beyond = runs.size() - keep;
    for (std::size_t i = 0; i < beyond; ++i) {
        auto& r = runs[i];
        if (r.is_protected) {
            res.kept_protected.push_back(std::move(r));
            continue;
        }
        DirLock lock(r.path, LOCK_EX);  // held while deleting, so no batch starts writing into it
        if (!lock.opened() || !lock.locked()) {
            r.in_use = true;
            res.kept_in_use.push_back(std::move(r));
            continue;
        }
        if (!dry_run) {
            std::error_code ec;
            fs::remove_all(r.path, ec);
            if (ec) throw_io(fmt::format("cannot remove run: {}", ec.message()), r.path.string());
        }
        res.bytes_freed += r.bytes;
        res.removed.push_back(std::move(r));
    }
    return res;
}

}  // namespace eyemap

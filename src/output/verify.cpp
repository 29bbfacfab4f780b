// `eyemap runs verify` (issue 18): is a run folder, sharded or not, complete and intact?
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "eyemap/runs.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "ingest/data_file.hpp"
#include "output/naming.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"
#include "output/verify.hpp"

namespace eyemap {
namespace {

namespace fs = std::filesystem;

// Hash of a file's bytes by the manifest's algorithm (the whole content, read into memory at once).
bool file_content_hash(const fs::path& p, ContentHash algorithm, std::uint64_t& out) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return false;
    out = detail::content_hash_of(algorithm, bytes);
    return true;
}

bool is_temp_name(const std::string& n) { return !n.empty() && n[0] == '.' && n.find(".tmp-") != std::string::npos; }

}  // namespace

std::vector<std::string> detail::run_temp_files(const fs::path& run_dir) {
    std::vector<std::string> out;
    // The run folder itself and every sub-folder a batch writes (thumbs/ too).
    std::vector<std::string_view> subs{""};
    for (std::string_view s : detail::run_subfolders()) subs.push_back(s);
    for (std::string_view sub : subs) {
        std::error_code ec;
        const fs::path dir = sub.empty() ? run_dir : run_dir / sub;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string n = it->path().filename().string();
            if (is_temp_name(n)) out.push_back(sub.empty() ? n : fmt::format("{}/{}", sub, n));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

RunVerifyReport verify_run(const fs::path& run_dir, const RunVerifyOptions& options) {
    RunVerifyReport r;
    r.run_dir = run_dir;
    std::error_code ec;
    if (!fs::is_directory(run_dir, ec)) throw_input("no such run folder", ErrorLocation{run_dir.string(), 0, {}, {}});
    auto manifests = read_run_manifests(run_dir);
    if (manifests.empty()) throw_input("no manifest*.json in this folder: not a batch run", ErrorLocation{run_dir.string(), 0, {}, {}});

    // The sharding: --shards, else the count of the shard manifests (the most recently updated one
    // when they disagree), else 1 (an unsharded run).
    const Manifest* whole = nullptr;
    const Manifest* newest_shard = nullptr;
    std::set<std::uint32_t> counts;
    for (const auto& [path, m] : manifests) {
        if (!m.shard.sharded()) whole = &m;
        else {
            counts.insert(m.shard.count);
            if (!newest_shard || m.updated > newest_shard->updated) newest_shard = &m;
        }
    }
    r.shard_count = options.expect_shards ? options.expect_shards : newest_shard ? newest_shard->shard.count : 1;
    const bool mixed_counts = counts.size() > 1 || (!counts.empty() && !counts.count(r.shard_count) && r.shard_count > 1);
    if (mixed_counts) {
        std::string list;
        for (auto c : counts) list += fmt::format("{}{}", list.empty() ? "" : ", ", c);
        r.problems.push_back(fmt::format("shard manifests of different shard counts ({}); verifying as {} shards", list, r.shard_count));
    }
    const bool whole_complete = whole && whole->complete;
    // The commands below name the run by its real, absolute path (`runs verify .` inside the run too).
    std::error_code aec;
    fs::path real = fs::weakly_canonical(fs::absolute(run_dir, aec), aec);
    if (aec || real.empty()) real = fs::absolute(run_dir).lexically_normal();
    if (!real.has_filename()) real = real.parent_path();
    // Shard manifests of other counts than the one verified: set aside, so the run has one sharding.
    std::vector<std::string> other_counts;
    for (const auto& [path, m] : manifests)
        if (mixed_counts && m.shard.sharded() && m.shard.count != r.shard_count) other_counts.push_back((real / path.filename()).string());
    if (!other_counts.empty()) {
        std::string cmd = fmt::format("mkdir -p -- {} && mv --", shell_quote((real / ".set-aside").string()));
        for (const auto& p : other_counts) cmd += " " + shell_quote(p);
        cmd += " " + shell_quote((real / ".set-aside").string() + "/");
        r.redo_commands.push_back(std::move(cmd));
    }

    // Shards.
    std::map<std::uint32_t, const Manifest*> shard_manifest;
    for (const auto& [path, m] : manifests)
        if (r.shard_count > 1 && m.shard.count == r.shard_count) shard_manifest[m.shard.index] = &m;
    if (r.shard_count <= 1) {
        ShardState s{0, whole ? (whole->complete ? "complete" : "unfinished") : "missing", whole ? whole->types.size() : 0};
        r.shards.push_back(s);
    } else {
        for (std::uint32_t i = 0; i < r.shard_count; ++i) {
            auto it = shard_manifest.find(i);
            ShardState s{i, "missing", 0};
            if (it != shard_manifest.end()) {
                s.state = it->second->complete ? "complete" : "unfinished";
                s.types = it->second->types.size();
            }
            r.shards.push_back(s);
        }
    }
    std::set<std::uint32_t> redo;
    // One input: every finished shard must have read the same data (content, size, types) and plan.
    // The newest shard's is taken as the intended one; the others are redone with --resume, which
    // renders again exactly the types whose rows changed.
    if (r.shard_count > 1 && newest_shard) {
        const auto same = [](const InputIdentity& a, const InputIdentity& b) {
            return a.from_file == b.from_file && a.data_digest == b.data_digest && a.data_bytes == b.data_bytes && a.types == b.types &&
                   a.plan_hash == b.plan_hash;
        };
        const Manifest* ref = nullptr;
        for (const auto& [i, m] : shard_manifest)
            if (m->input.known && (!ref || m->updated > ref->updated)) ref = m;
        // The data file as it is now, when it can be read: the intended input (the redo reads it).
        std::uint64_t now_hash = 0, now_bytes = 0;
        bool now_matched = true;
        if (ref && ref->input.from_file && options.check_content && fs::path(ref->data).is_absolute() &&
            detail::data_file_identity(ref->data, now_hash, now_bytes)) {
            now_matched = false;
            for (const auto& [i, m] : shard_manifest)
                if (m->input.known && m->input.data_digest == now_hash && m->input.data_bytes == now_bytes) {
                    ref = m;
                    now_matched = true;
                }
        }
        // When no shard read the file as it is now, all of them are redone (each then reads it).
        if (ref)
            for (const auto& [i, m] : shard_manifest)
                if (m->input.known && (!same(m->input, ref->input) || !now_matched)) {
                    if (!now_matched && same(m->input, ref->input)) {
                        r.problems.push_back(fmt::format("shard {}/{} read another version of the data file than the one at {} now ({} bytes, "
                                                         "data hash {:016x})", i, r.shard_count, ref->data, now_bytes, now_hash));
                        redo.insert(i);
                        continue;
                    }
                    r.problems.push_back(fmt::format(
                        "shard {}/{} read another input than shard {}/{} ({} types, {} bytes, data hash {:016x}, plan hash {:016x} against "
                        "{} types, {} bytes, data hash {:016x}, plan hash {:016x}): the data file (or plan) changed between shards",
                        i, r.shard_count, ref->shard.index, r.shard_count, m->input.types, m->input.data_bytes, m->input.data_digest,
                        m->input.plan_hash, ref->input.types, ref->input.data_bytes, ref->input.data_digest, ref->input.plan_hash));
                    redo.insert(i);
                }
    }
    if (!whole_complete)
        for (const auto& s : r.shards)
            if (s.state != "complete") redo.insert(s.index);

    // One settings hash for all manifests: shards run with different options make no coherent run.
    std::set<std::uint64_t> settings;
    for (const auto& [path, m] : manifests)
        if (!m.types.empty() || m.complete) settings.insert(m.settings_hash);
    if (settings.size() > 1)
        r.problems.push_back(fmt::format("the manifests were made with {} different settings (rendering options, formats or "
                                         "layout differ between shards): redo the odd ones with the same options",
                                         settings.size()));

    // Each type once: the record of the manifest updated last, remembering whose it is.
    std::vector<std::size_t> order(manifests.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return manifests[a].second.updated > manifests[b].second.updated; });
    std::unordered_set<std::string> have;
    std::vector<std::pair<const TypeRecord*, const Manifest*>> types;
    for (std::size_t i : order)
        for (const auto& t : manifests[i].second.types)
            if (have.insert(t.neuron_type).second) types.emplace_back(&t, &manifests[i].second);
    std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) {
        return a.first->seq != b.first->seq ? a.first->seq < b.first->seq : a.first->neuron_type < b.first->neuron_type;
    });
    r.types = types.size();

    // Files.
    std::map<std::uint32_t, std::vector<std::string>> remove_first;  // content changed, size kept: resume would keep it
    for (const auto& [t, m] : types) {
        const std::uint32_t owner = m->shard.sharded() && m->shard.count == r.shard_count ? m->shard.index : 0;
        for (const auto& o : t->outputs) {
            ++r.files_checked;
            const fs::path p = run_dir / o.path;
            std::error_code fec;
            // Never through a link: a folder or file that is a symbolic link may point outside the run.
            std::string problem, remove = o.path;
            const fs::path folder = fs::path(o.path).parent_path();
            const auto fst = folder.empty() ? fs::file_status(fs::file_type::directory) : fs::symlink_status(run_dir / folder, fec);
            const auto st = fs::symlink_status(p, fec);
            if (fst.type() == fs::file_type::symlink || (fst.type() != fs::file_type::directory && fst.type() != fs::file_type::not_found)) {
                problem = fst.type() == fs::file_type::symlink ? "symlink" : "not a file";
                remove = folder.string();
            } else if (fec || st.type() == fs::file_type::not_found) problem = "missing";
            else if (st.type() == fs::file_type::symlink) problem = "symlink";
            else if (st.type() != fs::file_type::regular) problem = "not a file";
            else {
                const auto size = fs::file_size(p, fec);
                if (fec || size != o.bytes) problem = "size";
                else {
                    r.bytes_checked += size;
                    std::uint64_t h = 0;
                    if (options.check_content && o.content_hash && (!file_content_hash(p, m->content_hash, h) || h != o.content_hash)) problem = "content";
                }
            }
            if (problem.empty()) continue;
            r.files.push_back(FileProblem{o.path, problem, t->neuron_type, owner});
            redo.insert(owner);
            if (problem != "missing" && problem != "size") {
                auto& rm = remove_first[owner];
                if (std::find(rm.begin(), rm.end(), remove) == rm.end()) rm.push_back(remove);
            }
        }
    }

    // Gaps in the input positions of a finished run: a type no manifest records.
    const bool all_finished = whole_complete || std::all_of(r.shards.begin(), r.shards.end(), [](const ShardState& s) { return s.state == "complete"; });
    if (all_finished && !types.empty()) {
        std::uint64_t expect = 0, missing = 0;
        for (const auto& [t, m] : types) {
            if (t->seq > expect) missing += t->seq - expect;
            expect = std::max(expect, t->seq + 1);
        }
        if (missing) r.problems.push_back(fmt::format("{} types of the input are in no manifest (gaps in the input positions)", missing));
    }

    // The index of a run with pages: present, and not older than any manifest.
    bool pages = false;
    for (const auto& [path, m] : manifests) pages = pages || m.pages;
    bool index_stale = false;
    if (pages && redo.empty()) {
        std::error_code iec;
        const auto index_time = fs::last_write_time(run_dir / "index.html", iec);
        if (iec) {
            r.problems.push_back("index.html is missing");
            index_stale = true;
        } else {
            for (const auto& [path, m] : manifests) {
                std::error_code mec;
                if (fs::last_write_time(path, mec) > index_time && !mec) {
                    r.problems.push_back(fmt::format("index.html is older than {}", path.filename().string()));
                    index_stale = true;
                    break;
                }
            }
        }
    }

    // The commands that finish the run: absolute paths, current options, runnable as printed.
    const std::string out_dir = real.has_parent_path() ? real.parent_path().string() : std::string("/");
    const std::string run_name = real.filename().string();
    for (std::uint32_t i : redo) {
        r.redo_shards.push_back(i);
        const Manifest* m = shard_manifest.count(i) ? shard_manifest[i] : newest_shard ? newest_shard : whole;
        if (r.shard_count <= 1) m = whole ? whole : m;
        if (!m) continue;
        if (m->input.known && !m->input.from_file) {
            r.problems.push_back(fmt::format("this run was written from rows a program handed over (data \"{}\"), not from a file: "
                                             "no command can redo it; rebuild it from its source (run the program that wrote it again, "
                                             "with resume)", m->data));
            r.rebuild_from_source = true;
            continue;
        }
        // /1 manifests recorded names as given (relative to where the batch ran): taken from here.
        const auto abs_name = [](const std::string& n) { return n.empty() || n == "-" ? n : fs::absolute(n).lexically_normal().string(); };
        std::error_code dec;
        if (m->data != "-" && !fs::is_regular_file(abs_name(m->data), dec)) {
            // e.g. a /1 manifest of a run written from Python records data "DataFrame".
            r.problems.push_back(fmt::format("the data file \"{}\" the run was made from is not there (a run written from a "
                                             "DataFrame has none): no command can redo it; rebuild the run from its source",
                                             abs_name(m->data)));
            r.rebuild_from_source = true;
            continue;
        }
        std::string cmd;
        if (auto it = remove_first.find(i); it != remove_first.end()) {
            bool folder = false;
            for (const auto& p : it->second) {
                std::error_code dec;
                folder = folder || fs::symlink_status(real / p, dec).type() == fs::file_type::directory;
            }
            cmd += folder ? "rm -rf --" : "rm -f --";
            for (const auto& p : it->second) cmd += " " + shell_quote((real / p).string());
            cmd += " && ";
        }
        cmd += fmt::format("eyemap batch --data {}", shell_quote(abs_name(m->data)));
        if (!m->columns.empty()) cmd += fmt::format(" --columns {}", shell_quote(abs_name(m->columns)));
        cmd += fmt::format(" --out-dir {} --run {}", shell_quote(out_dir), shell_quote(run_name));
        std::string formats;
        for (auto f : m->formats) formats += fmt::format("{}{}", formats.empty() ? "" : ",", to_string(f));
        if (!formats.empty() && formats != "svg") cmd += " --format " + formats;
        if (m->pages) cmd += " --pages";
        if (const auto& b = m->baseline) {  // the comparison, as the run made it
            cmd += fmt::format(" --baseline {} --label-a {} --label-b {}", shell_quote(abs_name(b->source)), shell_quote(b->label_a),
                               shell_quote(b->label_b));
            const CompareOptions defaults;
            if (b->mode != defaults.mode) cmd += fmt::format(" --compare {}", to_string(b->mode));
            if (b->colormap != defaults.colormap) cmd += " --compare-colormap " + shell_quote(b->colormap);
        }
        if (!m->plan.empty()) cmd += " --plan " + shell_quote(abs_name(m->plan));
        if (r.shard_count > 1) cmd += fmt::format(" --shard {}/{}", i, r.shard_count);
        cmd += " --resume";
        r.redo_commands.push_back(std::move(cmd));
    }
    if (pages && (index_stale || !redo.empty()) && !r.rebuild_from_source)
        r.redo_commands.push_back(fmt::format("eyemap batch --out-dir {} --run {} --index-only", shell_quote(out_dir), shell_quote(run_name)));
    if (r.redo_commands.empty() && !r.rebuild_from_source && (!r.problems.empty() || !r.files.empty() || !redo.empty()))
        r.problems.push_back("no command can repair this: rebuild the run from its source (run the batch again into a new run folder)");
    r.run_name = run_name;

    r.complete = redo.empty() && r.problems.empty() && r.files.empty() && (whole_complete || all_finished);
    return r;
}

std::string verify_report_json(const RunVerifyReport& r) {
    using ojson = nlohmann::ordered_json;
    ojson j;
    j["run_dir"] = r.run_dir.string();
    j["complete"] = r.complete;
    j["shard_count"] = r.shard_count;
    j["types"] = r.types;
    j["files_checked"] = r.files_checked;
    j["bytes_checked"] = r.bytes_checked;
    ojson shards = ojson::array();
    for (const auto& s : r.shards) shards.push_back(ojson{{"index", s.index}, {"state", s.state}, {"types", s.types}});
    j["shards"] = std::move(shards);
    ojson files = ojson::array();
    for (const auto& f : r.files) files.push_back(ojson{{"path", f.path}, {"problem", f.problem}, {"type", f.type}, {"shard", f.shard}});
    j["files"] = std::move(files);
    j["problems"] = r.problems;
    j["redo_shards"] = r.redo_shards;
    j["redo_commands"] = r.redo_commands;
    j["rebuild_from_source"] = r.rebuild_from_source;
    j["temp_files"] = detail::run_temp_files(r.run_dir);
    return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace eyemap

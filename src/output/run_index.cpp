// A run's index.html and site files, from every manifest of the run folder (shards merged), made a
// type at a time: the manifests are read twice (names, order and the index's columns; then the
// rows; with shards three times, as the columns need to know which manifest's record of a type is
// shown), and the rows wait in a temporary file until they are written in the index's order, so
// the memory used does not grow with the types' records (only with their names).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_set>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eyemap/error.hpp"
#include "core/throw.hpp"
#include "eyemap/stats.hpp"
#include "output/pages.hpp"
#include "output/run_internal.hpp"
#include "output/sink.hpp"

namespace eyemap {
namespace fs = std::filesystem;

namespace {

// The folder open, for write_file_atomic_at.
struct DirFd {
    explicit DirFd(const fs::path& dir) {
        fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw_io(fmt::format("cannot create file: {}", std::strerror(errno)), dir.string());
    }
    ~DirFd() { ::close(fd); }
    DirFd(const DirFd&) = delete;
    DirFd& operator=(const DirFd&) = delete;
    int fd = -1;
};

constexpr std::uint64_t kNotShown = std::numeric_limits<std::uint64_t>::max();

}  // namespace

std::size_t detail::write_index(const fs::path& run_dir, const std::shared_ptr<const TemplateSet>& templates, Stats* stats, bool report_link) {
    ScopedTimer timer(stats, stats ? stats->op("batch_index") : OpId{});
    const auto paths = run_manifest_files(run_dir);
    if (paths.empty()) throw_input("no manifest*.json in this folder: not a batch run", ErrorLocation{run_dir.string(), 0, {}, {}});
    // Each manifest is read two or three times, and every read must see the same file even when a
    // batch replaces it meanwhile (a shard still running): up to kHeldOpen stay open; more (shards
    // go up to 65,536) would run out of open files, so those are copied into one unlinked file first.
    constexpr std::size_t kHeldOpen = 64;
    const DirFd dir(run_dir);
    std::optional<Spool> copies;
    if (paths.size() > kHeldOpen) copies.emplace(run_dir, dir.fd, "copies of the run's manifests");
    std::vector<std::unique_ptr<ManifestFile>> files;
    for (const auto& p : paths) {
        auto f = std::make_unique<ManifestFile>(p);
        if (copies) {
            const std::uint64_t at = copies->size();
            f->copy_to([&](std::string_view bytes) { copies->append(bytes); });
            f = std::make_unique<ManifestFile>(p, copies->fd(), at, copies->size() - at);
        }
        files.push_back(std::move(f));
    }

    // 1. Each manifest's header and its types' names and seq, in the file's order.
    // One manifest (an unsharded run): each name's first record is the one shown, so the index's
    // columns are made in this pass too (with shards, a type's record is known only when every
    // manifest's time is: in a pass of their own).
    struct Seen {
        std::string name;
        std::uint64_t seq;
        bool only_in_data;
    };
    std::vector<Manifest> heads;
    std::vector<std::vector<Seen>> seen(files.size());
    IndexShapeBuilder shape;
    const bool one = files.size() == 1;
    std::unordered_set<std::string> first;
    for (std::size_t i = 0; i < files.size(); ++i)
        heads.push_back(files[i]->read([&](TypeRecord&& t) {
            if (one && first.insert(t.neuron_type).second) shape.add(t);
            seen[i].push_back(Seen{std::move(t.neuron_type), t.seq, t.only_in_data});
        }));
    first = {};

    std::vector<IndexNotice> notices;
    ReleaseLinks links;  // every manifest of a run records the same (its settings)
    for (const auto& m : heads)
        if (links.empty()) links = m.links;
    std::optional<Manifest::Baseline> baseline;  // the same in every manifest of a run
    for (const auto& m : heads)
        if (!baseline && m.baseline) baseline = m.baseline;
    std::uint32_t shard_count = 0;
    std::vector<bool> shard_seen;
    for (std::size_t i = 0; i < heads.size(); ++i) {
        const Manifest& m = heads[i];
        if (m.shard.sharded()) {
            if (shard_count == 0 || m.shard.count == shard_count) {
                shard_count = m.shard.count;
                shard_seen.resize(shard_count);
                shard_seen[m.shard.index] = true;
            }
            if (!m.complete)
                notices.push_back({fmt::format("Shard {}/{} has not finished ({} types so far); run eyemap batch --index-only again when it has.",
                                               m.shard.index, m.shard.count, seen[i].size())});
        } else if (!m.complete) {
            notices.push_back({fmt::format("This run has not finished ({} types so far{}).", seen[i].size(),
                                           m.cancelled ? "; it was interrupted: resume it with eyemap batch --resume" : "")});
        }
    }
    std::uint32_t missing = 0;
    for (std::uint32_t i = 0; i < shard_count; ++i)
        if (!shard_seen[i] && ++missing <= 20) notices.push_back({fmt::format("Shard {}/{} has not run yet: its types are missing.", i, shard_count)});
    if (missing > 20) notices.push_back({fmt::format("{} more shards of {} have not run yet.", missing - 20, shard_count)});

    // Each type once, as merge_types takes it: from the manifest updated last, then in the index's
    // order (seq, then name); place[file][k]: where the file's k-th type is shown, or kNotShown.
    struct Shown {
        std::uint64_t seq;
        std::string_view name;
        std::size_t file, k;
    };
    std::vector<Shown> shown;
    {
        std::vector<std::size_t> order(files.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return heads[a].updated > heads[b].updated; });
        std::unordered_set<std::string_view> have;
        for (std::size_t i : order)
            for (std::size_t k = 0; k < seen[i].size(); ++k)
                if (have.insert(seen[i][k].name).second) shown.push_back(Shown{seen[i][k].seq, seen[i][k].name, i, k});
    }
    std::sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) { return a.seq != b.seq ? a.seq < b.seq : a.name < b.name; });
    std::vector<std::vector<std::uint64_t>> place(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) place[i].assign(seen[i].size(), kNotShown);
    for (std::size_t p = 0; p < shown.size(); ++p) place[shown[p].file][shown[p].k] = p;
    // Every type the index shows, in each file's order: f(record, place).
    const auto for_each_shown = [&](const auto& f) {
        for (std::size_t i = 0; i < files.size(); ++i) {
            std::size_t k = 0;
            files[i]->read([&](TypeRecord&& t) {
                // The same open file read again: the same types (a check, not an expectation).
                if (k >= seen[i].size() || t.neuron_type != seen[i][k].name)  // written over in place meanwhile (not replaced)
                    throw_input("the manifest changed while the index was being made: run eyemap batch --index-only again",
                                ErrorLocation{paths[i].string(), 0, {}, {}});
                if (const std::uint64_t p = place[i][k++]; p != kNotShown) f(t, p);  // t: the callee's to keep
            });
        }
    };

    // 2. The index's columns (with shards), and a comparison's lists.
    if (!one) for_each_shown([&](TypeRecord& t, std::uint64_t) { shape.add(t); });
    std::pair<std::vector<std::string>, std::vector<std::string>> only;
    if (baseline)
        only = types_in_one_only(*baseline, [&](const auto& f) {
            for (const Shown& sh : shown) f(sh.name, seen[sh.file][sh.k].only_in_data);
        });
    IndexPage page(templates, shape.finish(), shown.size(), notices, report_link, links, baseline, only.first, only.second);

    // 3. The rows (and types.js's entries), kept aside until all are made, then written in order.
    std::uint64_t index_bytes = 0;
    const auto write_site = [&](const std::function<void(const ByteWriter&)>& types_js, const std::function<void(const ByteWriter&)>& index) {
        for (const auto& [name, text] : site_files(templates)) write_file_atomic(run_dir / name, text);
        write_file_atomic_at(dir.fd, "types.js", types_js, (run_dir / "types.js").string());
        write_file_atomic_at(dir.fd, "index.html", [&](const ByteWriter& w) {
            index([&](std::string_view piece) {
                index_bytes += piece.size();
                w(piece);
            });
        }, (run_dir / "index.html").string());
    };
    if (page.streams()) {
        struct Slot {
            std::uint64_t at = 0;
            std::uint32_t row = 0, js = 0;
        };
        // Everything the template makes is made before any file is written: an error leaves the
        // site as it was.
        const std::string head = page.head();
        const std::string tail = page.tail(!shown.empty());
        Spool spool(run_dir, dir.fd, "the index's rows");
        std::vector<Slot> slots(shown.size());
        for_each_shown([&](TypeRecord& t, std::uint64_t p) {
            const std::string row = page.row(t);
            const std::string js = types_js_entry(t);
            if (row.size() > UINT32_MAX || js.size() > UINT32_MAX) throw_internal("an index row of 4 GiB");
            slots[p] = Slot{spool.append(row).offset, static_cast<std::uint32_t>(row.size()), static_cast<std::uint32_t>(js.size())};
            spool.append(js);
        });
        write_site(
            [&](const ByteWriter& w) {
                write_types_js(w, slots.size(), [&](std::size_t p, std::string& e) {
                    e.clear();
                    spool.read({slots[p].at + slots[p].row, slots[p].js}, e);
                });
            },
                   [&](const ByteWriter& w) {
                       w(head);
                       std::string row;
                       for (const Slot& s : slots) {
                           row.clear();
                           spool.read({s.at, s.row}, row);
                           w(row);
                       }
                       w(tail);
                   });
    } else {  // a template that does not split into rows: every record at once
        std::vector<TypeRecord> records(shown.size());
        for_each_shown([&](TypeRecord& t, std::uint64_t p) { records[p] = std::move(t); });
        std::vector<const TypeRecord*> ptrs;
        for (const auto& t : records) ptrs.push_back(&t);
        const std::string html = page.whole(ptrs);
        write_site([&](const ByteWriter& w) { write_types_js(w, records.size(), [&](std::size_t p, std::string& e) { e = types_js_entry(records[p]); }); },
                   [&](const ByteWriter& w) { w(html); });
    }
    timer.add_bytes(index_bytes);
    return shown.size();
}

std::size_t write_run_index(const fs::path& run_dir, const fs::path& templates_dir, Stats* stats) {
    detail::refuse_linked_run(run_dir);  // --index-only writes into the run as the batch does
    return detail::write_index(run_dir, templates_dir.empty() ? builtin_templates() : load_templates(templates_dir), stats,
                       fs::exists(run_dir / "report.html"));
}

}  // namespace eyemap

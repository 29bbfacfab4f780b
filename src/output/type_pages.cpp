// Release pages as a batch's own files per type: a page and its thumbnail, planned with input hashes
// (so --resume reuses them) and made from the type's eyemaps once they are delivered.
#include <algorithm>
#include <memory>

#include "batch/settings_hash.hpp"
#include "core/hash.hpp"
#include "core/throw.hpp"
#include "eyemap/runs.hpp"
#include "eyemap/stats.hpp"
#include "output/naming.hpp"
#include "output/pages.hpp"

namespace eyemap {
namespace {

// Part of every page's and thumbnail's input hash: a new version re-makes them on --resume.
constexpr std::uint64_t kPageVersion = 2;

struct TypePages {
    std::uint64_t settings_hash = 0;
    std::uint64_t page_salt = 0;  // the formats and requests, which shape a page
    bool empty_maps = false;
    ReleaseLinks links;  // in the settings hash when given
    std::optional<Manifest::Baseline> baseline;  // a comparison's (in the settings hash)
    std::shared_ptr<const TemplateSet> templates;
    std::shared_ptr<const FillColours> fills;
    std::vector<std::pair<std::string, std::shared_ptr<const FillColours>>> look_fills;  // metric_looks' own maps
    Stats* stats = nullptr;

    // The colours of the thumbnail's metric (the first eyemap's).
    const FillColours& fills_of(std::span<const RenderedEyemap> eyemaps) const {
        if (!eyemaps.empty())
            for (const auto& [metric, f] : look_fills)
                if (metric == eyemaps.front().request.metric.name()) return *f;
        return *fills;
    }
    OpId op{};

    HashBuilder type_hash(const TypeRecord& rec) const {
        HashBuilder h(settings_hash);
        h.add(rec.rows_hash).add(std::string_view(rec.neuron_type)).add(std::string_view(rec.file_key));
        return h;
    }

    // The thumbnail, then the page: the order make() delivers them in.
    void plan(TypeRecord& rec) const {
        HashBuilder t = type_hash(rec);
        t.add(std::string_view("thumb")).add(page_salt).add(kPageVersion);
        rec.outputs.push_back(OutputRecord{FileFormat::svg, detail::thumb_path(rec.file_key), -1, t.digest(), 0});
        HashBuilder h = type_hash(rec);
        h.add(FileFormat::html).add(page_salt).add(kPageVersion).add(empty_maps);
        rec.outputs.push_back(OutputRecord{FileFormat::html, page_path(rec.file_key), -1, h.digest(), 0});
    }

    void make(const TypeRecord& rec, std::span<const RenderedEyemap> eyemaps, const std::function<void(std::string_view)>& deliver) const {
        std::string thumb, html;
        {
            ScopedTimer t(stats, op);
            thumb = detail::render_thumbnail(eyemaps, fills_of(eyemaps));
            TypePageSettings po;
            po.templates = templates;
            // Every eyemap of a batch has the same canvas.
            if (!eyemaps.empty()) {
                po.eyemap_width = eyemaps.back().width;
                po.eyemap_height = eyemaps.back().height;
            }
            po.empty_maps = empty_maps;
            po.links = links;
            po.baseline = baseline;
            html = render_type_page(rec, po);
            t.add_bytes(html.size() + thumb.size());
        }
        deliver(thumb);
        deliver(html);
    }
};

}  // namespace

void add_type_pages(BatchCallbacks& callbacks, const TableColumns& columns, const ColumnIndex& layout, const Renderer& renderer,
                    const BatchOptions& options, const PageOptions& pages) {
    if (std::find(options.formats.begin(), options.formats.end(), OutputFormat::svg) == options.formats.end())
        throw_input("pages show the SVG eyemaps: add svg to the formats", ErrorLocation{{}, 0, "--pages", {}});
    auto p = std::make_shared<TypePages>();
    p->settings_hash = detail::batch_settings_hash(columns, layout, renderer, options.baseline.get());
    const auto requests = batch_requests(options, layout, columns);
    HashBuilder h(0x70616765);  // "page"
    h.add(options.formats.size());
    for (OutputFormat f : options.formats) h.add(f);
    h.add(requests.size());
    for (const auto& r : requests) h.add(std::string_view(r.region)).add(r.side).add(r.metric);
    p->page_salt = h.digest();
    p->empty_maps = pages.empty_maps;
    p->templates = renderer.templates();  // read once, with the renderer: pages match the settings hash
    const RenderOptions& ro = renderer.options();
    p->links = release_links(ro);
    if (const auto& b = options.baseline)
        p->baseline = Manifest::Baseline{b->data.source, b->options.mode, b->options.label_a, b->options.label_b, b->options.colormap, {}};
    p->fills = std::make_shared<const FillColours>(fill_colours(ro.style, ro.colormap, ro.scale.bins));
    for (const auto& l : resolve_metric_looks(ro))  // a thumbnail in its metric's own map
        p->look_fills.emplace_back(l.metric, std::make_shared<const FillColours>(fill_colours(ro.style, l.colormap, l.scale.bins)));
    p->stats = &renderer.stats();
    p->op = p->stats->op("batch_page");
    callbacks.plan_type_files = [p](TypeRecord& rec) { p->plan(rec); };
    callbacks.make_type_files = [p](const TypeRecord& rec, std::span<const RenderedEyemap> eyemaps,
                                    const std::function<void(std::string_view)>& deliver) { p->make(rec, eyemaps, deliver); };
}

}  // namespace eyemap

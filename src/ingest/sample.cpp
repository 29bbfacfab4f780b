// Synthetic sample data: a hexagonal eye patch and smooth per-type hot spots with per-layer profiles.
#include "eyemap/sample.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "eyemap/regions.hpp"

namespace eyemap {
namespace {

// splitmix64: tiny, portable and fully specified (std distributions are not).
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct Pt {
    std::int32_t h1, h2;
    double x, y;
};

std::vector<Pt> eye_patch() {
    // Columns whose pixel centre (spec formula, unit size) lies in an ellipse: ~900 like the real eye.
    std::vector<Pt> all;
    for (std::int32_t h1 = 1; h1 <= 40; ++h1)
        for (std::int32_t h2 = 1; h2 <= 42; ++h2) {
            const double q = -(h1 - h2) - 3, r = -h2;
            all.push_back({h1, h2, 1.5 * q, 0.8660254037844386 * q + 1.7320508075688772 * r});
        }
    double cx = 0, cy = 0;
    for (const auto& p : all) cx += p.x, cy += p.y;
    cx /= static_cast<double>(all.size());
    cy /= static_cast<double>(all.size());
    std::vector<Pt> out;
    for (const auto& p : all) {
        const double dx = (p.x - cx) / 24.8, dy = (p.y - cy) / 30.4;
        if (dx * dx + dy * dy <= 1.0) out.push_back({p.h1, p.h2, p.x - cx, p.y - cy});
    }
    return out;
}

}  // namespace

ColumnLayout sample_layout(std::uint64_t seed) {
    const auto patch = eye_patch();
    ColumnLayout layout;
    layout.source = "sample";
    Rng rng{seed};
    for (Side side : {Side::L, Side::R}) {
        // LO lacks a band at the top edge, LOP a wider band on one flank, as in the real eye.
        for (const auto& p : patch) {
            const bool edge_jitter = side == Side::L && rng.uniform() < 0.01;  // the two eyes differ a little
            if (edge_jitter && std::abs(p.x) > 20) continue;
            layout.entries.push_back({"ME", side, p.h1, p.h2});
            if (p.y > -27.5) layout.entries.push_back({"LO", side, p.h1, p.h2});
            if (p.x < 16.5) layout.entries.push_back({"LOP", side, p.h1, p.h2});
        }
    }
    return layout;
}

std::vector<std::string> sample_type_names(std::size_t n) {
    static const char* named[] = {"Mi1", "Tm3", "T4a", "LC10a", "Dm8", "Tm5c"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(i < 6 ? std::string(named[i]) : fmt::format("Type{:05}", i + 1));
    return out;
}

void write_layout_csv(std::ostream& out, const ColumnLayout& layout) {
    out << "region,side,hex1,hex2\n";
    for (const auto& e : layout.entries) out << e.region << ',' << to_string(e.side) << ',' << e.hex1 << ',' << e.hex2 << '\n';
}

std::uint64_t write_sample_data(std::ostream& out, const ColumnLayout& layout, const SampleOptions& options) {
    const RegionSet regions = builtin_regions();
    // Positions from the spec's formula, centred on the layout's mean, so any layout works
    // (the sample patch, or a real one such as ../shared/data/optic-lobe/columns.csv).
    std::vector<Pt> entry_pos;
    double cx0 = 0, cy0 = 0;
    for (const auto& e : layout.entries) {
        const double q = -(e.hex1 - e.hex2) - 3, r = -e.hex2;
        entry_pos.push_back({e.hex1, e.hex2, 1.5 * q, 0.8660254037844386 * q + 1.7320508075688772 * r});
        cx0 += entry_pos.back().x;
        cy0 += entry_pos.back().y;
    }
    if (!entry_pos.empty()) {
        cx0 /= static_cast<double>(entry_pos.size());
        cy0 /= static_cast<double>(entry_pos.size());
    }
    for (auto& p : entry_pos) p.x -= cx0, p.y -= cy0;

    out << "neuron_type,region,side,hex1,hex2,synapses,cells";
    if (options.per_layer) out << ",layer_synapses,layer_cells";
    out << '\n';
    std::uint64_t rows = 0;
    fmt::memory_buffer line;
    const auto names = sample_type_names(options.types);
    for (std::size_t t = 0; t < options.types; ++t) {
        Rng rng{options.seed * 0x100000001B3ull + t * 7919 + 17};
        // A type: a hot spot (centre, width, strength) and a profile over each region's layers.
        const double cx = (rng.uniform() - 0.5) * 30, cy = (rng.uniform() - 0.5) * 40;
        const double width = 8 + rng.uniform() * 30;
        const double strength = 20 + rng.uniform() * 2000;
        const double coverage = 0.35 + rng.uniform() * 0.6;
        double region_weight[3];
        std::vector<std::vector<double>> profile(regions.regions.size());
        for (std::size_t r = 0; r < regions.regions.size(); ++r) {
            // A region the type avoids, or a weight large enough that its hot spot has synapses.
            region_weight[r] = rng.uniform() < 0.3 ? 0.0 : 0.25 + 0.75 * rng.uniform();
            double sum = 0;
            for (std::size_t l = 0; l < regions.regions[r].layers.size(); ++l) {
                const double w = rng.uniform() < 0.4 ? 0.0 : rng.uniform();
                profile[r].push_back(w);
                sum += w;
            }
            if (sum == 0) profile[r][0] = sum = 1;
            for (auto& w : profile[r]) w /= sum;
        }
        if (region_weight[0] + region_weight[1] + region_weight[2] == 0) region_weight[0] = 1;
        for (std::size_t i = 0; i < layout.entries.size(); ++i) {
            const auto& e = layout.entries[i];
            const Pt* p = &entry_pos[i];
            const auto r = static_cast<std::size_t>(regions.index_of(e.region));
            const double u = rng.uniform(), noise = rng.uniform();
            if (region_weight[r] == 0 || u > coverage) continue;
            const double d2 = ((p->x - cx) * (p->x - cx) + (p->y - cy) * (p->y - cy)) / (width * width);
            const auto syn = static_cast<std::int64_t>(strength * region_weight[r] * (0.1 + 0.9 * std::exp(-d2)) * (0.6 + 0.8 * noise));
            const std::int64_t cells = syn > 0 ? 1 + static_cast<std::int64_t>(noise * 2.5) : 0;
            if (syn == 0 && cells == 0) continue;
            line.clear();
            fmt::format_to(std::back_inserter(line), "{},{},{},{},{},{},{}", names[t], e.region, to_string(e.side), e.hex1,
                           e.hex2, syn, cells);
            if (options.per_layer) {
                // Largest-remainder split so layer values sum exactly to the total.
                const auto& prof = profile[r];
                std::vector<std::int64_t> ls(prof.size()), lc(prof.size());
                std::int64_t used = 0;
                for (std::size_t l = 0; l < prof.size(); ++l) used += ls[l] = static_cast<std::int64_t>(prof[l] * static_cast<double>(syn));
                for (std::size_t l = 0; used < syn; l = (l + 1) % prof.size())
                    if (prof[l] > 0) ++ls[l], ++used;
                std::size_t top = static_cast<std::size_t>(std::max_element(prof.begin(), prof.end()) - prof.begin());
                lc[top] = cells;
                line.push_back(',');
                for (std::size_t l = 0; l < ls.size(); ++l) fmt::format_to(std::back_inserter(line), "{}{}", l ? ";" : "", ls[l]);
                line.push_back(',');
                for (std::size_t l = 0; l < lc.size(); ++l) fmt::format_to(std::back_inserter(line), "{}{}", l ? ";" : "", lc[l]);
            }
            line.push_back('\n');
            out.write(line.data(), static_cast<std::streamsize>(line.size()));
            ++rows;
        }
    }
    return rows;
}

}  // namespace eyemap

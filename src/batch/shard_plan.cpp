// Size-balanced shard plans (issue 18): types assigned to shards by their row counts.
#include <algorithm>
#include <charconv>
#include <numeric>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "core/throw.hpp"

namespace eyemap {
namespace {

using ojson = nlohmann::ordered_json;
constexpr std::string_view kPlanSchema = "eyemap-plan/1";

// The unit of sharding: types whose file keys are equal ignoring ASCII case share files on a
// case-insensitive disk, so they must land in one shard (as shard_of guarantees).
std::string plan_key(std::string_view neuron_type) {
    std::string k = type_file_base(neuron_type);
    for (char& c : k)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return k;
}

[[noreturn]] void bad_plan(std::string_view source, const std::string& what) {
    throw_input(fmt::format("bad shard plan: {}", what), ErrorLocation{std::string(source), 0, {}, {}});
}

}  // namespace

void ShardPlan::index() {
    by_key_.clear();
    by_key_.reserve(types.size());
    for (const auto& t : types) by_key_.emplace_back(plan_key(t.name), t.shard);
    std::sort(by_key_.begin(), by_key_.end());
    by_key_.erase(std::unique(by_key_.begin(), by_key_.end(), [](const auto& a, const auto& b) { return a.first == b.first; }), by_key_.end());
}

std::uint32_t ShardPlan::shard_of(std::string_view neuron_type) const {
    if (count <= 1) return 0;
    const std::string key = plan_key(neuron_type);
    if (by_key_.empty()) {  // made by hand: the first entry with this key, as index() keeps
        for (const auto& t : types)
            if (plan_key(t.name) == key) return t.shard;
    } else {
        auto it = std::lower_bound(by_key_.begin(), by_key_.end(), key, [](const auto& e, const std::string& k) { return e.first < k; });
        if (it != by_key_.end() && it->first == key) return it->second;
    }
    return eyemap::shard_of(neuron_type, count);  // unknown type: the hash, as without a plan
}

std::uint32_t shard_for(const BatchOptions& options, std::string_view neuron_type) {
    if (options.shard_plan) return options.shard_plan->shard_of(neuron_type);
    return shard_of(neuron_type, options.shard.count);
}

std::vector<TypeRowCount> count_type_rows(DataFileSource& source) {
    std::vector<TypeRowCount> out;
    std::unordered_map<std::string, std::size_t> at;
    ColumnRow row;
    while (source.next(row)) {
        if (out.empty() || out.back().name != row.neuron_type) {
            auto [it, fresh] = at.emplace(row.neuron_type, out.size());
            if (fresh) out.push_back(TypeRowCount{row.neuron_type, 0});
            ++out[it->second].rows;
        } else {
            ++out.back().rows;
        }
    }
    return out;
}

ShardPlan make_shard_plan(std::span<const TypeRowCount> types, std::uint32_t count) {
    if (count == 0) throw_input("the shard count must be at least 1", ErrorLocation{{}, 0, "--shards", "0"});
    ShardPlan plan;
    plan.count = count;
    // Units: types with one case-folded key, in order of first appearance.
    std::vector<std::string> unit_key;
    std::vector<std::uint64_t> unit_rows;
    std::vector<std::size_t> type_unit(types.size());
    std::unordered_map<std::string, std::size_t> unit_of;
    for (std::size_t i = 0; i < types.size(); ++i) {
        auto [it, fresh] = unit_of.emplace(plan_key(types[i].name), unit_key.size());
        if (fresh) {
            unit_key.push_back(it->first);
            unit_rows.push_back(0);
        }
        type_unit[i] = it->second;
        unit_rows[it->second] += types[i].rows;
    }
    // Longest processing time first: biggest unit to the least loaded shard (ties: input order,
    // lowest shard), so the result depends only on the counts.
    std::vector<std::size_t> order(unit_key.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return unit_rows[a] > unit_rows[b]; });
    using Load = std::pair<std::uint64_t, std::uint32_t>;
    std::priority_queue<Load, std::vector<Load>, std::greater<>> load;
    for (std::uint32_t s = 0; s < count; ++s) load.emplace(0, s);
    std::vector<std::uint32_t> unit_shard(unit_key.size());
    for (std::size_t u : order) {
        auto [rows, s] = load.top();
        load.pop();
        unit_shard[u] = s;
        load.emplace(rows + unit_rows[u], s);
    }
    plan.types.reserve(types.size());
    for (std::size_t i = 0; i < types.size(); ++i) plan.types.push_back({types[i].name, types[i].rows, unit_shard[type_unit[i]]});
    plan.index();
    return plan;
}

std::vector<std::uint64_t> rows_per_shard(std::span<const TypeRowCount> types, std::uint32_t count, const ShardPlan* plan) {
    std::vector<std::uint64_t> rows(std::max<std::uint32_t>(count, 1), 0);
    for (const auto& t : types) rows[plan ? plan->shard_of(t.name) : shard_of(t.name, count)] += t.rows;
    return rows;
}

std::string shard_plan_to_json(const ShardPlan& plan) {
    std::vector<std::uint64_t> rows(plan.count, 0);
    for (const auto& t : plan.types) rows[t.shard] += t.rows;
    ojson head;
    head["schema"] = std::string(kPlanSchema);
    head["shards"] = plan.count;
    head["rows_per_shard"] = rows;
    std::string s = head.dump(-1, ' ', false, ojson::error_handler_t::replace);
    s.pop_back();
    s += ",\"types\":[\n";
    for (std::size_t i = 0; i < plan.types.size(); ++i) {
        ojson t;
        t["name"] = plan.types[i].name;
        t["rows"] = plan.types[i].rows;
        t["shard"] = plan.types[i].shard;
        s += t.dump(-1, ' ', false, ojson::error_handler_t::replace);
        s += i + 1 < plan.types.size() ? ",\n" : "\n";
    }
    s += "]}\n";
    return s;
}

ShardPlan shard_plan_from_json(std::string_view text, std::string_view source) {
    ojson j;
    try {
        j = ojson::parse(text);
    } catch (const std::exception& e) {
        bad_plan(source, fmt::format("not valid JSON ({})", e.what()));
    }
    if (!j.is_object() || !j.contains("schema") || j["schema"] != std::string(kPlanSchema))
        bad_plan(source, fmt::format("schema is not {}", kPlanSchema));
    // The batch's limit (kMaxShards), so that a plan it reads is one `--shard I/N` accepts.
    if (!j.contains("shards") || !j["shards"].is_number_unsigned() || j["shards"].get<std::uint64_t>() == 0 ||
        j["shards"].get<std::uint64_t>() > kMaxShards)
        bad_plan(source, fmt::format("\"shards\" must be an integer from 1 to {} (it is {})", kMaxShards, j.contains("shards") ? j["shards"].dump(-1, ' ', false, ojson::error_handler_t::replace).substr(0, 40) : "missing"));
    ShardPlan plan;
    plan.count = static_cast<std::uint32_t>(j["shards"].get<std::uint64_t>());
    if (!j.contains("types") || !j["types"].is_array()) bad_plan(source, "\"types\" must be an array");
    for (const auto& t : j["types"]) {
        if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("shard") || !t["shard"].is_number_unsigned())
            bad_plan(source, "every type needs \"name\" and \"shard\"");
        ShardPlan::Entry e;
        e.name = t["name"].get<std::string>();
        // Compared as read (64 bits): narrowing first would turn 4294967297 into 1.
        const std::uint64_t shard = t["shard"].get<std::uint64_t>();
        if (t.contains("rows") && t["rows"].is_number_unsigned()) e.rows = t["rows"].get<std::uint64_t>();
        if (shard >= plan.count) bad_plan(source, fmt::format("type \"{}\": shard {} is not below {}", e.name, shard, plan.count));
        e.shard = static_cast<std::uint32_t>(shard);
        plan.types.push_back(std::move(e));
    }
    plan.index();
    // One case-folded key, one shard: otherwise two shards could write one file on a
    // case-insensitive disk.
    std::unordered_map<std::string, std::uint32_t> seen;
    for (const auto& t : plan.types) {
        auto [it, fresh] = seen.emplace(plan_key(t.name), t.shard);
        if (!fresh && it->second != t.shard)
            bad_plan(source, fmt::format("type \"{}\" must be in the same shard as the types whose file names equal its own ignoring case", t.name));
    }
    return plan;
}

}  // namespace eyemap

// Fuzz target: the shard-plan reader (`batch --plan`). A finding: any non-input error; an accepted
// plan with a shard count outside 1..kMaxShards or an entry's shard not below it; a plan that the
// writer writes back and the reader then refuses or reads differently.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eyemap/batch.hpp"
#include "fuzz_common.hpp"

using namespace eyemap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const ShardPlan plan = shard_plan_from_json(text, "plan.json");
        fuzz::check(plan.count >= 1 && plan.count <= kMaxShards, "shard count out of range");
        for (const auto& t : plan.types) {
            fuzz::check(t.shard < plan.count, "an entry's shard is not below the count");
            fuzz::check(plan.shard_of(t.name) < plan.count, "shard_of out of range");
        }
        const std::string again = shard_plan_to_json(plan);
        ShardPlan plan2;
        try {
            plan2 = shard_plan_from_json(again, "plan.json");
        } catch (const Error& e) {
            std::fprintf(stderr, "fuzz: the writer's plan is refused: %s\n", e.what());
            std::abort();
        }
        fuzz::check(plan2.count == plan.count && plan2.types.size() == plan.types.size(), "a round trip changed the plan");
        for (std::size_t i = 0; i < plan.types.size(); ++i)
            fuzz::check(plan2.types[i].shard == plan.types[i].shard && plan2.types[i].rows == plan.types[i].rows, "an entry changed in a round trip");
        fuzz::check(shard_plan_to_json(plan2) == again, "the round trip is not stable");
    });
    return 0;
}

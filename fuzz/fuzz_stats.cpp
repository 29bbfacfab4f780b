// Fuzz target: the stats JSON reader behind `eyemap stats report`. A finding: any non-input error
// (reading or drawing the report); an accepted file that the writer writes back and the reader then
// refuses or reads differently.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eyemap/stats.hpp"
#include "fuzz_common.hpp"
#include "output/report.hpp"

using namespace eyemap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::run([&] {
        const StatsDocument doc = stats_document_from_json(text);
        const std::string again = stats_to_json(doc);
        StatsDocument doc2;
        try {
            doc2 = stats_document_from_json(again);
        } catch (const Error& e) {
            std::fprintf(stderr, "fuzz: the writer's stats file is refused: %s\n", e.what());
            std::abort();
        }
        fuzz::check(doc2.snapshot.ops.size() == doc.snapshot.ops.size(), "ops lost in a round trip");
        fuzz::check(doc2.caches.size() == doc.caches.size(), "caches lost in a round trip");
        fuzz::check(doc2.command == doc.command, "the command changed in a round trip");
        fuzz::check(stats_to_json(doc2) == again, "the round trip is not stable");
        // What `stats report` does with it: the report must draw whatever the reader accepted.
        const std::string html = render_run_report(run_report_from(doc, "fuzz"));
        fuzz::check(!html.empty(), "empty report");
    });
    return 0;
}

// Shared by the fuzz targets: what counts as a finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "eyemap/error.hpp"

namespace eyemap::fuzz {

// Runs `body`. An input error is the expected answer to bad input; an io or internal error, any
// other exception, or a broken invariant (check()) is a bug and aborts, so libFuzzer saves the input.
template <class F>
void run(F&& body) {
    try {
        body();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            std::fprintf(stderr, "fuzz: unexpected %s error: %s\n", e.kind() == ErrorKind::io ? "io" : "internal", e.what());
            std::abort();
        }
        if (std::string_view(e.what()).empty()) std::abort();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: unexpected exception: %s\n", e.what());
        std::abort();
    }
}

inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace eyemap::fuzz

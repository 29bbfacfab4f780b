// Tests of core/hash: hash_bytes (deterministic, seeded, well mixed) and HashBuilder (order, boundaries, types).
#include "core/hash.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <bitset>
#include <cstdint>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TEST_CASE("hash_bytes: deterministic, seeded, length-sensitive, well mixed") {
    const std::string a = "hexagon";
    CHECK(eyemap::hash_bytes(a) == eyemap::hash_bytes(std::string("hexagon")));
    CHECK(eyemap::hash_bytes(a, 1) != eyemap::hash_bytes(a, 2));
    CHECK(eyemap::hash_bytes("") != eyemap::hash_bytes(std::string_view("\0", 1)));
    CHECK(eyemap::hash_bytes(std::string_view("abcdefgh\0", 9)) != eyemap::hash_bytes("abcdefgh"));

    // No collisions among 200k small inputs (expected ~1e-9 for a good 64-bit hash).
    std::set<std::uint64_t> seen;
    for (std::uint32_t i = 0; i < 200000; ++i) {
        seen.insert(eyemap::hash_bytes(std::as_bytes(std::span<const std::uint32_t>(&i, 1))));
    }
    CHECK(seen.size() == 200000);

    // Avalanche: flipping one input bit flips about half of the output bits.
    std::mt19937_64 rng(7);
    double total = 0;
    int trials = 0;
    for (int t = 0; t < 200; ++t) {
        std::array<std::uint64_t, 3> buf{rng(), rng(), rng()};
        const std::uint64_t h0 = eyemap::hash_bytes(std::as_bytes(std::span(buf)));
        for (int bit = 0; bit < 192; bit += 7) {
            auto b2 = buf;
            b2[static_cast<std::size_t>(bit / 64)] ^= std::uint64_t{1} << (bit % 64);
            total += static_cast<double>(std::bitset<64>(h0 ^ eyemap::hash_bytes(std::as_bytes(std::span(b2)))).count());
            ++trials;
        }
    }
    CHECK(total / trials == Approx(32.0).margin(1.0));
}

TEST_CASE("StreamDigest: the same however the bytes are split, different for a changed byte or length") {
    std::string text;
    for (std::size_t i = 0; i < 300000; ++i) text += static_cast<char>('a' + (i * 7919) % 26);
    const auto whole = [](std::string_view s) {
        eyemap::StreamDigest d;
        d.add(s);
        return d.digest();
    };
    const std::uint64_t ref = whole(text);
    for (std::size_t step : {1u, 7u, 4096u, 65536u, 65537u, 299999u}) {
        eyemap::StreamDigest d;
        for (std::size_t i = 0; i < text.size(); i += step) d.add(std::string_view(text).substr(i, step));
        CHECK(d.digest() == ref);
    }
    std::string changed = text;
    changed[123456] = changed[123456] == 'a' ? 'b' : 'a';
    CHECK(whole(changed) != ref);
    CHECK(whole(text + '\0') != ref);  // a trailing zero byte counts
    CHECK(whole("") != whole(std::string(1, '\0')));
    eyemap::StreamDigest empty;
    empty.add({});
    CHECK(empty.digest() == whole(""));
}

TEST_CASE("HashBuilder: order, boundaries, types") {
    using eyemap::HashBuilder;
    auto h = [](auto&&... parts) {
        HashBuilder b;
        (b.add(parts), ...);
        return b.digest();
    };
    CHECK(h(1, 2) == h(1, 2));
    CHECK(h(1, 2) != h(2, 1));
    CHECK(h(std::string("ab"), std::string("c")) != h(std::string("a"), std::string("bc")));
    CHECK(h(0.0) == h(-0.0));
    CHECK(h(1.0) != h(1.5));
    CHECK(h(-1) == h(std::int64_t{-1}));
    CHECK(h(std::vector<int>{1, 2, 3}) == h(std::vector<int>{1, 2, 3}));
    CHECK(h(std::vector<int>{1, 2, 3}) != h(std::vector<int>{1, 2}, 3));
    CHECK(h(std::vector<double>{0.0, 1.0}) == h(std::vector<double>{-0.0, 1.0}));
    CHECK(HashBuilder(1).add(5).digest() != HashBuilder(2).add(5).digest());
    CHECK(h() != h(0));
}

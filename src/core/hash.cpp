// The byte hash and the stream digest declared in core/hash.hpp.
#include "core/hash.hpp"

#include <cstring>

#include <libdeflate.h>

namespace eyemap {

std::uint64_t hash_bytes(std::span<const std::byte> data, std::uint64_t seed) noexcept {
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15ULL;
    const std::byte* p = data.data();
    const std::size_t n = data.size();
    // The length goes in first so that inputs differing only by trailing zero bytes differ.
    std::uint64_t h = seed ^ 0x243f6a8885a308d3ULL ^ (n * k);
    auto load = [](const std::byte* q, std::size_t len) {
        std::uint64_t w = 0;
        std::memcpy(&w, q, len);
        if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
        return w;
    };
    // Multiply-rotate keeps the chain order-dependent and bijective in h; mix64 of each word
    // gives full avalanche within the word.
    auto step = [&](std::uint64_t w) { h = std::rotl(h ^ mix64(w), 29) * k; };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) step(load(p + i, 8));
    if (i < n) step(load(p + i, n - i));
    return mix64(h);
}

void StreamDigest::add(std::string_view bytes) noexcept {
    crc_ = libdeflate_crc32(crc_, bytes.data(), bytes.size());
    adler_ = libdeflate_adler32(adler_, bytes.data(), bytes.size());
    size_ += bytes.size();
}

std::uint64_t StreamDigest::digest() const noexcept { return mix64(((std::uint64_t{crc_} << 32) | adler_) ^ mix64(size_)); }

}  // namespace eyemap

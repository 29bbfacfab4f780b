// Content hashing: a fast, platform-stable 64-bit hash of bytes and an incremental key builder.
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "eyemap/vocabulary.hpp"

namespace eyemap {

// Bijective 64-bit finaliser (splitmix64): every input bit affects every output bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// 64-bit hash of a byte string, 8 bytes per step. Same result on every platform (words are read
// little-endian), but not a cryptographic hash: use it for cache keys, never against adversaries.
std::uint64_t hash_bytes(std::span<const std::byte> data, std::uint64_t seed = 0) noexcept;

inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0) noexcept {
    return hash_bytes(std::as_bytes(std::span<const char>(s.data(), s.size())), seed);
}

// The digest of a byte stream however it is split into calls (a data file as the batch reads it and
// as `runs verify` reads it again): CRC-32 and Adler-32 (libdeflate's, vectorised: a fraction of an
// instruction per byte, where hash_bytes takes about two) and the length. Tells accidental changes
// apart; like hash_bytes, not meant against adversaries.
class StreamDigest {
public:
    void add(std::string_view bytes) noexcept;
    std::uint64_t digest() const noexcept;

private:
    std::uint32_t crc_ = 0;
    std::uint32_t adler_ = 1;
    std::uint64_t size_ = 0;
};

// A whole byte string's StreamDigest: the content hash of a run's output files (ContentHash::crc32_adler32).
inline std::uint64_t stream_digest(std::string_view bytes) noexcept {
    StreamDigest d;
    d.add(bytes);
    return d.digest();
}

// Incremental content hash: append the parts of a key in order, then read digest().
// Strings and spans are length-prefixed so ("ab","c") and ("a","bc") hash differently.
class HashBuilder {
public:
    explicit HashBuilder(std::uint64_t seed = 0) noexcept : state_(mix64(seed ^ 0x6a09e667f3bcc909ULL)) {}

    template <class T>
        requires(std::integral<T> || std::is_enum_v<T>)
    HashBuilder& add(T v) noexcept {
        if constexpr (std::is_enum_v<T>) {
            return add(static_cast<std::underlying_type_t<T>>(v));
        } else if constexpr (std::is_signed_v<T>) {
            // Sign-extend so that int{-1} and int64_t{-1} agree, matching ==.
            return combine(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
        } else {
            return combine(static_cast<std::uint64_t>(v));
        }
    }

    // A metric: the counts as the enumerators they were (0, 1), so hashes of earlier runs hold; a
    // value column by its name.
    HashBuilder& add(const Metric& m) noexcept {
        if (m == Metric::synapses) return add(std::uint8_t{0});
        if (m == Metric::cells) return add(std::uint8_t{1});
        add(std::uint8_t{2}).add(std::string_view(m.name()));
        return m.shown() == m.name() ? *this : add(m.shown());  // a label or unit changes the pictures
    }

    HashBuilder& add(double v) noexcept {
        if (v == 0.0) v = 0.0;  // -0.0 == 0.0, so they must hash alike
        return combine(std::bit_cast<std::uint64_t>(v));
    }
    HashBuilder& add(float v) noexcept { return add(static_cast<double>(v)); }

    HashBuilder& add(std::string_view s) noexcept {
        combine(s.size());
        return combine(hash_bytes(s, state_));
    }
    HashBuilder& add(const char* s) noexcept { return add(std::string_view(s)); }
    HashBuilder& add(const std::string& s) noexcept { return add(std::string_view(s)); }

    HashBuilder& add_bytes(std::span<const std::byte> bytes) noexcept {
        combine(bytes.size());
        return combine(hash_bytes(bytes, state_));
    }

    // Contiguous integers are hashed as raw bytes (fast path for column-id lists); floating point
    // goes element by element so that -0.0 and 0.0 still agree.
    template <class T>
        requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
    HashBuilder& add(std::span<const T> values) noexcept {
        if constexpr (std::is_integral_v<T>) {
            return add_bytes(std::as_bytes(values));
        } else {
            combine(values.size());
            for (T v : values) add(v);
            return *this;
        }
    }
    template <class T>
        requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
    HashBuilder& add(const std::vector<T>& values) noexcept {
        return add(std::span<const T>(values));
    }

    std::uint64_t digest() const noexcept { return mix64(state_); }

private:
    HashBuilder& combine(std::uint64_t v) noexcept {
        // Mixing the state before each part makes the result depend on the order of parts.
        state_ = mix64(state_ ^ v) + 0x9e3779b97f4a7c15ULL;
        return *this;
    }
    std::uint64_t state_;
};

}  // namespace eyemap

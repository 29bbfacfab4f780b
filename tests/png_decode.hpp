// Tests' PNG decoder (libpng's simplified API): a PNG's pixels as a RasterImage, for pixel checks.
#pragma once

#include <bit>
#include <string_view>

#include <catch2/catch.hpp>
#include <png.h>

#include "render/raster.hpp"

namespace eyemap::test {

// Decoded PNG, each pixel 0xAARRGGBB (as RasterImage).
inline RasterImage decode_png(std::string_view bytes) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    REQUIRE(png_image_begin_read_from_memory(&img, bytes.data(), bytes.size()) != 0);
    img.format = PNG_FORMAT_BGRA;  // little-endian memory order of 0xAARRGGBB words
    static_assert(std::endian::native == std::endian::little, "the test decoder assumes little-endian");
    RasterImage out;
    out.width = static_cast<int>(img.width);
    out.height = static_cast<int>(img.height);
    out.argb.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
    REQUIRE(png_image_finish_read(&img, nullptr, out.argb.data(), 0, nullptr) != 0);
    return out;
}

}  // namespace eyemap::test

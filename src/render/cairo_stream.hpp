// Internal: cairo write callback that appends to a std::string (PNG and PDF output in memory).
#pragma once

#include <string>

#include <cairo.h>

namespace eyemap::detail {

inline cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    try {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    } catch (...) {
        return CAIRO_STATUS_NO_MEMORY;
    }
}

}  // namespace eyemap::detail

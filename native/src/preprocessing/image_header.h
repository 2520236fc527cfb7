// The size an encoded image declares in its header, read without decoding it, so that a
// decompression bomb (a small file declaring a huge image) is refused before any pixel memory is
// allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "image_format.h"

namespace clip4j {

struct DeclaredSize {
  int64_t width;
  int64_t height;
};

// The width and height declared by a PNG, JPEG, GIF, BMP, WebP or TIFF header; nullopt for other
// formats and for headers too short or malformed to say (the decoder then judges the bytes).
std::optional<DeclaredSize> declared_size(const uint8_t* data, size_t size);

}  // namespace clip4j

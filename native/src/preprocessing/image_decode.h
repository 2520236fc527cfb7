// Decoding encoded image files with OpenCV into the pixel modes Pillow would give open_clip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "image8.h"

namespace clip4j {

// How Pillow would hold the decoded image, which decides how it is resized: palette and 1-bit
// images are resized with NEAREST whatever filter was asked for, RGBA with premultiplied alpha.
enum class PilMode { Grey, Rgb, Rgba, Palette };

struct DecodedImage {
  Image8 image;  // 1 channel for Grey, 3 for Rgb and Palette without alpha, 4 for Rgba and Palette
                 // with alpha
  PilMode mode = PilMode::Rgb;
};

// Thrown for bytes that are not a decodable image, or an image over the pixel limit.
struct BadImage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Decodes one file. EXIF orientation is ignored, as PIL's Image.open ignores it. 16-bit samples
// are scaled to 8 bits by their high byte (PIL does the same for 16-bit RGB but clips 16-bit grey
// to 255, which washes images out). Images with more than `max_pixels` pixels are rejected.
DecodedImage decode_image(const uint8_t* data, size_t size, int64_t max_pixels);

// Wraps caller-owned RGB bytes (3 channels, row-major) as an image.
DecodedImage rgb_image(const uint8_t* rgb, int width, int height);

}  // namespace clip4j

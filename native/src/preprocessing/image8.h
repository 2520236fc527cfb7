// An 8-bit image held as interleaved channels, row-major. The preprocessing layer works on this
// plain type so that it needs neither libtorch nor OpenCV in its headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clip4j {

struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 (grey), 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;

  Image8() = default;
  Image8(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c) {}

  uint8_t* row(int y) { return pixels.data() + size_t(y) * width * channels; }
  const uint8_t* row(int y) const { return pixels.data() + size_t(y) * width * channels; }
};

}  // namespace clip4j

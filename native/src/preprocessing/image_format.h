// Which container an encoded image is, from its first bytes (its magic number): the one place the
// signatures are written down, for the header reader, the decoder and its diagnoses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace clip4j {

enum class ImageFormat { Unknown, Png, Jpeg, Gif, Bmp, WebP, Tiff };

// Whether `data` begins with the `n` bytes of `magic`.
inline bool starts_with(const uint8_t* data, size_t size, const char* magic, size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

inline ImageFormat image_format(const uint8_t* data, size_t size) {
  if (data == nullptr) return ImageFormat::Unknown;
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n", 8)) return ImageFormat::Png;
  if (starts_with(data, size, "\xFF\xD8", 2)) return ImageFormat::Jpeg;
  if (starts_with(data, size, "GIF8", 4)) return ImageFormat::Gif;
  if (starts_with(data, size, "BM", 2)) return ImageFormat::Bmp;
  if (starts_with(data, size, "RIFF", 4) && size >= 12 && std::memcmp(data + 8, "WEBP", 4) == 0) {
    return ImageFormat::WebP;
  }
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) {
    return ImageFormat::Tiff;
  }
  return ImageFormat::Unknown;
}

}  // namespace clip4j

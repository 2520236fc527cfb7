#include "image_header.h"

#include <cstdlib>
#include <cstring>

#include "byte_order.h"
#include "jpeg_segments.h"
#include "tiff_directory.h"

namespace clip4j {
namespace {

// The first start-of-frame segment holds the size.
std::optional<DeclaredSize> jpeg(const uint8_t* d, size_t size) {
  const size_t frame = jpeg_segments(d, size).frame;
  if (frame == 0 || frame + 9 > size) return std::nullopt;
  return DeclaredSize{be16(d + frame + 7), be16(d + frame + 5)};
}

// The first image file directory's ImageWidth (256) and ImageLength (257) tags.
std::optional<DeclaredSize> tiff(const uint8_t* d, size_t size) {
  const TiffDirectory directory(d, size);
  const std::vector<int64_t> width = directory.values(256), height = directory.values(257);
  if (width.empty() || height.empty()) return std::nullopt;
  return DeclaredSize{width[0], height[0]};
}

std::optional<DeclaredSize> webp(const uint8_t* d, size_t size) {
  if (size >= 30 && std::memcmp(d + 12, "VP8 ", 4) == 0) {
    return DeclaredSize{le16(d + 26) & 0x3FFF, le16(d + 28) & 0x3FFF};
  }
  if (size >= 25 && std::memcmp(d + 12, "VP8L", 4) == 0) {
    const uint32_t bits = le32(d + 21);
    return DeclaredSize{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (size >= 30 && std::memcmp(d + 12, "VP8X", 4) == 0) {
    return DeclaredSize{int64_t(le24(d + 24)) + 1, int64_t(le24(d + 27)) + 1};
  }
  return std::nullopt;
}

}  // namespace

std::optional<DeclaredSize> declared_size(const uint8_t* d, size_t size) {
  switch (image_format(d, size)) {
    case ImageFormat::Png:
      if (size >= 24 && std::memcmp(d + 12, "IHDR", 4) == 0) {
        return DeclaredSize{be32(d + 16), be32(d + 20)};
      }
      return std::nullopt;
    case ImageFormat::Jpeg:
      return jpeg(d, size);
    case ImageFormat::Gif:
      if ((starts_with(d, size, "GIF87a", 6) || starts_with(d, size, "GIF89a", 6)) && size >= 10) {
        return DeclaredSize{le16(d + 6), le16(d + 8)};
      }
      return std::nullopt;
    case ImageFormat::Bmp:
      if (size < 26) return std::nullopt;
      if (le32(d + 14) == 12) return DeclaredSize{le16(d + 18), le16(d + 20)};  // OS/2 header
      // Heights are negative for top-down bitmaps.
      return DeclaredSize{std::llabs(int32_t(le32(d + 18))), std::llabs(int32_t(le32(d + 22)))};
    case ImageFormat::WebP:
      return size >= 16 ? webp(d, size) : std::nullopt;
    case ImageFormat::Tiff:
      return size >= 8 ? tiff(d, size) : std::nullopt;
    case ImageFormat::Unknown:
      break;
  }
  return std::nullopt;
}

}  // namespace clip4j

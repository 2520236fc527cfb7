#include "image_header.h"

#include <cstdlib>
#include <cstring>

namespace clip4j {
namespace {

uint32_t be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
uint32_t le16(const uint8_t* p) { return uint32_t(p[1]) << 8 | p[0]; }
uint32_t le24(const uint8_t* p) { return le16(p) | uint32_t(p[2]) << 16; }
uint32_t le32(const uint8_t* p) { return le16(p) | le16(p + 2) << 16; }

// The first start-of-frame segment holds the size; every segment before it is skipped by its
// length.
std::optional<DeclaredSize> jpeg(const uint8_t* d, size_t size) {
  size_t i = 2;
  while (i + 4 <= size) {
    if (d[i] != 0xFF) return std::nullopt;
    const uint8_t marker = d[i + 1];
    if (marker == 0xFF) {  // fill byte
      i++;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length field
      i += 2;
      continue;
    }
    const size_t length = be16(d + i + 2);
    const bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (i + 9 > size) return std::nullopt;
      return DeclaredSize{be16(d + i + 7), be16(d + i + 5)};
    }
    if (length < 2) return std::nullopt;
    i += 2 + length;
  }
  return std::nullopt;
}

// The first image file directory's ImageWidth (256) and ImageLength (257) tags.
std::optional<DeclaredSize> tiff(const uint8_t* d, size_t size) {
  const bool little = d[0] == 'I';
  const auto u16 = [&](size_t at) { return little ? le16(d + at) : be16(d + at); };
  const auto u32 = [&](size_t at) { return little ? le32(d + at) : be32(d + at); };
  const size_t ifd = u32(4);
  if (ifd + 2 > size) return std::nullopt;
  const size_t entries = u16(ifd);
  int64_t width = -1, height = -1;
  for (size_t e = 0; e < entries; e++) {
    const size_t at = ifd + 2 + 12 * e;
    if (at + 12 > size) break;
    const uint32_t tag = u16(at), type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;
    const int64_t value = type == 3 ? u16(at + 8) : type == 4 ? int64_t(u32(at + 8)) : -1;
    (tag == 256 ? width : height) = value;
  }
  if (width < 0 || height < 0) return std::nullopt;
  return DeclaredSize{width, height};
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
  if (d == nullptr) return std::nullopt;
  if (starts_with(d, size, "\x89PNG\r\n\x1a\n", 8) && size >= 24 &&
      std::memcmp(d + 12, "IHDR", 4) == 0) {
    return DeclaredSize{be32(d + 16), be32(d + 20)};
  }
  if (starts_with(d, size, "\xFF\xD8", 2)) return jpeg(d, size);
  if ((starts_with(d, size, "GIF87a", 6) || starts_with(d, size, "GIF89a", 6)) && size >= 10) {
    return DeclaredSize{le16(d + 6), le16(d + 8)};
  }
  if (starts_with(d, size, "BM", 2) && size >= 26) {
    if (le32(d + 14) == 12) return DeclaredSize{le16(d + 18), le16(d + 20)};  // OS/2 header
    // Heights are negative for top-down bitmaps.
    return DeclaredSize{std::llabs(int32_t(le32(d + 18))), std::llabs(int32_t(le32(d + 22)))};
  }
  if (starts_with(d, size, "RIFF", 4) && size >= 16 && std::memcmp(d + 8, "WEBP", 4) == 0) {
    return webp(d, size);
  }
  if ((starts_with(d, size, "II*\0", 4) || starts_with(d, size, "MM\0*", 4)) && size >= 8) {
    return tiff(d, size);
  }
  return std::nullopt;
}

}  // namespace clip4j

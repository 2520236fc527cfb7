#include "png_chunks.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "byte_order.h"

namespace clip4j {
namespace {

constexpr size_t kSignature = 8;
constexpr uint8_t kIend[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};

// PNG's CRC-32 (ISO 3309), over a chunk's type and data.
uint32_t crc32(const uint8_t* p, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// A chunk's type for a message: its four letters, with '?' for a byte that is no letter (data
// read as a chunk header after damage).
std::string chunk_type(const uint8_t* p) {
  std::string out(reinterpret_cast<const char*>(p), 4);
  for (char& c : out) {
    if (!std::isalpha(static_cast<unsigned char>(c))) c = '?';
  }
  return out;
}

}  // namespace

PngChunks png_chunks(const uint8_t* d, size_t size, bool until_image_data) {
  PngChunks out;
  size_t at = kSignature;
  if (size <= at) {
    out.end = PngChunks::End::InsideChunk;
    out.problem = "the data ends after its signature";
    return out;
  }
  while (at < size) {
    const size_t left = size - at;
    const std::string type = left >= 8 ? chunk_type(d + at + 4) : "";
    if (until_image_data && type == "IDAT") {
      out.end = PngChunks::End::ImageData;
      return out;
    }
    if (left < 12 || left - 12 < be32(d + at)) {
      out.end = PngChunks::End::InsideChunk;
      out.problem = "the data ends inside " +
                    (type.empty() ? "a chunk header" : "the " + type + " chunk") + " (" +
                    std::to_string(size) + " bytes)";
      return out;
    }
    const size_t length = be32(d + at);
    if (crc32(d + at + 4, length + 4) != be32(d + at + 8 + length)) {
      out.end = PngChunks::End::BadCrc;
      out.problem = "chunk " + type + " at byte " + std::to_string(at) + " fails its CRC check";
      return out;
    }
    if (type == "IDAT") out.has_image_data = true;
    if (type == "IEND") return out;
    at += 12 + length;
  }
  out.end = PngChunks::End::AfterWholeChunk;
  out.problem = "the data ends before its IEND chunk";
  return out;
}

std::vector<uint8_t> png_with_end_restored(const uint8_t* data, size_t size) {
  // Most PNGs end with IEND: no walk (and no CRCs) for them.
  if (size >= sizeof kIend && std::equal(std::begin(kIend), std::end(kIend), data + size - 12)) {
    return {};
  }
  const PngChunks chunks = png_chunks(data, size);
  if (chunks.end != PngChunks::End::AfterWholeChunk || !chunks.has_image_data) return {};
  std::vector<uint8_t> out(data, data + size);
  out.insert(out.end(), std::begin(kIend), std::end(kIend));
  return out;
}

}  // namespace clip4j

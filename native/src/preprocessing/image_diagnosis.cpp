#include "image_diagnosis.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "byte_order.h"
#include "image_header.h"
#include "jpeg_segments.h"
#include "png_chunks.h"
#include "tiff_directory.h"

namespace clip4j {
namespace {

const char* const kUndecoded = ": its image data could not be decoded";

std::string jpeg_reason(const uint8_t* d, size_t size) {
  const JpegSegments segments = jpeg_segments(d, size);
  if (segments.cut_off) return "truncated JPEG: " + segments.problem;
  if (!segments.problem.empty()) return "corrupt JPEG: " + segments.problem;
  if (segments.frame == 0) return "corrupt JPEG: no frame header before its image data";
  // Entropy-coded data never holds FF D9 (a data byte FF is followed by 00).
  const uint8_t eoi[] = {0xFF, 0xD9};
  if (std::search(d + segments.scan, d + size, eoi, eoi + 2) == d + size) {
    return "truncated JPEG: the data ends before its end-of-image marker";
  }
  return std::string("corrupt JPEG") + kUndecoded;
}

// libpng's default user limits, which OpenCV keeps; Pillow has its own PNG decoder, without them.
constexpr int64_t kLibpngMaxSide = 1000000;

std::string png_reason(const uint8_t* d, size_t size) {
  const std::optional<DeclaredSize> declared = declared_size(d, size);
  if (declared && (declared->width > kLibpngMaxSide || declared->height > kLibpngMaxSide)) {
    return "PNG of " + std::to_string(declared->width) + " x " + std::to_string(declared->height) +
           " pixels: OpenCV's libpng reads at most " + std::to_string(kLibpngMaxSide) +
           " pixels a side (Pillow reads it)";
  }
  const PngChunks chunks = png_chunks(d, size);
  switch (chunks.end) {
    case PngChunks::End::InsideChunk:
    case PngChunks::End::AfterWholeChunk:
      return "truncated PNG: " + chunks.problem;
    case PngChunks::End::BadCrc:
      return "corrupt PNG: " + chunks.problem;
    default:
      return std::string("corrupt PNG") + kUndecoded;
  }
}

// RIFF (WebP) and BMP headers declare the file's size.
std::string declared_length_reason(const char* format, uint64_t declared, size_t size) {
  if (declared > size) {
    return std::string("truncated ") + format + ": its header declares " +
           std::to_string(declared) + " bytes, " + std::to_string(size) + " are present";
  }
  return std::string("corrupt ") + format + kUndecoded;
}

std::string tiff_reason(const uint8_t* d, size_t size) {
  const TiffDirectory directory(d, size);
  if (!directory.found()) {
    return "corrupt TIFF: its first directory's offset " + std::to_string(directory.offset()) +
           " lies outside the data (" + std::to_string(size) + " bytes)";
  }
  // Strips (273, 279) or tiles (324, 325): where each piece of image data begins, and its length.
  std::vector<int64_t> offsets = directory.values(273), lengths = directory.values(279);
  if (offsets.empty()) {
    offsets = directory.values(324);
    lengths = directory.values(325);
  }
  int64_t end = 0;
  for (size_t i = 0; i < std::min(offsets.size(), lengths.size()); i++) {
    end = std::max(end, offsets[i] + lengths[i]);
  }
  if (end > int64_t(size)) {
    return "truncated TIFF: its image data runs to byte " + std::to_string(end) +
           ", the data has " + std::to_string(size);
  }
  return std::string("corrupt TIFF") + kUndecoded;
}

std::string first_bytes(const uint8_t* d, size_t size) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(size, 8); i++) {
    char hex[4];
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : " %02X", d[i]);
    out += hex;
  }
  return out;
}

}  // namespace

std::string undecodable_reason(const uint8_t* d, size_t size) {
  switch (image_format(d, size)) {
    case ImageFormat::Jpeg:
      return jpeg_reason(d, size);
    case ImageFormat::Png:
      return png_reason(d, size);
    case ImageFormat::WebP:
      return declared_length_reason("WebP", uint64_t(le32(d + 4)) + 8, size);
    case ImageFormat::Tiff:
      if (size >= 8) return tiff_reason(d, size);
      break;
    case ImageFormat::Bmp:
      if (size >= 6) return declared_length_reason("BMP", le32(d + 2), size);
      break;
    case ImageFormat::Gif:
    case ImageFormat::Unknown:
      break;
  }
  return "bytes are not an image OpenCV can decode (" + std::to_string(size) +
         " bytes, beginning " + first_bytes(d, size) + ")";
}

}  // namespace clip4j

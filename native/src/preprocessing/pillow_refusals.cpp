#include "pillow_refusals.h"

#include <cstdio>
#include <cstring>

#include "byte_order.h"
#include "image_header.h"
#include "jpeg_segments.h"
#include "png_chunks.h"

namespace clip4j {
namespace {

std::string png_refusal(const uint8_t* d, size_t size) {
  const PngChunks header = png_chunks(d, size, /*until_image_data=*/true);
  return header.end == PngChunks::End::BadCrc ? "corrupt PNG: " + header.problem : "";
}

std::string bmp_refusal(const uint8_t* d, size_t size) {
  if (size < 18) return "";
  const uint32_t header = le32(d + 14);
  for (const uint32_t known : {12, 40, 52, 56, 64, 108, 124}) {
    if (header == known) return "";
  }
  return "corrupt BMP: unknown header size " + std::to_string(header);
}

// Walks the markers after the first scan header to the end-of-image marker, passing over
// entropy-coded data (where FF is followed by 00, a fill FF or a restart marker). Images with
// restart intervals are not judged: libjpeg's resynchronisation at a restart boundary drops
// markers it does not know, so whether it refuses one depends on where it falls.
std::string jpeg_refusal(const uint8_t* d, size_t size) {
  const JpegSegments segments = jpeg_segments(d, size);
  if (segments.scan == 0 || segments.frame == 0 || segments.restarts || segments.scan + 5 > size) {
    return "";
  }
  const uint8_t frame_marker = d[segments.frame + 1];
  const bool progressive =
      frame_marker == 0xC2 || frame_marker == 0xC6 || frame_marker == 0xCA || frame_marker == 0xCE;
  // libjpeg's test: a first scan that holds fewer components than the frame, or progression.
  const bool multiple_scans = progressive || d[segments.scan + 4] < d[segments.frame + 9];
  size_t i = segments.scan + 2 + be16(d + segments.scan + 2);
  while (i + 1 < size) {
    const void* ff = std::memchr(d + i, 0xFF, size - i);
    if (ff == nullptr) return "";
    i = size_t(static_cast<const uint8_t*>(ff) - d);
    if (i + 1 >= size) return "";
    const uint8_t m = d[i + 1];
    if (m == 0xFF) {  // fill byte
      i++;
      continue;
    }
    if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {  // stuffed FF, TEM, restarts
      i += 2;
      continue;
    }
    if (m == 0xD9) return "";  // end of image
    const std::string where = " at byte " + std::to_string(i);
    if (m == 0xDA && !multiple_scans) {
      return "corrupt JPEG: a second scan" + where + " in an image of one scan";
    }
    const bool skippable = m == 0xDA || m == 0xC4 || m == 0xCC || m == 0xDB || m == 0xDC ||
                           m == 0xDD || (m >= 0xE0 && m <= 0xEF) || m == 0xFE;
    if (!skippable) {
      char marker[8];
      std::snprintf(marker, sizeof marker, "FF%02X", m);
      return std::string("corrupt JPEG: marker ") + marker + where +
             ", which libjpeg refuses when it reads on to the end of the image";
    }
    if (i + 6 > size || (m == 0xDD && be16(d + i + 4) != 0)) return "";
    i += 2 + be16(d + i + 2);
  }
  return "";
}

}  // namespace

std::string pillow_refusal(const uint8_t* d, size_t size) {
  switch (image_format(d, size)) {
    case ImageFormat::Png:
      return png_refusal(d, size);
    case ImageFormat::Bmp:
      return bmp_refusal(d, size);
    case ImageFormat::Jpeg:
      return jpeg_refusal(d, size);
    default:
      return "";
  }
}

}  // namespace clip4j

#include "jpeg_segments.h"

#include "byte_order.h"

namespace clip4j {

JpegSegments jpeg_segments(const uint8_t* d, size_t size) {
  JpegSegments out;
  size_t i = 2;
  while (i + 4 <= size) {
    if (d[i] != 0xFF) {
      out.problem = "no marker at byte " + std::to_string(i) + ", where a segment should begin";
      return out;
    }
    const uint8_t marker = d[i + 1];
    if (marker == 0xFF) {  // fill byte
      i++;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length field
      i += 2;
      continue;
    }
    if (marker == 0xDA) {
      out.scan = i;
      return out;
    }
    const bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame && out.frame == 0) out.frame = i;
    if (marker == 0xDD && i + 6 <= size && be16(d + i + 4) != 0) out.restarts = true;
    const size_t length = be16(d + i + 2);
    if (length < 2) {
      out.problem = "a segment at byte " + std::to_string(i) + " declares a length below 2";
      return out;
    }
    i += 2 + length;
  }
  out.cut_off = true;
  out.problem = "the data ends inside its headers, before the image data (" + std::to_string(size) +
                " bytes)";
  return out;
}

int jpeg_components(const uint8_t* d, size_t size) {
  const size_t frame = jpeg_segments(d, size).frame;
  return frame != 0 && frame + 10 <= size ? d[frame + 9] : 0;
}

}  // namespace clip4j

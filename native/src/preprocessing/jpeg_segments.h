// A JPEG's header segments, walked by their lengths up to the first scan, without decoding: the
// header reader takes the size and component count from the frame header, and the error message
// for an undecodable JPEG says where its structure breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clip4j {

struct JpegSegments {
  size_t frame = 0;       // offset of the first start-of-frame marker, 0 if none was reached
  size_t scan = 0;        // offset of the first start-of-scan marker, 0 if none was reached
  bool restarts = false;  // a restart interval is defined (DRI with a nonzero interval)
  bool cut_off = false;   // the data ends inside the header segments
  std::string problem;    // why the walk stopped before the first scan; empty if it reached it
};

// `data` begins with the start-of-image marker FF D8.
JpegSegments jpeg_segments(const uint8_t* data, size_t size);

// The frame header's component count (1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK); 0 if unknown.
int jpeg_components(const uint8_t* data, size_t size);

}  // namespace clip4j

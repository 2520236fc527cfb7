// Damaged files that OpenCV decodes and Pillow refuses. open_clip would get no image from them,
// so clip4j gives none either, rather than pixels that open_clip never sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clip4j {

// Why Pillow would refuse the bytes, as an error message; empty when it would not (or when the
// bytes are damaged in ways OpenCV refuses too). Three cases, each found by decoding damaged
// copies of the test images with both:
// - a PNG chunk before the image data whose CRC fails (libpng skips an ancillary one; Pillow
//   checks every chunk it reads when opening);
// - a BMP header size that is none of Pillow's 12, 40, 52, 56, 64, 108 and 124;
// - a JPEG marker after the first scan that libjpeg refuses when it reads on to the
//   end-of-image marker, as Pillow has it do and OpenCV does not: a second SOI or SOF, a marker
//   libjpeg does not know, a second scan in a single-scan image.
std::string pillow_refusal(const uint8_t* data, size_t size);

}  // namespace clip4j

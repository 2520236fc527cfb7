// A PNG's chunk sequence, walked without decoding. Pillow reads a PNG whose IEND chunk is missing
// and libpng does not, so the decoder restores it; and the error message for an undecodable PNG
// says where its structure breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clip4j {

struct PngChunks {
  // What ended the walk: IEND, the first IDAT (when asked to stop there), the end of the data after
  // a whole chunk, the end of the data inside a chunk, or a chunk whose CRC does not match.
  enum class End { Iend, ImageData, AfterWholeChunk, InsideChunk, BadCrc } end = End::Iend;
  bool has_image_data = false;  // an IDAT chunk came before the walk stopped
  std::string problem;          // what is wrong, for an error message; empty after IEND
};

// `data` begins with the PNG signature. With `until_image_data`, the walk stops at the first IDAT
// chunk (the chunks Pillow reads, and checks the CRCs of, when it opens a PNG).
PngChunks png_chunks(const uint8_t* data, size_t size, bool until_image_data = false);

// The bytes with an IEND chunk appended, for a PNG whose chunks are whole, with image data, and
// no IEND; empty for every other PNG.
std::vector<uint8_t> png_with_end_restored(const uint8_t* data, size_t size);

}  // namespace clip4j

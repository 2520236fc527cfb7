// A TIFF's first image file directory, read without decoding: the header reader takes the size
// from it, and the error message for an undecodable TIFF says whether its data was cut short.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clip4j {

class TiffDirectory {
 public:
  // `data` begins with a TIFF byte-order mark ("II*\0" or "MM\0*") and holds at least 8 bytes.
  TiffDirectory(const uint8_t* data, size_t size);

  // Where the header says the directory is.
  uint32_t offset() const { return offset_; }
  // Whether the directory's entry count lies inside the data (its entries may still be cut off).
  bool found() const { return offset_ <= size_ && size_ - offset_ >= 2; }

  // The values of a SHORT or LONG tag; empty when the tag is absent, of another type, or its
  // values lie outside the data.
  std::vector<int64_t> values(uint16_t tag) const;

 private:
  uint32_t u16(size_t at) const;
  uint32_t u32(size_t at) const;

  const uint8_t* data_;
  size_t size_;
  bool little_;
  uint32_t offset_;
};

}  // namespace clip4j

#include "tiff_directory.h"

#include "byte_order.h"

namespace clip4j {

TiffDirectory::TiffDirectory(const uint8_t* data, size_t size)
    : data_(data), size_(size), little_(data[0] == 'I'), offset_(u32(4)) {}

uint32_t TiffDirectory::u16(size_t at) const {
  return little_ ? le16(data_ + at) : be16(data_ + at);
}

uint32_t TiffDirectory::u32(size_t at) const {
  return little_ ? le32(data_ + at) : be32(data_ + at);
}

std::vector<int64_t> TiffDirectory::values(uint16_t tag) const {
  if (!found()) return {};
  const size_t entries = u16(offset_);
  for (size_t e = 0; e < entries; e++) {
    const size_t at = size_t(offset_) + 2 + 12 * e;
    if (at + 12 > size_) break;  // a cut-off directory: the entries present still count
    if (u16(at) != tag) continue;
    const uint32_t type = u16(at + 2), count = u32(at + 4);
    if (type != 3 && type != 4) return {};
    const size_t width = type == 3 ? 2 : 4;
    // Values that fit in four bytes are stored in the entry itself.
    const size_t first = uint64_t(count) * width <= 4 ? at + 8 : u32(at + 8);
    if (first > size_ || (size_ - first) / width < count) return {};
    std::vector<int64_t> out(count);
    for (size_t i = 0; i < count; i++) {
      out[i] = type == 3 ? u16(first + 2 * i) : int64_t(u32(first + 4 * i));
    }
    return out;
  }
  return {};
}

}  // namespace clip4j

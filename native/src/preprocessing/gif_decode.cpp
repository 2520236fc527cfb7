#include "gif_decode.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "byte_order.h"

namespace clip4j {
namespace {

constexpr int kTableSize = 4096;  // LZW codes are at most 12 bits

class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t left() const { return size_ - pos_; }
  int byte() { return pos_ < size_ ? data_[pos_++] : -1; }

  const uint8_t* take(size_t n, const char* what) {
    if (left() < n) throw BadImage(std::string("truncated GIF: the data ends inside ") + what);
    const uint8_t* at = data_ + pos_;
    pos_ += n;
    return at;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Pillow drops a palette in which every index is its own grey: the image is then mode L.
std::vector<uint8_t> palette_unless_identity_grey(const uint8_t* rgb, size_t bytes) {
  for (size_t i = 0; i < bytes; i += 3) {
    if (rgb[i] != i / 3 || rgb[i + 1] != i / 3 || rgb[i + 2] != i / 3) {
      return std::vector<uint8_t>(rgb, rgb + bytes);
    }
  }
  return {};
}

size_t palette_bytes(uint8_t flags) { return size_t(3) << ((flags & 7) + 1); }

// Skips an extension's data sub-blocks; returns the first one (empty if there is none).
std::vector<uint8_t> skip_sub_blocks(Cursor& in) {
  std::vector<uint8_t> first;
  bool is_first = true;
  for (;;) {
    const int length = in.byte();
    if (length < 0) throw BadImage("truncated GIF: the data ends before the first image");
    if (length == 0) return first;
    const uint8_t* block = in.take(size_t(length), "an extension block");
    if (is_first) first.assign(block, block + length);
    is_first = false;
  }
}

// The LZW bit stream of the image data, least significant bit first, read across sub-blocks
// as Pillow reads it: a sub-block is used only when all of it is present, and an empty one is
// passed over (Pillow does not stop at it).
class CodeReader {
 public:
  explicit CodeReader(Cursor& in) : in_(in) {}

  int next(int size) {
    while (bit_count_ < size) {
      while (block_left_ == 0) {
        const int length = in_.byte();
        if (length < 0 || in_.left() < size_t(length)) {
          throw BadImage("truncated GIF: the data ends inside the first image");
        }
        block_left_ = length;
      }
      bits_ |= uint32_t(in_.byte()) << bit_count_;
      bit_count_ += 8;
      block_left_--;
    }
    const int code = int(bits_ & ((1u << size) - 1));
    bits_ >>= size;
    bit_count_ -= size;
    return code;
  }

 private:
  Cursor& in_;
  int block_left_ = 0;
  uint32_t bits_ = 0;
  int bit_count_ = 0;
};

// Row order of an interlaced image: rows 0, 8, 16, ... then 4, 12, ... then 2, 6, ... then odd.
std::vector<int> row_order(int height, bool interlaced) {
  std::vector<int> rows;
  rows.reserve(size_t(height));
  if (!interlaced) {
    for (int y = 0; y < height; y++) rows.push_back(y);
    return rows;
  }
  const int starts[] = {0, 4, 2, 1}, steps[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; pass++) {
    for (int y = starts[pass]; y < height; y += steps[pass]) rows.push_back(y);
  }
  return rows;
}

struct Frame {
  int x, y, width, height;
  bool interlaced;
  int code_bits;  // the LZW minimum code size
};

// Decodes the frame's LZW data into `canvas` (indices, `canvas_width` wide). Stops at the frame's
// last pixel, as Pillow does, whatever data follows.
void decode_lzw(Cursor& in, const Frame& f, std::vector<uint8_t>& canvas, int canvas_width) {
  if (f.code_bits > 12) {
    throw BadImage("corrupt GIF: LZW code size " + std::to_string(f.code_bits) + " is over 12");
  }
  const std::vector<int> rows = row_order(f.height, f.interlaced);
  const int64_t pixels = int64_t(f.width) * f.height;
  int64_t written = 0;
  const auto emit = [&](uint8_t index) {
    const int64_t row = written / f.width, x = written % f.width;
    canvas[size_t(f.y + rows[size_t(row)]) * canvas_width + f.x + x] = index;
    return ++written == pixels;
  };
  const auto broken = [&](int code, int most) {
    return BadImage("corrupt GIF: broken LZW data in the first image (code " +
                    std::to_string(code) + " where at most " + std::to_string(most) +
                    " is valid, after " + std::to_string(written) + " of " +
                    std::to_string(pixels) + " pixels)");
  };

  const int clear = 1 << f.code_bits, end = clear + 1;
  std::array<uint8_t, kTableSize> suffix{};
  std::array<uint16_t, kTableSize> prefix{};
  std::array<uint8_t, kTableSize + 1> string{};  // one code's string, last symbol first
  int next = 0, code_size = 0, last_code = 0;
  uint8_t last_first = 0;  // the first symbol of the last string
  bool after_clear = true;
  const auto reset = [&] {
    next = clear + 2;
    code_size = f.code_bits + 1;
    after_clear = true;
  };
  reset();
  CodeReader reader(in);
  for (;;) {
    const int code = reader.next(code_size);
    if (code == clear) {
      reset();
      continue;
    }
    if (code == end) {
      throw BadImage("corrupt GIF: the first image's data ends after " + std::to_string(written) +
                     " of " + std::to_string(pixels) + " pixels");
    }
    if (after_clear) {  // a literal, added to no entry
      if (code > clear) throw broken(code, clear - 1);
      after_clear = false;
      last_code = code;
      last_first = uint8_t(code);
      if (emit(last_first)) return;
      continue;
    }
    if (code > next) throw broken(code, next);
    size_t length = 0;
    int walk = code;
    if (code == next) {  // the entry being defined: the last string plus its own first symbol
      string[length++] = last_first;
      walk = last_code;
    }
    while (walk >= clear) {
      if (walk >= kTableSize || length >= string.size()) throw broken(code, next);
      string[length++] = suffix[size_t(walk)];
      walk = prefix[size_t(walk)];
    }
    last_first = uint8_t(walk);
    if (next < kTableSize) {
      suffix[size_t(next)] = last_first;
      prefix[size_t(next)] = uint16_t(last_code);
      if (next == (1 << code_size) - 1 && code_size < 12) code_size++;
      next++;
    }
    last_code = code;
    if (emit(last_first)) return;
    while (length > 0) {
      if (emit(string[--length])) return;
    }
  }
}

}  // namespace

DecodedImage decode_gif(const uint8_t* data, size_t size, int64_t max_pixels) {
  Cursor in(data, size);
  const uint8_t* screen = in.take(13, "its header");
  if (std::string(reinterpret_cast<const char*>(screen), 6) != "GIF87a" &&
      std::string(reinterpret_cast<const char*>(screen), 6) != "GIF89a") {
    throw BadImage("corrupt GIF: unknown version in its header");
  }
  std::vector<uint8_t> global_palette;
  if (screen[10] & 0x80) {
    const size_t bytes = palette_bytes(screen[10]);
    global_palette = palette_unless_identity_grey(in.take(bytes, "its palette"), bytes);
  }

  // Blocks up to the first image descriptor; Pillow passes over bytes that begin no block.
  std::optional<uint8_t> transparency;
  const uint8_t* descriptor = nullptr;
  while (descriptor == nullptr) {
    const int introducer = in.byte();
    if (introducer < 0) throw BadImage("truncated GIF: the data ends before the first image");
    if (introducer == ';') throw BadImage("corrupt GIF: the file has no image");
    if (introducer == ',') {
      descriptor = in.take(9, "the first image's descriptor");
    } else if (introducer == '!') {
      const int label = in.byte();
      const std::vector<uint8_t> block = skip_sub_blocks(in);
      if (label == 0xF9 && !block.empty()) {  // graphic control: the transparent index
        if (block.size() < 3 || ((block[0] & 1) && block.size() < 4)) {
          throw BadImage("corrupt GIF: a graphic control extension is too short");
        }
        if (block[0] & 1) transparency = block[3];
      }
    }
  }
  std::vector<uint8_t> palette = global_palette;
  if (descriptor[8] & 0x80) {
    const size_t bytes = palette_bytes(descriptor[8]);
    palette = palette_unless_identity_grey(in.take(bytes, "the first image's palette"), bytes);
  }
  const int code_bits = in.byte();
  if (code_bits < 0) throw BadImage("truncated GIF: the data ends before the first image's data");

  const Frame frame{int(le16(descriptor)),       int(le16(descriptor + 2)),
                    int(le16(descriptor + 4)),   int(le16(descriptor + 6)),
                    (descriptor[8] & 0x40) != 0, code_bits};
  if (frame.width == 0 || frame.height == 0) {
    throw BadImage("corrupt GIF: the first image is empty (" + std::to_string(frame.width) + "x" +
                   std::to_string(frame.height) + " pixels)");
  }
  // Pillow grows the canvas to hold a frame that reaches past the logical screen.
  const int width = std::max(int(le16(screen + 6)), frame.x + frame.width);
  const int height = std::max(int(le16(screen + 8)), frame.y + frame.height);
  if (int64_t(width) * height > max_pixels) {
    throw BadImage("GIF first frame needs a canvas of " + std::to_string(width) + "x" +
                   std::to_string(height) + " pixels, over the limit of " +
                   std::to_string(max_pixels) + " pixels; not decoded");
  }
  std::vector<uint8_t> indices(size_t(width) * height, transparency.value_or(0));
  decode_lzw(in, frame, indices, width);

  DecodedImage out;
  if (palette.empty()) {
    out.mode = PilMode::Grey;
    out.image = Image8(width, height, 1);
    out.image.pixels = std::move(indices);
    return out;
  }
  // Indices past the end of a short palette are black, as in Pillow.
  palette.resize(256 * 3, 0);
  out.mode = PilMode::Palette;
  out.image = Image8(width, height, 3);
  for (size_t i = 0; i < indices.size(); i++) {
    std::copy_n(&palette[size_t(indices[i]) * 3], 3, &out.image.pixels[3 * i]);
  }
  return out;
}

}  // namespace clip4j

#include "image_decode.h"

#include <cstring>
#include <string>
#include <vector>

#include "gif_decode.h"
#include "image_diagnosis.h"
#include "image_header.h"
#include "jpeg_segments.h"
#include "pillow_refusals.h"
#include "png_chunks.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace clip4j {
namespace {

// PIL opens palette PNGs ("P") and 1-bit PNGs ("1") as palette-like modes. OpenCV expands them
// to colour, so we read the PNG header to know.
bool is_palette_like(const uint8_t* data, size_t size) {
  if (image_format(data, size) == ImageFormat::Png && size >= 26 &&
      std::memcmp(data + 12, "IHDR", 4) == 0) {
    const uint8_t bit_depth = data[24];
    const uint8_t color_type = data[25];
    return color_type == 3 || (color_type == 0 && bit_depth == 1);
  }
  return false;
}

Image8 to_image8(const cv::Mat& rgb_like) {
  Image8 out(rgb_like.cols, rgb_like.rows, rgb_like.channels());
  const size_t row_bytes = size_t(out.width) * out.channels;
  for (int y = 0; y < out.height; y++) std::memcpy(out.row(y), rgb_like.ptr(y), row_bytes);
  return out;
}

// 16-bit samples to 8 bits by their high byte, as PIL reads 16-bit RGB (convertTo would round).
cv::Mat high_bytes(const cv::Mat& wide) {
  cv::Mat narrow(wide.rows, wide.cols, CV_MAKETYPE(CV_8U, wide.channels()));
  const size_t n = size_t(wide.cols) * wide.channels();
  for (int y = 0; y < wide.rows; y++) {
    const uint16_t* src = wide.ptr<uint16_t>(y);
    uint8_t* dst = narrow.ptr<uint8_t>(y);
    for (size_t i = 0; i < n; i++) dst[i] = uint8_t(src[i] >> 8);
  }
  return narrow;
}

}  // namespace

DecodedImage decode_image(const uint8_t* data, size_t size, int64_t max_pixels) {
  if (data == nullptr || size == 0) throw BadImage("empty image data");
  // Checked before decoding: a small file may declare a huge image (a decompression bomb).
  if (const auto declared = declared_size(data, size)) {
    // Divided, not multiplied: two 32-bit header fields could overflow the product.
    const int64_t width = declared->width, height = declared->height;
    if (height > 0 && width > max_pixels / height) {
      throw BadImage("image header declares " + std::to_string(declared->width) + "x" +
                     std::to_string(declared->height) + " pixels, over the limit of " +
                     std::to_string(max_pixels) + " pixels; not decoded");
    }
  }
  const ImageFormat format = image_format(data, size);
  if (format == ImageFormat::Gif) return decode_gif(data, size, max_pixels);
  if (format == ImageFormat::Jpeg && jpeg_components(data, size) == 4) {
    // OpenCV turns CMYK into RGB with other rounding than Pillow and gives no CMYK, and open_clip
    // resizes CMYK before converting it: the pixels would differ (by 11 levels on the test image).
    throw BadImage(
        "CMYK JPEG (4 colour components, Adobe CMYK or YCCK) is not supported: clip4j cannot "
        "give the pixels Pillow gives open_clip for it; convert it to RGB first");
  }
  if (const std::string refusal = pillow_refusal(data, size); !refusal.empty()) {
    throw BadImage(refusal + " (Pillow refuses it)");
  }
  // Pillow reads a PNG whose IEND chunk is missing; libpng needs it.
  const std::vector<uint8_t> restored =
      format == ImageFormat::Png ? png_with_end_restored(data, size) : std::vector<uint8_t>();
  const cv::Mat encoded =
      restored.empty()
          ? cv::Mat(1, int(size), CV_8UC1, const_cast<uint8_t*>(data))
          : cv::Mat(1, int(restored.size()), CV_8UC1, const_cast<uint8_t*>(restored.data()));
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(encoded, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    // e.err is OpenCV's one-line reason; what() adds its source paths.
    throw BadImage(undecodable_reason(data, size) + " (OpenCV: " + e.err + ")");
  }
  if (decoded.empty()) throw BadImage(undecodable_reason(data, size));
  if (int64_t(decoded.rows) * decoded.cols > max_pixels) {
    throw BadImage("image of " + std::to_string(decoded.cols) + "x" + std::to_string(decoded.rows) +
                   " pixels exceeds the limit of " + std::to_string(max_pixels) + " pixels");
  }
  switch (decoded.depth()) {
    case CV_8U:
      break;
    case CV_16U:
      decoded = high_bytes(decoded);
      break;
    default:
      throw BadImage("unsupported sample type (only 8- and 16-bit integer images are read)");
  }
  DecodedImage out;
  const bool palette = is_palette_like(data, size);
  switch (decoded.channels()) {
    case 1:
      out.mode = palette ? PilMode::Palette : PilMode::Grey;
      break;
    case 3:
      cv::cvtColor(decoded, decoded, cv::COLOR_BGR2RGB);
      out.mode = palette ? PilMode::Palette : PilMode::Rgb;
      break;
    case 4:
      cv::cvtColor(decoded, decoded, cv::COLOR_BGRA2RGBA);
      out.mode = palette ? PilMode::Palette : PilMode::Rgba;
      break;
    default:
      throw BadImage("unsupported channel count " + std::to_string(decoded.channels()));
  }
  out.image = to_image8(decoded);
  return out;
}

DecodedImage rgb_image(const uint8_t* rgb, int width, int height) {
  DecodedImage out;
  out.mode = PilMode::Rgb;
  out.image = Image8(width, height, 3);
  std::memcpy(out.image.pixels.data(), rgb, out.image.pixels.size());
  return out;
}

}  // namespace clip4j

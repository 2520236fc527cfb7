#include "clip_preprocess.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "pil_resample.h"

namespace clip4j {
namespace {

// Python's round(): half to even (torchvision's centre crop uses it).
int python_round(double v) { return int(std::nearbyint(v)); }

// Pillow's Image.resize, including its mode rules: palette images use NEAREST, RGBA is resized with
// premultiplied alpha.
Image8 pil_resize(const DecodedImage& image, int width, int height, ResampleFilter filter) {
  if (image.image.width == width && image.image.height == height) return image.image;
  if (image.mode == PilMode::Palette) return pil_resize_nearest(image.image, width, height);
  if (image.mode == PilMode::Rgba) {
    Image8 premultiplied = image.image;
    pil_premultiply_alpha(premultiplied);
    Image8 out = pil_resample(premultiplied, width, height, filter);
    pil_unpremultiply_alpha(out);
    return out;
  }
  return pil_resample(image.image, width, height, filter);
}

// PIL's convert("RGB"): alpha dropped, the mode no longer a palette. Grey stays one channel
// (repeated into RGB at the end).
DecodedImage to_rgb_mode(const DecodedImage& image) {
  DecodedImage out;
  out.mode = image.image.channels == 1 ? PilMode::Grey : PilMode::Rgb;
  if (image.image.channels != 4) {
    out.image = image.image;
    return out;
  }
  out.image = Image8(image.image.width, image.image.height, 3);
  const size_t n = size_t(image.image.width) * image.image.height;
  for (size_t i = 0; i < n; i++) {
    std::memcpy(&out.image.pixels[3 * i], &image.image.pixels[4 * i], 3);
  }
  return out;
}

// torchvision's F.resize(img, [size]) output size: the shorter side becomes `size`.
void shortest_side_size(int width, int height, int size, int& out_width, int& out_height) {
  const int short_side = std::min(width, height);
  const int long_side = std::max(width, height);
  const int new_long = int(double(int64_t(size) * long_side) / short_side);
  if (width <= height) {
    out_width = size;
    out_height = new_long;
  } else {
    out_width = new_long;
    out_height = size;
  }
}

// open_clip's ResizeKeepRatio(longest=1) output size.
void longest_side_size(int width, int height, int size, int& out_width, int& out_height) {
  const double ratio = std::max(double(height) / size, double(width) / size);
  out_width = python_round(width / ratio);
  out_height = python_round(height / ratio);
}

// torchvision's center_crop and open_clip's center_crop_or_pad: pads with `fill` where the image is
// smaller than the crop, then crops the centre (offsets rounded as Python rounds).
Image8 center_crop_or_pad(const Image8& in, int size, uint8_t fill, bool floor_offsets) {
  if (in.width == size && in.height == size) return in;
  const Image8* source = &in;
  Image8 padded;
  if (in.width < size || in.height < size) {
    const int pad_left = in.width < size ? (size - in.width) / 2 : 0;
    const int pad_top = in.height < size ? (size - in.height) / 2 : 0;
    const int pad_right = in.width < size ? (size - in.width + 1) / 2 : 0;
    const int pad_bottom = in.height < size ? (size - in.height + 1) / 2 : 0;
    padded = Image8(in.width + pad_left + pad_right, in.height + pad_top + pad_bottom, in.channels);
    std::fill(padded.pixels.begin(), padded.pixels.end(), fill);
    for (int y = 0; y < in.height; y++) {
      std::memcpy(padded.row(y + pad_top) + size_t(pad_left) * in.channels, in.row(y),
                  size_t(in.width) * in.channels);
    }
    if (padded.width == size && padded.height == size) return padded;
    source = &padded;
  }
  // Hugging Face floors the offsets ((h - size) // 2); torchvision rounds half to even.
  const int top =
      floor_offsets ? (source->height - size) / 2 : python_round((source->height - size) / 2.0);
  const int left =
      floor_offsets ? (source->width - size) / 2 : python_round((source->width - size) / 2.0);
  Image8 out(size, size, in.channels);
  for (int y = 0; y < size; y++) {
    std::memcpy(out.row(y), source->row(y + top) + size_t(left) * in.channels,
                size_t(size) * in.channels);
  }
  return out;
}

}  // namespace

void preprocess_image(const DecodedImage& image, const clip4j_preprocess_config& config,
                      float* out) {
  const int size = config.size;
  const ResampleFilter filter =
      config.interpolation == CLIP4J_BILINEAR ? ResampleFilter::Bilinear : ResampleFilter::Bicubic;
  const int width = image.image.width;
  const int height = image.image.height;
  // Hugging Face converts to RGB before resizing: alpha is dropped, palettes resize like RGB.
  const bool hugging_face = config.style == CLIP4J_STYLE_HUGGING_FACE;
  const DecodedImage source = hugging_face ? to_rgb_mode(image) : image;
  Image8 resized;
  switch (config.resize_mode) {
    case CLIP4J_RESIZE_SHORTEST: {
      int w, h;
      shortest_side_size(width, height, size, w, h);
      resized = center_crop_or_pad(pil_resize(source, w, h, filter), size, 0, hugging_face);
      break;
    }
    case CLIP4J_RESIZE_LONGEST: {
      int w, h;
      longest_side_size(width, height, size, w, h);
      resized = center_crop_or_pad(pil_resize(source, std::max(w, 1), std::max(h, 1), filter), size,
                                   uint8_t(config.fill_color), hugging_face);
      break;
    }
    case CLIP4J_RESIZE_SQUASH:
      resized = pil_resize(source, size, size, filter);
      break;
    default:
      throw std::invalid_argument("unknown resize mode " + std::to_string(config.resize_mode));
  }

  // PIL's convert("RGB") (grey is repeated, alpha dropped), then ToTensor and Normalize in float32
  // in the same order of operations, so the floats match torchvision's bit for bit.
  const size_t plane = size_t(size) * size;
  const int ch = resized.channels;
  for (int c = 0; c < 3; c++) {
    const int source_channel = ch == 1 ? 0 : c;
    const float mean = config.mean[c];
    const float std = config.std[c];
    float* dst = out + c * plane;
    const uint8_t* src = resized.pixels.data() + source_channel;
    if (hugging_face) {
      for (size_t i = 0; i < plane; i++) {
        const float unit = float(double(src[i * ch]) * config.rescale_factor);
        dst[i] = (unit - mean) / std;
      }
    } else {
      for (size_t i = 0; i < plane; i++) {
        const float unit = float(src[i * ch]) / 255.0f;
        dst[i] = (unit - mean) / std;
      }
    }
  }
}

}  // namespace clip4j

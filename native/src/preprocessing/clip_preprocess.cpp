#include "clip_preprocess.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "pil_resample.h"

namespace clip4j {
namespace {

// Python's round(): half to even (torchvision's centre crop uses it).
int python_round(double v) { return int(std::nearbyint(v)); }

// Pillow's Image.resize, including its mode rules: palette images use NEAREST, RGBA is resized with
// premultiplied alpha, the same size is a copy. Only `window` of the result is made.
Image8 pil_resize(const DecodedImage& image, int width, int height, ResampleFilter filter,
                  const ResizeWindow& window) {
  if (image.image.width == width && image.image.height == height) {
    return pil_crop(image.image, window);
  }
  if (image.mode == PilMode::Palette) return pil_resize_nearest(image.image, width, height, window);
  if (image.mode == PilMode::Rgba) {
    Image8 premultiplied = image.image;
    pil_premultiply_alpha(premultiplied);
    Image8 out = pil_resample(premultiplied, width, height, filter, window);
    pil_unpremultiply_alpha(out);
    return out;
  }
  return pil_resample(image.image, width, height, filter, window);
}

Image8 pil_resize(const DecodedImage& image, int width, int height, ResampleFilter filter) {
  return pil_resize(image, width, height, filter, ResizeWindow{0, 0, width, height});
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
  const double scaled_long = double(int64_t(size) * long_side) / short_side;
  if (scaled_long > std::numeric_limits<int>::max()) {
    // Pillow cannot make such an image either (its sizes are C ints).
    throw BadImage("a " + std::to_string(width) + " x " + std::to_string(height) +
                   " image resized to a shorter side of " + std::to_string(size) +
                   " pixels would be " + std::to_string(int64_t(scaled_long)) +
                   " pixels long, more than Pillow resizes to");
  }
  const int new_long = int(scaled_long);
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

// Where a centred crop of `size` starts in `extent` pixels: Hugging Face floors ((h - size) // 2),
// torchvision rounds half to even.
int centre_offset(int extent, int size, bool floor_offsets) {
  return floor_offsets ? (extent - size) / 2 : python_round((extent - size) / 2.0);
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
  return pil_crop(*source,
                  ResizeWindow{centre_offset(source->width, size, floor_offsets),
                               centre_offset(source->height, size, floor_offsets), size, size});
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
      // The shorter side becomes the crop's, so the crop never pads: only the crop is resized.
      resized = pil_resize(source, w, h, filter,
                           ResizeWindow{centre_offset(w, size, hugging_face),
                                        centre_offset(h, size, hugging_face), size, size});
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

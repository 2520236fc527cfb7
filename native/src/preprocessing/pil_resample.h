// Image resizing that reproduces Pillow's Image.resize bit for bit (its ImagingResample with 8-bit
// fixed-point coefficients). open_clip preprocesses with PIL, and OpenCV's INTER_CUBIC differs from
// it by up to 96 grey levels, so embeddings would drift; this keeps our pixels equal to
// open_clip's.
#pragma once

#include "image8.h"

namespace clip4j {

enum class ResampleFilter { Bicubic, Bilinear };

// A rectangle of a resized image: what a centre crop keeps. Every output pixel of Pillow's resize
// is computed from its own taps alone, so computing only the rectangle gives the same pixels,
// and a 1,500-byte strip of 100,000 x 1 pixels, whose shorter side resized to 224 would be
// 22,400,000 x 224 pixels (15 GB), costs only its crop.
struct ResizeWindow {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};

// Pillow's Image.resize(size, BICUBIC or BILINEAR) with the default box and no reducing_gap, on an
// image whose channels are resampled independently (callers premultiply alpha first, as Pillow
// does): the pixels of `window` of the out_width x out_height result.
Image8 pil_resample(const Image8& in, int out_width, int out_height, ResampleFilter filter,
                    const ResizeWindow& window);

// Pillow's Image.resize(size, NEAREST), which Pillow uses for palette and 1-bit images whatever
// filter was asked for: the pixels of `window` of the result.
Image8 pil_resize_nearest(const Image8& in, int out_width, int out_height,
                          const ResizeWindow& window);

// Image.crop of `window` (inside the image).
Image8 pil_crop(const Image8& in, const ResizeWindow& window);

// Pillow's RGBA <-> RGBa conversions (alpha premultiplication with its integer rounding).
void pil_premultiply_alpha(Image8& rgba);
void pil_unpremultiply_alpha(Image8& rgba);

}  // namespace clip4j

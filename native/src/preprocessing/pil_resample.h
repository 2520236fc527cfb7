// Image resizing that reproduces Pillow's Image.resize bit for bit (its ImagingResample with 8-bit
// fixed-point coefficients). open_clip preprocesses with PIL, and OpenCV's INTER_CUBIC differs from
// it by up to 96 grey levels, so embeddings would drift; this keeps our pixels equal to
// open_clip's.
#pragma once

#include "image8.h"

namespace clip4j {

enum class ResampleFilter { Bicubic, Bilinear };

// Pillow's Image.resize(size, BICUBIC or BILINEAR) with the default box and no reducing_gap, on an
// image whose channels are resampled independently (callers premultiply alpha first, as Pillow
// does).
Image8 pil_resample(const Image8& in, int out_width, int out_height, ResampleFilter filter);

// Pillow's Image.resize(size, NEAREST), which Pillow uses for palette and 1-bit images whatever
// filter was asked for.
Image8 pil_resize_nearest(const Image8& in, int out_width, int out_height);

// Pillow's RGBA <-> RGBa conversions (alpha premultiplication with its integer rounding).
void pil_premultiply_alpha(Image8& rgba);
void pil_unpremultiply_alpha(Image8& rgba);

}  // namespace clip4j

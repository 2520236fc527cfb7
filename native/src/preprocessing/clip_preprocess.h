// The image half of open_clip's preprocessing, in its order: resize (PIL arithmetic), centre crop
// or pad, conversion to RGB, scaling to [0, 1], normalisation with the model's mean and std.
#pragma once

#include "clip4j.h"
#include "image_decode.h"

namespace clip4j {

// Writes 3 x size x size floats (CHW) for one decoded image.
void preprocess_image(const DecodedImage& image, const clip4j_preprocess_config& config,
                      float* out);

}  // namespace clip4j

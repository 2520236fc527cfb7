// Renames a transformers CLIPModel state dict into open_clip's names, so one set of towers serves
// both: vision_model.* -> visual.*, separate q/k/v projections -> one packed in_proj, Linear
// projections -> open_clip's matrices (transposed).
#pragma once

#include "checkpoint_reader.h"

namespace clip4j {

TensorMap hugging_face_to_open_clip(const TensorMap& tensors);

}  // namespace clip4j

// What the runner needs from an image tower: preprocessed pixels in, unnormalised embeddings out.
#pragma once

#include <ATen/Tensor.h>

#include "layers.h"

namespace clip4j {

class ImageTower {
 public:
  virtual ~ImageTower() = default;
  // pixels: [batch, 3, size, size] in the model's dtype and device -> [batch, embed_dim].
  virtual at::Tensor encode(const at::Tensor& pixels) const = 0;
  virtual void count_linear_layers(LinearLayerCount& count) const = 0;
};

}  // namespace clip4j

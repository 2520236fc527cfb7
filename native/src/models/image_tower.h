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
  // Elements in the largest intermediate tensor per image: what sizes a batch's working memory.
  virtual int64_t largest_activation_per_image() const = 0;
};

}  // namespace clip4j

// What the runner needs from an image tower: preprocessed pixels in, unnormalised embeddings out.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

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
  // The CPU runner names, at load, every batch size it will run: a tower whose kernels are
  // prepared per batch size prepares them here (another size still runs, correctly but slowly).
  virtual void prepare_batch_sizes(const std::vector<int64_t>& batches) { (void)batches; }
};

}  // namespace clip4j

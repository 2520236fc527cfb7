// open_clip's VisionTransformer: patch convolution, class token, positional embedding, ln_pre, the
// residual blocks, ln_post, pooling and the projection.
#pragma once

#include <memory>
#include <string>

#include "clip4j.h"
#include "image_tower.h"
#include "transformer.h"

namespace clip4j {

class VisionTransformer : public ImageTower {
 public:
  static std::unique_ptr<VisionTransformer> load(StateDict& weights, const std::string& prefix,
                                                 const clip4j_vision_config& config,
                                                 int64_t embed_dim, Activation activation);
  at::Tensor encode(const at::Tensor& pixels) const override;
  // The patch embedding counts as a linear layer even where it runs as a convolution.
  void count_linear_layers(LinearLayerCount& count) const override;
  // The MLP's hidden activations (or the packed q, k, v): tokens x max(mlp_width, 3 x width).
  int64_t largest_activation_per_image() const override;

 private:
  // [batch, 3, size, size] -> [batch, grid * grid, width]
  at::Tensor embed_patches(const at::Tensor& pixels) const;

  clip4j_vision_config config_{};
  // The patch convolution (stride = kernel = patch size) is one matrix product over the patches;
  // on the CPU it runs through the packed kernels (patch_embedding_), else as a convolution.
  at::Tensor conv1_weight_;
  Linear patch_embedding_;
  at::Tensor class_embedding_, positional_embedding_, proj_;
  LayerNorm ln_pre_, ln_post_;
  Transformer transformer_;
};

}  // namespace clip4j

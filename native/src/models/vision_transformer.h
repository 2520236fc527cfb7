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

 private:
  clip4j_vision_config config_{};
  at::Tensor conv1_weight_, class_embedding_, positional_embedding_, proj_;
  LayerNorm ln_pre_, ln_post_;
  Transformer transformer_;
};

}  // namespace clip4j

// open_clip's (and OpenAI's) ModifiedResNet image tower: a three-convolution stem with average
// pooling, bottlenecks whose strided path starts with average pooling (anti-aliasing), and an
// attention-pooling head in place of global average pooling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clip4j.h"
#include "image_tower.h"
#include "layers.h"

namespace clip4j {

// BatchNorm2d in inference form: running statistics, eps 1e-5.
struct BatchNorm {
  at::Tensor weight, bias, running_mean, running_var;
  static BatchNorm load(StateDict& weights, const std::string& prefix, int64_t channels);
  at::Tensor operator()(const at::Tensor& x) const;
};

class Bottleneck {
 public:
  static Bottleneck load(StateDict& weights, const std::string& prefix, int64_t inplanes,
                         int64_t planes, int64_t stride);
  at::Tensor forward(const at::Tensor& x) const;

 private:
  int64_t stride_ = 1;
  at::Tensor conv1_, conv2_, conv3_, downsample_conv_;  // downsample_conv_ undefined: identity
  BatchNorm bn1_, bn2_, bn3_, downsample_bn_;
};

class ModifiedResNet : public ImageTower {
 public:
  static std::unique_ptr<ModifiedResNet> load(StateDict& weights, const std::string& prefix,
                                              const clip4j_vision_config& config,
                                              int64_t embed_dim);
  at::Tensor encode(const at::Tensor& pixels) const override;
  // The attention pool's projections (the convolutions are not linear layers).
  void count_linear_layers(LinearLayerCount& count) const override;

 private:
  at::Tensor attention_pool(const at::Tensor& features) const;

  int64_t heads_ = 0;
  at::Tensor conv1_, conv2_, conv3_;
  BatchNorm bn1_, bn2_, bn3_;
  std::vector<Bottleneck> blocks_;
  at::Tensor positional_embedding_;
  Linear q_proj_, k_proj_, v_proj_, c_proj_;
};

}  // namespace clip4j

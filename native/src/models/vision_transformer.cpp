#include "vision_transformer.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "common/errors.h"

namespace clip4j {

std::unique_ptr<VisionTransformer> VisionTransformer::load(StateDict& weights,
                                                           const std::string& prefix,
                                                           const clip4j_vision_config& config,
                                                           int64_t embed_dim,
                                                           Activation activation) {
  if (config.patch_size <= 0 || config.image_size % config.patch_size != 0) {
    throw InvalidArgument("vision image_size " + std::to_string(config.image_size) +
                          " is not a multiple of patch_size " + std::to_string(config.patch_size));
  }
  auto v = std::make_unique<VisionTransformer>();
  v->config_ = config;
  const int64_t w = config.width;
  const int64_t grid = config.image_size / config.patch_size;
  v->conv1_weight_ =
      weights.take(prefix + ".conv1.weight", {w, 3, config.patch_size, config.patch_size});
  // The stride-patch convolution is one product over flattened patches, in (channel, row,
  // column) order as embed_patches flattens them. (take leaves a missing tensor undefined and
  // reports it with the others after loading.)
  const at::Tensor patch_weight =
      v->conv1_weight_.defined() ? v->conv1_weight_.reshape({w, -1}) : at::Tensor();
  if (kernels::can_pack(patch_weight)) {
    v->patch_embedding_ = Linear::of(patch_weight, at::Tensor());
    v->conv1_weight_ = at::Tensor();
  }
  v->class_embedding_ = weights.take(prefix + ".class_embedding", {w});
  v->positional_embedding_ = weights.take(prefix + ".positional_embedding", {grid * grid + 1, w});
  if (!config.no_ln_pre) v->ln_pre_ = LayerNorm::load(weights, prefix + ".ln_pre", w);
  v->transformer_ =
      Transformer::load(weights, prefix + ".transformer",
                        {w, config.layers, config.heads, config.mlp_width, activation});
  v->ln_post_ = LayerNorm::load(weights, prefix + ".ln_post", w);
  v->proj_ = weights.take(prefix + ".proj", {w, embed_dim});
  return v;
}

at::Tensor VisionTransformer::embed_patches(const at::Tensor& pixels) const {
  const int64_t patch = config_.patch_size;
  if (!patch_embedding_.packed.defined()) {
    // [batch, width, grid, grid] -> [batch, grid * grid, width]
    return at::conv2d(pixels, conv1_weight_, {}, patch).flatten(2).transpose(1, 2);
  }
  const int64_t batch = pixels.size(0), grid = config_.image_size / patch;
  // [batch, 3, grid, patch, grid, patch] -> [batch, grid, grid, 3, patch, patch]
  const at::Tensor patches = pixels.reshape({batch, 3, grid, patch, grid, patch})
                                 .permute({0, 2, 4, 1, 3, 5})
                                 .reshape({batch, grid * grid, 3 * patch * patch});
  return patch_embedding_(patches);
}

at::Tensor VisionTransformer::encode(const at::Tensor& pixels) const {
  const int64_t batch = pixels.size(0);
  const int64_t w = config_.width;
  at::Tensor x = embed_patches(pixels);
  x = at::cat({class_embedding_.view({1, 1, w}).expand({batch, 1, w}), x}, 1);
  x = x + positional_embedding_;
  if (!config_.no_ln_pre) x = ln_pre_(x);
  if (config_.pool == CLIP4J_POOL_AVERAGE) {
    x = transformer_.forward(x, /*causal=*/false);
    const at::Tensor pooled = config_.final_ln_after_pool ? ln_post_(x.slice(1, 1).mean(1))
                                                          : ln_post_(x).slice(1, 1).mean(1);
    return at::matmul(pooled, proj_);
  }
  // Only the class token's output is kept, so the last block computes that row alone. (A layer
  // norm works per token: before or after picking one token is the same.)
  const at::Tensor first = at::zeros({batch}, x.options().dtype(at::kLong));
  const at::Tensor pooled =
      ln_post_(transformer_.forward_at(x, /*causal=*/false, first).select(1, 0));
  return at::matmul(pooled, proj_);
}

void VisionTransformer::count_linear_layers(LinearLayerCount& count) const {
  count.add(patch_embedding_);
  transformer_.count_linear_layers(count);
}

int64_t VisionTransformer::largest_activation_per_image() const {
  const int64_t grid = config_.image_size / config_.patch_size;
  return (grid * grid + 1) * std::max<int64_t>(config_.mlp_width, 3 * config_.width);
}

}  // namespace clip4j

// open_clip's (and OpenAI's) ModifiedResNet image tower: a three-convolution stem with average
// pooling, bottlenecks whose strided path starts with average pooling (anti-aliasing), and an
// attention-pooling head in place of global average pooling.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clip4j.h"
#include "image_tower.h"
#include "kernels/packed_gemm.h"
#include "layers.h"
#include "onednn_convolution.h"

namespace clip4j {

// A bias-free convolution followed by BatchNorm2d (running statistics, eps 1e-5), folded at load
// into one convolution with a bias: BN(conv(x, W)) = conv(x, W·s) + (β − μ·s), s = γ / √(σ² + ε).
// The output is then written once instead of normalised in a second pass. The fold runs in
// float32 whatever the model's precision.
struct ConvBatchNorm {
  at::Tensor weight, bias;  // the folded convolution, plain layout (undefined once packed)
  // On the CPU, for channels-last inputs: the same convolution on oneDNN (float32, or bfloat16
  // where onednn::packs says so), or, for a float32 1x1 one, as the matrix product it is on
  // clip4j's GEMM kernels (gemm defined).
  onednn::PackedConvolution packed;
  kernels::PackedWeight gemm;
  int64_t stride = 1, padding = 0;
  int64_t input_size = 0;  // the input's height and width at the model's image size
  static ConvBatchNorm load(StateDict& weights, const std::string& conv_weight,
                            const std::string& batch_norm, int64_t out, int64_t in, int64_t kernel,
                            int64_t input_size, int64_t stride = 1);
  // Moves the weight to the GEMM kernels (a 1x1 convolution, once for every batch size) or to
  // oneDNN (packed for each of these batch sizes).
  void pack(const std::vector<int64_t>& batches);
  // conv(x), then max(0, ·) with relu.
  at::Tensor operator()(const at::Tensor& x, bool relu = false) const;
  // relu(conv(x) + residual).
  at::Tensor add_relu(const at::Tensor& x, const at::Tensor& residual) const;

 private:
  at::Tensor matrix_product(const at::Tensor& x, const at::Tensor& residual, bool relu) const;
};

class Bottleneck {
 public:
  static Bottleneck load(StateDict& weights, const std::string& prefix, int64_t inplanes,
                         int64_t planes, int64_t stride, int64_t input_size);
  at::Tensor forward(const at::Tensor& x) const;
  void pack(const std::vector<int64_t>& batches);

 private:
  int64_t stride_ = 1;
  ConvBatchNorm conv1_, conv2_, conv3_;
  std::optional<ConvBatchNorm> downsample_;  // absent: the identity
};

class ModifiedResNet : public ImageTower {
 public:
  static std::unique_ptr<ModifiedResNet> load(StateDict& weights, const std::string& prefix,
                                              const clip4j_vision_config& config,
                                              int64_t embed_dim);
  at::Tensor encode(const at::Tensor& pixels) const override;
  // The attention pool's query and output projections (the convolutions are not linear layers,
  // and its key and value projections run as per-head products: attention_pool()).
  void count_linear_layers(LinearLayerCount& count) const override;
  // The first stage's output: 4 x width channels at a quarter of the image size.
  int64_t largest_activation_per_image() const override;
  // On the CPU, where onednn::packs the weights' type: every convolution is packed
  // (ConvBatchNorm::pack) and the activations become channels-last.
  void prepare_batch_sizes(const std::vector<int64_t>& batches) override;

 private:
  at::Tensor attention_pool(const at::Tensor& features) const;

  int64_t heads_ = 0;
  int64_t width_ = 0, image_size_ = 0;
  bool packed_ = false;  // the convolutions are packed, the activations channels-last
  ConvBatchNorm conv1_, conv2_, conv3_;
  std::vector<Bottleneck> blocks_;
  at::Tensor positional_embedding_;
  Linear q_proj_, c_proj_;
  // The key and value projections' weights as [heads, head_dim, channels], and the value bias.
  at::Tensor key_weight_, value_weight_, value_bias_;
};

}  // namespace clip4j

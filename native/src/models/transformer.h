// open_clip's Transformer: pre-norm residual blocks of multi-head self-attention and an MLP.
#pragma once

#include <ATen/Tensor.h>

#include <optional>
#include <vector>

#include "layers.h"

namespace clip4j {

struct TransformerShape {
  int64_t width;
  int64_t layers;
  int64_t heads;
  int64_t mlp_width;
  Activation activation;
};

class ResidualAttentionBlock {
 public:
  static ResidualAttentionBlock load(StateDict& weights, const std::string& prefix,
                                     const TransformerShape& shape);
  // x: [batch, tokens, width]. `causal` masks attention to later tokens.
  at::Tensor forward(const at::Tensor& x, bool causal) const;
  // The output at one token per sequence only, positions [batch] (int64): [batch, 1, width].
  // Keys and values still span every token, so those rows are exactly forward's rows.
  at::Tensor forward_at(const at::Tensor& x, bool causal, const at::Tensor& positions) const;
  void count_linear_layers(LinearLayerCount& count) const;

 private:
  // residual + attention output, or the output alone when residual is undefined.
  at::Tensor attention(const at::Tensor& x, bool causal, const at::Tensor& residual) const;
  // The MLP half of the block, after the attention's residual sum h.
  at::Tensor mlp(const at::Tensor& h) const;

  int64_t heads_ = 0;
  Activation activation_ = Activation::Gelu;
  LayerNorm ln_1_, ln_2_;
  Linear in_proj_, out_proj_, fc_, proj_;
  std::optional<at::Tensor> ls_1_, ls_2_;  // layer scale, present when trained with ls_init_value
};

class Transformer {
 public:
  static Transformer load(StateDict& weights, const std::string& prefix,
                          const TransformerShape& shape);
  at::Tensor forward(at::Tensor x, bool causal) const;
  // As forward, for a caller that keeps one token per sequence (positions [batch], int64):
  // returns [batch, 1, width]. The last block then computes its attention output and MLP for
  // that token alone, ~1/12 of the blocks' work when a ViT pools its class token.
  at::Tensor forward_at(at::Tensor x, bool causal, const at::Tensor& positions) const;
  void count_linear_layers(LinearLayerCount& count) const;

 private:
  std::vector<ResidualAttentionBlock> blocks_;
};

}  // namespace clip4j

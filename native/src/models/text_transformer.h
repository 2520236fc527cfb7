// open_clip's text tower: token and positional embeddings, the causal transformer, ln_final,
// end-of-text pooling and the projection.
#pragma once

#include <ATen/Tensor.h>

#include <string>

#include "clip4j.h"
#include "transformer.h"

namespace clip4j {

class TextTransformer {
 public:
  // `prefix` is "" for open_clip's CLIP (text weights at the top level) or "text." for
  // CustomTextCLIP.
  static TextTransformer load(StateDict& weights, const std::string& prefix,
                              const clip4j_text_config& config, int64_t embed_dim,
                              Activation activation);
  // token_ids: [batch, context_length] int64 on the model's device -> [batch, embed_dim].
  at::Tensor encode(const at::Tensor& token_ids) const;
  void count_linear_layers(LinearLayerCount& count) const;

 private:
  clip4j_text_config config_{};
  at::Tensor token_embedding_, positional_embedding_, projection_;
  Linear projection_linear_;  // used instead of projection_ when trained with proj_bias
  LayerNorm ln_final_;
  Transformer transformer_;
};

}  // namespace clip4j

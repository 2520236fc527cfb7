#include "text_transformer.h"

#include <ATen/ATen.h>

namespace clip4j {

TextTransformer TextTransformer::load(StateDict& weights, const std::string& prefix,
                                      const clip4j_text_config& config, int64_t embed_dim,
                                      Activation activation) {
  TextTransformer t;
  t.config_ = config;
  const int64_t w = config.width;
  t.token_embedding_ = weights.take(prefix + "token_embedding.weight", {config.vocab_size, w});
  t.positional_embedding_ =
      weights.take(prefix + "positional_embedding", {config.context_length, w});
  t.transformer_ =
      Transformer::load(weights, prefix + "transformer",
                        {w, config.layers, config.heads, config.mlp_width, activation});
  t.ln_final_ = LayerNorm::load(weights, prefix + "ln_final", w);
  if (weights.contains(prefix + "text_projection.weight")) {
    t.projection_linear_ = Linear::load(weights, prefix + "text_projection", w, embed_dim,
                                        weights.contains(prefix + "text_projection.bias"));
  } else {
    t.projection_ = weights.take(prefix + "text_projection", {w, embed_dim});
  }
  return t;
}

at::Tensor TextTransformer::encode(const at::Tensor& token_ids) const {
  const bool causal = config_.causal_mask != 0;
  const int64_t batch = token_ids.size(0);
  at::Tensor ids = token_ids;
  at::Tensor eot = ids.argmax(-1);
  // With a causal mask, position i sees only positions <= i: the end-of-text output is the same if
  // the padding after the longest prompt is never computed. Short prompts then cost a fraction of
  // the full context.
  if (causal && config_.pool == CLIP4J_TEXT_POOL_ARGMAX) {
    const int64_t used = eot.max().item<int64_t>() + 1;
    ids = ids.slice(1, 0, used);
  }
  const int64_t tokens = ids.size(1);
  at::Tensor x = at::embedding(token_embedding_, ids) + positional_embedding_.slice(0, 0, tokens);
  // Only one token's output per prompt is kept, so the last block computes that row alone (and
  // ln_final, per token, may come before or after picking it).
  at::Tensor positions;
  switch (config_.pool) {
    case CLIP4J_TEXT_POOL_LAST:
      positions = at::full({batch}, tokens - 1, eot.options());
      break;
    case CLIP4J_TEXT_POOL_FIRST:
      positions = at::zeros({batch}, eot.options());
      break;
    default:
      positions = eot;
  }
  const at::Tensor pooled = ln_final_(transformer_.forward_at(x, causal, positions).select(1, 0));
  return projection_.defined() ? at::matmul(pooled, projection_) : projection_linear_(pooled);
}

void TextTransformer::count_linear_layers(LinearLayerCount& count) const {
  transformer_.count_linear_layers(count);
  if (projection_linear_.defined()) count.add(projection_linear_);
}

}  // namespace clip4j

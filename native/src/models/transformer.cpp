#include "transformer.h"

#include <ATen/ATen.h>

#include "kernels/packed_attention.h"
#include "kernels/packed_gemm.h"

namespace clip4j {
namespace {

// One row per sequence: [batch, tokens, n] -> [batch, 1, n], the rows at positions [batch].
at::Tensor rows_at(const at::Tensor& t, const at::Tensor& positions) {
  const int64_t batch = t.size(0);
  return t.gather(1, positions.view({batch, 1, 1}).expand({batch, 1, t.size(2)}));
}

}  // namespace

ResidualAttentionBlock ResidualAttentionBlock::load(StateDict& weights, const std::string& prefix,
                                                    const TransformerShape& shape) {
  ResidualAttentionBlock b;
  const int64_t w = shape.width;
  b.heads_ = shape.heads;
  b.activation_ = shape.activation;
  b.ln_1_ = LayerNorm::load(weights, prefix + ".ln_1", w);
  b.ln_2_ = LayerNorm::load(weights, prefix + ".ln_2", w);
  // nn.MultiheadAttention keeps q, k and v in one packed projection.
  b.in_proj_ = Linear::of(weights.take(prefix + ".attn.in_proj_weight", {3 * w, w}),
                          weights.take(prefix + ".attn.in_proj_bias", {3 * w}));
  b.out_proj_ = Linear::load(weights, prefix + ".attn.out_proj", w, w);
  b.fc_ = Linear::load(weights, prefix + ".mlp.c_fc", w, shape.mlp_width);
  b.proj_ = Linear::load(weights, prefix + ".mlp.c_proj", shape.mlp_width, w);
  b.ls_1_ = weights.take_optional(prefix + ".ls_1.gamma", {w});
  b.ls_2_ = weights.take_optional(prefix + ".ls_2.gamma", {w});
  return b;
}

at::Tensor ResidualAttentionBlock::attention(const at::Tensor& x, bool causal,
                                             const at::Tensor& residual) const {
  const int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
  const int64_t head_dim = width / heads_;
  const at::Tensor projected = in_proj_(x);  // [batch, tokens, 3 * width]
  // Half precision on the CPU attends in float32 (attend() says why), here on the packed kernel:
  // one contiguous conversion each way instead of three strided ones around libtorch's SDPA.
  const bool half_on_cpu = projected.device().is_cpu() && projected.scalar_type() != at::kFloat;
  const at::Tensor wide =
      half_on_cpu && kernels::packed_gemm_isa() ? projected.to(at::kFloat) : projected;
  if (kernels::can_attend(wide, heads_)) {
    const at::Tensor attended = kernels::packed_attention(wide, heads_, causal);
    return out_proj_(attended.to(projected.scalar_type()), residual);
  }
  // Three [batch, heads, tokens, head_dim] views.
  const at::Tensor qkv =
      projected.view({batch, tokens, 3, heads_, head_dim}).permute({2, 0, 3, 1, 4});
  const at::Tensor attended = attend(qkv[0], qkv[1], qkv[2], std::nullopt, causal);
  return out_proj_(attended.transpose(1, 2).reshape({batch, tokens, width}), residual);
}

at::Tensor ResidualAttentionBlock::mlp(const at::Tensor& h) const {
  // Without layer scale the residual additions happen inside the output projections.
  const at::Tensor hidden = fc_.activated(ln_2_(h), activation_);
  return ls_2_ ? h + proj_(hidden) * *ls_2_ : proj_(hidden, h);
}

at::Tensor ResidualAttentionBlock::forward(const at::Tensor& x, bool causal) const {
  const at::Tensor h = ls_1_ ? x + attention(ln_1_(x), causal, at::Tensor()) * *ls_1_
                             : attention(ln_1_(x), causal, x);
  return mlp(h);
}

at::Tensor ResidualAttentionBlock::forward_at(const at::Tensor& x, bool causal,
                                              const at::Tensor& positions) const {
  const int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
  const int64_t head_dim = width / heads_;
  const at::Tensor qkv = in_proj_(ln_1_(x));  // [batch, tokens, 3 * width]
  const at::Tensor kv = qkv.view({batch, tokens, 3, heads_, head_dim}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = rows_at(qkv, positions)
                           .narrow(2, 0, width)
                           .view({batch, 1, heads_, head_dim})
                           .transpose(1, 2);
  // Causal: the token at p sees keys 0..p, as its row of the full causal mask does.
  std::optional<at::Tensor> mask;
  if (causal) {
    mask = at::arange(tokens, positions.options()).view({1, 1, 1, tokens}) <=
           positions.view({batch, 1, 1, 1});
  }
  const at::Tensor attended = attend(q, kv[1], kv[2], mask, false);
  const at::Tensor merged = attended.transpose(1, 2).reshape({batch, 1, width});
  const at::Tensor residual = rows_at(x, positions);
  const at::Tensor h = ls_1_ ? residual + out_proj_(merged) * *ls_1_ : out_proj_(merged, residual);
  return mlp(h);
}

Transformer Transformer::load(StateDict& weights, const std::string& prefix,
                              const TransformerShape& shape) {
  Transformer t;
  for (int64_t i = 0; i < shape.layers; i++) {
    t.blocks_.push_back(
        ResidualAttentionBlock::load(weights, prefix + ".resblocks." + std::to_string(i), shape));
  }
  return t;
}

at::Tensor Transformer::forward(at::Tensor x, bool causal) const {
  for (const auto& block : blocks_) x = block.forward(x, causal);
  return x;
}

at::Tensor Transformer::forward_at(at::Tensor x, bool causal, const at::Tensor& positions) const {
  if (blocks_.empty()) return rows_at(x, positions);
  for (size_t i = 0; i + 1 < blocks_.size(); i++) x = blocks_[i].forward(x, causal);
  return blocks_.back().forward_at(x, causal, positions);
}

void ResidualAttentionBlock::count_linear_layers(LinearLayerCount& count) const {
  for (const Linear* layer : {&in_proj_, &out_proj_, &fc_, &proj_}) count.add(*layer);
}

void Transformer::count_linear_layers(LinearLayerCount& count) const {
  for (const auto& block : blocks_) block.count_linear_layers(count);
}

}  // namespace clip4j

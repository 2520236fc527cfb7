#include "layers.h"

#include <ATen/ATen.h>

namespace clip4j {

LayerNorm LayerNorm::load(StateDict& weights, const std::string& prefix, int64_t width) {
  LayerNorm norm;
  norm.weight = weights.take_fp32(prefix + ".weight", {width});
  norm.bias = weights.take_fp32(prefix + ".bias", {width});
  if (!weights.device().is_cpu() && weights.dtype() == at::kHalf && norm.weight.defined() &&
      norm.bias.defined()) {
    norm.weight_in_dtype = norm.weight.to(weights.dtype());
    norm.bias_in_dtype = norm.bias.to(weights.dtype());
  }
  return norm;
}

at::Tensor LayerNorm::operator()(const at::Tensor& x) const {
  // libtorch's CPU layer norm takes half-precision input with float32 weights and computes in
  // float32 itself, rounding once at the end: one pass where converting takes three (bf16
  // ViT-B-32 batch 16: 0.14 ms a norm against 0.40; the two differ by one last bit in ~2 values
  // in 10^5, the float32 arithmetic's order).
  if (x.scalar_type() == at::kFloat || x.device().is_cpu()) {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, 1e-5);
  }
  if (weight_in_dtype.defined() && weight_in_dtype.scalar_type() == x.scalar_type()) {
    return at::layer_norm(x, {weight.size(0)}, weight_in_dtype, bias_in_dtype, 1e-5);
  }
  return at::layer_norm(x.to(at::kFloat), {weight.size(0)}, weight, bias, 1e-5).to(x.scalar_type());
}

at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                  const std::optional<at::Tensor>& mask, bool causal) {
  if (q.device().is_cpu() && q.scalar_type() != at::kFloat) {
    return at::scaled_dot_product_attention(q.to(at::kFloat), k.to(at::kFloat), v.to(at::kFloat),
                                            mask, 0.0, causal)
        .to(q.scalar_type());
  }
  return at::scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
}

void LinearLayerCount::add(const Linear& layer) {
  total++;
  if (layer.packed.defined()) packed++;
}

Linear Linear::load(StateDict& weights, const std::string& prefix, int64_t in, int64_t out,
                    bool bias) {
  return of(weights.take(prefix + ".weight", {out, in}),
            bias ? weights.take(prefix + ".bias", {out}) : at::Tensor());
}

Linear Linear::of(at::Tensor weight, at::Tensor bias) {
  Linear l;
  l.weight = std::move(weight);
  l.bias = std::move(bias);
  if (kernels::can_pack(l.weight)) {
    l.packed = kernels::pack_weight(l.weight);
    l.weight = at::Tensor();
  } else if (onednn::PackedLinear::packs(l.weight)) {
    l.onednn = onednn::PackedLinear(l.weight);
    l.weight = at::Tensor();
  }
  return l;
}

at::Tensor Linear::operator()(const at::Tensor& x, const at::Tensor& residual) const {
  if (packed.defined()) return kernels::packed_linear(x, packed, bias, residual);
  if (onednn.defined()) return residual.defined() ? onednn.add(x, residual, bias) : onednn(x, bias);
  const at::Tensor y = at::linear(x, weight, bias);
  return residual.defined() ? residual + y : y;
}

at::Tensor Linear::activated(const at::Tensor& x, Activation activation) const {
  if (packed.defined()) return kernels::packed_linear(x, packed, bias, at::Tensor(), activation);
  if (onednn.defined() && activation == Activation::Gelu) return onednn(x, bias, /*gelu=*/true);
  at::Tensor y = onednn.defined() ? onednn(x, bias) : at::linear(x, weight, bias);
  switch (activation) {
    case Activation::Gelu:
      return at::gelu_(y);
    case Activation::QuickGelu:
      return y.mul_(at::sigmoid(y * 1.702));
    case Activation::Relu:
      return y.relu_();
    case Activation::Identity:
      break;
  }
  return y;
}

}  // namespace clip4j

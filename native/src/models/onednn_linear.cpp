#include "onednn_linear.h"

#include <ATen/ATen.h>

#include <optional>

#include "models/onednn_operator.h"

namespace clip4j::onednn {
namespace {

// mkldnn::_reorder_linear_weight(Tensor self, int? batch_size)
using Reorder = at::Tensor(const at::Tensor&, std::optional<int64_t>);
// mkldnn::_linear_pointwise(X, W, B?, attr, scalars, algorithm)
using Unary = at::Tensor(const at::Tensor&, const at::Tensor&, const std::optional<at::Tensor>&,
                         std::string_view, Scalars, std::optional<std::string_view>);
// mkldnn::_linear_pointwise.binary(X, other, W, B?, attr)
using Binary = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                          const std::optional<at::Tensor>&, std::string_view);

std::optional<at::Tensor> optional(const at::Tensor& t) {
  return t.defined() ? std::optional<at::Tensor>(t) : std::nullopt;
}

}  // namespace

bool PackedLinear::packs(const at::Tensor& weight) {
  static const bool available = [] {
    return cpu_has_bf16() && find_operator("mkldnn::_reorder_linear_weight") &&
           find_operator("mkldnn::_linear_pointwise") &&
           find_operator("mkldnn::_linear_pointwise", "binary");
  }();
  return available && weight.defined() && weight.device().is_cpu() &&
         weight.scalar_type() == at::kBFloat16 && weight.dim() == 2 && weight.numel() > 0;
}

PackedLinear::PackedLinear(const at::Tensor& weight) {
  static const auto reorder = find_operator("mkldnn::_reorder_linear_weight")->typed<Reorder>();
  packed_ = reorder.call(weight.contiguous(), std::nullopt);
}

at::Tensor PackedLinear::operator()(const at::Tensor& x, const at::Tensor& bias, bool gelu) const {
  static const auto linear = find_operator("mkldnn::_linear_pointwise")->typed<Unary>();
  // "none": GELU's erf form, as open_clip's nn.GELU.
  return linear.call(x, packed_, optional(bias), gelu ? "gelu" : "none", Scalars(),
                     gelu ? std::optional<std::string_view>("none") : std::nullopt);
}

at::Tensor PackedLinear::add(const at::Tensor& x, const at::Tensor& residual,
                             const at::Tensor& bias) const {
  static const auto linear = find_operator("mkldnn::_linear_pointwise", "binary")->typed<Binary>();
  return linear.call(x, residual, packed_, optional(bias), "add");
}

}  // namespace clip4j::onednn

// bfloat16 linear layers on the CPU through oneDNN's packed matmul inside libtorch
// (mkldnn::_linear_pointwise, the operator torch.compile uses for CPU linear layers): the weight
// packed once at load, the bias, GELU or a residual sum applied as the output is written. On a CPU
// with AMX these run on its tile units: ViT-B-32's products at 800-2200 GFLOP/s on the 2-core Xeon
// where float32 reaches ~300. at::linear's bfloat16 path sent part of the work to a scalar
// fallback instead (28% of a batch-1 image).
#pragma once

#include <ATen/Tensor.h>

#include <string_view>

namespace clip4j::onednn {

class PackedLinear {
 public:
  PackedLinear() = default;
  // weight: [out, in] bfloat16 on the CPU; see packs().
  explicit PackedLinear(const at::Tensor& weight);
  // Whether a weight is packed here: bfloat16 on the CPU, where the CPU has AVX512-BF16 (AMX
  // CPUs have it) and libtorch has the operators.
  static bool packs(const at::Tensor& weight);
  bool defined() const { return packed_.defined(); }

  // x [..., in] -> x·Wᵀ + bias, then GELU (erf) with gelu. bias may be undefined.
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& bias, bool gelu = false) const;
  // residual + x·Wᵀ + bias.
  at::Tensor add(const at::Tensor& x, const at::Tensor& residual, const at::Tensor& bias) const;

 private:
  at::Tensor packed_;
};

}  // namespace clip4j::onednn

// The small building blocks CLIP's towers share.
#pragma once

#include <ATen/Tensor.h>

#include <optional>
#include <string>

#include "common/activation.h"
#include "kernels/packed_gemm.h"
#include "models/onednn_linear.h"
#include "weights/state_dict.h"

namespace clip4j {

// LayerNorm with eps 1e-5, computed in float32 for half-precision inputs as open_clip's
// LayerNormFp32 does.
struct LayerNorm {
  at::Tensor weight, bias;  // float32
  // On a GPU in float16 only, the same rounded to float16: libtorch's CUDA norm then runs as one
  // kernel (float32 inside) instead of three (convert, normalise, convert back); ViT-B-32 batch 1
  // on an H200 1.150 -> 1.038 ms. LayerNormFp32 keeps the weights in float32; rounding them took
  // ViT-B-32's fp16 embeddings from 1.142e-3 to 1.145e-3 relative error against float64, but
  // bf16's from 9.07e-3 to 9.42e-3 (models/half_norm_weights.py): bfloat16 keeps float32 weights.
  at::Tensor weight_in_dtype, bias_in_dtype;
  static LayerNorm load(StateDict& weights, const std::string& prefix, int64_t width);
  at::Tensor operator()(const at::Tensor& x) const;
};

// Scaled dot-product attention. Half-precision inputs on the CPU are attended in float32 and
// rounded back: this libtorch (built without MKL) sends their small products to a scalar GEMM,
// which took 51% of a bfloat16 ViT-B-32 batch.
at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                  const std::optional<at::Tensor>& mask = std::nullopt, bool causal = false);

struct Linear;

// How many linear layers a model has, and how many of them run on the packed CPU kernels: a
// layer that silently misses them (a weight in another shape, say) is correct but slow, so
// the count is reported and tested.
struct LinearLayerCount {
  int64_t total = 0, packed = 0;
  void add(const Linear& layer);
};

// A float32 weight on the CPU is kept only as column panels for the packed kernels, where this
// CPU has them (kernels/packed_gemm.h), a bfloat16 one packed for oneDNN where the CPU has
// AVX512-BF16 (onednn_linear.h); other weights stay as they are, for at::linear.
struct Linear {
  at::Tensor weight, bias;       // bias may be undefined
  kernels::PackedWeight packed;  // weight is then undefined
  onednn::PackedLinear onednn;   // weight is then undefined
  static Linear load(StateDict& weights, const std::string& prefix, int64_t in, int64_t out,
                     bool bias = true);
  // From a weight [out, in] already taken (bias may be undefined).
  static Linear of(at::Tensor weight, at::Tensor bias);
  // Whether the layer has a weight, in whichever form.
  bool defined() const { return weight.defined() || packed.defined() || onednn.defined(); }
  // residual + x·Wᵀ + bias (residual may be undefined), in one pass over the output where the
  // packed kernels run.
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& residual = at::Tensor()) const;
  // activation(x·Wᵀ + bias): applied as the packed kernels store their sums, else in place on
  // at::linear's output; never a second tensor of the output's size.
  at::Tensor activated(const at::Tensor& x, Activation activation) const;
};

}  // namespace clip4j

// The small building blocks CLIP's towers share.
#pragma once

#include <ATen/Tensor.h>

#include <string>

#include "weights/state_dict.h"

namespace clip4j {

enum class Activation { Gelu, QuickGelu };

// LayerNorm with eps 1e-5, computed in float32 for half-precision inputs as open_clip's
// LayerNormFp32 does.
struct LayerNorm {
  at::Tensor weight, bias;
  static LayerNorm load(StateDict& weights, const std::string& prefix, int64_t width);
  at::Tensor operator()(const at::Tensor& x) const;
};

// On the CPU the weight is kept only in oneDNN's packed layout where it can be (onednn_linear.h).
struct Linear {
  at::Tensor weight, bias;  // bias may be undefined
  at::Tensor packed;        // oneDNN's layout; weight is then undefined
  static Linear load(StateDict& weights, const std::string& prefix, int64_t in, int64_t out,
                     bool bias = true);
  at::Tensor operator()(const at::Tensor& x) const;
};

at::Tensor activate(const at::Tensor& x, Activation activation);

}  // namespace clip4j

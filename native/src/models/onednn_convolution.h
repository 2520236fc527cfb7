// Float32 and bfloat16 convolutions on the CPU through oneDNN's fused operators inside libtorch
// (mkldnn::_convolution_pointwise, the ones torch.compile uses for CPU convolutions): channels-last
// activations; the bias, a ReLU and a residual sum applied as the output is written; weights
// packed once, at load, into the layout oneDNN picks for the input's shape. That layout depends
// on the batch size, and a weight packed for another shape is re-packed on every call (RN50 at
// batch 1: 55 re-packs, ~9 ms a call), so a weight is packed for each batch size that will run;
// batch sizes whose packs come out byte for byte the same share one.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace clip4j::onednn {

// Whether convolutions of this type are packed here: float32 wherever libtorch has the fused
// operators (a libtorch built without oneDNN has not); bfloat16 where the CPU also has
// AVX512-BF16 (onednn_operator.h).
bool packs(at::ScalarType type);

class PackedConvolution {
 public:
  PackedConvolution() = default;
  // weight: [out, in, k, k] float32 or bfloat16 (plain layout, padding k / 2); bias: [out];
  // input_size: the input's height (= width) at the model's image size. Packs the weight for each
  // of `batches`.
  PackedConvolution(const at::Tensor& weight, at::Tensor bias, int64_t stride, int64_t input_size,
                    const std::vector<int64_t>& batches);

  // x: [batch, in, h, w] of the weight's type, channels-last. conv(x) + bias, channels-last;
  // with relu, max(0, ·) of it.
  at::Tensor operator()(const at::Tensor& x, bool relu) const;
  // relu(conv(x) + bias + residual); residual has the output's shape.
  at::Tensor add_relu(const at::Tensor& x, const at::Tensor& residual) const;

 private:
  // The weight packed for this batch size, else for another one (correct, but re-packed per call).
  const at::Tensor& packed_for(int64_t batch) const;

  at::Tensor bias_;
  int64_t stride_ = 1, padding_ = 0;
  std::vector<std::pair<int64_t, at::Tensor>> packs_;  // batch size -> packed weight
};

}  // namespace clip4j::onednn

// Linear layers through oneDNN with weights packed once at load, on the CPU.
//
// libtorch's at::linear on the CPU goes to OpenBLAS, which re-packs the whole weight matrix on
// every call: at batch 1 a ViT's products have only ~50 rows, so the packing costs about as much as
// the arithmetic. oneDNN (inside libtorch, reached through its mkldnn:: operators) takes the weight
// in its blocked layout once, and keeps its threads in libtorch's OpenMP pool instead of
// OpenBLAS's own, which also holds up far better when other threads compete for the cores.
#pragma once

#include <ATen/Tensor.h>

namespace clip4j::onednn {

// Whether this libtorch has the mkldnn:: linear operators and this weight can use them (a CPU
// float32 or bfloat16 matrix). CLIP4J_CPU_GEMM=blas switches it off, for comparisons.
bool can_pack(const at::Tensor& weight);

// The weight [out, in] reordered into oneDNN's layout.
at::Tensor pack(const at::Tensor& weight);

// x [..., in] @ packed^T + bias; bias may be undefined.
at::Tensor linear(const at::Tensor& x, const at::Tensor& packed, const at::Tensor& bias);

}  // namespace clip4j::onednn

// Linear layers through oneDNN with weights packed once at load, on the CPU: opt-in with
// CLIP4J_CPU_GEMM=onednn (read once per process).
//
// libtorch's at::linear on the CPU goes to OpenBLAS, which re-packs the weight matrix on every
// call. oneDNN (inside libtorch, reached through its mkldnn:: operators) takes the weight in its
// blocked layout once. Measured on the 2-core development machine (ViT-B-32, fp32): on idle cores
// OpenBLAS is faster (batch 1: 89-97 ms against 100-110; batch 16: 850 ms against 1,230), so it
// stays the default; with other processes competing for the cores OpenBLAS's threads collapse
// (batch 1: 2,200 ms) where oneDNN's hold up (110-550 ms).
#pragma once

#include <ATen/Tensor.h>

namespace clip4j::onednn {

// Whether oneDNN was chosen, this libtorch has the mkldnn:: linear operators and this weight can
// use them (a CPU float32 or bfloat16 matrix).
bool can_pack(const at::Tensor& weight);

// The weight [out, in] reordered into oneDNN's layout.
at::Tensor pack(const at::Tensor& weight);

// x [..., in] @ packed^T + bias; bias may be undefined.
at::Tensor linear(const at::Tensor& x, const at::Tensor& packed, const at::Tensor& bias);

}  // namespace clip4j::onednn

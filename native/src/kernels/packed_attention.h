// Multi-head self-attention on the CPU, in float32, from the packed linear layers' micro-kernels.
//
// libtorch's scaled_dot_product_attention hands each head's small products (ViT-B-32: 50 tokens
// of 64 dimensions) to OpenBLAS, which packs both operands every time, and the heads' outputs
// then take a copy to merge. Here one task per (sequence, head) gathers that head's keys into
// column panels and copies its values into panels, runs q·kᵀ and the softmaxed scores times v on
// the gemm tiles with the scores in a cache-resident buffer, and writes the output straight into
// the merged [batch, tokens, width] layout. On the 2-core Xeon, one layer's attention (README,
// Speed): ViT-B-32 batch 16 0.85 ms against 1.29, batch 1 0.049 against 0.087, 257 tokens of 80
// dimensions (ViT-H-14) 2.9 against 4.3, prompts of 77 tokens (causal) 0.18 against 0.47.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>

namespace clip4j::kernels {

// Whether packed_attention() takes this q, k, v projection: float32 on the CPU, [batch, tokens,
// 3 * width] with width a multiple of heads, and the packed kernels in use (packed_gemm_isa()).
bool can_attend(const at::Tensor& qkv, int64_t heads);

// qkv [batch, tokens, 3 * width], q, k and v side by side as nn.MultiheadAttention's packed
// projection gives them, each `heads` heads of width / heads -> softmax(q·kᵀ / sqrt(head_dim))·v
// for every head, [batch, tokens, width] (heads side by side). Causal: token i attends to 0..i.
at::Tensor packed_attention(const at::Tensor& qkv, int64_t heads, bool causal);

}  // namespace clip4j::kernels

// Float32 linear layers, y = x·Wᵀ + b (+ r), on the CPU with the weight packed once at load.
//
// libtorch's at::linear goes to OpenBLAS here, which re-packs the whole weight on every call and
// keeps a thread pool of its own beside libtorch's OpenMP one. At batch 1 (ViT-B-32: products of
// 50 rows) that held it to 110-140 GFLOP/s on the 2-core development machine, and two pools on two
// cores collapse when anything else runs. These kernels read the weight in column panels laid out
// once at load, split the work over libtorch's own OpenMP threads, and add the bias and the
// residual (or apply the MLP's activation) in the same pass; oneDNN's f32 micro-kernel inside
// libtorch measured ~110 GFLOP/s on the same products. See the README's Speed section for the
// figures.
//
// Two builds of one micro-kernel (gemm_tile_template.h): AVX-512 and AVX2+FMA, picked at load from
// CPUID; on other CPUs, or with CLIP4J_CPU_GEMM=libtorch, layers keep at::linear (and attention
// libtorch's scaled_dot_product_attention: packed_attention.h).
#pragma once

#include <ATen/Tensor.h>

#include <optional>

#include "common/activation.h"

namespace clip4j::kernels {

enum class GemmIsa { Avx2, Avx512 };

// The weight [out, in] as column panels: panel p holds output columns [p*w, p*w + w) as `in` rows
// of w floats (w = 32 for AVX-512, 16 for AVX2), the last panel zero-padded.
struct PackedWeight {
  at::Tensor panels;
  int64_t in = 0;
  int64_t out = 0;
  GemmIsa isa = GemmIsa::Avx2;
  bool defined() const { return panels.defined(); }
};

// The kernels this process uses: the best this CPU runs, or what CLIP4J_CPU_GEMM asks for
// ("packed": the best, the default; "avx2"; "libtorch": none, at::linear). Read once; an unknown
// value throws InvalidArgument.
std::optional<GemmIsa> packed_gemm_isa();

// Whether pack_weight() takes this weight: float32, on the CPU, 2-D, and kernels are in use.
bool can_pack(const at::Tensor& weight);

PackedWeight pack_weight(const at::Tensor& weight);

// x [..., in] -> activation(x·Wᵀ + bias + residual), [..., out]. bias [out] and residual
// [..., out] may be undefined. (A transformer's residual layers have no activation; a ResNet's
// last 1x1 convolution of a bottleneck adds the shortcut, then applies its ReLU.)
at::Tensor packed_linear(const at::Tensor& x, const PackedWeight& weight, const at::Tensor& bias,
                         const at::Tensor& residual, Activation activation = Activation::Identity);

}  // namespace clip4j::kernels

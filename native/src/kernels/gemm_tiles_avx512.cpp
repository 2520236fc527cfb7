// The AVX-512 build of the micro-kernel: 12 rows x 32 columns in 24 of the 32 zmm registers.
// Only this file's functions are compiled for AVX-512 (the pragma), so the library still loads
// on CPUs without it; packed_gemm.cpp calls them only after CPUID says yes.
#include <immintrin.h>

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/gemm_tiles.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

#include "kernels/gemm_tile_template.h"

namespace clip4j::kernels::avx512 {
namespace {

struct Isa {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static_assert(2 * kLanes == kPanelWidth);
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec load(const float* p) { return _mm512_loadu_ps(p); }
  static Vec broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  // The first `columns` lanes (none when columns <= 0, all when >= 16).
  static Mask mask(int columns) {
    return columns >= kLanes ? Mask(0xFFFF) : columns <= 0 ? Mask(0) : Mask((1u << columns) - 1);
  }
  static Vec masked_load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void masked_store(Mask m, float* p, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
};

}  // namespace

TileFunction tile_for_rows(int rows) { return pick_tile<Isa, kMaxRows>(rows); }

}  // namespace clip4j::kernels::avx512

#pragma GCC pop_options

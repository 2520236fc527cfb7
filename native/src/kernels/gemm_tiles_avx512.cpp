// The AVX-512 build of the micro-kernel: 12 rows x 32 columns in 24 of the 32 zmm registers.
// Only this file's functions are compiled for AVX-512 (the pragma), so the library still loads
// on CPUs without it; packed_gemm.cpp calls them only after CPUID says yes.
// GCC 12 reports its own _mm512_min_ps, _mm512_roundscale_ps, _mm512_reduce_max_ps and friends as
// "(may be) used uninitialized" once they are inlined: they pass _mm512_undefined_ps() as the
// unused merge source. Set before the intrinsics' header, whose lines the warning points at.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "kernels/gemm_tiles.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

#include "kernels/attention_template.h"
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
  // For the activations (activation_math.h).
  static Vec set1(float v) { return _mm512_set1_ps(v); }
  static Vec sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Vec div(Vec a, Vec b) { return _mm512_div_ps(a, b); }
  static Vec min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  static Vec max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
  static Vec abs(Vec a) { return _mm512_abs_ps(a); }
  static Vec round(Vec a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // a·2^n for integral n.
  static Vec times_pow2(Vec a, Vec n) { return _mm512_scalef_ps(a, n); }
  // `negative` where x < 0, else `other`.
  static Vec where_negative(Vec x, Vec negative, Vec other) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), other,
                                negative);
  }
  // The first `columns` lanes (none when columns <= 0, all when >= 16).
  static Mask mask(int columns) {
    return columns >= kLanes ? Mask(0xFFFF) : columns <= 0 ? Mask(0) : Mask((1u << columns) - 1);
  }
  static Vec masked_load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void masked_store(Mask m, float* p, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
  // For the attention's softmax (attention_template.h): `fill` in the lanes outside m; v with 0
  // outside m; the lanes' max and sum.
  static Vec masked_load_or(Mask m, const float* p, Vec fill) {
    return _mm512_mask_loadu_ps(fill, m, p);
  }
  static Vec keep(Mask m, Vec v) { return _mm512_maskz_mov_ps(m, v); }
  static float reduce_max(Vec v) { return _mm512_reduce_max_ps(v); }
  static float reduce_add(Vec v) { return _mm512_reduce_add_ps(v); }
  // For the keys' packing: lane i's offset (first + i)·stride, and a gather at them (0 outside m).
  using Index = __m512i;
  static Index lane_offsets(int64_t stride, int first = 0) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_mullo_epi32(_mm512_set1_epi32(static_cast<int>(stride)),
                              _mm512_add_epi32(lanes, _mm512_set1_epi32(first)));
  }
  static Vec masked_gather(Mask m, const float* base, Index offsets) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, offsets, base, 4);
  }
};

}  // namespace

TileFunction tile_for_rows(int rows) { return pick_tile<Isa, kMaxRows>(rows); }

void softmax_row(float* row, int64_t valid, int64_t total, float scale) {
  kernels::softmax_row<Isa>(row, valid, total, scale);
}

void pack_transposed(const float* a, int64_t lda, int64_t rows, int64_t depth, float* panels) {
  kernels::pack_transposed<Isa>(a, lda, rows, depth, panels);
}

}  // namespace clip4j::kernels::avx512

#pragma GCC pop_options

// The AVX2+FMA build of the micro-kernel: 6 rows x 16 columns in 12 of the 16 ymm registers (the
// classic Haswell shape). Only this file's functions are compiled for AVX2 (the pragma).
#include <immintrin.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "kernels/gemm_tiles.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

#include "kernels/attention_template.h"
#include "kernels/gemm_tile_template.h"

namespace clip4j::kernels::avx2 {
namespace {

struct Isa {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static_assert(2 * kLanes == kPanelWidth);
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  // For the activations (activation_math.h).
  static Vec set1(float v) { return _mm256_set1_ps(v); }
  static Vec sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Vec div(Vec a, Vec b) { return _mm256_div_ps(a, b); }
  static Vec min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  static Vec max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
  static Vec abs(Vec a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static Vec round(Vec a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // a·2^n for integral n with -252 <= n <= 254: two factors 2^h·2^(n-h), each a float built from
  // its exponent bits, so results past float32's range come out as 0 or inf.
  static Vec times_pow2(Vec a, Vec n) {
    const __m256i whole = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(whole, 1);
    return _mm256_mul_ps(_mm256_mul_ps(a, pow2(half)), pow2(_mm256_sub_epi32(whole, half)));
  }
  // 2^e for -126 <= e <= 127.
  static Vec pow2(__m256i e) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
  }
  // `negative` where x's sign bit is set, else `other` (blendv picks by the sign bit).
  static Vec where_negative(Vec x, Vec negative, Vec other) {
    return _mm256_blendv_ps(other, negative, x);
  }
  // Lanes below `columns` (none when columns <= 0, all when >= 8).
  static Mask mask(int columns) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(columns),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vec masked_load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void masked_store(Mask m, float* p, Vec v) { _mm256_maskstore_ps(p, m, v); }
  // For the attention's softmax (attention_template.h): `fill` in the lanes outside m; v with 0
  // outside m; the lanes' max and sum.
  static Vec masked_load_or(Mask m, const float* p, Vec fill) {
    return _mm256_blendv_ps(fill, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static Vec keep(Mask m, Vec v) { return _mm256_and_ps(v, _mm256_castsi256_ps(m)); }
  static float reduce_max(Vec v) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
  }
  static float reduce_add(Vec v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
  }
  // For the keys' packing: lane i's offset (first + i)·stride, and a gather at them (0 outside m).
  using Index = __m256i;
  static Index lane_offsets(int64_t stride, int first = 0) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(stride)),
                              _mm256_add_epi32(lanes, _mm256_set1_epi32(first)));
  }
  static Vec masked_gather(Mask m, const float* base, Index offsets) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, offsets, _mm256_castsi256_ps(m), 4);
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

}  // namespace clip4j::kernels::avx2

#pragma GCC pop_options

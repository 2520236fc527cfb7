// The AVX2+FMA build of the micro-kernel: 6 rows x 16 columns in 12 of the 16 ymm registers (the
// classic Haswell shape). Only this file's functions are compiled for AVX2 (the pragma).
#include <immintrin.h>

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/gemm_tiles.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

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
  // Lanes below `columns` (none when columns <= 0, all when >= 8).
  static Mask mask(int columns) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(columns), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vec masked_load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void masked_store(Mask m, float* p, Vec v) { _mm256_maskstore_ps(p, m, v); }
};

}  // namespace

TileFunction tile_for_rows(int rows) { return pick_tile<Isa, kMaxRows>(rows); }

}  // namespace clip4j::kernels::avx2

#pragma GCC pop_options

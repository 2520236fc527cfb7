// The attention kernel's two ISA-specific pieces behind gemm_tiles.h: the row softmax and the
// packing of keys as column panels. Written once over a vector ISA's traits (as
// gemm_tile_template.h; adds masked_load_or, keep, reduce_max, reduce_add, Index, lane_offsets
// and masked_gather) and compiled by each gemm_tiles_<isa>.cpp under that ISA's target pragma.
// Included only by those files, after activation_math.h and inside their target pragma.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/activation_math.h"

namespace clip4j::kernels {

template <class Isa>
void softmax_row(float* row, int64_t valid, int64_t total, float scale) {
  using Vec = typename Isa::Vec;
  constexpr int kLanes = Isa::kLanes;
  const int64_t whole = valid / kLanes * kLanes;
  const auto tail = Isa::mask(static_cast<int>(valid - whole));
  // Lanes past `valid` read as -inf for the max, and count as 0 in the sum.
  const Vec lowest = Isa::set1(-std::numeric_limits<float>::infinity());
  // x·0 is 0 for every finite score and NaN for NaN or ±inf (an overflow upstream): x86's max
  // would drop a NaN, so the row is checked apart and then given NaN weights, which carry it to
  // the output, where the results check reports it.
  Vec top = lowest, finite = Isa::zero();
  for (int64_t j = 0; j < whole; j += kLanes) {
    const Vec x = Isa::load(row + j);
    top = Isa::max(top, x);
    finite = Isa::add(finite, Isa::mul(x, Isa::zero()));
  }
  if (whole < valid) {
    const Vec x = Isa::masked_load_or(tail, row + whole, lowest);
    top = Isa::max(top, x);
    finite = Isa::add(finite, Isa::keep(tail, Isa::mul(x, Isa::zero())));
  }
  if (std::isnan(Isa::reduce_add(finite))) {
    for (int64_t j = 0; j < total; ++j)
      row[j] = j < valid ? std::numeric_limits<float>::quiet_NaN() : 0.0f;
    return;
  }
  const Vec max = Isa::set1(Isa::reduce_max(top)), factor = Isa::set1(scale);
  // exp(scale·(x - max)): 1 for the largest score, so the sum is at least 1. Exponents below -80
  // give 0 (the exact weight is below 1.8e-35 of the largest): the others then stay normal
  // numbers after the division by the sum (up to 1,500 keys), and no denormal is ever computed,
  // whose microcode assists had made this whole softmax 3x slower (the tail's -inf lanes alone
  // did). exp_of gives 1.6e-38, not a denormal, below -87 (activation_math.h).
  const Vec cutoff = Isa::set1(80.0f);
  const auto exp_scaled = [&](Vec x) {
    const Vec exponent = Isa::mul(Isa::sub(x, max), factor);
    return Isa::where_negative(Isa::add(exponent, cutoff), Isa::zero(), exp_of<Isa>(exponent));
  };
  Vec sum = Isa::zero();
  for (int64_t j = 0; j < whole; j += kLanes) {
    const Vec e = exp_scaled(Isa::load(row + j));
    Isa::masked_store(Isa::mask(kLanes), row + j, e);
    sum = Isa::add(sum, e);
  }
  if (whole < valid) {
    const Vec e = Isa::keep(tail, exp_scaled(Isa::masked_load(tail, row + whole)));
    Isa::masked_store(tail, row + whole, e);
    sum = Isa::add(sum, e);
  }
  const Vec inverse = Isa::set1(1.0f / Isa::reduce_add(sum));
  for (int64_t j = 0; j < valid; j += kLanes) {
    const auto lanes = Isa::mask(static_cast<int>(valid - j));
    Isa::masked_store(lanes, row + j, Isa::mul(Isa::masked_load(lanes, row + j), inverse));
  }
  for (int64_t j = valid; j < total; ++j) row[j] = 0.0f;
}

// panels[(p·depth + d)·width + j] = a[(p·width + j)·lda + d] for the rows below `rows`, 0 past
// them (width = 2·kLanes): A's rows as the columns of panels, gathered a vector at a time. Scalar
// copies ran at 2 cycles an element (the rows of a q, k, v projection are 9 KB apart, so their
// lines crowd four of L1's sets) and took a quarter of the attention's time.
template <class Isa>
void pack_transposed(const float* a, int64_t lda, int64_t rows, int64_t depth, float* panels) {
  constexpr int kLanes = Isa::kLanes;
  // Lanes i and kLanes + i of a panel's row: rows i and kLanes + i of the 2·kLanes it covers.
  const auto low = Isa::lane_offsets(lda), high = Isa::lane_offsets(lda, kLanes);
  for (int64_t row = 0; row < rows; row += 2 * kLanes) {
    const auto m0 = Isa::mask(static_cast<int>(rows - row));
    const auto m1 = Isa::mask(static_cast<int>(rows - row - kLanes));
    const float* first = a + row * lda;
    for (int64_t d = 0; d < depth; ++d, panels += 2 * kLanes) {
      Isa::masked_store(Isa::mask(kLanes), panels, Isa::masked_gather(m0, first + d, low));
      Isa::masked_store(Isa::mask(kLanes), panels + kLanes,
                        Isa::masked_gather(m1, first + d, high));
    }
  }
}

}  // namespace clip4j::kernels

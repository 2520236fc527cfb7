// The one micro-kernel behind gemm_tiles.h, written once over a vector ISA's traits (Isa: Vec,
// Mask, kLanes, zero, load, broadcast, fma, add, mask, masked_load, masked_store, and the
// arithmetic activation_math.h needs) and compiled by each gemm_tiles_<isa>.cpp under that ISA's
// target pragma.
//
// A tile of Rows rows by two vectors of columns stays in 2 * Rows registers for the whole slice;
// each k step loads two vectors of the panel and broadcasts one float of A per row.
// Included only by those files, after their standard headers and inside their target pragma.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

#include "kernels/activation_math.h"
#include "kernels/gemm_tiles.h"

namespace clip4j::kernels {

template <class Isa, int Rows>
void tile(const Tile& t) {
  using Vec = typename Isa::Vec;
  constexpr int kLanes = Isa::kLanes;
  Vec acc[Rows][2];
  for (int i = 0; i < Rows; ++i) acc[i][0] = acc[i][1] = Isa::zero();
  const float* b = t.panel;
  // Rows by threes: row 3j + i of A is bases[j] + i * lda, an x86 address of one base register
  // and one index register (lda or 2 * lda, scaled by 4), so a k step needs no address arithmetic
  // beyond advancing the bases; one running row pointer made a chain of 11 dependent adds a step.
  constexpr int kBases = (Rows + 2) / 3;
  const float* bases[kBases];
  const int64_t lda = t.lda, lda2 = 2 * t.lda;
  for (int j = 0; j < kBases; ++j) bases[j] = t.a + 3 * j * lda;
  const auto step = [&](const float* panel_row) {
    const Vec b0 = Isa::load(panel_row);
    const Vec b1 = Isa::load(panel_row + kLanes);
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      const float* base = bases[i / 3];
      const Vec a = Isa::broadcast(i % 3 == 0 ? base : i % 3 == 1 ? base + lda : base + lda2);
      acc[i][0] = Isa::fma(a, b0, acc[i][0]);
      acc[i][1] = Isa::fma(a, b1, acc[i][1]);
    }
#pragma GCC unroll 4
    for (int j = 0; j < kBases; ++j) ++bases[j];
  };
  // Four steps at a time: the bases advance and the prefetch share is counted once per group.
  constexpr int64_t kGroup = 4;
  const int64_t whole = t.depth / kGroup * kGroup;
  const char* next = reinterpret_cast<const char*>(t.prefetch);
  const int64_t lines = t.prefetch == nullptr ? 0 : t.prefetch_lines;
  int64_t due = 0;
  for (int64_t k = 0; k < whole; k += kGroup) {
    // The tile's share of the next slice, spread evenly over its steps (Bresenham): a burst of
    // prefetches from the first tile alone was 20% slower at batch 1 than one spread over all.
    for (due += kGroup * lines; due >= t.depth; due -= t.depth, next += 64) {
      __builtin_prefetch(next, 0, 2);
    }
#pragma GCC unroll 4
    for (int64_t u = 0; u < kGroup; ++u) step(b + (k + u) * 2 * kLanes);
  }
  for (int64_t k = whole; k < t.depth; ++k) {
    for (due += lines; due >= t.depth; due -= t.depth, next += 64) __builtin_prefetch(next, 0, 2);
    step(b + k * 2 * kLanes);
  }
  // Masked loads and stores: the last panel of an output width that is not a multiple of the
  // panel width has fewer valid columns, and nothing past them may be read or written.
  const auto m0 = Isa::mask(t.columns), m1 = Isa::mask(t.columns - kLanes);
  Vec bias0 = Isa::zero(), bias1 = Isa::zero();
  if (!t.accumulate && t.bias != nullptr) {
    bias0 = Isa::masked_load(m0, t.bias);
    bias1 = Isa::masked_load(m1, t.bias + kLanes);
  }
  // Row i's sums with what C already holds, or with the bias and the residual.
  const auto add_base = [&](int i, Vec& sum0, Vec& sum1) {
    const float* c = t.c + i * t.ldc;
    Vec base0 = bias0, base1 = bias1;
    if (t.accumulate) {
      base0 = Isa::masked_load(m0, c);
      base1 = Isa::masked_load(m1, c + kLanes);
    } else if (t.residual != nullptr) {
      const float* r = t.residual + i * t.ldc;
      base0 = Isa::add(base0, Isa::masked_load(m0, r));
      base1 = Isa::add(base1, Isa::masked_load(m1, r + kLanes));
    }
    sum0 = Isa::add(base0, acc[i][0]);
    sum1 = Isa::add(base1, acc[i][1]);
  };
  // Both loops unrolled, so the sums stay in registers. Without an activation (every slice but a
  // product's last) or with ReLU (a ResNet's 1x1 convolutions) nothing is called: a call to
  // activate() per vector made GCC spill all 2 * Rows accumulators to the stack first, and cost
  // ViT-B-32's products 2% (README, Speed). Both are max(floor, x): floor -inf keeps x as it is
  // (NaN included: x86's max returns its second operand when either is NaN), floor 0 is ReLU.
  if (t.activation == Activation::Identity || t.activation == Activation::Relu) {
    const Vec floor = t.activation == Activation::Relu
                          ? Isa::zero()
                          : Isa::set1(-std::numeric_limits<float>::infinity());
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      Vec sum0, sum1;
      add_base(i, sum0, sum1);
      Isa::masked_store(m0, t.c + i * t.ldc, Isa::max(floor, sum0));
      Isa::masked_store(m1, t.c + i * t.ldc + kLanes, Isa::max(floor, sum1));
    }
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      Vec sum0, sum1;
      add_base(i, sum0, sum1);
      Isa::masked_store(m0, t.c + i * t.ldc, activate<Isa>(t.activation, sum0));
      Isa::masked_store(m1, t.c + i * t.ldc + kLanes, activate<Isa>(t.activation, sum1));
    }
  }
}

template <class Isa, int... Rows>
constexpr std::array<TileFunction, sizeof...(Rows)> tile_table(
    std::integer_sequence<int, Rows...>) {
  return {&tile<Isa, Rows + 1>...};
}

// The tile for `rows` rows, 1 <= rows <= MaxRows.
template <class Isa, int MaxRows>
TileFunction pick_tile(int rows) {
  static constexpr auto kTiles = tile_table<Isa>(std::make_integer_sequence<int, MaxRows>{});
  return kTiles[rows - 1];
}

}  // namespace clip4j::kernels

// The micro-kernels behind packed_gemm.h and packed_attention.h: one tile of up to kMaxRows rows
// of C from a slice of a column panel, kept in vector registers for the whole slice; and the
// attention's softmax of a row of scores and packing of keys.
#pragma once

#include <cstdint>

#include "common/activation.h"

namespace clip4j::kernels {

struct Tile {
  const float* a;  // first row of A, at the slice's first k
  int64_t lda;
  const float* panel;  // the panel at the slice's first k: depth rows of panel-width floats
  int64_t depth;
  float* c;  // first row of C, at the panel's first column
  int64_t ldc;
  int columns;  // valid columns in this panel (the last one may be partial)
  // The first slice writes C = bias + residual + A·B; later slices add their partial sum to C
  // (a sum of sums, which keeps float32 rounding close to BLAS's blocked sums).
  bool accumulate;
  const float* bias;  // at the panel's first column, or null
  // At the tile's first row and the panel's first column, or null; laid out like C (same ldc).
  const float* residual;
  // Applied to the finished sums as they are stored: Identity on every slice but the last.
  Activation activation;
  // Panel data that will be read next, fetched into L2 while this tile computes: prefetch_lines
  // 64-byte lines from prefetch on, spread over the slice's steps (prefetch may be null).
  const float* prefetch = nullptr;
  int64_t prefetch_lines = 0;
};

using TileFunction = void (*)(const Tile&);

// row[j] = exp(scale·(row[j] - m)) / s for j < valid, m and s the max and the sum over those j;
// row[j] = 0 for valid <= j < total (the keys a causal mask hides).
using SoftmaxRowFunction = void (*)(float* row, int64_t valid, int64_t total, float scale);

// A's first `rows` rows (lda floats apart, `depth` floats each) as the columns of panels of
// kPanelWidth columns, depth rows each; the columns past `rows` 0: the attention's kᵀ.
using PackTransposedFunction = void (*)(const float* a, int64_t lda, int64_t rows, int64_t depth,
                                        float* panels);

namespace avx512 {
constexpr int kPanelWidth = 32;
constexpr int kMaxRows = 12;
// tile_for_rows(r) runs a tile of r rows, 1 <= r <= kMaxRows.
TileFunction tile_for_rows(int rows);
void softmax_row(float* row, int64_t valid, int64_t total, float scale);
void pack_transposed(const float* a, int64_t lda, int64_t rows, int64_t depth, float* panels);
}  // namespace avx512

namespace avx2 {
constexpr int kPanelWidth = 16;
constexpr int kMaxRows = 6;
TileFunction tile_for_rows(int rows);
void softmax_row(float* row, int64_t valid, int64_t total, float scale);
void pack_transposed(const float* a, int64_t lda, int64_t rows, int64_t depth, float* panels);
}  // namespace avx2

}  // namespace clip4j::kernels

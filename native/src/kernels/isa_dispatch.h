// The micro-kernels of one ISA by its GemmIsa value: what packed_gemm.cpp and
// packed_attention.cpp pick their tiles and panel widths from.
#pragma once

#include "kernels/gemm_tiles.h"
#include "kernels/packed_gemm.h"

namespace clip4j::kernels {

inline int panel_width(GemmIsa isa) {
  return isa == GemmIsa::Avx512 ? avx512::kPanelWidth : avx2::kPanelWidth;
}

inline int max_rows(GemmIsa isa) {
  return isa == GemmIsa::Avx512 ? avx512::kMaxRows : avx2::kMaxRows;
}

inline TileFunction tile_for_rows(GemmIsa isa, int rows) {
  return isa == GemmIsa::Avx512 ? avx512::tile_for_rows(rows) : avx2::tile_for_rows(rows);
}

inline SoftmaxRowFunction softmax_row_for(GemmIsa isa) {
  return isa == GemmIsa::Avx512 ? &avx512::softmax_row : &avx2::softmax_row;
}

inline PackTransposedFunction pack_transposed_for(GemmIsa isa) {
  return isa == GemmIsa::Avx512 ? &avx512::pack_transposed : &avx2::pack_transposed;
}

}  // namespace clip4j::kernels

#include "kernels/packed_attention.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "kernels/balanced_tasks.h"
#include "kernels/isa_dispatch.h"

// Compiled with -fopenmp, as packed_gemm.cpp and for the same reason (CMakeLists.txt).

namespace clip4j::kernels {
namespace {

int64_t round_up(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// The first 64-byte aligned address in `buffer` (allocated 15 floats longer than it needs).
float* aligned(float* buffer) {
  constexpr uintptr_t kAlign = 64;
  const uintptr_t address = reinterpret_cast<uintptr_t>(buffer);
  return reinterpret_cast<float*>((address + kAlign - 1) / kAlign * kAlign);
}

// C[rows, columns) = A·B for one tile of A's rows, A's rows `lda` floats apart, B as column panels
// of at least `depth` rows each, panel p starting at panels + p * panel_floats.
void multiply(GemmIsa isa, const float* a, int64_t lda, int64_t rows, const float* panels,
              int64_t panel_floats, int64_t depth, int64_t columns, float* c, int64_t ldc) {
  const int64_t width = panel_width(isa);
  const TileFunction tile = tile_for_rows(isa, static_cast<int>(rows));
  for (int64_t column = 0; column < columns; column += width) {
    tile(Tile{a, lda, panels + column / width * panel_floats, depth, c + column, ldc,
              static_cast<int>(std::min(width, columns - column)), false, nullptr, nullptr,
              Activation::Identity});
  }
}

}  // namespace

bool can_attend(const at::Tensor& qkv, int64_t heads) {
  // The keys' packing gathers at 32-bit offsets of up to 32 rows.
  constexpr int64_t kMaxRowFloats = std::numeric_limits<int32_t>::max() / 32;
  return qkv.defined() && qkv.device().is_cpu() && qkv.scalar_type() == at::kFloat &&
         qkv.dim() == 3 && heads > 0 && qkv.size(2) % (3 * heads) == 0 && qkv.size(2) > 0 &&
         qkv.size(2) <= kMaxRowFloats && packed_gemm_isa().has_value();
}

at::Tensor packed_attention(const at::Tensor& qkv_in, int64_t heads, bool causal) {
  TORCH_CHECK(can_attend(qkv_in, heads), "packed_attention: expected float32 [batch, tokens, ",
              "3 * width] with ", heads, " heads, got ", qkv_in.sizes());
  const at::Tensor qkv = qkv_in.contiguous();
  const int64_t batch = qkv.size(0), tokens = qkv.size(1), width = qkv.size(2) / 3;
  const int64_t head_dim = width / heads, ld = 3 * width;
  at::Tensor out = at::empty({batch, tokens, width}, qkv.options());
  if (batch == 0 || tokens == 0) return out;

  const GemmIsa isa = *packed_gemm_isa();
  const int64_t panel = panel_width(isa);
  // kᵀ as panels of tokens (head_dim x panel floats each), v as panels of head_dim (tokens x
  // panel each), scores rows `key_columns` apart; columns past the last token or channel are 0.
  const int64_t key_columns = round_up(tokens, panel), value_columns = round_up(head_dim, panel);
  const int64_t key_floats = key_columns * head_dim, value_floats = value_columns * tokens;
  const int64_t scratch_floats = key_floats + value_floats + tokens * key_columns;
  // Equal row tiles, as packed_linear's (50 tokens: 5 of 10 on AVX-512).
  const int64_t tiles = (tokens + max_rows(isa) - 1) / max_rows(isa);
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const SoftmaxRowFunction softmax = softmax_row_for(isa);
  const PackTransposedFunction pack_keys = pack_transposed_for(isa);
  const float* input = qkv.const_data_ptr<float>();
  float* output = out.mutable_data_ptr<float>();

  // Each worker's scratch, one call long (thread_local buffers would stay with every OpenMP worker
  // of every calling thread): kᵀ's panels, v's panels, the scores.
  std::vector<std::unique_ptr<float[]>> scratch(size_t(at::get_num_threads()));
  run_balanced(batch * heads, [&](int64_t task, int64_t worker) {
    std::unique_ptr<float[]>& buffer = scratch[size_t(worker)];
    if (!buffer) buffer.reset(new float[scratch_floats + 15]);
    float* keys = aligned(buffer.get());
    float* values = keys + key_floats;
    float* scores = values + value_floats;
    const int64_t sequence = task / heads, head = task % heads;
    const float* q = input + sequence * tokens * ld + head * head_dim;
    const float* k = q + width;
    const float* v = q + 2 * width;
    pack_keys(k, ld, tokens, head_dim, keys);
    // v: each token's row split over the panels; columns past head_dim are 0.
    std::fill(values + (value_columns - panel) * tokens, values + value_floats, 0.0f);
    for (int64_t column = 0; column < head_dim; column += panel) {
      float* p = values + column * tokens;
      const int64_t n = std::min(panel, head_dim - column);
      for (int64_t token = 0; token < tokens; ++token) {
        for (int64_t c = 0; c < n; ++c) p[token * panel + c] = v[token * ld + column + c];
      }
    }
    float* o = output + sequence * tokens * width + head * head_dim;
    for (int64_t tile = 0; tile < tiles; ++tile) {
      const int64_t row = tile * tokens / tiles, rows = (tile + 1) * tokens / tiles - row;
      // Causal: these rows see keys below row + rows only; the scores past them stay unread.
      const int64_t keys_seen = causal ? row + rows : tokens;
      multiply(isa, q + row * ld, ld, rows, keys, head_dim * panel, head_dim, keys_seen,
               scores + row * key_columns, key_columns);
      for (int64_t i = row; i < row + rows; ++i) {
        softmax(scores + i * key_columns, causal ? i + 1 : tokens, keys_seen, scale);
      }
      multiply(isa, scores + row * key_columns, key_columns, rows, values, tokens * panel,
               keys_seen, head_dim, o + row * width, width);
    }
  });
  return out;
}

}  // namespace clip4j::kernels

#include "kernels/packed_gemm.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "common/errors.h"
#include "kernels/balanced_tasks.h"
#include "kernels/isa_dispatch.h"

// This file must be compiled with -fopenmp: ATen's parallel_for is a header template, and without
// it runs everything on the calling thread. It then uses libtorch's own libgomp (CMakeLists.txt).

namespace clip4j::kernels {
namespace {

// k steps per slice: C gets a sum of 256-term sums rather than one long chain. Measured against
// float64 (800 rows, K = 768 and 3072): rms error 2.9e-7 and 3.1e-7, OpenBLAS's 3.0e-7 and 3.3e-7;
// 128 was a little more exact (2.2e-7) but 5% slower, from storing and reloading C twice as often.
constexpr int64_t kSliceDepth = 256;
// Up to 512 rows (ViT-B-32: batch 10) a task is all rows against one panel, so each panel slice is
// read once and reused by every row tile while A's slice stays in L2. At 200-400 rows that was
// 2-5% faster than one task per row tile on the 2-core Zen 4 machine; on the 2-core Xeon it was
// level with the equal chunks below.
constexpr int64_t kAllRowsUpTo = 512;
constexpr int64_t kLineFloats = 64 / sizeof(float);
// Larger inputs run in equal chunks of at most 96 rows (8 tiles), each chunk's rows of A small
// enough to stay in half of a core's L2 while the panels stream past. On the Xeon, at 800 and 1350
// rows, chunks of 96 ran at 280-310 GFLOP/s where one task per row tile (which streams the whole
// weight from L3 once per 12 rows) ran at 200-250 and all rows at 230-270.
constexpr int64_t kMaxChunkRows = 96;

int64_t l2_bytes() {
  const long size = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return size > 0 ? size : int64_t(1) << 20;
}

// Rows per task for an input of `rows` rows and depth `in`.
int64_t rows_per_task(int64_t rows, int64_t in, int tile_rows) {
  if (rows <= kAllRowsUpTo) return rows;
  static const int64_t l2 = l2_bytes();
  const int64_t fit = l2 / 2 / (in * int64_t(sizeof(float))) / tile_rows * tile_rows;
  const int64_t limit = std::clamp<int64_t>(fit, tile_rows, kMaxChunkRows);
  const int64_t chunks = (rows + limit - 1) / limit;
  return (rows + chunks - 1) / chunks;
}

std::optional<GemmIsa> best_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return GemmIsa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return GemmIsa::Avx2;
  return std::nullopt;
}

std::optional<GemmIsa> chosen_isa() {
  const char* env = std::getenv("CLIP4J_CPU_GEMM");
  const std::string choice = env == nullptr ? "packed" : env;
  if (choice == "packed" || choice.empty()) return best_isa();
  if (choice == "libtorch") return std::nullopt;
  if (choice == "avx2") {
    if (best_isa().has_value()) return GemmIsa::Avx2;
    throw InvalidArgument("CLIP4J_CPU_GEMM=avx2, but this CPU lacks AVX2 and FMA");
  }
  throw InvalidArgument("CLIP4J_CPU_GEMM='" + choice +
                        "' is not one of packed (the default), avx2, libtorch");
}

}  // namespace

std::optional<GemmIsa> packed_gemm_isa() {
  // Thrown again at each model load while the variable is wrong, so every load names it.
  static const std::optional<GemmIsa> isa = chosen_isa();
  return isa;
}

bool can_pack(const at::Tensor& weight) {
  return weight.defined() && weight.device().is_cpu() && weight.scalar_type() == at::kFloat &&
         weight.dim() == 2 && weight.numel() > 0 && packed_gemm_isa().has_value();
}

PackedWeight pack_weight(const at::Tensor& weight) {
  PackedWeight p;
  p.isa = *packed_gemm_isa();
  p.out = weight.size(0);
  p.in = weight.size(1);
  const int64_t width = panel_width(p.isa);
  const int64_t panels = (p.out + width - 1) / width;
  const at::Tensor padded =
      at::constant_pad_nd(weight.contiguous(), {0, 0, 0, panels * width - p.out});
  // [panels * width, in] -> [panels, in, width]
  p.panels = padded.view({panels, width, p.in}).transpose(1, 2).contiguous();
  return p;
}

at::Tensor packed_linear(const at::Tensor& x_in, const PackedWeight& w, const at::Tensor& bias,
                         const at::Tensor& residual_in, Activation activation) {
  TORCH_CHECK(x_in.scalar_type() == at::kFloat && x_in.size(-1) == w.in,
              "packed_linear: expected float32 [..., ", w.in, "], got ", x_in.sizes());
  const at::Tensor x = x_in.contiguous();
  std::vector<int64_t> out_shape = x.sizes().vec();
  out_shape.back() = w.out;
  at::Tensor y = at::empty(out_shape, x.options());
  at::Tensor residual;
  if (residual_in.defined()) {
    TORCH_CHECK(residual_in.sizes() == y.sizes(), "packed_linear: residual ", residual_in.sizes(),
                " does not match the output ", y.sizes());
    residual = residual_in.contiguous();
  }
  const int64_t rows = x.numel() / w.in, in = w.in, out = w.out;
  if (rows == 0) return y;

  const GemmIsa isa = w.isa;
  const int64_t width = panel_width(isa);
  const int64_t panels = (out + width - 1) / width;
  const int64_t row_chunk = rows_per_task(rows, in, max_rows(isa));
  const int64_t chunks = (rows + row_chunk - 1) / row_chunk;
  const float* a = x.const_data_ptr<float>();
  const float* packed = w.panels.const_data_ptr<float>();
  const float* b = bias.defined() ? bias.const_data_ptr<float>() : nullptr;
  const float* r = residual.defined() ? residual.const_data_ptr<float>() : nullptr;
  float* c = y.mutable_data_ptr<float>();

  // One task: one chunk of rows against one panel. Consecutive tasks share the chunk, so each
  // thread keeps its rows of A cached while it sweeps its share of the panels.
  run_balanced(chunks * panels, [&](int64_t task, int64_t) {
    const int64_t panel = task % panels;
    const int64_t row_begin = (task / panels) * row_chunk;
    const int64_t chunk_rows = std::min(row_chunk, rows - row_begin);
    const int64_t column = panel * width;
    const int columns = static_cast<int>(std::min(width, out - column));
    // Equal row tiles (50 rows: 5 of 10, not 4 of 12 and 1 of 2).
    const int64_t tiles = (chunk_rows + max_rows(isa) - 1) / max_rows(isa);
    for (int64_t k = 0; k < in; k += kSliceDepth) {
      const int64_t depth = std::min(kSliceDepth, in - k);
      // While this slice computes, its row tiles fetch the next one into L2, each a share: the
      // panel's next slice, or after its last the next panel's first (this thread's next task).
      const bool last_of_weight = panel + 1 == panels && k + depth == in;
      const float* next_slice =
          last_of_weight ? nullptr : packed + (panel * in + k + depth) * width;
      const int64_t next_lines = last_of_weight ? 0 : depth * width / kLineFloats;
      int64_t row = row_begin;
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t tile_rows = (row_begin + chunk_rows - row + (tiles - t) - 1) / (tiles - t);
        Tile tile{a + row * in + k,
                  in,
                  packed + (panel * in + k) * width,
                  depth,
                  c + row * out + column,
                  out,
                  columns,
                  k > 0,
                  b == nullptr ? nullptr : b + column,
                  r == nullptr ? nullptr : r + row * out + column,
                  k + depth == in ? activation : Activation::Identity,
                  next_slice + (t * next_lines / tiles) * kLineFloats,
                  (t + 1) * next_lines / tiles - t * next_lines / tiles};
        tile_for_rows(isa, static_cast<int>(tile_rows))(tile);
        row += tile_rows;
      }
    }
  });
  return y;
}

}  // namespace clip4j::kernels

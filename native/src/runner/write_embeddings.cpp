#include "runner/write_embeddings.h"

#include <ATen/ATen.h>

#include <cstring>

namespace clip4j {

void write_embeddings(at::Tensor embeddings, bool normalize, float* out) {
  embeddings = embeddings.to(at::kFloat);
  if (normalize) {
    // F.normalize: x / max(||x||, 1e-12)
    embeddings = embeddings / embeddings.norm(2, -1, true).clamp_min(1e-12);
  }
  embeddings = embeddings.to(at::kCPU).contiguous();
  std::memcpy(out, embeddings.data_ptr<float>(), embeddings.numel() * sizeof(float));
}

}  // namespace clip4j

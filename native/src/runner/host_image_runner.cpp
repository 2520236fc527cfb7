#include "runner/host_image_runner.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <vector>

#include "runner/write_embeddings.h"

namespace clip4j {

void HostImageRunner::run(int batch, const Fill& fill, bool normalize, float* out) {
  std::vector<float> pixels(size_t(batch) * 3 * image_size_ * image_size_);
  fill(pixels.data(), 0, batch);
  run_pixels(pixels.data(), batch, normalize, out);
}

void HostImageRunner::run_pixels(const float* pixels, int batch, bool normalize,
                                 float* out) const {
  c10::InferenceMode guard;
  // fp32 means fp32: on a GPU cuDNN would otherwise run convolutions in TF32.
  at::NoTF32Guard exact;
  const at::Tensor host = at::from_blob(const_cast<float*>(pixels),
                                        {batch, 3, image_size_, image_size_},
                                        at::TensorOptions().dtype(at::kFloat));
  write_embeddings(tower_.encode(host.to(weights_)), normalize, out);
}

}  // namespace clip4j

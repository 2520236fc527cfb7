#include "runner/host_image_runner.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/errors.h"

#include "runner/sub_batches.h"
#include "runner/write_embeddings.h"

namespace clip4j {

void HostImageRunner::run(int batch, const Fill& fill, bool normalize, float* out) {
  std::vector<float> pixels(size_t(batch) * 3 * image_size_ * image_size_);
  fill(pixels.data(), 0, batch);
  run_pixels(pixels.data(), batch, normalize, out);
}

namespace {

// On the CPU a batch runs in chunks whose largest activation stays within a budget, 16 MB unless
// CLIP4J_CPU_CHUNK_MB says otherwise (0: one image at a time). Past it the activations no longer
// stay in cache and glibc maps and unmaps each of them: whole batches of ViT-B-32 took 43.7 ms per
// image at 16 and 49.9 at 256, RN50 65 at 4 and 85 at 16.
int64_t cpu_chunk_bytes() {
  const char* env = std::getenv("CLIP4J_CPU_CHUNK_MB");
  if (env == nullptr || *env == '\0') return int64_t(16) << 20;
  const std::string text = env;
  if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw InvalidArgument("CLIP4J_CPU_CHUNK_MB='" + text +
                          "' is not a whole number of megabytes from 0 to 999999");
  }
  return std::stoll(text) << 20;
}

}  // namespace

HostImageRunner::HostImageRunner(ImageTower& tower, int image_size, c10::TensorOptions weights)
    : tower_(tower), image_size_(image_size), weights_(weights) {
  if (!weights_.device().is_cpu()) return;  // a GPU wants the whole batch at once
  if (weights_.dtype() != at::kFloat) images_per_thread_ = kHalfPrecisionImagesPerThread;
  const int64_t per_image = tower.largest_activation_per_image() *
                            int64_t(c10::elementSize(weights_.dtype().toScalarType()));
  chunk_ = std::max<int64_t>(cpu_chunk_bytes() / std::max<int64_t>(per_image, 1), 1);
  // Every size up to a chunk: a batch runs in whole chunks and one partial chunk of any size.
  std::vector<int64_t> sizes(chunk_);
  for (int64_t i = 0; i < chunk_; i++) sizes[i] = i + 1;
  tower.prepare_batch_sizes(sizes);
}

void HostImageRunner::run_pixels(const float* pixels, int batch, bool normalize, float* out) const {
  const int64_t per_image = int64_t(3) * image_size_ * image_size_;
  // One pass of the tower over images [start, start + count).
  const auto encode = [&](int64_t start, int64_t count) {
    // fp32 means fp32: on a GPU cuDNN would otherwise run convolutions in TF32.
    at::NoTF32Guard exact;
    const at::Tensor host =
        at::from_blob(const_cast<float*>(pixels + start * per_image),
                      {count, 3, image_size_, image_size_}, at::TensorOptions().dtype(at::kFloat));
    const at::Tensor embeddings = tower_.encode(host.to(weights_));
    write_embeddings(embeddings, normalize, out + start * embeddings.size(1));
  };
  for (int64_t first = 0, count = 0; first < batch; first += count) {
    count = std::min<int64_t>(chunk_, batch - first);
    run_split_by_thread(first, count, images_per_thread_, encode);
  }
}

}  // namespace clip4j

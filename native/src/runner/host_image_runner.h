// The plain path: preprocess into ordinary host memory, move the batch to the tower's device, run
// the tower eagerly. The CPU always runs this; a GPU runs it in builds without CUDA support.
#pragma once

#include <ATen/Tensor.h>

#include <limits>

#include "models/image_tower.h"
#include "runner/image_batch_runner.h"

namespace clip4j {

class HostImageRunner final : public ImageBatchRunner {
 public:
  // On the CPU, prepares the tower for the batch sizes this runner will run: 1 and a full chunk.
  // Throws InvalidArgument for a malformed CLIP4J_CPU_CHUNK_MB.
  HostImageRunner(ImageTower& tower, int image_size, c10::TensorOptions weights);

  void run(int batch, const Fill& fill, bool normalize, float* out) override;

  // Embeds pixels already in host memory, without a copy on the CPU.
  void run_pixels(const float* pixels, int batch, bool normalize, float* out) const;

 private:
  const ImageTower& tower_;
  int image_size_;
  c10::TensorOptions weights_;
  // How many images run in one pass of the tower: all on a GPU; on the CPU as many as keep the
  // largest activation within CLIP4J_CPU_CHUNK_MB.
  int64_t chunk_ = std::numeric_limits<int>::max();

  // A chunk with at least this many images per thread runs as one sub-batch per thread
  // (sub_batches.h): in half precision on the CPU, 4. oneDNN ran some bfloat16 products of a whole
  // batch on one thread (ViT-B-32 at 800 rows: 768 and 3072 -> 768 on the 2-core Xeon) while the
  // other waited: bf16 ViT-B-32 batch 16 took 186-196 ms whole, 111 as two of 8; 4 images per
  // thread level, fewer slower. float32 images run on clip4j's kernels, which share every product's
  // tasks between the threads: level either way, so they stay whole (no limit).
  static constexpr int64_t kHalfPrecisionImagesPerThread = 4;
  int64_t images_per_thread_ = std::numeric_limits<int>::max();
};

}  // namespace clip4j

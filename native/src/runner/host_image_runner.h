// The plain path: preprocess into ordinary host memory, move the batch to the tower's device, run
// the tower eagerly. The CPU always runs this; a GPU runs it in builds without CUDA support.
#pragma once

#include <ATen/Tensor.h>

#include "models/image_tower.h"
#include "runner/image_batch_runner.h"

namespace clip4j {

class HostImageRunner final : public ImageBatchRunner {
 public:
  HostImageRunner(const ImageTower& tower, int image_size, c10::TensorOptions weights)
      : tower_(tower), image_size_(image_size), weights_(weights) {}

  void run(int batch, const Fill& fill, bool normalize, float* out) override;

  // Embeds pixels already in host memory, without a copy on the CPU.
  void run_pixels(const float* pixels, int batch, bool normalize, float* out) const;

 private:
  const ImageTower& tower_;
  int image_size_;
  c10::TensorOptions weights_;
};

}  // namespace clip4j

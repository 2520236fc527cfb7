// The GPU image path (built with CLIP4J_CUDA=ON): pinned staging buffers per batch-size bucket,
// host-to-device copies on their own stream, and one CUDA graph per bucket for the forward pass.
#pragma once

#include <ATen/Tensor.h>

#include <memory>

#include "models/image_tower.h"
#include "runner/image_batch_runner.h"

namespace clip4j {

struct CudaImageRunnerOptions {
  int image_size = 224;
  int embed_dim = 512;
  c10::TensorOptions weights;  // the tower's dtype and CUDA device
  bool graphs = true;          // capture a CUDA graph per bucket; false runs the tower eagerly
  int max_bucket = 256;        // larger batches are split into chunks of this many images
};

// Returns the GPU runner, or null where this library was built without CUDA support: the model
// then runs on the GPU through libtorch's generic calls, without pinned buffers or graphs.
std::unique_ptr<ImageBatchRunner> make_cuda_image_runner(const ImageTower& tower,
                                                         const CudaImageRunnerOptions& options);

// Whether make_cuda_image_runner gives a runner in this build.
bool cuda_image_runner_built();

}  // namespace clip4j

// The CPU build: no CUDA headers or libraries, so no pinned-buffer GPU runner (see
// cuda/cuda_graph_image_runner.cpp for the gpu build's).
#include "runner/cuda_image_runner.h"

namespace clip4j {

std::unique_ptr<ImageBatchRunner> make_cuda_image_runner(const ImageTower&,
                                                         const CudaImageRunnerOptions&) {
  return nullptr;
}

bool cuda_image_runner_built() { return false; }

}  // namespace clip4j

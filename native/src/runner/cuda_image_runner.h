// The GPU image path of the gpu build: pinned staging buffers per batch-size bucket, host-to-device
// copies on their own stream, one CUDA graph per bucket for the forward pass. It lives in its own
// library, libclip4j_cuda.so (native/src/runner/cuda), loaded only when a model is put on a GPU:
// libclip4j itself never links CUDA, so the gpu build still runs on the CPU of a machine without
// NVIDIA's driver.
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

// Loads libclip4j_cuda.so (and with it libtorch's CUDA library) from beside libclip4j.so. Returns
// false where there is none (the CPU build); throws Unsupported, naming the missing library, where
// it is there but cannot load.
bool load_cuda_support();

// The GPU runner, or null without libclip4j_cuda: the model then runs on the GPU through
// libtorch's generic calls, without pinned buffers or graphs.
std::unique_ptr<ImageBatchRunner> make_cuda_image_runner(const ImageTower& tower,
                                                         const CudaImageRunnerOptions& options);

// Page-locks [begin, begin + bytes) for the GPU runner (clip4j_pin_pixels), through libclip4j_cuda;
// throws Unsupported without it, InvalidArgument for an overlap, DeviceError when CUDA refuses.
void pin_host_memory(const void* begin, size_t bytes);
// Undoes it; does nothing where libclip4j_cuda is not loaded or `begin` was not pinned.
void unpin_host_memory(const void* begin);

}  // namespace clip4j

// libclip4j_cuda's one entry point, looked up with dlsym.
extern "C" clip4j::ImageBatchRunner* clip4j_cuda_make_image_runner(
    const clip4j::ImageTower* tower, const clip4j::CudaImageRunnerOptions* options);
extern "C" void clip4j_cuda_pin_host_memory(const void* begin, size_t bytes);
extern "C" void clip4j_cuda_unpin_host_memory(const void* begin);

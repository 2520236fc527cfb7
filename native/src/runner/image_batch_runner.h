// How a batch of images reaches the image tower: the runner owns the buffer preprocessing writes
// into, so a device runner can hand out pinned host memory and copy it to the GPU asynchronously.
#pragma once

#include <cstdint>
#include <functional>

namespace clip4j {

class ImageBatchRunner {
 public:
  // Writes images [first, first + count) of the batch, preprocessed ([count, 3, size, size]
  // floats), to `pixels`.
  using Fill = std::function<void(float* pixels, int first, int count)>;

  virtual ~ImageBatchRunner() = default;

  // Embeds `batch` images: calls `fill` (once, or once per chunk of a batch larger than the
  // runner's largest), runs the tower and writes batch x embed_dim floats to `out`.
  virtual void run(int batch, const Fill& fill, bool normalize, float* out) = 0;
};

}  // namespace clip4j

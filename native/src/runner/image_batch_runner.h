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

  enum class PinnedRun {
    NotPinned,  // the pixels do not lie in memory pinned with clip4j_pin_pixels: nothing was run
    Finite,     // embedded
    // Embedded, but the device's check of the pixels failed: a NaN or infinity, or a sum of them
    // past float32's range; the caller scans them on the host to tell which.
    CheckFailed,
  };
  // Embeds `batch` preprocessed images ([batch, 3, size, size] floats) where they lie, when that
  // is host memory pinned for this runner's device: copied to it as they are, and checked for
  // NaN and infinity there rather than on the host.
  virtual PinnedRun run_pinned(const float* pixels, int batch, bool normalize, float* out) {
    return PinnedRun::NotPinned;
  }
};

}  // namespace clip4j

// A loaded CLIP model: both towers, the preprocessing config, the device and precision it runs in.
// Each public method is one batch, called once per native call from the facade.
#pragma once

#include <ATen/Tensor.h>

#include <functional>
#include <memory>
#include <string>

#include "clip4j.h"
#include "models/image_tower.h"
#include "models/text_transformer.h"
#include "runner/host_image_runner.h"
#include "runner/image_batch_runner.h"

namespace clip4j {

class ClipModel {
 public:
  static std::unique_ptr<ClipModel> load(const std::string& weights_path,
                                         const clip4j_model_config& config,
                                         const clip4j_load_options& options);

  // [batch, context_length] token ids -> [batch, embed_dim] floats in `out`.
  void encode_text(const int64_t* token_ids, int batch, int context_length, bool normalize,
                   float* out) const;
  // Preprocessed pixels [batch, 3, size, size] -> embeddings in `out`.
  void encode_pixels(const float* pixels, int batch, bool normalize, float* out) const;
  // Page-locks `floats` floats at `pixels` for this model's GPU, so that encode_pixels copies
  // pixels lying there to it as they are; false on the CPU, which reads them in place already.
  bool pin_pixels(float* pixels, int64_t floats) const;
  // Undoes pin_pixels; any model's, after that model is gone too.
  static void unpin_pixels(float* pixels);
  // Encoded files (file i is data[offsets[i], offsets[i+1])) -> embeddings; on a GPU of the gpu
  // build, decoding writes straight into pinned memory.
  void encode_encoded(const uint8_t* data, const int64_t* offsets, int batch, bool normalize,
                      float* out) const;
  // RGB pixels (image i: widths[i] x heights[i] at rgb + offsets[i]) -> embeddings.
  void encode_rgb(const uint8_t* rgb, const int64_t* offsets, const int32_t* widths,
                  const int32_t* heights, int batch, bool normalize, float* out) const;
  // Encoded files -> preprocessed pixels, decoded and resized in parallel over the batch.
  void preprocess_encoded(const uint8_t* data, const int64_t* offsets, int batch,
                          float* pixels_out) const;
  // RGB pixels -> preprocessed pixels.
  void preprocess_rgb(const uint8_t* rgb, const int64_t* offsets, const int32_t* widths,
                      const int32_t* heights, int batch, float* pixels_out) const;

  int64_t max_image_pixels() const { return max_image_pixels_; }
  int64_t pixels_per_image() const {
    return 3 * int64_t(config_.preprocess.size) * config_.preprocess.size;
  }
  int64_t parameter_count() const { return parameter_count_; }
  // Both towers' linear layers, and how many of them run on the packed CPU kernels.
  LinearLayerCount linear_layers() const;
  float logit_scale() const { return logit_scale_; }

 private:
  // Images [first, first + count) of a batch, preprocessed into `pixels_out`.
  void preprocess_encoded_range(const uint8_t* data, const int64_t* offsets, int first, int count,
                                float* pixels_out) const;
  void preprocess_rgb_range(const uint8_t* rgb, const int64_t* offsets, const int32_t* widths,
                            const int32_t* heights, int first, int count, float* pixels_out) const;
  // The GPU runner where there is one, else the plain host path.
  ImageBatchRunner& image_runner() const;
  // Every encode function's last step: NumericOverflow if an embedding in `out` is not finite.
  void require_finite_output(const float* out, int batch) const;

  clip4j_model_config config_{};
  c10::TensorOptions options_;
  int64_t max_image_pixels_ = 0;
  int64_t parameter_count_ = 0;
  float logit_scale_ = 1.0f;
  std::unique_ptr<ImageTower> image_tower_;
  TextTransformer text_tower_;
  std::unique_ptr<HostImageRunner> host_runner_;
  std::unique_ptr<ImageBatchRunner> device_runner_;  // null on the CPU and in the CPU build
};

}  // namespace clip4j

// The C facade: argument checks, then one call into the runner, with every exception caught and
// turned into a status and message. Nothing may escape into the JVM.
#include "clip4j.h"

#include <c10/util/Exception.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/errors.h"
#include "facade/guarded.h"
#include "preprocessing/image_decode.h"
#include "runner/clip_model.h"
#include "weights/checkpoint_reader.h"

struct clip4j_model {
  std::unique_ptr<clip4j::ClipModel> model;
};

using clip4j::facade::guarded;

namespace {

// The listing's fields are separated by tabs and its lines by newlines; a tensor name, which the
// file chooses, may hold either.
std::string escaped(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void require(bool condition, const char* message) {
  if (!condition) throw clip4j::InvalidArgument(message);
}

void check_model_and_batch(const clip4j_model* model, int32_t batch) {
  require(model != nullptr && model->model != nullptr, "model is null");
  require(batch > 0, "batch must be positive");
}

void check_offsets(const int64_t* offsets, int32_t batch) {
  require(offsets != nullptr, "offsets are null");
  require(offsets[0] >= 0, "offsets must start at or after 0");
  for (int32_t i = 0; i < batch; i++) {
    require(offsets[i + 1] >= offsets[i], "offsets must not decrease");
  }
}

void check_rgb_layout(const int64_t* offsets, const int32_t* widths, const int32_t* heights,
                      int32_t batch) {
  require(offsets != nullptr && widths != nullptr && heights != nullptr,
          "rgb layout arrays are null");
  for (int32_t i = 0; i < batch; i++) {
    require(widths[i] > 0 && heights[i] > 0, "image sizes must be positive");
    require(offsets[i] >= 0, "image offsets must not be negative");
  }
}

}  // namespace

// The library is built with hidden visibility; the facade alone is exported (see clip4j.map).
#pragma GCC visibility push(default)
extern "C" {

clip4j_status clip4j_model_load(const char* weights_path, const clip4j_model_config* config,
                                const clip4j_load_options* options, clip4j_model** model_out,
                                char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    require(
        weights_path != nullptr && config != nullptr && options != nullptr && model_out != nullptr,
        "null argument to clip4j_model_load");
    *model_out = nullptr;
    auto handle = std::make_unique<clip4j_model>();
    handle->model = clip4j::ClipModel::load(weights_path, *config, *options);
    *model_out = handle.release();
  });
}

void clip4j_model_free(clip4j_model* model) { delete model; }

clip4j_status clip4j_checkpoint_describe(const char* path, char* listing, size_t capacity,
                                         size_t* needed, char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    require(path != nullptr && needed != nullptr, "null argument to clip4j_checkpoint_describe");
    const clip4j::Checkpoint checkpoint = clip4j::read_checkpoint(path, /*shapes_only=*/true);
    std::string text = std::string("format\t") + clip4j::format_name(checkpoint.format) + "\n";
    for (const auto& [name, tensor] : checkpoint.tensors) {
      text += "tensor\t" + escaped(name) + "\t" + std::string(c10::toString(tensor.scalar_type())) +
              "\t";
      for (int64_t i = 0; i < tensor.dim(); i++) {
        if (i > 0) text += ',';
        text += std::to_string(tensor.size(i));
      }
      text += "\n";
    }
    *needed = text.size() + 1;
    require(listing != nullptr && capacity >= *needed, "listing buffer too small");
    std::memcpy(listing, text.c_str(), text.size() + 1);
  });
}

int64_t clip4j_model_parameter_count(const clip4j_model* model) {
  return model && model->model ? model->model->parameter_count() : 0;
}

int64_t clip4j_model_linear_layers(const clip4j_model* model) {
  return model && model->model ? model->model->linear_layers().total : 0;
}

int64_t clip4j_model_packed_linear_layers(const clip4j_model* model) {
  return model && model->model ? model->model->linear_layers().packed : 0;
}

float clip4j_model_logit_scale(const clip4j_model* model) {
  return model && model->model ? model->model->logit_scale() : 0.0f;
}

clip4j_status clip4j_encode_text(clip4j_model* model, const int64_t* token_ids, int32_t batch,
                                 int32_t context_length, int32_t normalize, float* embeddings_out,
                                 char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(token_ids != nullptr && embeddings_out != nullptr, "null buffer");
    model->model->encode_text(token_ids, batch, context_length, normalize != 0, embeddings_out);
  });
}

clip4j_status clip4j_encode_pixels(clip4j_model* model, const float* pixels, int32_t batch,
                                   int32_t normalize, float* embeddings_out, char* error,
                                   size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(pixels != nullptr && embeddings_out != nullptr, "null buffer");
    model->model->encode_pixels(pixels, batch, normalize != 0, embeddings_out);
  });
}

clip4j_status clip4j_pin_pixels(clip4j_model* model, float* pixels, int64_t floats,
                                int32_t* pinned_out, char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    require(model != nullptr && model->model != nullptr, "model is null");
    require(pixels != nullptr && pinned_out != nullptr, "null buffer");
    require(floats > 0, "floats must be positive");
    *pinned_out = model->model->pin_pixels(pixels, floats) ? 1 : 0;
  });
}

void clip4j_unpin_pixels(float* pixels) {
  if (pixels == nullptr) return;
  try {
    clip4j::ClipModel::unpin_pixels(pixels);
  } catch (...) {
    // Nothing to report to: the memory simply stays pinned until the process ends.
  }
}

clip4j_status clip4j_preprocess_images(clip4j_model* model, const uint8_t* data,
                                       const int64_t* offsets, int32_t batch, float* pixels_out,
                                       char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(data != nullptr && pixels_out != nullptr, "null buffer");
    check_offsets(offsets, batch);
    model->model->preprocess_encoded(data, offsets, batch, pixels_out);
  });
}

clip4j_status clip4j_preprocess_rgb(clip4j_model* model, const uint8_t* rgb, const int64_t* offsets,
                                    const int32_t* widths, const int32_t* heights, int32_t batch,
                                    float* pixels_out, char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(rgb != nullptr && pixels_out != nullptr, "null buffer");
    check_rgb_layout(offsets, widths, heights, batch);
    model->model->preprocess_rgb(rgb, offsets, widths, heights, batch, pixels_out);
  });
}

clip4j_status clip4j_encode_images(clip4j_model* model, const uint8_t* data, const int64_t* offsets,
                                   int32_t batch, int32_t normalize, float* embeddings_out,
                                   char* error, size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(data != nullptr && embeddings_out != nullptr, "null buffer");
    check_offsets(offsets, batch);
    model->model->encode_encoded(data, offsets, batch, normalize != 0, embeddings_out);
  });
}

clip4j_status clip4j_encode_rgb(clip4j_model* model, const uint8_t* rgb, const int64_t* offsets,
                                const int32_t* widths, const int32_t* heights, int32_t batch,
                                int32_t normalize, float* embeddings_out, char* error,
                                size_t error_capacity) {
  return guarded(error, error_capacity, [&] {
    check_model_and_batch(model, batch);
    require(rgb != nullptr && embeddings_out != nullptr, "null buffer");
    check_rgb_layout(offsets, widths, heights, batch);
    model->model->encode_rgb(rgb, offsets, widths, heights, batch, normalize != 0, embeddings_out);
  });
}

}  // extern "C"
#pragma GCC visibility pop

#include "clip_model.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>

#include "common/errors.h"
#include "common/finite_values.h"
#include "kernels/packed_gemm.h"
#include "models/modified_resnet.h"
#include "models/vision_transformer.h"
#include "preprocessing/clip_preprocess.h"
#include "preprocessing/image_decode.h"
#include "runner/cuda_image_runner.h"
#include "runner/sub_batches.h"
#include "runner/write_embeddings.h"
#include "weights/checkpoint_reader.h"
#include "weights/hugging_face_names.h"

namespace clip4j {
namespace {

constexpr int64_t kDefaultMaxImagePixels = int64_t(1) << 27;  // 134 megapixels

// CUDA device `index`, or an error that says which part is missing: the gpu build, a usable
// device, or the device of that ordinal.
c10::TensorOptions cuda_options(int32_t index) {
  if (!load_cuda_support()) {  // the gpu build's CUDA libraries, before libtorch is asked
    throw Unsupported(
        "CUDA was asked for, but this is clip4j's CPU build: use the gpu build (the jar with "
        "classifier gpu; CLIP4J_GPU=1 for bin/clip4j and benchmarks/bench) on a machine with an "
        "NVIDIA GPU, or device cpu");
  }
  const int64_t devices = at::hasCUDA() ? int64_t(at::getNumGPUs()) : 0;
  if (devices == 0) {
    throw Unsupported(
        "CUDA was asked for, but CUDA finds no usable device here (no NVIDIA GPU, or a driver too "
        "old for CUDA 13); use device cpu");
  }
  if (index < 0 || index >= devices) {
    throw InvalidArgument("cuda:" + std::to_string(index) +
                          " was asked for, but this machine has " + std::to_string(devices) +
                          " CUDA device" + (devices == 1 ? "" : "s") + " (cuda:0" +
                          (devices == 1 ? "" : " to cuda:" + std::to_string(devices - 1)) + ")");
  }
  return c10::TensorOptions().device(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)));
}

c10::TensorOptions tensor_options(const clip4j_load_options& options) {
  at::ScalarType dtype;
  switch (options.precision) {
    case CLIP4J_FP32:
      dtype = at::kFloat;
      break;
    case CLIP4J_FP16:
      dtype = at::kHalf;
      break;
    case CLIP4J_BF16:
      dtype = at::kBFloat16;
      break;
    default:
      throw InvalidArgument("unknown precision " + std::to_string(options.precision));
  }
  switch (options.device) {
    case CLIP4J_DEVICE_CPU:
      return c10::TensorOptions().dtype(dtype).device(at::kCPU);
    case CLIP4J_DEVICE_CUDA:
      return cuda_options(options.device_index).dtype(dtype);
    default:
      throw InvalidArgument("unknown device " + std::to_string(options.device));
  }
}

// libtorch parallelises with OpenMP while OpenBLAS keeps its own pool: left at their defaults both
// take every core and fight. The runner sets libtorch's count when asked. With the packed kernels
// the linear layers run on libtorch's threads, and what still reaches OpenBLAS (attention's small
// products) is called from inside libtorch's parallel loops: OpenBLAS gets one thread, so only one
// pool is ever awake. Otherwise (CLIP4J_CPU_GEMM=libtorch) it gets libtorch's count.
void set_thread_counts(int threads) {
  if (threads > 0) at::set_num_threads(threads);
  using SetThreads = void (*)(int);
  if (auto set_blas =
          reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas(kernels::packed_gemm_isa().has_value() ? 1 : at::get_num_threads());
  }
}

void validate(const clip4j_model_config& c) {
  const auto positive = [](int64_t v, const char* what) {
    if (v <= 0)
      throw InvalidArgument(std::string(what) + " must be positive, got " + std::to_string(v));
  };
  positive(c.embed_dim, "embed_dim");
  positive(c.vision.width, "vision width");
  positive(c.vision.heads, "vision heads");
  if (c.vision.tower == CLIP4J_MODIFIED_RESNET) {
    for (int stage = 0; stage < 4; stage++)
      positive(c.vision.resnet_layers[stage], "ResNet layers");
    if ((c.vision.width * 32) % c.vision.heads != 0) {
      throw InvalidArgument("ResNet width * 32 is not divisible by heads");
    }
  } else if (c.vision.tower == CLIP4J_VISION_TRANSFORMER) {
    positive(c.vision.layers, "vision layers");
    positive(c.vision.mlp_width, "vision mlp width");
    if (c.vision.width % c.vision.heads != 0) {
      throw InvalidArgument("vision width is not divisible by heads");
    }
  } else {
    throw InvalidArgument("unknown vision tower " + std::to_string(c.vision.tower));
  }
  positive(c.text.width, "text width");
  positive(c.text.layers, "text layers");
  positive(c.text.heads, "text heads");
  positive(c.text.mlp_width, "text mlp width");
  positive(c.text.context_length, "context_length");
  positive(c.text.vocab_size, "vocab_size");
  positive(c.preprocess.size, "preprocess size");
  if (c.text.width % c.text.heads != 0)
    throw InvalidArgument("text width is not divisible by heads");
  if (c.preprocess.size != c.vision.image_size) {
    throw InvalidArgument("preprocess size " + std::to_string(c.preprocess.size) +
                          " differs from the image tower's " + std::to_string(c.vision.image_size));
  }
  for (int i = 0; i < 3; i++) {
    if (!(c.preprocess.std[i] > 0)) throw InvalidArgument("preprocess std must be positive");
  }
}

}  // namespace

std::unique_ptr<ClipModel> ClipModel::load(const std::string& weights_path,
                                           const clip4j_model_config& config,
                                           const clip4j_load_options& options) {
  validate(config);
  if (options.num_threads > CLIP4J_MAX_THREADS) {
    throw InvalidArgument("num_threads must be at most " + std::to_string(CLIP4J_MAX_THREADS) +
                          ", got " + std::to_string(options.num_threads));
  }
  // Kept as it is, the count may come from the environment: OMP_NUM_THREADS=16384 crashed the
  // first parallel region just the same.
  if (options.num_threads <= 0 && at::get_num_threads() > CLIP4J_MAX_THREADS) {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    throw InvalidArgument("libtorch is set to " + std::to_string(at::get_num_threads()) +
                          " threads" + (omp ? " (OMP_NUM_THREADS=" + std::string(omp) + ")" : "") +
                          ", more than the " + std::to_string(CLIP4J_MAX_THREADS) +
                          " clip4j runs: lower it, or give the model a thread count");
  }
  c10::InferenceMode guard;
  set_thread_counts(options.num_threads);
  auto model = std::make_unique<ClipModel>();
  model->config_ = config;
  model->options_ = tensor_options(options);
  model->max_image_pixels_ =
      options.max_image_pixels > 0 ? options.max_image_pixels : kDefaultMaxImagePixels;

  TensorMap tensors = read_checkpoint(weights_path).tensors;
  if (config.layout == CLIP4J_LAYOUT_HUGGING_FACE) tensors = hugging_face_to_open_clip(tensors);
  StateDict weights(std::move(tensors), model->options_);
  // Causal masks are rebuilt, not loaded; OpenAI's archives also keep three scalars as tensors.
  weights.ignore_all([](const std::string& name) {
    const auto ends_with = [&](const std::string& suffix) {
      return name.size() >= suffix.size() &&
             name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return ends_with("attn_mask") || name == "input_resolution" || name == "context_length" ||
           name == "vocab_size";
  });
  const Activation activation =
      config.activation == CLIP4J_QUICK_GELU ? Activation::QuickGelu : Activation::Gelu;
  if (config.vision.tower == CLIP4J_MODIFIED_RESNET) {
    model->image_tower_ = ModifiedResNet::load(weights, "visual", config.vision, config.embed_dim);
  } else {
    model->image_tower_ =
        VisionTransformer::load(weights, "visual", config.vision, config.embed_dim, activation);
  }
  const std::string text_prefix = weights.contains("text.token_embedding.weight") ? "text." : "";
  model->text_tower_ =
      TextTransformer::load(weights, text_prefix, config.text, config.embed_dim, activation);
  const at::Tensor logit_scale = weights.take_fp32("logit_scale", {});
  weights.ignore("logit_bias");  // SigLIP-style bias: not used for embeddings
  weights.finish();
  model->logit_scale_ = logit_scale.exp().item<float>();
  // Training clamps logit_scale to ln 100; past ~88.7 its exp is infinite, and zero-shot scores
  // (softmax of exp(logit_scale) * cosine) would all be NaN.
  if (!std::isfinite(model->logit_scale_)) {
    throw CheckpointError("logit_scale " + std::to_string(logit_scale.item<float>()) +
                          " is too large: exp(logit_scale) is infinite (trained CLIP models "
                          "keep it at most ln 100 = 4.61)");
  }
  model->parameter_count_ = weights.parameter_count();
  model->host_runner_ = std::make_unique<HostImageRunner>(*model->image_tower_,
                                                          config.preprocess.size, model->options_);
  if (model->options_.device().is_cuda()) {
    CudaImageRunnerOptions cuda;
    cuda.image_size = config.preprocess.size;
    cuda.embed_dim = config.embed_dim;
    cuda.weights = model->options_;
    cuda.graphs = options.cuda_graphs_off == 0;
    model->device_runner_ = make_cuda_image_runner(*model->image_tower_, cuda);
  }
  return model;
}

void ClipModel::encode_text(const int64_t* token_ids, int batch, int context_length, bool normalize,
                            float* out) const {
  if (context_length != config_.text.context_length) {
    throw InvalidArgument("token rows have " + std::to_string(context_length) +
                          " ids, the model's context length is " +
                          std::to_string(config_.text.context_length));
  }
  c10::InferenceMode guard;
  const at::Tensor ids = at::from_blob(const_cast<int64_t*>(token_ids), {batch, context_length},
                                       at::TensorOptions().dtype(at::kLong));
  const int64_t lowest = ids.min().item<int64_t>();
  const int64_t highest = ids.max().item<int64_t>();
  if (lowest < 0 || highest >= config_.text.vocab_size) {
    throw InvalidArgument("token ids must lie in [0, " + std::to_string(config_.text.vocab_size) +
                          "), found " + std::to_string(lowest < 0 ? lowest : highest));
  }
  // On the CPU, 8 or more prompts per thread run as one sub-batch per thread (sub_batches.h):
  // ViT-B-32's text tower, 2 threads, prompts of 7 tokens: 64 in 137 ms against 154-172 whole
  // (fp32), 33 against 48-54 (bf16); of 30 tokens, 16 in 137-146 against 157-158 (fp32), 34
  // against 53-56 (bf16); 4 per thread 5-20% slower.
  constexpr int64_t kPromptsPerThread = 8;
  const int64_t prompts_per_thread =
      options_.device().is_cpu() ? kPromptsPerThread : std::numeric_limits<int>::max();
  run_split_by_thread(0, batch, prompts_per_thread, [&](int64_t start, int64_t count) {
    at::NoTF32Guard exact;  // fp32 means fp32 on a GPU too
    const at::Tensor rows = ids.narrow(0, start, count).to(options_.device());
    write_embeddings(text_tower_.encode(rows), normalize, out + start * config_.embed_dim);
  });
  require_finite_output(out, batch);
}

void ClipModel::require_finite_output(const float* out, int batch) const {
  require_finite_embeddings(out, batch, config_.embed_dim, options_.dtype().toScalarType());
}

ImageBatchRunner& ClipModel::image_runner() const {
  if (device_runner_) return *device_runner_;
  return *host_runner_;
}

// A caller's pixels are checked on the way in: a NaN would not always survive the forward pass.
void ClipModel::encode_pixels(const float* pixels, int batch, bool normalize, float* out) const {
  const int64_t stride = pixels_per_image();
  if (!device_runner_) {
    require_finite_pixels(pixels, 0, batch, stride);
    host_runner_->run_pixels(pixels, batch, normalize, out);
  } else {
    switch (device_runner_->run_pinned(pixels, batch, normalize, out)) {
      case ImageBatchRunner::PinnedRun::Finite:
        break;
      case ImageBatchRunner::PinnedRun::CheckFailed:
        // The device's sum was not finite: this names the NaN or infinity, or finds none (finite
        // values whose sum overflowed), and then the embeddings in `out` stand.
        require_finite_pixels(pixels, 0, batch, stride);
        break;
      case ImageBatchRunner::PinnedRun::NotPinned:
        device_runner_->run(
            batch,
            [&](float* staging, int first, int count) {
              const int64_t at =
                  copy_checking_finite(staging, pixels + first * stride, count * stride);
              if (at >= 0) require_finite_pixels(pixels + first * stride, first, count, stride);
            },
            normalize, out);
        break;
    }
  }
  require_finite_output(out, batch);
}

bool ClipModel::pin_pixels(float* pixels, int64_t floats) const {
  if (!device_runner_) return false;
  pin_host_memory(pixels, size_t(floats) * sizeof(float));
  return true;
}

void ClipModel::unpin_pixels(float* pixels) { unpin_host_memory(pixels); }

void ClipModel::encode_encoded(const uint8_t* data, const int64_t* offsets, int batch,
                               bool normalize, float* out) const {
  image_runner().run(
      batch,
      [&](float* pixels, int first, int count) {
        preprocess_encoded_range(data, offsets, first, count, pixels);
      },
      normalize, out);
  require_finite_output(out, batch);
}

void ClipModel::encode_rgb(const uint8_t* rgb, const int64_t* offsets, const int32_t* widths,
                           const int32_t* heights, int batch, bool normalize, float* out) const {
  image_runner().run(
      batch,
      [&](float* pixels, int first, int count) {
        preprocess_rgb_range(rgb, offsets, widths, heights, first, count, pixels);
      },
      normalize, out);
  require_finite_output(out, batch);
}

// Runs `one(i)` for images i = first .. first + count - 1 on libtorch's thread pool: decoding and
// resizing are independent per image. A single image runs on the calling thread, so that its
// resize can spread its rows over the pool instead. The lowest-numbered failure is reported, so
// errors do not depend on timing.
static void for_each_image(int first, int count, const std::function<void(int64_t)>& one) {
  std::vector<std::exception_ptr> failures(static_cast<size_t>(count));
  const auto run = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      try {
        one(first + i);
      } catch (...) {
        failures[size_t(i)] = std::current_exception();
      }
    }
  };
  if (count == 1) {
    run(0, 1);
  } else {
    at::parallel_for(0, count, 1, run);
  }
  for (int64_t i = 0; i < count; i++) {
    if (!failures[size_t(i)]) continue;
    try {
      std::rethrow_exception(failures[size_t(i)]);
    } catch (const BadImage& e) {
      throw BadImage("image " + std::to_string(first + i) + ": " + e.what());
    }
  }
}

void ClipModel::preprocess_encoded(const uint8_t* data, const int64_t* offsets, int batch,
                                   float* pixels_out) const {
  preprocess_encoded_range(data, offsets, 0, batch, pixels_out);
}

void ClipModel::preprocess_rgb(const uint8_t* rgb, const int64_t* offsets, const int32_t* widths,
                               const int32_t* heights, int batch, float* pixels_out) const {
  preprocess_rgb_range(rgb, offsets, widths, heights, 0, batch, pixels_out);
}

void ClipModel::preprocess_encoded_range(const uint8_t* data, const int64_t* offsets, int first,
                                         int count, float* pixels_out) const {
  const int64_t stride = pixels_per_image();
  for_each_image(first, count, [&](int64_t i) {
    const DecodedImage image =
        decode_image(data + offsets[i], size_t(offsets[i + 1] - offsets[i]), max_image_pixels_);
    preprocess_image(image, config_.preprocess, pixels_out + (i - first) * stride);
  });
}

void ClipModel::preprocess_rgb_range(const uint8_t* rgb, const int64_t* offsets,
                                     const int32_t* widths, const int32_t* heights, int first,
                                     int count, float* pixels_out) const {
  const int64_t stride = pixels_per_image();
  for_each_image(first, count, [&](int64_t i) {
    if (int64_t(widths[i]) * heights[i] > max_image_pixels_) {
      throw BadImage("image of " + std::to_string(widths[i]) + "x" + std::to_string(heights[i]) +
                     " pixels exceeds the limit of " + std::to_string(max_image_pixels_) +
                     " pixels");
    }
    preprocess_image(rgb_image(rgb + offsets[i], widths[i], heights[i]), config_.preprocess,
                     pixels_out + (i - first) * stride);
  });
}

LinearLayerCount ClipModel::linear_layers() const {
  LinearLayerCount count;
  image_tower_->count_linear_layers(count);
  text_tower_.count_linear_layers(count);
  return count;
}

}  // namespace clip4j

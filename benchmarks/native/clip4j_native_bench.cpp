// Times clip4j's native runner through its C facade, without a JVM: for GPU machines where only
// a native build can go (their own PyTorch, no Maven). Model-only image embeddings: preprocessed
// pixels in host memory -> embeddings in host memory, one facade call per batch, as the Java API
// makes them; with --prompt-tokens, token ids -> text embeddings instead. Prints one JSON object
// per case; see benchmarks/native/README.md.
//
//   clip4j_native_bench --weights open_clip_model.safetensors --device cuda --precision fp16
//       --batches 1,256 --graphs both [--arch ViT-B-32|RN50]
//       [--check-input PIXELS.f32|TOKENS.i64 --check-output EMBEDDINGS.f32] [--prompt-tokens N]
//       [--callers N] [--input ordinary|pinned|both]
#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "clip4j.h"

namespace {

struct Args {
  std::string weights;
  std::string arch = "ViT-B-32";  // open_clip's model name; the weights must be of it
  std::string device = "cuda";
  std::string precision;  // default: fp16 on CUDA, fp32 on the CPU
  std::vector<int> batches = {1, 256};
  std::string graphs = "both";  // on, off or both
  double seconds = 3.0;         // timed per case, after warm-up
  int warmup = 20;              // calls per case before timing
  std::string check_input;      // raw float32 pixels [n, 3, size, size] to embed once per mode, or
                                // with --prompt-tokens raw int64 token ids [n, context length]
  std::string check_output;     // their raw float32 embeddings; "-graphs"/"-eager" is appended
  int prompt_tokens = 0;        // > 0: the text tower on prompts of this many tokens, not images
  int callers = 1;              // threads calling the one model at once, each its own inputs
  // Where the pixels lie: ordinary host memory (clip4j copies them into its pinned slot, scanning
  // them), memory pinned with clip4j_pin_pixels (copied to the GPU as it is, checked there), or
  // both in turn.
  std::string input = "ordinary";
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(
      stderr,
      "clip4j_native_bench: %s\n"
      "usage: clip4j_native_bench --weights FILE [--arch ViT-B-32|RN50] [--device cuda|cpu] "
      "[--precision fp32|fp16|bf16] [--batches 1,256] [--graphs on|off|both] "
      "[--seconds S] [--warmup N] [--check-input FILE --check-output FILE] "
      "[--prompt-tokens N] [--callers N] [--input ordinary|pinned|both]\n",
      problem.c_str());
  std::exit(2);
}

// The whole of `value` as a number, or the usage message naming `flag` (std::stoi alone would
// end the program on "abc" with an uncaught exception, and read "8x" as 8).
template <typename Number>
Number number_after(const std::string& flag, const std::string& value) {
  try {
    size_t used = 0;
    const Number n = std::is_integral_v<Number> ? Number(std::stoi(value, &used))
                                                : Number(std::stod(value, &used));
    if (used == value.size()) return n;
  } catch (const std::exception&) {
  }
  usage(flag + " takes a number, not '" + value + "'");
}

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; i++) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value after " + flag);
    const std::string value = argv[++i];
    if (flag == "--weights") {
      args.weights = value;
    } else if (flag == "--arch") {
      args.arch = value;
    } else if (flag == "--device") {
      args.device = value;
    } else if (flag == "--precision") {
      args.precision = value;
    } else if (flag == "--graphs") {
      args.graphs = value;
    } else if (flag == "--seconds") {
      args.seconds = number_after<double>(flag, value);
    } else if (flag == "--warmup") {
      args.warmup = number_after<int>(flag, value);
    } else if (flag == "--callers") {
      args.callers = number_after<int>(flag, value);
    } else if (flag == "--prompt-tokens") {
      args.prompt_tokens = number_after<int>(flag, value);
    } else if (flag == "--input") {
      args.input = value;
    } else if (flag == "--check-input") {
      args.check_input = value;
    } else if (flag == "--check-output") {
      args.check_output = value;
    } else if (flag == "--batches") {
      args.batches.clear();
      size_t start = 0;
      while (start <= value.size()) {
        const size_t comma = value.find(',', start);
        const std::string part = value.substr(start, comma - start);
        const int batch = number_after<int>(flag, part);
        if (batch < 1) usage("batch sizes must be positive");
        args.batches.push_back(batch);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (args.weights.empty()) usage("--weights is required");
  // A NaN budget would never run out.
  if (!std::isfinite(args.seconds) || args.seconds < 0) usage("--seconds takes a number from 0");
  if (args.warmup < 0) usage("--warmup takes a whole number from 0");
  if (args.callers < 1 || args.callers > 256) usage("--callers takes 1 to 256");
  if (args.precision.empty()) args.precision = args.device == "cpu" ? "fp32" : "fp16";
  if (args.check_input.empty() != args.check_output.empty())
    usage("--check-input and --check-output go together");
  // Start and end of text around at least one word (the model's context bounds it in main).
  if (args.prompt_tokens != 0 && args.prompt_tokens < 3) usage("--prompt-tokens takes 3 or more");
  if (args.graphs != "on" && args.graphs != "off" && args.graphs != "both")
    usage("--graphs takes on, off or both");
  if (args.input != "ordinary" && args.input != "pinned" && args.input != "both")
    usage("--input takes ordinary, pinned or both");
  if (args.input != "ordinary" && args.prompt_tokens > 0)
    usage("--input pinned is for images (--prompt-tokens times the text tower)");
  return args;
}

// open_clip's ViT-B-32 (model_configs/ViT-B-32.json) with OpenAI's preprocessing.
clip4j_model_config vit_b_32() {
  clip4j_model_config c{};
  c.embed_dim = 512;
  c.activation = CLIP4J_GELU;
  c.layout = CLIP4J_LAYOUT_OPEN_CLIP;
  c.vision.tower = CLIP4J_VISION_TRANSFORMER;
  c.vision.image_size = 224;
  c.vision.patch_size = 32;
  c.vision.width = 768;
  c.vision.layers = 12;
  c.vision.heads = 12;
  c.vision.mlp_width = 3072;
  c.vision.pool = CLIP4J_POOL_CLASS_TOKEN;
  c.text.context_length = 77;
  c.text.vocab_size = 49408;
  c.text.width = 512;
  c.text.layers = 12;
  c.text.heads = 8;
  c.text.mlp_width = 2048;
  c.text.pool = CLIP4J_TEXT_POOL_ARGMAX;
  c.text.causal_mask = 1;
  c.preprocess.size = 224;
  c.preprocess.resize_mode = CLIP4J_RESIZE_SHORTEST;
  c.preprocess.interpolation = CLIP4J_BICUBIC;
  const float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  const float std[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  for (int i = 0; i < 3; i++) {
    c.preprocess.mean[i] = mean[i];
    c.preprocess.std[i] = std[i];
  }
  return c;
}

// open_clip's RN50 (model_configs/RN50.json): the ModifiedResNet tower, heads = width * 32 / 64.
clip4j_model_config rn50() {
  clip4j_model_config c = vit_b_32();
  c.embed_dim = 1024;
  c.vision = clip4j_vision_config{};
  c.vision.tower = CLIP4J_MODIFIED_RESNET;
  c.vision.image_size = 224;
  c.vision.width = 64;
  c.vision.heads = 32;
  const int32_t layers[4] = {3, 4, 6, 3};
  std::copy(layers, layers + 4, c.vision.resnet_layers);
  return c;
}

clip4j_model_config config_of(const std::string& arch) {
  if (arch == "ViT-B-32") return vit_b_32();
  if (arch == "RN50") return rn50();
  usage("unknown --arch " + arch + " (ViT-B-32 or RN50)");
}

int precision_of(const std::string& name) {
  if (name == "fp32") return CLIP4J_FP32;
  if (name == "fp16") return CLIP4J_FP16;
  if (name == "bf16") return CLIP4J_BF16;
  usage("unknown precision " + name);
}

struct Model {
  clip4j_model* handle = nullptr;
  ~Model() { clip4j_model_free(handle); }
};

void check(clip4j_status status, const char* error) {
  if (status != CLIP4J_OK) {
    throw std::runtime_error("clip4j status " + std::to_string(status) + ": " + error);
  }
}

double percentile(std::vector<double> sorted, double p) {
  std::sort(sorted.begin(), sorted.end());
  const size_t index = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
  return sorted[index];
}

// Pixels like a normalised photo's (roughly unit variance), not zeros: zeros can hide unwritten
// outputs and run faster than real data.
std::vector<float> random_pixels(size_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> pixels(count);
  for (auto& p : pixels) p = normal(generator);
  return pixels;
}

// Token rows of `tokens` ids each (start of text, words, end of text), zero-padded to the
// context: a different word sequence per row and set, so no two calls see the same rows.
std::vector<int64_t> random_prompts(int batch, int tokens, const clip4j_text_config& text,
                                    unsigned seed) {
  constexpr int64_t kStartOfText = 49406, kEndOfText = 49407;
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int64_t> word(256, kStartOfText - 1);
  std::vector<int64_t> ids(size_t(batch) * text.context_length, 0);
  for (int b = 0; b < batch; b++) {
    int64_t* row = ids.data() + size_t(b) * text.context_length;
    row[0] = kStartOfText;
    for (int j = 1; j + 1 < tokens; j++) row[j] = word(generator);
    row[tokens - 1] = kEndOfText;
  }
  return ids;
}

template <typename Value>
std::vector<Value> read_values(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw std::runtime_error("cannot read " + path);
  std::vector<Value> values;
  Value buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, sizeof(Value), 4096, file)) > 0)
    values.insert(values.end(), buffer, buffer + got);
  std::fclose(file);
  return values;
}

void write_floats(const std::string& path, const std::vector<float>& values) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error("cannot write " + path);
  const size_t written = std::fwrite(values.data(), sizeof(float), values.size(), file);
  std::fclose(file);
  if (written != values.size()) throw std::runtime_error("short write to " + path);
}

// Memory pinned for the runner (clip4j_pin_pixels), unpinned when this goes: declared before the
// model, so that unpinning after the model is freed, which the facade allows, is exercised.
struct PinnedInputs {
  std::vector<float*> pinned;
  ~PinnedInputs() {
    for (float* p : pinned) clip4j_unpin_pixels(p);
  }
};

// The pinned path against the ordinary one on the same pixels: bit-identical embeddings (the same
// values reach the same staging buffer), and a NaN named with its image by the device's check.
void check_pinned_path(clip4j_model* model, std::vector<float>& pinned, int batch, size_t per_image,
                       int embed_dim) {
  char error[2048] = {0};
  std::vector<float> ordinary_copy = pinned, from_ordinary(size_t(batch) * embed_dim),
                     from_pinned(size_t(batch) * embed_dim);
  check(clip4j_encode_pixels(model, ordinary_copy.data(), batch, 0, from_ordinary.data(), error,
                             sizeof error),
        error);
  check(
      clip4j_encode_pixels(model, pinned.data(), batch, 0, from_pinned.data(), error, sizeof error),
      error);
  if (std::memcmp(from_ordinary.data(), from_pinned.data(), from_pinned.size() * sizeof(float))) {
    throw std::runtime_error("pinned input: embeddings differ from the same pixels unpinned");
  }
  const size_t at = (size_t(batch) - 1) * per_image + 7;
  const float kept = pinned[at];
  pinned[at] = std::nanf("");
  const clip4j_status status =
      clip4j_encode_pixels(model, pinned.data(), batch, 0, from_pinned.data(), error, sizeof error);
  pinned[at] = kept;
  const std::string wanted = "image " + std::to_string(batch - 1) + ": its pixels hold NaN";
  if (status != CLIP4J_INVALID_ARGUMENT || std::string(error).find(wanted) == std::string::npos) {
    throw std::runtime_error("pinned input: a NaN gave status " + std::to_string(status) + " '" +
                             error + "', not '" + wanted + "'");
  }
  std::fprintf(stderr, "pinned input, batch %d: same embeddings as unpinned, NaN named: ok\n",
               batch);
}

void run_case(const Args& args, const clip4j_model_config& config, bool graphs, int batch,
              bool first_case, bool pinned_input) {
  clip4j_load_options options{};
  options.device = args.device == "cpu" ? CLIP4J_DEVICE_CPU : CLIP4J_DEVICE_CUDA;
  options.precision = precision_of(args.precision);
  options.cuda_graphs_off = graphs ? 0 : 1;
  char error[2048] = {0};
  PinnedInputs pinned_inputs;
  Model model;
  const auto load_start = std::chrono::steady_clock::now();
  check(clip4j_model_load(args.weights.c_str(), &config, &options, &model.handle, error,
                          sizeof error),
        error);
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();

  const size_t per_image = size_t(3) * config.preprocess.size * config.preprocess.size;
  // Per caller: four input sets in turn, so repeated calls do not measure one buffer sitting in a
  // cache, and its own output.
  struct Caller {
    std::vector<std::vector<float>> inputs;
    std::vector<std::vector<int64_t>> prompts;
    std::vector<float> out;
    std::vector<double> millis;
    std::string error;
  };
  std::vector<Caller> callers(size_t(args.callers));
  for (size_t c = 0; c < callers.size(); c++) {
    for (unsigned s = 0; s < 4; s++) {
      const unsigned seed = 1234 + unsigned(4 * c) + s;
      if (args.prompt_tokens > 0) {
        callers[c].prompts.push_back(random_prompts(batch, args.prompt_tokens, config.text, seed));
      } else {
        callers[c].inputs.push_back(random_pixels(per_image * batch, seed));
      }
    }
    callers[c].out.resize(size_t(batch) * config.embed_dim);
  }
  bool pinned = false;  // false on the CPU, which reads host memory in place anyway
  if (pinned_input) {
    for (auto& caller : callers) {
      for (auto& input : caller.inputs) {
        int32_t done = 0;
        check(clip4j_pin_pixels(model.handle, input.data(), int64_t(input.size()), &done, error,
                                sizeof error),
              error);
        if (done) pinned_inputs.pinned.push_back(input.data());
        pinned = done != 0;
      }
    }
    if (pinned)
      check_pinned_path(model.handle, callers[0].inputs[0], batch, per_image, config.embed_dim);
  }
  const auto encode = [&](Caller& caller, size_t i, char* error, size_t capacity) {
    check(
        args.prompt_tokens > 0
            ? clip4j_encode_text(model.handle, caller.prompts[i % 4].data(), batch,
                                 config.text.context_length, 0, caller.out.data(), error, capacity)
            : clip4j_encode_pixels(model.handle, caller.inputs[i % 4].data(), batch, 0,
                                   caller.out.data(), error, capacity),
        error);
  };

  if (first_case && !args.check_input.empty()) {
    // The parity input (written by pytorch_eager.py), embedded unnormalised for its comparison.
    std::vector<float> embeddings;
    if (args.prompt_tokens > 0) {
      const std::vector<int64_t> ids = read_values<int64_t>(args.check_input);
      const size_t context = size_t(config.text.context_length);
      if (ids.empty() || ids.size() % context != 0)
        throw std::runtime_error(args.check_input + " is not a whole number of token rows");
      const int n = int(ids.size() / context);
      embeddings.resize(size_t(n) * config.embed_dim);
      check(clip4j_encode_text(model.handle, ids.data(), n, int32_t(context), 0, embeddings.data(),
                               error, sizeof error),
            error);
    } else {
      const std::vector<float> pixels = read_values<float>(args.check_input);
      if (pixels.empty() || pixels.size() % per_image != 0)
        throw std::runtime_error(args.check_input + " is not a whole number of images");
      const int n = int(pixels.size() / per_image);
      embeddings.resize(size_t(n) * config.embed_dim);
      check(clip4j_encode_pixels(model.handle, pixels.data(), n, 0, embeddings.data(), error,
                                 sizeof error),
            error);
    }
    write_floats(args.check_output + (graphs ? "-graphs" : "-eager"), embeddings);
  }
  // Every caller warms up, then all time together from one start until the budget is spent.
  std::barrier warmed(args.callers + 1), go(args.callers + 1);
  std::chrono::steady_clock::time_point start;
  const auto call_loop = [&](Caller& caller) {
    char caller_error[2048] = {0};
    try {
      for (int i = 0; i < args.warmup; i++)
        encode(caller, size_t(i), caller_error, sizeof caller_error);
    } catch (const std::exception& e) {
      caller.error = e.what();
    }
    warmed.arrive_and_wait();
    go.arrive_and_wait();  // `start` is set now
    if (!caller.error.empty()) return;
    try {
      for (size_t i = 0;; i++) {
        const auto t0 = std::chrono::steady_clock::now();
        encode(caller, i, caller_error, sizeof caller_error);
        const auto t1 = std::chrono::steady_clock::now();
        caller.millis.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        if (std::chrono::duration<double>(t1 - start).count() >= args.seconds &&
            caller.millis.size() >= 10)
          break;
      }
    } catch (const std::exception& e) {
      caller.error = e.what();
    }
  };
  std::vector<std::thread> threads;
  for (auto& caller : callers) threads.emplace_back(call_loop, std::ref(caller));
  warmed.arrive_and_wait();
  start = std::chrono::steady_clock::now();  // after every warm-up, before any timed call
  go.arrive_and_wait();
  for (auto& thread : threads) thread.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> millis;  // every caller's calls
  for (const auto& caller : callers) {
    if (!caller.error.empty()) throw std::runtime_error(caller.error);
    for (float v : caller.out) {
      if (!std::isfinite(v)) throw std::runtime_error("non-finite embedding");
    }
    millis.insert(millis.end(), caller.millis.begin(), caller.millis.end());
  }
  const double p50 = percentile(millis, 50);
  // One caller: rate at the median call. Several: everything they finished over the wall time.
  const double rate =
      args.callers == 1 ? batch / (p50 / 1000.0) : double(millis.size()) * batch / elapsed;
  std::printf(
      "{\"runtime\":\"clip4j-native\",\"arch\":\"%s\",\"device\":\"%s\",\"precision\":\"%s\","
      "\"graphs\":%s,\"tower\":\"%s\",\"prompt_tokens\":%d,\"callers\":%d,\"pinned_input\":%s,"
      "\"batch\":%d,\"calls\":%zu,\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,"
      "\"max_ms\":%.4f,\"%s_per_s%s\":%.1f,\"load_s\":%.2f}\n",
      args.arch.c_str(), args.device.c_str(), args.precision.c_str(), graphs ? "true" : "false",
      args.prompt_tokens > 0 ? "text" : "image", args.prompt_tokens, args.callers,
      pinned ? "true" : "false", batch, millis.size(), p50, percentile(millis, 90),
      percentile(millis, 99), *std::max_element(millis.begin(), millis.end()),
      args.prompt_tokens > 0 ? "prompts" : "images", args.callers == 1 ? "_at_p50" : "_total", rate,
      load_seconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const clip4j_model_config config = config_of(args.arch);
  if (args.prompt_tokens > config.text.context_length)
    usage("--prompt-tokens takes at most " + std::to_string(config.text.context_length) + " for " +
          args.arch);
  std::vector<bool> modes;
  if (args.graphs != "off") modes.push_back(true);
  if (args.graphs != "on") modes.push_back(false);
  try {
    std::vector<bool> inputs;  // pinned or not
    if (args.input != "pinned") inputs.push_back(false);
    if (args.input != "ordinary") inputs.push_back(true);
    for (bool graphs : modes) {
      bool first = true;  // the parity check runs once per mode
      for (int batch : args.batches) {
        for (bool pinned_input : inputs) {
          run_case(args, config, graphs, batch, first, pinned_input);
          first = false;
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clip4j_native_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
